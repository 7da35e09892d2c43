{#- No two rows share the same values in the combination of columns. -#}
{% test unique_combination_of_columns(model, combination, row_condition=none) %}
{{ failing_rows(model, 'count(*) = 1', row_condition, group_by=combination) }}
{% endtest %}
