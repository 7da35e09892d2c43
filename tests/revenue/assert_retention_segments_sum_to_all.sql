-- Additive columns of the size-segment rows add up to the `all` row for every month.
with

retention as (
    select * from {{ ref('fct_revenue_retention_monthly') }}
),

segment_sums as (
    select
        month,
        sum(starting_mrr) as starting_mrr,
        sum(new_mrr) as new_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(ending_mrr) as ending_mrr,
        sum(customers_start) as customers_start,
        sum(new_customers) as new_customers,
        sum(reactivated_customers) as reactivated_customers,
        sum(churned_customers) as churned_customers,
        sum(customers_end) as customers_end
    from retention
    where segment <> 'all'
    group by month
),

all_rows as (
    select * from retention
    where segment = 'all'
)

select all_rows.month
from all_rows
left join segment_sums
    on all_rows.month = segment_sums.month
where
    segment_sums.month is null
    or all_rows.starting_mrr <> segment_sums.starting_mrr
    or all_rows.new_mrr <> segment_sums.new_mrr
    or all_rows.reactivation_mrr <> segment_sums.reactivation_mrr
    or all_rows.expansion_mrr <> segment_sums.expansion_mrr
    or all_rows.contraction_mrr <> segment_sums.contraction_mrr
    or all_rows.churned_mrr <> segment_sums.churned_mrr
    or all_rows.ending_mrr <> segment_sums.ending_mrr
    or all_rows.customers_start <> segment_sums.customers_start
    or all_rows.new_customers <> segment_sums.new_customers
    or all_rows.reactivated_customers <> segment_sums.reactivated_customers
    or all_rows.churned_customers <> segment_sums.churned_customers
    or all_rows.customers_end <> segment_sums.customers_end
