{#- The share of null values in a column (among rows matching row_condition) is at most max_rate. -#}
{% test missing_rate(model, column_name, max_rate, row_condition=none) %}
{{ failing_rows(
    model,
    'sum(case when ' ~ column_name ~ ' is null then 1 else 0 end) <= ' ~ max_rate ~ ' * count(*)',
    row_condition,
    group_by=[]
) }}
{% endtest %}
