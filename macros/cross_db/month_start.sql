{#- First day of the month of a date or timestamp, as a date. -#}
{% macro month_start(expression) -%}
cast({{ dbt.date_trunc('month', expression) }} as date)
{%- endmacro %}

{#- The date `count` months after a month's first day (count may be an expression). -#}
{% macro add_months(month_expression, count) -%}
cast({{ dbt.dateadd('month', count, month_expression) }} as date)
{%- endmacro %}

{#- Last day of the month starting on month_expression. -#}
{% macro month_end(month_expression) -%}
cast({{ dbt.dateadd('day', -1, add_months(month_expression, 1)) }} as date)
{%- endmacro %}
