{{
    config(
        on_schema_change='fail',
        tags=['churn'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per paying account and day: the churn model's probability that the account churns
-- within 90 days, its risk band (churn_risk_bands), the log-odds and each feature's
-- contribution to them (coefficient x standardized value), so a dashboard can say why, and the
-- feature that raises the risk most. Scored in SQL from the seeds csm train writes
-- (int_churn__scores_daily). Incremental with the usage look-back; a new model needs a full
-- refresh to rescore the history.
with

scores as (
    select * from {{ ref('int_churn__scores_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ usage_reprocess_from() }}
    {%- endif %}
)

select
    account_id,
    activity_date,
    churn_probability_90d,
    risk_band,
    top_risk_driver,
    churn_log_odds,
    license_utilization_contribution,
    active_day_frequency_contribution,
    core_feature_breadth_contribution,
    usage_trend_contribution,
    usage_volatility_contribution,
    active_user_growth_contribution,
    ticket_burden_contribution,
    escalations_contribution,
    ticket_sentiment_contribution,
    oldest_open_ticket_days_contribution,
    csat_contribution,
    nps_contribution,
    days_overdue_contribution,
    mrr_change_contribution,
    renewal_within_window_contribution,
    renewal_proximity_contribution,
    annual_contract_contribution,
    tenure_years_contribution,
    segment_mid_market_contribution,
    segment_enterprise_contribution,
    executive_engagement_contribution,
    onboarding_on_time_contribution,
    health_score_contribution
from scores
