-- One row per valid priced subscription period; mrr in dollars, period_end exclusive (null = running).
with

periods as (
    select * from {{ ref('base_billing__subscription_periods') }}
    where dq_status = 'kept'
)

select
    period_id,
    subscription_id,
    account_id,
    plan_code,
    seats,
    {{ cents_to_dollars('mrr_cents') }} as mrr,
    billing_interval,
    period_start,
    period_end,
    cancel_reason,
    _loaded_at
from periods
