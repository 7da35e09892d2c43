{{ config(tags=['health', 'alerts']) }}

-- One row per alert episode open on the as-of date: a CSM's worklist. Each account's episodes
-- go to the account's CSM on the as-of date (owner_role says who acts), in the order to work
-- them: severity first (critical, high, medium, low), then the account's ARR, largest first.
-- With what opened the episode, its value today and when it closes (the exit threshold).
with

alerts as (
    select * from {{ ref('fct_alerts') }}
    where closed_on is null
),

rule_days as (
    select * from {{ ref('int_alerts__rule_days') }}
    where activity_date = {{ as_of_date() }}
),

health as (
    select * from {{ ref('fct_account_health_daily') }}
    where activity_date = {{ as_of_date() }}
),

rules as (
    select * from {{ ref('alert_rules') }}
),

severities as (
    select
        'critical' as severity,
        1 as severity_rank
    union all
    select
        'high' as severity,
        2 as severity_rank
    union all
    select
        'medium' as severity,
        3 as severity_rank
    union all
    select
        'low' as severity,
        4 as severity_rank
),

open_alerts as (
    select
        alerts.alert_id,
        alerts.account_id,
        health.csm_id,
        alerts.rule_key,
        alerts.category,
        alerts.severity,
        severities.severity_rank,
        alerts.opened_on,
        {{ days_between('alerts.opened_on', as_of_date()) }} + 1 as days_open,
        alerts.opening_value,
        alerts.threshold,
        rule_days.observed_value as current_value,
        alerts.exit_threshold,
        health.arr,
        health.health_score,
        health.tier,
        alerts.recommended_action,
        alerts.owner_role,
        rules.description as rule_description
    from alerts
    inner join rules
        on alerts.rule_key = rules.rule_key
    inner join severities
        on alerts.severity = severities.severity
    left join health
        on alerts.account_id = health.account_id
    left join rule_days
        on
            alerts.account_id = rule_days.account_id
            and alerts.rule_key = rule_days.rule_key
)

select
    {{ as_of_date() }} as as_of_date,
    csm_id,
    cast(row_number() over (
        partition by csm_id
        order by severity_rank asc, arr desc, opened_on asc, account_id asc, rule_key asc
    ) as {{ dbt.type_bigint() }}) as queue_position,
    alert_id,
    account_id,
    rule_key,
    category,
    severity,
    opened_on,
    days_open,
    opening_value,
    threshold,
    current_value,
    exit_threshold,
    arr,
    health_score,
    tier,
    recommended_action,
    owner_role,
    rule_description
from open_alerts
