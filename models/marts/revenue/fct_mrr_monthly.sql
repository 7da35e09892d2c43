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
    {{ money('movements.mrr') }} as mrr,
    {{ money('movements.previous_mrr') }} as previous_mrr,
    movements.movement,
    {{ money('movements.new_mrr') }} as new_mrr,
    {{ money('movements.reactivation_mrr') }} as reactivation_mrr,
    {{ money('movements.expansion_mrr') }} as expansion_mrr,
    {{ money('movements.contraction_mrr') }} as contraction_mrr,
    {{ money('movements.churned_mrr') }} as churned_mrr,
    movements.churn_type,
    coalesce(accounts.size_segment, 'unknown') as size_segment,
    movements.is_complete_month
from movements
left join accounts
    on movements.account_id = accounts.account_id
