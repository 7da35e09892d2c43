{{ config(tags=['health', 'alerts']) }}

-- One row per month, category and rule (and per month and category for the category's pool
-- of rules, rule_key 'all'): how many episodes opened and for how many accounts against the
-- accounts paying that month, and for risk rules how well they foresee churn (metrics.md
-- Alert episodes). The churn day is the day after the account's last paid day before the
-- churn month ends. Precision: risk episodes opened that month followed by a churn day within
-- alert_outcome_days (90) of opening / those episodes, counting episodes opened at least that
-- long before the as-of date. Coverage: churns that month with an episode open on some day of
-- the alert_outcome_days before the churn day / those churns, counting churns whose whole
-- look-back lies in the alert data. Base rate: accounts paying on the month's first day
-- followed by a churn day within alert_outcome_days / those accounts. Lift: precision / base.
-- Numerators and denominators are columns, so a longer period sums them.
with

alerts as (
    select * from {{ ref('fct_alerts') }}
),

health as (
    select * from {{ ref('fct_account_health_daily') }}
),

churns as (
    select * from {{ ref('fct_churn_events') }}
),

months as (
    select * from {{ ref('int_revenue__months') }}
),

rules as (
    select * from {{ ref('alert_rules') }}
    where enabled
),

data_bounds as (
    select
        min(activity_date) as first_day,
        {{ as_of_date() }} as as_of_date
    from health
),

rule_groups as (
    -- every rule, and each category's pool of rules ('all')
    select
        category,
        rule_key,
        rule_key as member_rule_key
    from rules
    union all
    select
        category,
        'all' as rule_key,
        rule_key as member_rule_key
    from rules
),

report_rows as (
    -- every month of alert data for every rule and pool
    select distinct
        months.month,
        months.month_end,
        rule_groups.category,
        rule_groups.rule_key
    from months
    inner join data_bounds
        on
            months.month_end >= data_bounds.first_day
            and months.month <= data_bounds.as_of_date
    cross join rule_groups
),

churn_days as (
    -- the day each churn began: the day after the last paid day up to the churn month's end
    select
        churns.account_id,
        churns.month as churn_month,
        {{ add_days('max(health.activity_date)', 1) }} as churn_day
    from churns
    inner join health
        on
            churns.account_id = health.account_id
            and health.activity_date <= {{ month_end('churns.month') }}
    group by churns.account_id, churns.month
),

observed_churns as (
    -- churns whose whole look-back lies in the alert data
    select churn_days.*
    from churn_days
    inner join data_bounds
        on {{ add_days('churn_days.churn_day', -var('alert_outcome_days')) }} >= data_bounds.first_day
),

episode_outcomes as (
    select
        alerts.account_id,
        alerts.rule_key,
        alerts.opened_on,
        {{ month_start('alerts.opened_on') }} as month,
        {{ add_days('alerts.opened_on', var('alert_outcome_days')) }} <= data_bounds.as_of_date as is_observed,
        max(case
            when
                churn_days.churn_day > alerts.opened_on
                and churn_days.churn_day <= {{ add_days('alerts.opened_on', var('alert_outcome_days')) }}
                then 1
            else 0
        end) as is_followed_by_churn
    from alerts
    cross join data_bounds
    left join churn_days
        on alerts.account_id = churn_days.account_id
    group by
        alerts.account_id,
        alerts.rule_key,
        alerts.opened_on,
        data_bounds.as_of_date
),

episode_counts as (
    select
        episode_outcomes.month,
        rule_groups.category,
        rule_groups.rule_key,
        count(*) as episodes_opened,
        count(distinct episode_outcomes.account_id) as accounts_alerted,
        count(case when episode_outcomes.is_observed then 1 end) as episodes_observed,
        count(case when episode_outcomes.is_observed and episode_outcomes.is_followed_by_churn = 1 then 1 end)
            as episodes_followed_by_churn
    from episode_outcomes
    inner join rule_groups
        on episode_outcomes.rule_key = rule_groups.member_rule_key
    group by episode_outcomes.month, rule_groups.category, rule_groups.rule_key
),

churn_coverage as (
    -- a churn is covered by a rule (or pool) when one of its episodes was open on some day of
    -- the look-back: opened before the churn day and not closed before the look-back began
    select
        observed_churns.account_id,
        observed_churns.churn_month,
        rule_groups.category,
        rule_groups.rule_key,
        max(case when alerts.alert_id is not null then 1 else 0 end) as is_covered
    from observed_churns
    cross join rule_groups
    left join alerts
        on
            observed_churns.account_id = alerts.account_id
            and rule_groups.member_rule_key = alerts.rule_key
            and observed_churns.churn_day > alerts.opened_on
            and (
                alerts.closed_on is null
                or alerts.closed_on > {{ add_days('observed_churns.churn_day', -var('alert_outcome_days')) }}
            )
    group by observed_churns.account_id, observed_churns.churn_month, rule_groups.category, rule_groups.rule_key
),

coverage_counts as (
    select
        churn_month as month,
        category,
        rule_key,
        count(*) as churn_events,
        count(case when is_covered = 1 then 1 end) as churn_events_covered
    from churn_coverage
    group by churn_month, category, rule_key
),

paying_months as (
    -- accounts paying on a month's first day, and whether a churn day followed within the horizon
    select
        health.activity_date as month,
        health.account_id,
        {{ add_days('health.activity_date', var('alert_outcome_days')) }} <= data_bounds.as_of_date as is_observed,
        max(case
            when
                churn_days.churn_day > health.activity_date
                and churn_days.churn_day <= {{ add_days('health.activity_date', var('alert_outcome_days')) }}
                then 1
            else 0
        end) as is_followed_by_churn
    from health
    cross join data_bounds
    left join churn_days
        on health.account_id = churn_days.account_id
    where health.activity_date = {{ month_start('health.activity_date') }}
    group by health.activity_date, health.account_id, data_bounds.as_of_date
),

base_counts as (
    select
        month,
        count(*) as paying_accounts,
        count(case when is_observed then 1 end) as base_account_months,
        count(case when is_observed and is_followed_by_churn = 1 then 1 end) as base_account_months_churned
    from paying_months
    group by month
),

counted as (
    select
        report_rows.month,
        report_rows.category,
        report_rows.rule_key,
        coalesce(base_counts.paying_accounts, 0) as paying_accounts,
        coalesce(episode_counts.episodes_opened, 0) as episodes_opened,
        coalesce(episode_counts.accounts_alerted, 0) as accounts_alerted,
        coalesce(episode_counts.episodes_observed, 0) as episodes_observed,
        coalesce(episode_counts.episodes_followed_by_churn, 0) as episodes_followed_by_churn,
        coalesce(coverage_counts.churn_events, 0) as churn_events,
        coalesce(coverage_counts.churn_events_covered, 0) as churn_events_covered,
        coalesce(base_counts.base_account_months, 0) as base_account_months,
        coalesce(base_counts.base_account_months_churned, 0) as base_account_months_churned
    from report_rows
    left join base_counts
        on report_rows.month = base_counts.month
    left join episode_counts
        on
            report_rows.month = episode_counts.month
            and report_rows.category = episode_counts.category
            and report_rows.rule_key = episode_counts.rule_key
    left join coverage_counts
        on
            report_rows.month = coverage_counts.month
            and report_rows.category = coverage_counts.category
            and report_rows.rule_key = coverage_counts.rule_key
)

select
    month,
    category,
    rule_key,
    paying_accounts,
    episodes_opened,
    accounts_alerted,
    {{ ratio('episodes_opened', 'paying_accounts') }} as episodes_per_paying_account,
    episodes_observed,
    episodes_followed_by_churn,
    case when category = 'risk' then {{ ratio('episodes_followed_by_churn', 'episodes_observed') }} end
        as churn_precision,
    churn_events,
    churn_events_covered,
    case when category = 'risk' then {{ ratio('churn_events_covered', 'churn_events') }} end as churn_coverage,
    base_account_months,
    base_account_months_churned,
    {{ ratio('base_account_months_churned', 'base_account_months') }} as base_churn_rate,
    case
        when category = 'risk'
            then {{ ratio(ratio('episodes_followed_by_churn', 'episodes_observed'),
                          ratio('base_account_months_churned', 'base_account_months')) }}
    end as lift
from counted
