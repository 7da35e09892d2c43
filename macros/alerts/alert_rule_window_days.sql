{#- The window_days of one rule of alert_rules (0 when the rule has none or is not in the seed),
    for the incremental look-back of int_alerts__rule_days: a constant when the model runs
    (incremental_run_values), else the same as a subquery. -#}
{% macro alert_rule_window_days(rule_key) -%}
    {%- set window_days -%}
        coalesce((select max(window_days) from {{ ref('alert_rules') }} where rule_key = '{{ rule_key }}'), 0)
    {%- endset -%}
    {%- set values = incremental_run_values('select ' ~ window_days) -%}
    {{ return(values[0] | int if values else '(' ~ window_days | trim ~ ')') }}
{%- endmacro %}
