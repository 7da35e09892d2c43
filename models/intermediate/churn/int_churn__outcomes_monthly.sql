{{ config(tags=['churn'], materialized='table') }}
-- One row per account paying on a month's first day: whether it churned within the next 90
-- days - a churn movement measured at the end of that month or of the two after it, the
-- label of the churn model and of fct_health_backtest - and whether that outcome is fully
-- observed (the third month is complete). csm train fits on these rows; the evaluation reads
-- the last churn_evaluation_months of them.
-- A table: as a view, its test and fct_churn_model_evaluation each scanned every paid day of
-- int_usage__account_windows_daily again for the month starts (about a second per read at `large`).
with

paid_days as (
    select * from {{ ref('int_usage__account_windows_daily') }}
),

movements as (
    select * from {{ ref('int_revenue__mrr_movements') }}
),

months as (
    select * from {{ ref('int_revenue__months') }}
),

month_starts as (
    select
        account_id,
        activity_date as month
    from paid_days
    where activity_date = {{ month_start('activity_date') }}
),

churns as (
    select
        account_id,
        month as churn_month
    from movements
    where movement = 'churn'
),

labelled as (
    select
        month_starts.account_id,
        month_starts.month,
        max(case when churns.churn_month is not null then 1 else 0 end) as churned_90d
    from month_starts
    left join churns
        on
            month_starts.account_id = churns.account_id
            and month_starts.month <= churns.churn_month
            and {{ add_months('month_starts.month', 2) }} >= churns.churn_month
    group by month_starts.account_id, month_starts.month
)

select
    labelled.account_id,
    labelled.month,
    labelled.churned_90d,
    coalesce(outcome_months.is_complete_month, false) as is_outcome_observed
from labelled
left join months as outcome_months
    on outcome_months.month = {{ add_months('labelled.month', 2) }}
