-- One row per month and tier (plus `all`): the accounts scored on the month's first day, how
-- many churned within the next 90 days (a churn measured at the end of that month or the two
-- after), the churn rate, and - per month - the score's ROC AUC for that churn, from rank
-- sums (average ranks for ties), so it runs on every engine without an ML package.
with

health as (
    select * from {{ ref('fct_account_health_daily') }}
),

churns as (
    select * from {{ ref('fct_churn_events') }}
),

months as (
    select * from {{ ref('int_revenue__months') }}
),

scored as (
    select
        health.account_id,
        health.activity_date as month,
        health.health_score,
        health.tier,
        case when exists (
                    select 1 from churns
                    where
                        churns.account_id = health.account_id
                        and churns.month >= health.activity_date
                        and churns.month <= {{ add_months('health.activity_date', 2) }}
                ) then 1
            else 0
        end as churned_90d
    from health
    where health.activity_date = {{ month_start('health.activity_date') }}
),

observable as (
    -- a month whose 90-day outcome is fully observed: its third month is complete
    select scored.*
    from scored
    inner join months
        on months.month = {{ add_months('scored.month', 2) }}
    where months.is_complete_month
),

ranked as (
    -- rank by risk: the lowest score gets the highest rank; ties share their average rank
    select
        *,
        (
            rank() over (partition by month order by health_score desc)
            + rank() over (partition by month order by health_score desc)
            + count(*) over (partition by month, health_score) - 1
        ) / 2.0 as risk_rank
    from observable
),

auc as (
    select
        month,
        (
            sum(case when churned_90d = 1 then risk_rank else 0 end)
            - sum(churned_90d) * (sum(churned_90d) + 1) / 2.0
        ) / nullif(sum(churned_90d) * (count(*) - sum(churned_90d)), 0) as roc_auc_90d
    from ranked
    group by month
),

by_tier as (
    select
        month,
        coalesce(tier, 'all') as tier,
        count(*) as accounts_scored,
        sum(churned_90d) as accounts_churned_90d
    from observable
    group by month, rollup(tier)
)

select
    by_tier.month,
    by_tier.tier,
    by_tier.accounts_scored,
    by_tier.accounts_churned_90d,
    {{ ratio('by_tier.accounts_churned_90d', 'by_tier.accounts_scored') }} as churn_rate_90d,
    cast(auc.roc_auc_90d as {{ type_double() }}) as roc_auc_90d
from by_tier
inner join auc
    on by_tier.month = auc.month
