{#- The health measures, in the order of the scores' columns: each is a column of
    int_health__measures_daily and a row of health_measure_scales (test_health_measures.py
    checks both), and the scores compute a value and a score column for each. The seeds decide
    each measure's scale, weight and component; this list only names the columns. -#}
{% macro health_measures() -%}
    {{ return([
        'license_utilization',
        'active_day_frequency',
        'core_feature_breadth',
        'usage_trend',
        'onboarding_on_time',
        'time_to_first_value',
        'payment_timeliness',
        'ticket_burden',
        'csat',
        'nps',
        'ticket_sentiment',
        'executive_engagement',
        'escalations',
        'mrr_change',
        'active_user_growth',
        'expansion_pipeline',
    ]) }}
{%- endmacro %}

{#- The health components, in the order of the scores' columns. A measure's component is the
    component column of health_score_weights. -#}
{% macro health_components() -%}
    {{ return(['product_usage', 'business_outcomes', 'relationship_quality', 'account_growth']) }}
{%- endmacro %}
