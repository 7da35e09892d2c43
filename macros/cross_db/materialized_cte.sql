{#- The keyword that makes a CTE be computed once and read by every reference, or '' where the
    engine has none (Spark). column_checks with keys_read_once reads the key columns of a
    model's recent rows once with it, where DuckDB would otherwise scan the filtered model once
    per partition of the key grouping (docs/benchmarks.md, 2026-12-03, session 3). -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'customer_success')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
materialized
{%- endmacro %}

{% macro spark__materialized_cte() -%}
{%- endmacro %}
