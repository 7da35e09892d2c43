{{ config(tags=['health']) }}
-- One row per account, paid day and health measure: the measure's raw value (null without
-- data), taken from the signal family that holds it. Long format, so that the scores join the
-- measures to the scales and weights seeds row by row; a measure added here needs a row in
-- health_measure_scales and a weight in health_score_weights (a singular test checks both).
-- The six signal tables are joined into one row per account and day first, and each of those
-- rows is then repeated once per measure of the scales seed with the measure's column picked:
-- the rows of an account-day stay together, which lets the scores aggregate them back into
-- one row cheaply (a union of one branch per measure scattered them, and at `large` the
-- aggregation of 150M scattered rows spilled more than 40 GB).
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

measures as (
    select measure from {{ ref('health_measure_scales') }}
),

account_days as (
    -- every measure's value on the account's paid day (each family has a row per paid day),
    -- as a double
    select
        usage_signals.account_id,
        usage_signals.activity_date,
        -- product usage
        cast(usage_signals.license_utilization as {{ type_double() }}) as license_utilization,
        cast(usage_signals.active_day_frequency as {{ type_double() }}) as active_day_frequency,
        cast(usage_signals.core_feature_adoption_breadth as {{ type_double() }}) as core_feature_adoption_breadth,
        cast(usage_signals.usage_change_14d as {{ type_double() }}) as usage_change_14d,
        cast(usage_signals.active_user_growth as {{ type_double() }}) as active_user_growth,
        -- business outcomes
        cast(onboarding_signals.onboarding_on_time_share as {{ type_double() }}) as onboarding_on_time_share,
        cast(onboarding_signals.time_to_first_value_days as {{ type_double() }}) as time_to_first_value_days,
        cast(billing_signals.max_days_overdue as {{ type_double() }}) as max_days_overdue,
        cast(ticket_signals.tickets_per_10_seats as {{ type_double() }}) as tickets_per_10_seats,
        -- relationship quality
        cast(survey_signals.csat_avg as {{ type_double() }}) as csat_avg,
        cast(survey_signals.nps as {{ type_double() }}) as nps,
        cast(ticket_signals.avg_ticket_sentiment as {{ type_double() }}) as avg_ticket_sentiment,
        cast(
            case when relationship_signals.executive_activities_in_window > 0 then 1 else 0 end
            as {{ type_double() }}
        ) as has_executive_engagement,
        cast(ticket_signals.escalations_in_window as {{ type_double() }}) as escalations_in_window,
        -- account growth
        cast(billing_signals.mrr_change as {{ type_double() }}) as mrr_change,
        -- open expansion pipeline ARR against the day's ARR
        case
            when billing_signals.mrr > 0
                then {{ ratio('relationship_signals.open_pipeline_arr', 'billing_signals.mrr * 12') }}
        end as expansion_pipeline_ratio
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
)

select
    account_days.account_id,
    account_days.activity_date,
    measures.measure,
    case measures.measure
        when 'license_utilization' then account_days.license_utilization
        when 'active_day_frequency' then account_days.active_day_frequency
        when 'core_feature_breadth' then account_days.core_feature_adoption_breadth
        when 'usage_trend' then account_days.usage_change_14d
        when 'onboarding_on_time' then account_days.onboarding_on_time_share
        when 'time_to_first_value' then account_days.time_to_first_value_days
        when 'payment_timeliness' then account_days.max_days_overdue
        when 'ticket_burden' then account_days.tickets_per_10_seats
        when 'csat' then account_days.csat_avg
        when 'nps' then account_days.nps
        when 'ticket_sentiment' then account_days.avg_ticket_sentiment
        when 'executive_engagement' then account_days.has_executive_engagement
        when 'escalations' then account_days.escalations_in_window
        when 'mrr_change' then account_days.mrr_change
        when 'active_user_growth' then account_days.active_user_growth
        when 'expansion_pipeline' then account_days.expansion_pipeline_ratio
    end as measure_value
from account_days
cross join measures
