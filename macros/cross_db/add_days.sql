{#- The date `count` days after a date (count may be negative or an expression), as a date:
    dbt.dateadd returns a timestamp on some engines (DuckDB), so the result is cast back. -#}
{% macro add_days(date_expression, count) -%}
cast({{ dbt.dateadd('day', count, date_expression) }} as date)
{%- endmacro %}
