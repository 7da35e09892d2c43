{#- The churn model's features, in the order of the scores' columns: each is a column of
    int_churn__features_daily and a row of churn_model_coefficients (test_churn_model.py
    checks both), and the scores compute a contribution column for each. The seed decides each
    feature's transform, center, scale and coefficient; this list only names the columns. -#}
{% macro churn_features() -%}
    {{ return([
        'license_utilization',
        'active_day_frequency',
        'core_feature_breadth',
        'usage_trend',
        'usage_volatility',
        'active_user_growth',
        'ticket_burden',
        'escalations',
        'ticket_sentiment',
        'oldest_open_ticket_days',
        'csat',
        'nps',
        'days_overdue',
        'mrr_change',
        'renewal_within_window',
        'renewal_proximity',
        'annual_contract',
        'tenure_years',
        'segment_mid_market',
        'segment_enterprise',
        'executive_engagement',
        'onboarding_on_time',
        'health_score',
    ]) }}
{%- endmacro %}
