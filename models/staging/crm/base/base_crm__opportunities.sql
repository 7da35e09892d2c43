{{ config(materialized="table") }}

-- Every raw crm_opportunities row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
    {{ raw_source('crm', 'crm_opportunities') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

normalized as (
    select
        opportunity_id,
        account_id,
        {{ normalize_enum('opportunity_type') }} as opportunity_type,
        {{ normalize_enum('stage') }} as stage,
        amount_cents,
        created_at,
        close_date,
        updated_at,
        _loaded_at
    from source
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('crm', 'crm_opportunities', table_rules=[
            ["known_accounts.known_account_id is null", "unknown_account"]
        ]) }} as dq_rule
    from normalized
    left join known_accounts
        on normalized.account_id = known_accounts.known_account_id
)

{{ dq_classify('validated', 'crm', 'crm_opportunities') }}
