{{ config(materialized="table") }}

-- Every raw crm_accounts row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
    {{ raw_source('crm', 'crm_accounts') }}
),

normalized as (
    select
        account_id,
        account_name,
        {{ normalize_enum('industry') }} as industry,
        employee_count,
        {{ normalize_enum('region') }} as region,
        csm_id,
        created_at,
        updated_at,
        is_deleted,
        _loaded_at
    from source
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('crm', 'crm_accounts') }} as dq_rule
    from normalized
)

{{ dq_classify('validated', 'crm', 'crm_accounts') }}
