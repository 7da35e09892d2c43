{{ config(materialized="table") }}

-- Every raw finance_acquisition_costs row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
    {{ raw_source('finance', 'finance_acquisition_costs') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

normalized as (
    select
        account_id,
        acquired_month,
        cac_cents,
        _loaded_at
    from source
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('finance', 'finance_acquisition_costs', table_rules=[
            ["known_accounts.known_account_id is null", "unknown_account"]
        ]) }} as dq_rule
    from normalized
    left join known_accounts
        on normalized.account_id = known_accounts.known_account_id
)

{{ dq_classify('validated', 'finance', 'finance_acquisition_costs') }}
