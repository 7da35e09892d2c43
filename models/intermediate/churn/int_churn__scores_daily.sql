{{ config(tags=['churn']) }}
-- One row per account and paid day: the churn model's probability that the account churns
-- within 90 days, its risk band, and each feature's contribution to the log-odds (coefficient
-- x standardized value: positive raises the risk), with the feature that raises it most. The
-- features (long format) join churn_model_coefficients row by row: transformed as the seed
-- says (identity, or log1p of the value floored at 0), centered and scaled by the training mean and standard deviation;
-- a feature without data counts as the training mean (contribution 0). csm train writes the
-- seeds; this is the same formula on every engine.
with

features as (
    select * from {{ ref('int_churn__features_daily') }}
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
    -- one column per feature of the seed (a singular test keeps the lists equal)
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

top_drivers as (
    -- the feature that raises the risk most that day (null when none raises it)
    select
        account_id,
        activity_date,
        feature as top_risk_driver
    from (
        select
            account_id,
            activity_date,
            feature,
            row_number() over (
                partition by account_id, activity_date order by contribution desc, feature asc
            ) as driver_rank
        from contributions
        where contribution > 0
    ) as ranked
    where driver_rank = 1
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
        1 / (1 + exp(-log_odds.churn_log_odds)) as churn_probability_90d
    from log_odds
)

select
    probabilities.account_id,
    probabilities.activity_date,
    probabilities.churn_probability_90d,
    bands.risk_band,
    probabilities.churn_log_odds,
    probabilities.license_utilization_contribution,
    probabilities.active_day_frequency_contribution,
    probabilities.core_feature_breadth_contribution,
    probabilities.usage_trend_contribution,
    probabilities.usage_volatility_contribution,
    probabilities.active_user_growth_contribution,
    probabilities.ticket_burden_contribution,
    probabilities.escalations_contribution,
    probabilities.ticket_sentiment_contribution,
    probabilities.oldest_open_ticket_days_contribution,
    probabilities.csat_contribution,
    probabilities.nps_contribution,
    probabilities.days_overdue_contribution,
    probabilities.mrr_change_contribution,
    probabilities.renewal_within_window_contribution,
    probabilities.renewal_proximity_contribution,
    probabilities.annual_contract_contribution,
    probabilities.tenure_years_contribution,
    probabilities.segment_mid_market_contribution,
    probabilities.segment_enterprise_contribution,
    probabilities.executive_engagement_contribution,
    probabilities.onboarding_on_time_contribution,
    probabilities.health_score_contribution,
    top_drivers.top_risk_driver
from probabilities
inner join bands
    on
        probabilities.churn_probability_90d >= bands.min_probability
        and (bands.next_min_probability is null or probabilities.churn_probability_90d < bands.next_min_probability)
left join top_drivers
    on
        probabilities.account_id = top_drivers.account_id
        and probabilities.activity_date = top_drivers.activity_date
