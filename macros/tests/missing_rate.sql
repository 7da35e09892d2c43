{#- The share of null values in a column, against the data-quality policy (seed
    data_quality_policy, see dq_policy): family missing_rate for an optional column (all rows),
    conditional_missing_rate when a row_condition says when the column must be set (e.g. paid_at
    of a paid invoice). The policy row of the column's table and name, else the family's
    default, says above which share the test warns and above which it fails. -#}
{% test missing_rate(model, column_name, row_condition=none) %}
    {{ config(warn_if='>0', error_if='>1') }}
    {%- set measured -%}
select
    count(*) as checked_rows,
    sum(case when {{ column_name }} is null then 1 else 0 end) as failing_rows
from {{ model }}
{%- if row_condition %}
where {{ row_condition }}
{%- endif %}
    {%- endset -%}
{{ policy_levels('conditional_missing_rate' if row_condition else 'missing_rate', column_name, measured) }}
{% endtest %}
