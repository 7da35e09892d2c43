{#- The median of a numeric expression as an aggregate, interpolating between the two middle
    values when their number is even (pandas' median). Ordered-set aggregate on DuckDB and
    Postgres; Spark's exact percentile() elsewhere. Nulls are ignored. -#}
{% macro median_of(expression) -%}
{{ return(adapter.dispatch('median_of', 'customer_success')(expression)) }}
{%- endmacro %}

{% macro default__median_of(expression) -%}
percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__median_of(expression) -%}
percentile({{ expression }}, 0.5)
{%- endmacro %}
