{#- Whole days from start_date to end_date (dates; negative when end is earlier; null when
    either is null). Date subtraction where the engine has it: dbt.datediff casts both sides to
    timestamps on DuckDB, measurably slower on the per-user-day usage rows. -#}
{% macro days_between(start_date, end_date) -%}
{{ return(adapter.dispatch('days_between', 'customer_success')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
cast(cast({{ end_date }} as date) - cast({{ start_date }} as date) as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro bigquery__days_between(start_date, end_date) -%}
date_diff(cast({{ end_date }} as date), cast({{ start_date }} as date), day)
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
cast(datediff(cast({{ end_date }} as date), cast({{ start_date }} as date)) as bigint)
{%- endmacro %}
