-- One row per account and month from the account's first paying month to the as-of month:
-- MRR, its movement against the previous month and the movement amounts, in dollars.
with

movements as (
    select * from {{ ref('int_revenue__mrr_movements') }}
),

accounts as (
    select * from {{ ref('int_accounts__segmented') }}
)

select
    movements.account_id,
    movements.month,
    movements.mrr,
    movements.previous_mrr,
    movements.movement,
    movements.new_mrr,
    movements.reactivation_mrr,
    movements.expansion_mrr,
    movements.contraction_mrr,
    movements.churned_mrr,
    movements.churn_type,
    coalesce(accounts.size_segment, 'unknown') as size_segment,
    movements.is_complete_month
from movements
left join accounts
    on movements.account_id = accounts.account_id
