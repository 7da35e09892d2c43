{{ config(tags=['churn']) }}
{%- set cap = var('churn_change_cap') %}
-- One row per account, paid day and churn-model feature: the feature's raw value on that day
-- (null without data), known on the day itself - every window ends on the day, nothing after
-- it is read. Long format, so the scores join the features to churn_model_coefficients row by
-- row (the health measures were long too until they were scored in one pass, 2026-12-03). The
-- signals are joined once into one row per account and day, then crossed with the seed's
-- features, a `case` picking each feature's column: an
-- account-day's rows stay together and the joins run once (a union of one select per feature
-- ran them once per feature and, at `large`, ran out of memory). A feature of the seed needs
-- its branch here (without one its value is null: a pytest keeps the two lists equal). The
-- health signal families and the health score are reused; the usage volatility (its own
-- incremental table, int_churn__usage_volatility_daily), the renewal window and proximity,
-- the contract type, the tenure and the segment are added.
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

features as (
    select feature from {{ ref('churn_model_coefficients') }}
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
    account_days.account_id,
    account_days.activity_date,
    features.feature,
    case features.feature
        when 'license_utilization' then cast(account_days.license_utilization as {{ type_double() }})
        when 'active_day_frequency' then cast(account_days.active_day_frequency as {{ type_double() }})
        when 'core_feature_breadth' then cast(account_days.core_feature_adoption_breadth as {{ type_double() }})
        when 'usage_trend' then cast(account_days.usage_trend as {{ type_double() }})
        when 'usage_volatility' then cast(account_days.usage_volatility as {{ type_double() }})
        when 'active_user_growth' then cast(account_days.active_user_growth as {{ type_double() }})
        when 'ticket_burden' then cast(account_days.tickets_per_10_seats as {{ type_double() }})
        when 'escalations' then cast(account_days.escalations_in_window as {{ type_double() }})
        when 'ticket_sentiment' then cast(account_days.avg_ticket_sentiment as {{ type_double() }})
        when 'oldest_open_ticket_days' then cast(account_days.oldest_open_ticket_days as {{ type_double() }})
        when 'csat' then cast(account_days.csat_avg as {{ type_double() }})
        when 'nps' then cast(account_days.nps as {{ type_double() }})
        when 'days_overdue' then cast(account_days.max_days_overdue as {{ type_double() }})
        when 'mrr_change' then cast(account_days.mrr_change as {{ type_double() }})
        when 'renewal_within_window' then cast(account_days.renewal_within_window as {{ type_double() }})
        when 'renewal_proximity' then cast(account_days.renewal_proximity as {{ type_double() }})
        when 'annual_contract' then cast(account_days.annual_contract as {{ type_double() }})
        when 'tenure_years' then cast(account_days.tenure_years as {{ type_double() }})
        when 'segment_mid_market' then cast(account_days.segment_mid_market as {{ type_double() }})
        when 'segment_enterprise' then cast(account_days.segment_enterprise as {{ type_double() }})
        when 'executive_engagement' then cast(account_days.executive_engagement as {{ type_double() }})
        when 'onboarding_on_time' then cast(account_days.onboarding_on_time_share as {{ type_double() }})
        when 'health_score' then cast(account_days.health_score as {{ type_double() }})
    end as feature_value
from account_days
cross join features
