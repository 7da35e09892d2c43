-- One row per CSM and month: the accounts they managed at the month's measurement day, the ARR
-- managed, average health, at-risk ARR (at_risk + critical tiers), the tier mix, the
-- activities and QBRs they held, the ARR their accounts churned, expanded and contracted, and
-- their monthly NRR (metrics.md's formula over the CSM's accounts). An account counts for the
-- CSM it had on the month's measurement day (int_accounts__history).
with

health as (
    select * from {{ ref('fct_account_health_daily') }}
),

months as (
    select * from {{ ref('int_revenue__months') }}
),

activities as (
    select * from {{ ref('stg_crm__activities') }}
),

mrr as (
    select * from {{ ref('fct_mrr_monthly') }}
),

history as (
    select * from {{ ref('int_accounts__history') }}
),

portfolio as (
    select
        months.month,
        health.csm_id,
        count(*) as accounts,
        sum(health.arr) as arr_managed,
        avg(health.health_score) as avg_health_score,
        sum(case when health.tier in ('at_risk', 'critical') then health.arr else 0 end) as at_risk_arr,
        sum(case when health.tier = 'excellent' then 1 else 0 end) as excellent_accounts,
        sum(case when health.tier = 'good' then 1 else 0 end) as good_accounts,
        sum(case when health.tier = 'at_risk' then 1 else 0 end) as at_risk_accounts,
        sum(case when health.tier = 'critical' then 1 else 0 end) as critical_accounts
    from months
    inner join health
        on months.measured_on = health.activity_date
    where health.csm_id is not null
    group by months.month, health.csm_id
),

held as (
    select
        {{ month_start('occurred_at') }} as month,
        csm_id,
        count(*) as activities_held,
        sum(case when activity_type = 'qbr' then 1 else 0 end) as qbrs_held
    from activities
    where csm_id is not null
    group by {{ month_start('occurred_at') }}, csm_id
),

movements as (
    -- a month's churn and expansion count for the account's CSM on the measurement day
    select
        mrr.month,
        history.csm_id,
        sum(mrr.previous_mrr) as starting_mrr,
        sum(mrr.churned_mrr) as churned_mrr,
        sum(mrr.expansion_mrr) as expansion_mrr,
        sum(mrr.contraction_mrr) as contraction_mrr
    from mrr
    inner join months
        on mrr.month = months.month
    inner join history
        on
            mrr.account_id = history.account_id
            and months.measured_on >= history.valid_from
            and (history.valid_to is null or months.measured_on < history.valid_to)
    where history.csm_id is not null
    group by mrr.month, history.csm_id
)

select
    portfolio.month,
    portfolio.csm_id,
    portfolio.accounts,
    {{ money('portfolio.arr_managed') }} as arr_managed,
    portfolio.avg_health_score,
    {{ money('portfolio.at_risk_arr') }} as at_risk_arr,
    portfolio.excellent_accounts,
    portfolio.good_accounts,
    portfolio.at_risk_accounts,
    portfolio.critical_accounts,
    coalesce(held.activities_held, 0) as activities_held,
    coalesce(held.qbrs_held, 0) as qbrs_held,
    {{ money('coalesce(movements.churned_mrr, 0) * 12') }} as churned_arr,
    {{ money('coalesce(movements.expansion_mrr, 0) * 12') }} as expanded_arr,
    {{ money('coalesce(movements.starting_mrr, 0) * 12') }} as starting_arr,
    {{ money('coalesce(movements.contraction_mrr, 0) * 12') }} as contracted_arr,
    case
        when movements.starting_mrr > 0
            then {{ ratio(
                'movements.starting_mrr + movements.expansion_mrr - movements.contraction_mrr'
                ~ ' - movements.churned_mrr',
                'movements.starting_mrr'
            ) }}
    end as nrr_monthly
from portfolio
left join held
    on
        portfolio.month = held.month
        and portfolio.csm_id = held.csm_id
left join movements
    on
        portfolio.month = movements.month
        and portfolio.csm_id = movements.csm_id
