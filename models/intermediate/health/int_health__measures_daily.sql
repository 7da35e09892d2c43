{{ config(tags=['health']) }}
-- One row per account and paid day (each signal family has a row per paid day): the raw value
-- of every health measure as a double (null without data), from the signal family that holds
-- it, one column per measure named as its row of health_measure_scales (health_measures()
-- lists them; test_health_measures.py checks that the seed, the list and these columns agree).
-- The scores score each column against the seeds' rows for the account's size segment. (This
-- view was long, one row per measure joined to the seeds row by row; at `large` the scores then
-- aggregated 151M rows back into 9.4M, 40 s of the full build: docs/decisions.md.)
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
)

select
    usage_signals.account_id,
    usage_signals.activity_date,
    -- product usage
    cast(usage_signals.license_utilization as {{ type_double() }}) as license_utilization,
    cast(usage_signals.active_day_frequency as {{ type_double() }}) as active_day_frequency,
    cast(usage_signals.core_feature_adoption_breadth as {{ type_double() }}) as core_feature_breadth,
    cast(usage_signals.usage_change_14d as {{ type_double() }}) as usage_trend,
    -- business outcomes
    cast(onboarding_signals.onboarding_on_time_share as {{ type_double() }}) as onboarding_on_time,
    cast(onboarding_signals.time_to_first_value_days as {{ type_double() }}) as time_to_first_value,
    cast(billing_signals.max_days_overdue as {{ type_double() }}) as payment_timeliness,
    cast(ticket_signals.tickets_per_10_seats as {{ type_double() }}) as ticket_burden,
    -- relationship quality
    cast(survey_signals.csat_avg as {{ type_double() }}) as csat,
    cast(survey_signals.nps as {{ type_double() }}) as nps,
    cast(ticket_signals.avg_ticket_sentiment as {{ type_double() }}) as ticket_sentiment,
    cast(
        case when relationship_signals.executive_activities_in_window > 0 then 1 else 0 end
        as {{ type_double() }}
    ) as executive_engagement,
    cast(ticket_signals.escalations_in_window as {{ type_double() }}) as escalations,
    -- account growth
    cast(billing_signals.mrr_change as {{ type_double() }}) as mrr_change,
    cast(usage_signals.active_user_growth as {{ type_double() }}) as active_user_growth,
    -- open expansion pipeline ARR against the day's ARR
    case
        when billing_signals.mrr > 0
            then {{ ratio('relationship_signals.open_pipeline_arr', 'billing_signals.mrr * 12') }}
    end as expansion_pipeline
from usage_signals
inner join ticket_signals
    on
        usage_signals.account_id = ticket_signals.account_id
        and usage_signals.activity_date = ticket_signals.activity_date
inner join survey_signals
    on
        usage_signals.account_id = survey_signals.account_id
        and usage_signals.activity_date = survey_signals.activity_date
inner join billing_signals
    on
        usage_signals.account_id = billing_signals.account_id
        and usage_signals.activity_date = billing_signals.activity_date
inner join onboarding_signals
    on
        usage_signals.account_id = onboarding_signals.account_id
        and usage_signals.activity_date = onboarding_signals.activity_date
inner join relationship_signals
    on
        usage_signals.account_id = relationship_signals.account_id
        and usage_signals.activity_date = relationship_signals.activity_date
