-- One row per current account (accounts deleted in the CRM are excluded here, never from
-- revenue history): attributes, CSM, segments, first paying month and current revenue.
with

accounts as (
    select * from {{ ref('int_accounts__segmented') }}
),

movements as (
    select * from {{ ref('int_revenue__mrr_movements') }}
),

account_health as (
    select * from {{ ref('fct_account_health_daily') }}
),

current_health as (
    -- the latest score of each account (today's for a paying account)
    select
        account_id,
        health_score,
        tier,
        lifecycle_stage,
        renewal_date
    from (
        select
            *,
            row_number() over (partition by account_id order by activity_date desc) as recency_rank
        from account_health
    ) as ranked
    where recency_rank = 1
),

churn_risk as (
    select * from {{ ref('fct_churn_risk_daily') }}
),

current_churn_risk as (
    -- the latest churn probability of each account (today's for a paying account)
    select
        account_id,
        churn_probability_90d,
        risk_band
    from (
        select
            *,
            row_number() over (partition by account_id order by activity_date desc) as recency_rank
        from churn_risk
    ) as ranked
    where recency_rank = 1
),

arr_bands as (
    select * from {{ ref('segment_bands') }}
    where band_type = 'arr'
),

revenue as (
    select
        account_id,
        min(first_paid_month) as first_paid_month,
        max(month) as as_of_month,
        sum(case when mrr > 0 then 1 else 0 end) as tenure_months
    from movements
    group by account_id
),

current_revenue as (
    select
        movements.account_id,
        movements.mrr as current_mrr
    from movements
    inner join revenue
        on
            movements.account_id = revenue.account_id
            and movements.month = revenue.as_of_month
),

with_revenue as (
    select
        accounts.*,
        revenue.first_paid_month,
        coalesce(revenue.tenure_months, 0) as tenure_months,
        coalesce(current_revenue.current_mrr, 0) as current_mrr,
        coalesce(current_revenue.current_mrr, 0) * 12 as current_arr
    from accounts
    left join revenue
        on accounts.account_id = revenue.account_id
    left join current_revenue
        on accounts.account_id = current_revenue.account_id
    where not accounts.is_deleted
)

select
    with_revenue.account_id,
    with_revenue.account_name,
    with_revenue.industry,
    with_revenue.region,
    with_revenue.employee_count,
    with_revenue.size_segment,
    case when with_revenue.current_arr > 0 then arr_bands.segment end as arr_band,
    with_revenue.csm_id,
    with_revenue.csm_name,
    with_revenue.created_at,
    with_revenue.first_paid_month,
    with_revenue.first_paid_month as cohort_month,
    {{ money('with_revenue.current_mrr') }} as current_mrr,
    {{ money('with_revenue.current_arr') }} as current_arr,
    with_revenue.current_mrr > 0 as is_active_customer,
    with_revenue.tenure_months,
    case when with_revenue.current_mrr > 0 then current_health.health_score end as health_score,
    case when with_revenue.current_mrr > 0 then current_health.tier end as health_tier,
    case when with_revenue.current_mrr > 0 then current_health.lifecycle_stage end as lifecycle_stage,
    case when with_revenue.current_mrr > 0 then current_health.renewal_date end as renewal_date,
    case when with_revenue.current_mrr > 0 then current_churn_risk.churn_probability_90d end as churn_probability_90d,
    case when with_revenue.current_mrr > 0 then current_churn_risk.risk_band end as churn_risk_band
from with_revenue
left join current_health
    on with_revenue.account_id = current_health.account_id
left join current_churn_risk
    on with_revenue.account_id = current_churn_risk.account_id
left join arr_bands
    on
        with_revenue.current_arr >= arr_bands.lower_bound
        and (arr_bands.upper_bound is null or with_revenue.current_arr < arr_bands.upper_bound)
