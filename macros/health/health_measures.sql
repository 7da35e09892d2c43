{#- The health measures: which component each belongs to and which column of
    int_health__signals_daily holds its raw value. Weights (health_score_weights) and the
    0-100 mappings (health_measure_scales) are data in seeds; a singular test checks that the
    seeds and this list name the same measures in the same components. -#}
{% macro health_measures() -%}
{{ return([
    {'measure': 'license_utilization', 'component': 'product_usage', 'signal': 'license_utilization'},
    {'measure': 'active_day_frequency', 'component': 'product_usage', 'signal': 'active_day_frequency'},
    {'measure': 'core_feature_breadth', 'component': 'product_usage', 'signal': 'core_feature_adoption_breadth'},
    {'measure': 'usage_trend', 'component': 'product_usage', 'signal': 'usage_change_14d'},
    {'measure': 'onboarding_on_time', 'component': 'business_outcomes', 'signal': 'onboarding_on_time_share'},
    {'measure': 'time_to_first_value', 'component': 'business_outcomes', 'signal': 'time_to_first_value_days'},
    {'measure': 'payment_timeliness', 'component': 'business_outcomes', 'signal': 'max_days_overdue'},
    {'measure': 'ticket_burden', 'component': 'business_outcomes', 'signal': 'tickets_per_10_seats_90d'},
    {'measure': 'csat', 'component': 'relationship_quality', 'signal': 'csat_avg_90d'},
    {'measure': 'nps', 'component': 'relationship_quality', 'signal': 'nps_365d'},
    {'measure': 'ticket_sentiment', 'component': 'relationship_quality', 'signal': 'avg_sentiment_90d'},
    {'measure': 'executive_engagement', 'component': 'relationship_quality', 'signal': 'case when executive_activities_90d > 0 then 1 else 0 end'},
    {'measure': 'escalations', 'component': 'relationship_quality', 'signal': 'escalations_90d'},
    {'measure': 'mrr_change', 'component': 'account_growth', 'signal': 'mrr_change_90d'},
    {'measure': 'active_user_growth', 'component': 'account_growth', 'signal': 'active_user_growth_90d'},
    {'measure': 'expansion_pipeline', 'component': 'account_growth', 'signal': 'expansion_pipeline_ratio'},
]) }}
{%- endmacro %}

{#- The components in the order the marts show them. -#}
{% macro health_components() -%}
{{ return(['product_usage', 'business_outcomes', 'relationship_quality', 'account_growth']) }}
{%- endmacro %}
