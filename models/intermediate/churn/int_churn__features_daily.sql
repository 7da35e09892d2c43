{{ config(tags=['churn']) }}
{%- set cap = var('churn_change_cap') %}
-- One row per account and paid day with one column per churn-model feature: the feature's raw
-- value (null without data), known on the day itself - every window ends on the day, nothing
-- after it is read. Each column is named as its feature in churn_model_coefficients, so the
-- scores join the seed's coefficients to the account-day's row and score every feature in one
-- pass (churn_features() names the columns; test_churn_model.py keeps the seed, that list and
-- these columns equal). The features were one row per account-day and feature until
-- 2026-12-04, as the health measures until 2026-12-03: aggregating them back into one row
-- per account-day was most of the scores' time at `large` (docs/decisions.md). The signals are
-- joined once into one row per account and day. The health signal families and the health
-- score are reused; the usage volatility (its own incremental table,
-- int_churn__usage_volatility_daily), the renewal window and proximity, the contract type, the
-- tenure and the segment are added.
with

usage_signals as (
    select * from {{ ref('int_health__usage_signals_daily') }}
),

usage_volatility as (
    select * from {{ ref('int_churn__usage_volatility_daily') }}
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

health_scores as (
    select
        account_id,
        activity_date,
        health_score
    from {{ ref('int_health__scores_daily') }}
),

history as (
    select * from {{ ref('int_accounts__history') }}
),

account_months as (
    select * from {{ ref('int_revenue__account_mrr_monthly') }}
),

first_paid as (
    select
        account_id,
        min(first_paid_month) as first_paid_month
    from account_months
    group by account_id
),

account_days as (
    -- every signal of the day side by side; the changes are capped at +/- churn_change_cap
    -- (100%) so a tiny base (one event, one active user, a cheap plan) cannot dominate a
    -- linear model
    select
        usage_signals.account_id,
        usage_signals.activity_date,
        usage_signals.license_utilization,
        usage_signals.active_day_frequency,
        usage_signals.core_feature_adoption_breadth,
        least(greatest(usage_signals.usage_change_14d, -{{ cap }}), {{ cap }}) as usage_trend,
        usage_volatility.usage_volatility,
        least(greatest(usage_signals.active_user_growth, -{{ cap }}), {{ cap }}) as active_user_growth,
        ticket_signals.tickets_per_10_seats,
        ticket_signals.escalations_in_window,
        ticket_signals.avg_ticket_sentiment,
        ticket_signals.oldest_open_ticket_days,
        survey_signals.csat_avg,
        survey_signals.nps,
        billing_signals.max_days_overdue,
        least(greatest(billing_signals.mrr_change, -{{ cap }}), {{ cap }}) as mrr_change,
        case
            when
                billing_signals.renewal_date
                <= {{ add_days('usage_signals.activity_date', var('renewal_window_days')) }}
                then 1
            else 0
        end as renewal_within_window,
        -- 1 on the renewal day, falling to 0 churn_renewal_horizon_days (365) before it (and for
        -- monthly contracts)
        case
            when billing_signals.renewal_date is not null
                then 1 - {{ ratio(
                    'least(' ~ days_between('usage_signals.activity_date', 'billing_signals.renewal_date')
                    ~ ', ' ~ var('churn_renewal_horizon_days') ~ ')',
                    var('churn_renewal_horizon_days')
                ) }}
            else 0
        end as renewal_proximity,
        case when billing_signals.renewal_date is not null then 1 else 0 end as annual_contract,
        {{ ratio(days_between('first_paid.first_paid_month', 'usage_signals.activity_date'), 365.25) }}
            as tenure_years,
        case when history.size_segment = 'mid_market' then 1 else 0 end as segment_mid_market,
        case when history.size_segment = 'enterprise' then 1 else 0 end as segment_enterprise,
        case when relationship_signals.executive_activities_in_window > 0 then 1 else 0 end
            as executive_engagement,
        onboarding_signals.onboarding_on_time_share,
        health_scores.health_score
    from usage_signals
    inner join usage_volatility
        on
            usage_signals.account_id = usage_volatility.account_id
            and usage_signals.activity_date = usage_volatility.activity_date
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
    inner join health_scores
        on
            usage_signals.account_id = health_scores.account_id
            and usage_signals.activity_date = health_scores.activity_date
    left join first_paid
        on usage_signals.account_id = first_paid.account_id
    left join history
        on
            usage_signals.account_id = history.account_id
            and usage_signals.activity_date >= history.valid_from
            and (history.valid_to is null or usage_signals.activity_date < history.valid_to)
)

select
    account_id,
    activity_date,
    cast(license_utilization as {{ type_double() }}) as license_utilization,
    cast(active_day_frequency as {{ type_double() }}) as active_day_frequency,
    cast(core_feature_adoption_breadth as {{ type_double() }}) as core_feature_breadth,
    cast(usage_trend as {{ type_double() }}) as usage_trend,
    cast(usage_volatility as {{ type_double() }}) as usage_volatility,
    cast(active_user_growth as {{ type_double() }}) as active_user_growth,
    cast(tickets_per_10_seats as {{ type_double() }}) as ticket_burden,
    cast(escalations_in_window as {{ type_double() }}) as escalations,
    cast(avg_ticket_sentiment as {{ type_double() }}) as ticket_sentiment,
    cast(oldest_open_ticket_days as {{ type_double() }}) as oldest_open_ticket_days,
    cast(csat_avg as {{ type_double() }}) as csat,
    cast(nps as {{ type_double() }}) as nps,
    cast(max_days_overdue as {{ type_double() }}) as days_overdue,
    cast(mrr_change as {{ type_double() }}) as mrr_change,
    cast(renewal_within_window as {{ type_double() }}) as renewal_within_window,
    cast(renewal_proximity as {{ type_double() }}) as renewal_proximity,
    cast(annual_contract as {{ type_double() }}) as annual_contract,
    cast(tenure_years as {{ type_double() }}) as tenure_years,
    cast(segment_mid_market as {{ type_double() }}) as segment_mid_market,
    cast(segment_enterprise as {{ type_double() }}) as segment_enterprise,
    cast(executive_engagement as {{ type_double() }}) as executive_engagement,
    cast(onboarding_on_time_share as {{ type_double() }}) as onboarding_on_time,
    cast(health_score as {{ type_double() }}) as health_score
from account_days
