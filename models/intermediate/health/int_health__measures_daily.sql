{{ config(tags=['health']) }}
-- One row per account, paid day and health measure: the measure's raw value (null without
-- data), taken from the signal family that holds it. Long format, so that the scores join the
-- measures to the scales and weights seeds row by row; a measure added here needs a row in
-- health_measure_scales and a weight in health_score_weights (a singular test checks both).
with

usage_signals as (
    select * from {{ ref('int_health__usage_signals_daily') }}
),

ticket_signals as (
    select * from {{ ref('int_health__ticket_signals_daily') }}
),

survey_signals as (
    select * from {{ ref('int_health__survey_signals_daily') }}
),

billing_signals as (
    select * from {{ ref('int_health__billing_signals_daily') }}
),

onboarding_signals as (
    select * from {{ ref('int_health__onboarding_signals_daily') }}
),

relationship_signals as (
    select * from {{ ref('int_health__relationship_signals_daily') }}
),

pipeline_ratios as (
    -- open expansion pipeline ARR against the day's ARR
    select
        relationship_signals.account_id,
        relationship_signals.activity_date,
        case
            when billing_signals.mrr > 0
                then {{ ratio('relationship_signals.open_pipeline_arr', 'billing_signals.mrr * 12') }}
        end as expansion_pipeline_ratio
    from relationship_signals
    inner join billing_signals
        on
            relationship_signals.account_id = billing_signals.account_id
            and relationship_signals.activity_date = billing_signals.activity_date
)

-- product usage
select
    account_id,
    activity_date,
    'license_utilization' as measure,
    cast(license_utilization as {{ type_double() }}) as measure_value
from usage_signals
union all
select
    account_id,
    activity_date,
    'active_day_frequency' as measure,
    cast(active_day_frequency as {{ type_double() }}) as measure_value
from usage_signals
union all
select
    account_id,
    activity_date,
    'core_feature_breadth' as measure,
    cast(core_feature_adoption_breadth as {{ type_double() }}) as measure_value
from usage_signals
union all
select
    account_id,
    activity_date,
    'usage_trend' as measure,
    cast(usage_change_14d as {{ type_double() }}) as measure_value
from usage_signals
-- business outcomes
union all
select
    account_id,
    activity_date,
    'onboarding_on_time' as measure,
    cast(onboarding_on_time_share as {{ type_double() }}) as measure_value
from onboarding_signals
union all
select
    account_id,
    activity_date,
    'time_to_first_value' as measure,
    cast(time_to_first_value_days as {{ type_double() }}) as measure_value
from onboarding_signals
union all
select
    account_id,
    activity_date,
    'payment_timeliness' as measure,
    cast(max_days_overdue as {{ type_double() }}) as measure_value
from billing_signals
union all
select
    account_id,
    activity_date,
    'ticket_burden' as measure,
    cast(tickets_per_10_seats as {{ type_double() }}) as measure_value
from ticket_signals
-- relationship quality
union all
select
    account_id,
    activity_date,
    'csat' as measure,
    cast(csat_avg as {{ type_double() }}) as measure_value
from survey_signals
union all
select
    account_id,
    activity_date,
    'nps' as measure,
    cast(nps as {{ type_double() }}) as measure_value
from survey_signals
union all
select
    account_id,
    activity_date,
    'ticket_sentiment' as measure,
    cast(avg_ticket_sentiment as {{ type_double() }}) as measure_value
from ticket_signals
union all
select
    account_id,
    activity_date,
    'executive_engagement' as measure,
    cast(case when executive_activities_in_window > 0 then 1 else 0 end as {{ type_double() }}) as measure_value
from relationship_signals
union all
select
    account_id,
    activity_date,
    'escalations' as measure,
    cast(escalations_in_window as {{ type_double() }}) as measure_value
from ticket_signals
-- account growth
union all
select
    account_id,
    activity_date,
    'mrr_change' as measure,
    cast(mrr_change as {{ type_double() }}) as measure_value
from billing_signals
union all
select
    account_id,
    activity_date,
    'active_user_growth' as measure,
    cast(active_user_growth as {{ type_double() }}) as measure_value
from usage_signals
union all
select
    account_id,
    activity_date,
    'expansion_pipeline' as measure,
    expansion_pipeline_ratio as measure_value
from pipeline_ratios
