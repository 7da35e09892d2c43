-- The account-month fact and the segment rollup tell the same story: for every month the
-- totals of fct_mrr_monthly equal the `all` row of fct_revenue_retention_monthly, to the cent.
with

mrr as (
    select * from {{ ref('fct_mrr_monthly') }}
),

retention as (
    select * from {{ ref('fct_revenue_retention_monthly') }}
    where segment = 'all'
),

totals as (
    select
        month,
        sum(previous_mrr) as starting_mrr,
        sum(new_mrr) as new_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(mrr) as ending_mrr,
        sum(case when movement = 'churn' then 1 else 0 end) as churned_customers
    from mrr
    group by month
)

select
    totals.month,
    totals.ending_mrr,
    retention.ending_mrr as retention_ending_mrr
from totals
full outer join retention
    on totals.month = retention.month
where
    retention.month is null
    or totals.month is null
    or totals.starting_mrr <> retention.starting_mrr
    or totals.new_mrr <> retention.new_mrr
    or totals.reactivation_mrr <> retention.reactivation_mrr
    or totals.expansion_mrr <> retention.expansion_mrr
    or totals.contraction_mrr <> retention.contraction_mrr
    or totals.churned_mrr <> retention.churned_mrr
    or totals.ending_mrr <> retention.ending_mrr
    or totals.churned_customers <> retention.churned_customers
