{{
    config(
        on_schema_change='fail',
        tags=['churn'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}
-- One row per account and paid day: the churn model's probability that the account churns
-- within 90 days, its risk band, and each feature's contribution to the log-odds (coefficient
-- x standardized value: positive raises the risk), with the feature that raises it most. The
-- features (long format) join churn_model_coefficients row by row: transformed as the seed
-- says (identity, or log1p of the value floored at 0), centered and scaled by the training mean and standard deviation;
-- a feature without data counts as the training mean (contribution 0). csm train writes the
-- seeds; this is the same formula on every engine. Stored (incremental with the usage
-- look-back, like the health scores): the alert rule days and fct_churn_risk_daily read it,
-- and scoring every paid day again for each reader cost minutes at `large`.
with

features as (
    select * from {{ ref('int_churn__features_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ usage_reprocess_from() }}
    {%- endif %}
),

coefficients as (
    select * from {{ ref('churn_model_coefficients') }}
),

model as (
    select * from {{ ref('churn_model') }}
),

bands as (
    select
        risk_band,
        min_probability,
        lead(min_probability) over (order by min_probability) as next_min_probability
    from {{ ref('churn_risk_bands') }}
),

contributions as (
    select
        features.account_id,
        features.activity_date,
        features.feature,
        coalesce(
            coefficients.coefficient * (
                case coefficients.transform
                    -- a value below 0 counts as 0; a missing one stays missing (greatest() would skip it)
                    when 'log1p'
                        then ln(1 + case when features.feature_value < 0 then 0 else features.feature_value end)
                    else features.feature_value
                end - coefficients.center
            ) / coefficients.scale,
            0
        ) as contribution
    from features
    inner join coefficients
        on features.feature = coefficients.feature
),

account_days as (
    -- one column per feature of the seed (test_churn_model.py keeps the lists equal)
    select
        account_id,
        activity_date,
        max(case when feature = 'license_utilization' then contribution end) as license_utilization_contribution,
        max(case when feature = 'active_day_frequency' then contribution end) as active_day_frequency_contribution,
        max(case when feature = 'core_feature_breadth' then contribution end) as core_feature_breadth_contribution,
        max(case when feature = 'usage_trend' then contribution end) as usage_trend_contribution,
        max(case when feature = 'usage_volatility' then contribution end) as usage_volatility_contribution,
        max(case when feature = 'active_user_growth' then contribution end) as active_user_growth_contribution,
        max(case when feature = 'ticket_burden' then contribution end) as ticket_burden_contribution,
        max(case when feature = 'escalations' then contribution end) as escalations_contribution,
        max(case when feature = 'ticket_sentiment' then contribution end) as ticket_sentiment_contribution,
        max(case when feature = 'oldest_open_ticket_days' then contribution end)
            as oldest_open_ticket_days_contribution,
        max(case when feature = 'csat' then contribution end) as csat_contribution,
        max(case when feature = 'nps' then contribution end) as nps_contribution,
        max(case when feature = 'days_overdue' then contribution end) as days_overdue_contribution,
        max(case when feature = 'mrr_change' then contribution end) as mrr_change_contribution,
        max(case when feature = 'renewal_within_window' then contribution end) as renewal_within_window_contribution,
        max(case when feature = 'renewal_proximity' then contribution end) as renewal_proximity_contribution,
        max(case when feature = 'annual_contract' then contribution end) as annual_contract_contribution,
        max(case when feature = 'tenure_years' then contribution end) as tenure_years_contribution,
        max(case when feature = 'segment_mid_market' then contribution end) as segment_mid_market_contribution,
        max(case when feature = 'segment_enterprise' then contribution end) as segment_enterprise_contribution,
        max(case when feature = 'executive_engagement' then contribution end) as executive_engagement_contribution,
        max(case when feature = 'onboarding_on_time' then contribution end) as onboarding_on_time_contribution,
        max(case when feature = 'health_score' then contribution end) as health_score_contribution,
        -- an exact decimal sum: the same log-odds whatever order the engine adds the rows in
        sum(cast(contribution as decimal(38, 18))) as features_log_odds
    from contributions
    group by account_id, activity_date
),

log_odds as (
    select
        account_days.*,
        model.intercept + cast(account_days.features_log_odds as {{ type_double() }}) as churn_log_odds
    from account_days
    cross join model
),

probabilities as (
    select
        log_odds.*,
        1 / (1 + exp(-log_odds.churn_log_odds)) as churn_probability_90d,
        greatest(
            log_odds.active_day_frequency_contribution,
            log_odds.active_user_growth_contribution,
            log_odds.annual_contract_contribution,
            log_odds.core_feature_breadth_contribution,
            log_odds.csat_contribution,
            log_odds.days_overdue_contribution,
            log_odds.escalations_contribution,
            log_odds.executive_engagement_contribution,
            log_odds.health_score_contribution,
            log_odds.license_utilization_contribution,
            log_odds.mrr_change_contribution,
            log_odds.nps_contribution,
            log_odds.oldest_open_ticket_days_contribution,
            log_odds.onboarding_on_time_contribution,
            log_odds.renewal_proximity_contribution,
            log_odds.renewal_within_window_contribution,
            log_odds.segment_enterprise_contribution,
            log_odds.segment_mid_market_contribution,
            log_odds.tenure_years_contribution,
            log_odds.ticket_burden_contribution,
            log_odds.ticket_sentiment_contribution,
            log_odds.usage_trend_contribution,
            log_odds.usage_volatility_contribution
        ) as top_contribution
    from log_odds
),

top_drivers as (
    -- the feature that raises the risk most that day: the largest positive contribution, the
    -- first feature in alphabetical order on a tie; null when none raises it (read from the
    -- day's row: ranking the feature rows again sorted all of them)
    select
        probabilities.*,
        case
            when probabilities.top_contribution <= 0 then null
            when probabilities.active_day_frequency_contribution = probabilities.top_contribution
                then 'active_day_frequency'
            when probabilities.active_user_growth_contribution = probabilities.top_contribution
                then 'active_user_growth'
            when probabilities.annual_contract_contribution = probabilities.top_contribution
                then 'annual_contract'
            when probabilities.core_feature_breadth_contribution = probabilities.top_contribution
                then 'core_feature_breadth'
            when probabilities.csat_contribution = probabilities.top_contribution
                then 'csat'
            when probabilities.days_overdue_contribution = probabilities.top_contribution
                then 'days_overdue'
            when probabilities.escalations_contribution = probabilities.top_contribution
                then 'escalations'
            when probabilities.executive_engagement_contribution = probabilities.top_contribution
                then 'executive_engagement'
            when probabilities.health_score_contribution = probabilities.top_contribution
                then 'health_score'
            when probabilities.license_utilization_contribution = probabilities.top_contribution
                then 'license_utilization'
            when probabilities.mrr_change_contribution = probabilities.top_contribution
                then 'mrr_change'
            when probabilities.nps_contribution = probabilities.top_contribution
                then 'nps'
            when probabilities.oldest_open_ticket_days_contribution = probabilities.top_contribution
                then 'oldest_open_ticket_days'
            when probabilities.onboarding_on_time_contribution = probabilities.top_contribution
                then 'onboarding_on_time'
            when probabilities.renewal_proximity_contribution = probabilities.top_contribution
                then 'renewal_proximity'
            when probabilities.renewal_within_window_contribution = probabilities.top_contribution
                then 'renewal_within_window'
            when probabilities.segment_enterprise_contribution = probabilities.top_contribution
                then 'segment_enterprise'
            when probabilities.segment_mid_market_contribution = probabilities.top_contribution
                then 'segment_mid_market'
            when probabilities.tenure_years_contribution = probabilities.top_contribution
                then 'tenure_years'
            when probabilities.ticket_burden_contribution = probabilities.top_contribution
                then 'ticket_burden'
            when probabilities.ticket_sentiment_contribution = probabilities.top_contribution
                then 'ticket_sentiment'
            when probabilities.usage_trend_contribution = probabilities.top_contribution
                then 'usage_trend'
            when probabilities.usage_volatility_contribution = probabilities.top_contribution
                then 'usage_volatility'
        end as top_risk_driver
    from probabilities
)

select
    top_drivers.account_id,
    top_drivers.activity_date,
    top_drivers.churn_probability_90d,
    bands.risk_band,
    top_drivers.churn_log_odds,
    top_drivers.license_utilization_contribution,
    top_drivers.active_day_frequency_contribution,
    top_drivers.core_feature_breadth_contribution,
    top_drivers.usage_trend_contribution,
    top_drivers.usage_volatility_contribution,
    top_drivers.active_user_growth_contribution,
    top_drivers.ticket_burden_contribution,
    top_drivers.escalations_contribution,
    top_drivers.ticket_sentiment_contribution,
    top_drivers.oldest_open_ticket_days_contribution,
    top_drivers.csat_contribution,
    top_drivers.nps_contribution,
    top_drivers.days_overdue_contribution,
    top_drivers.mrr_change_contribution,
    top_drivers.renewal_within_window_contribution,
    top_drivers.renewal_proximity_contribution,
    top_drivers.annual_contract_contribution,
    top_drivers.tenure_years_contribution,
    top_drivers.segment_mid_market_contribution,
    top_drivers.segment_enterprise_contribution,
    top_drivers.executive_engagement_contribution,
    top_drivers.onboarding_on_time_contribution,
    top_drivers.health_score_contribution,
    top_drivers.top_risk_driver
from top_drivers
inner join bands
    on
        top_drivers.churn_probability_90d >= bands.min_probability
        and (bands.next_min_probability is null or top_drivers.churn_probability_90d < bands.next_min_probability)
