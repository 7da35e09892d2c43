-- One row per month and segment: average revenue per account, customer lifetime value from
-- trailing-12-month logo churn (lifetime capped), acquisition cost, payback and LTV:CAC.
with

retention as (
    select * from {{ ref('fct_revenue_retention_monthly') }}
),

costs as (
    select * from {{ ref('stg_finance__acquisition_costs') }}
),

accounts as (
    select * from {{ ref('int_accounts__segmented') }}
),

segmented_costs as (
    select
        costs.acquired_month,
        costs.cac,
        accounts.size_segment as segment
    from costs
    inner join accounts
        on costs.account_id = accounts.account_id
    union all
    select
        costs.acquired_month,
        costs.cac,
        'all' as segment
    from costs
),

trailing_cac as (
    -- accounts acquired in the cac_window_months months ending with the month
    select
        retention.month,
        retention.segment,
        avg(cast(segmented_costs.cac as {{ type_double() }})) as avg_cac
    from retention
    inner join segmented_costs
        on
            retention.segment = segmented_costs.segment
            and retention.month >= segmented_costs.acquired_month
            and segmented_costs.acquired_month
            > {{ add_months('retention.month', -1 * var('cac_window_months')) }}
    group by retention.month, retention.segment
),

unit_economics as (
    select
        retention.month,
        retention.segment,
        retention.is_complete_month,
        case
            when retention.customers_end > 0 then {{ ratio('retention.ending_mrr', 'retention.customers_end') }}
        end as arpa,
        {{ var('gross_margin') }} as gross_margin,
        retention.logo_churn_rate_t12m as annual_logo_churn_rate,
        case
            when retention.logo_churn_rate_t12m is null then null
            when retention.logo_churn_rate_t12m = 0 then {{ var('clv_max_lifetime_years') }}
            else least({{ ratio(1, 'retention.logo_churn_rate_t12m') }}, {{ var('clv_max_lifetime_years') }})
        end as expected_lifetime_years,
        trailing_cac.avg_cac
    from retention
    left join trailing_cac
        on
            retention.month = trailing_cac.month
            and retention.segment = trailing_cac.segment
),

valued as (
    select
        *,
        arpa * 12 * gross_margin * expected_lifetime_years as clv
    from unit_economics
)

select
    month,
    segment,
    arpa,
    -- a double: the var's literal would be a decimal whose precision follows its digits
    cast(gross_margin as {{ type_double() }}) as gross_margin,
    annual_logo_churn_rate,
    expected_lifetime_years,
    clv,
    avg_cac,
    case when arpa > 0 then {{ ratio('avg_cac', 'arpa * gross_margin') }} end as cac_payback_months,
    case when avg_cac > 0 then {{ ratio('clv', 'avg_cac') }} end as ltv_to_cac,
    is_complete_month
from valued
