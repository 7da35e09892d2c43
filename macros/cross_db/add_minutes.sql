{#- A timestamp `minutes` minutes later (minutes may be an expression, whole minutes), keeping
    sub-second precision: dbt-spark's dateadd for minutes goes through unix_timestamp and
    drops the microseconds, which would move an SLA deadline off the exact limit. -#}
{% macro add_minutes(timestamp_expression, minutes) -%}
{{ return(adapter.dispatch('add_minutes', 'customer_success')(timestamp_expression, minutes)) }}
{%- endmacro %}

{% macro default__add_minutes(timestamp_expression, minutes) -%}
{{ dbt.dateadd('minute', minutes, timestamp_expression) }}
{%- endmacro %}

{% macro spark__add_minutes(timestamp_expression, minutes) -%}
timestampadd(minute, cast({{ minutes }} as bigint), {{ timestamp_expression }})
{%- endmacro %}
