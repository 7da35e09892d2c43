{#- Exact elapsed microseconds (bigint) from start_timestamp to end_timestamp; null when either
    is null. Business time is added and subtracted in whole microseconds so that running totals
    and deadlines are exact, and the same, on every engine (a double of seconds is not). -#}
{% macro microseconds_between(start_timestamp, end_timestamp) -%}
{{ return(adapter.dispatch('microseconds_between', 'customer_success')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro default__microseconds_between(start_timestamp, end_timestamp) -%}
cast(extract(epoch from ({{ end_timestamp }} - {{ start_timestamp }})) * 1000000 as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__microseconds_between(start_timestamp, end_timestamp) -%}
(epoch_us({{ end_timestamp }}) - epoch_us({{ start_timestamp }}))
{%- endmacro %}

{% macro spark__microseconds_between(start_timestamp, end_timestamp) -%}
(unix_micros({{ end_timestamp }}) - unix_micros({{ start_timestamp }}))
{%- endmacro %}
