-- One row per account and month: MRR against the previous month classified into exactly one
-- movement, with the movement amounts (mrr = previous + new + reactivation + expansion
-- - contraction - churned) and the MRR twelve months earlier for trailing retention.
-- A table: six marts and models and its tests read it; as a view each read ranked every
-- account's months again (0.5 s a read at `large`, most of the daily run's revenue marts).
{{ config(materialized='table') }}
with

account_mrr as (
    select * from {{ ref('int_revenue__account_mrr_monthly') }}
),

with_history as (
    select
        account_id,
        month,
        first_paid_month,
        is_complete_month,
        mrr,
        ended_cancel_reason,
        coalesce(lag(mrr) over (partition by account_id order by month), 0) as previous_mrr,
        coalesce(lag(mrr, 12) over (partition by account_id order by month), 0) as mrr_12_months_ago,
        coalesce(
            max(case when mrr > 0 then 1 else 0 end) over (
                partition by account_id order by month
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as had_earlier_revenue
    from account_mrr
),

classified as (
    -- the order matters: zero-to-positive splits into new / reactivation before any
    -- comparison of amounts, and churn is tested before expansion / contraction
    select
        *,
        case
            when previous_mrr = 0 and mrr = 0 then 'inactive'
            when previous_mrr = 0 and had_earlier_revenue = 0 then 'new'
            when previous_mrr = 0 then 'reactivation'
            when mrr = 0 then 'churn'
            when mrr > previous_mrr then 'expansion'
            when mrr < previous_mrr then 'contraction'
            else 'retained'
        end as movement
    from with_history
)

select
    account_id,
    month,
    first_paid_month,
    is_complete_month,
    mrr,
    previous_mrr,
    mrr_12_months_ago,
    movement,
    case when movement = 'new' then mrr else 0 end as new_mrr,
    case when movement = 'reactivation' then mrr else 0 end as reactivation_mrr,
    case when movement = 'expansion' then mrr - previous_mrr else 0 end as expansion_mrr,
    case when movement = 'contraction' then previous_mrr - mrr else 0 end as contraction_mrr,
    case when movement = 'churn' then previous_mrr else 0 end as churned_mrr,
    case when movement = 'churn' then ended_cancel_reason end as churn_type
from classified
