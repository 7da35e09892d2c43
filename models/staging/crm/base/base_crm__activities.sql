{{ config(materialized="table") }}

-- Every raw crm_activities row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
    {{ raw_source('crm', 'crm_activities') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

normalized as (
    select
        activity_id,
        account_id,
        csm_id,
        {{ normalize_enum('activity_type') }} as activity_type,
        occurred_at,
        executive_present,
        _loaded_at
    from source
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('crm', 'crm_activities', table_rules=[
            ["known_accounts.known_account_id is null", "unknown_account"]
        ]) }} as dq_rule
    from normalized
    left join known_accounts
        on normalized.account_id = known_accounts.known_account_id
)

{{ dq_classify('validated', 'crm', 'crm_activities') }}
