{{ config(materialized="table") }}

-- Every raw billing_subscription_periods row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
    {{ raw_source('billing', 'billing_subscription_periods') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

normalized as (
    select
        period_id,
        subscription_id,
        account_id,
        {{ normalize_enum('plan_code') }} as plan_code,
        seats,
        mrr_cents,
        {{ normalize_enum('billing_interval') }} as billing_interval,
        period_start,
        period_end,
        {{ normalize_enum('cancel_reason') }} as cancel_reason,
        _loaded_at
    from source
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('billing', 'billing_subscription_periods', table_rules=[
            ["known_accounts.known_account_id is null", "unknown_account"],
            ["mrr_cents < 0", "negative_mrr"],
            ["period_end <= period_start", "period_end_not_after_start"]
        ]) }} as dq_rule
    from normalized
    left join known_accounts
        on normalized.account_id = known_accounts.known_account_id
)

{{ dq_classify('validated', 'billing', 'billing_subscription_periods') }}
