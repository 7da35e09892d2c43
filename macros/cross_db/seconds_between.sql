{#- Exact elapsed seconds (fractional, microsecond precision) from start_timestamp to
    end_timestamp; null when either is null. dbt.datediff(..., 'second') counts second
    boundaries on DuckDB (0.2 s across a boundary gives 1), so durations use the epoch of the
    difference instead. -#}
{% macro seconds_between(start_timestamp, end_timestamp) -%}
{{ return(adapter.dispatch('seconds_between', 'customer_success')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro default__seconds_between(start_timestamp, end_timestamp) -%}
extract(epoch from ({{ end_timestamp }} - {{ start_timestamp }}))
{%- endmacro %}

{% macro spark__seconds_between(start_timestamp, end_timestamp) -%}
(cast(unix_micros({{ end_timestamp }}) - unix_micros({{ start_timestamp }}) as double) / 1000000)
{%- endmacro %}

{% macro postgres__seconds_between(start_timestamp, end_timestamp) -%}
cast(extract(epoch from ({{ end_timestamp }} - {{ start_timestamp }})) as double precision)
{%- endmacro %}
