{{ config(materialized="table") }}

-- Every raw crm_csms row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
    {{ raw_source('crm', 'crm_csms') }}
),

normalized as (
    select
        csm_id,
        full_name,
        email,
        team,
        started_at,
        _loaded_at
    from source
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('crm', 'crm_csms') }} as dq_rule
    from normalized
)

{{ dq_classify('validated', 'crm', 'crm_csms') }}
