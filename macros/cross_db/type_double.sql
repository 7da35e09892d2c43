{#- A double-precision float type. dbt.type_float() is single precision on some engines
    (DuckDB's float is 4 bytes), so it cannot hold counts exactly; a double holds every integer
    below 2^53 exactly. Running sums of counts use it: engines sum integers into 128-bit or
    numeric accumulators, several times slower in window frames. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'customer_success')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
double precision
{%- endmacro %}

{% macro bigquery__type_double() -%}
float64
{%- endmacro %}

{% macro spark__type_double() -%}
double
{%- endmacro %}
