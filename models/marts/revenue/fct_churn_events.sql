-- One row per account churn (a month whose MRR fell to 0 from a positive previous month):
-- the lost MRR, why (churn type), tenure, segment, industry, region, and whether the account
-- came back later. The table for churn root-cause analysis.
with

movements as (
    select * from {{ ref('int_revenue__mrr_movements') }}
),

accounts as (
    select * from {{ ref('int_accounts__segmented') }}
),

tenure_bands as (
    select * from {{ ref('tenure_bands') }}
),

with_tenure as (
    select
        account_id,
        month,
        movement,
        churned_mrr,
        churn_type,
        -- paying months before this one
        sum(case when mrr > 0 then 1 else 0 end) over (
            partition by account_id order by month
            rows between unbounded preceding and 1 preceding
        ) as tenure_months,
        max(case when movement = 'reactivation' then month end) over (
            partition by account_id
        ) as last_reactivation_month
    from movements
)

select
    with_tenure.account_id,
    with_tenure.month,
    {{ money('with_tenure.churned_mrr') }} as churned_mrr,
    with_tenure.churn_type,
    with_tenure.tenure_months,
    tenure_bands.tenure_band,
    coalesce(accounts.size_segment, 'unknown') as size_segment,
    accounts.industry,
    accounts.region,
    coalesce(with_tenure.last_reactivation_month > with_tenure.month, false) as is_later_reactivated
from with_tenure
left join accounts
    on with_tenure.account_id = accounts.account_id
left join tenure_bands
    on
        with_tenure.tenure_months >= tenure_bands.min_months
        and (tenure_bands.max_months is null or with_tenure.tenure_months < tenure_bands.max_months)
where with_tenure.movement = 'churn'
