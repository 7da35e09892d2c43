{#- A timestamp `microseconds` (a whole number, may be an expression) later, exactly: an SLA
    deadline on the business clock is an interval's opening plus the business time still due. -#}
{% macro add_microseconds(timestamp_expression, microseconds) -%}
{{ return(adapter.dispatch('add_microseconds', 'customer_success')(timestamp_expression, microseconds)) }}
{%- endmacro %}

{% macro default__add_microseconds(timestamp_expression, microseconds) -%}
({{ timestamp_expression }} + cast({{ microseconds }} as {{ dbt.type_bigint() }}) * interval '1 microsecond')
{%- endmacro %}

{% macro duckdb__add_microseconds(timestamp_expression, microseconds) -%}
({{ timestamp_expression }} + to_microseconds(cast({{ microseconds }} as bigint)))
{%- endmacro %}

{% macro spark__add_microseconds(timestamp_expression, microseconds) -%}
timestamp_micros(unix_micros({{ timestamp_expression }}) + cast({{ microseconds }} as bigint))
{%- endmacro %}
