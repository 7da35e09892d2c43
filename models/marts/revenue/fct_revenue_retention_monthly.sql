-- One row per month and segment (all, and each size_segment): starting and ending MRR, the
-- movement sums, monthly and trailing-12-month net and gross revenue retention, and logo
-- counts and churn rates.
with

movements as (
    select * from {{ ref('int_revenue__mrr_movements') }}
),

accounts as (
    select * from {{ ref('int_accounts__segmented') }}
),

months as (
    select * from {{ ref('int_revenue__months') }}
),

segmented as (
    select
        movements.*,
        coalesce(accounts.size_segment, 'unknown') as segment
    from movements
    left join accounts
        on movements.account_id = accounts.account_id
),

totals as (
    -- one group per segment plus the `all` rollup (segment is never null before the rollup)
    select
        month,
        coalesce(segment, 'all') as segment,
        sum(previous_mrr) as starting_mrr,
        sum(new_mrr) as new_mrr,
        sum(reactivation_mrr) as reactivation_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(mrr) as ending_mrr,
        sum(case when mrr_12_months_ago > 0 then mrr else 0 end) as t12m_current_mrr,
        sum(case when mrr_12_months_ago > 0 then least(mrr, mrr_12_months_ago) else 0 end)
            as t12m_retained_mrr,
        sum(mrr_12_months_ago) as t12m_base_mrr,
        sum(case when previous_mrr > 0 then 1 else 0 end) as customers_start,
        sum(case when movement = 'new' then 1 else 0 end) as new_customers,
        sum(case when movement = 'reactivation' then 1 else 0 end) as reactivated_customers,
        sum(case when movement = 'churn' then 1 else 0 end) as churned_customers,
        sum(case when movement = 'churn' and churn_type = 'voluntary' then 1 else 0 end)
            as churned_customers_voluntary,
        sum(case when movement = 'churn' and churn_type = 'involuntary' then 1 else 0 end)
            as churned_customers_involuntary,
        sum(case when mrr > 0 then 1 else 0 end) as customers_end,
        sum(case when mrr_12_months_ago > 0 then 1 else 0 end) as t12m_base_customers,
        sum(case when mrr_12_months_ago > 0 and mrr = 0 then 1 else 0 end) as t12m_lost_customers
    from segmented
    group by month, rollup(segment)
),

history as (
    select
        month,
        {{ add_months('min(month) over ()', 12) }} as first_t12m_month,
        is_complete_month
    from months
)

select
    totals.month,
    totals.segment,
    {{ money('totals.starting_mrr') }} as starting_mrr,
    {{ money('totals.new_mrr') }} as new_mrr,
    {{ money('totals.reactivation_mrr') }} as reactivation_mrr,
    {{ money('totals.expansion_mrr') }} as expansion_mrr,
    {{ money('totals.contraction_mrr') }} as contraction_mrr,
    {{ money('totals.churned_mrr') }} as churned_mrr,
    {{ money('totals.ending_mrr') }} as ending_mrr,
    case
        when totals.starting_mrr > 0
            then {{ ratio(
                'totals.starting_mrr + totals.expansion_mrr - totals.contraction_mrr - totals.churned_mrr',
                'totals.starting_mrr'
            ) }}
    end as nrr_monthly,
    case
        when totals.starting_mrr > 0
            then {{ ratio('totals.starting_mrr - totals.contraction_mrr - totals.churned_mrr', 'totals.starting_mrr') }}
    end as grr_monthly,
    case
        when totals.month >= history.first_t12m_month and totals.t12m_base_mrr > 0
            then {{ ratio('totals.t12m_current_mrr', 'totals.t12m_base_mrr') }}
    end as nrr_t12m,
    case
        when totals.month >= history.first_t12m_month and totals.t12m_base_mrr > 0
            then {{ ratio('totals.t12m_retained_mrr', 'totals.t12m_base_mrr') }}
    end as grr_t12m,
    case
        when totals.starting_mrr > 0 then {{ ratio('totals.churned_mrr', 'totals.starting_mrr') }}
    end as revenue_churn_rate,
    totals.customers_start,
    totals.new_customers,
    totals.reactivated_customers,
    totals.churned_customers,
    totals.churned_customers_voluntary,
    totals.churned_customers_involuntary,
    totals.customers_end,
    case
        when totals.customers_start > 0
            then {{ ratio('totals.churned_customers', 'totals.customers_start') }}
    end as logo_churn_rate,
    case
        when totals.month >= history.first_t12m_month and totals.t12m_base_customers > 0
            then {{ ratio('totals.t12m_lost_customers', 'totals.t12m_base_customers') }}
    end as logo_churn_rate_t12m,
    history.is_complete_month
from totals
inner join history
    on totals.month = history.month
