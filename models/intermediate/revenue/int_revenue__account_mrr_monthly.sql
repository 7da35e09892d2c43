-- One row per account and month from the account's first month with MRR > 0 to the as-of
-- month, with no gaps: MRR on the month's measurement day (0 when nothing is active) and the
-- churn type of the periods that ended since the previous measurement day.
-- A table: five models and its tests read it (the movements, the churn features, the onboarding
-- signals and marts, the health mart); as a view each read matched every subscription period
-- with every month again (0.4 s a read at `large`).
{{ config(materialized='table') }}
with

periods as (
    select * from {{ ref('stg_billing__subscription_periods') }}
),

months as (
    select * from {{ ref('int_revenue__months') }}
),

active_mrr as (
    -- a period counts in a month when it covers the measurement day (end is exclusive)
    select
        months.month,
        periods.account_id,
        sum(periods.mrr) as mrr
    from months
    inner join periods
        on
            months.measured_on >= periods.period_start
            and (periods.period_end is null or months.measured_on < periods.period_end)
    group by months.month, periods.account_id
),

first_paying_months as (
    select
        account_id,
        min(month) as first_paid_month
    from active_mrr
    where mrr > 0
    group by account_id
),

spine as (
    select
        first_paying_months.account_id,
        first_paying_months.first_paid_month,
        months.month,
        months.measured_on,
        months.is_complete_month
    from first_paying_months
    inner join months
        on first_paying_months.first_paid_month <= months.month
),

previous_days as (
    select
        month,
        lag(measured_on) over (order by month) as previous_measured_on
    from months
),

ended_periods as (
    -- periods active on the previous measurement day that ended by this one
    select
        previous_days.month,
        periods.account_id,
        max(case when periods.cancel_reason = 'involuntary' then 1 else 0 end) as has_involuntary,
        max(case when periods.cancel_reason = 'voluntary' then 1 else 0 end) as has_voluntary
    from previous_days
    inner join months
        on previous_days.month = months.month
    inner join periods
        on
            previous_days.previous_measured_on >= periods.period_start
            and previous_days.previous_measured_on < periods.period_end
            and months.measured_on >= periods.period_end
    group by previous_days.month, periods.account_id
)

select
    spine.account_id,
    spine.month,
    spine.first_paid_month,
    spine.is_complete_month,
    coalesce(active_mrr.mrr, 0) as mrr,
    case
        when ended_periods.has_involuntary = 1 then 'involuntary'
        when ended_periods.has_voluntary = 1 then 'voluntary'
        else 'unknown'
    end as ended_cancel_reason
from spine
left join active_mrr
    on
        spine.account_id = active_mrr.account_id
        and spine.month = active_mrr.month
left join ended_periods
    on
        spine.account_id = ended_periods.account_id
        and spine.month = ended_periods.month
