{#- Every row (matching row_condition) satisfies the expression. -#}
{% test expression_is_true(model, expression, row_condition=none) %}
{{ failing_rows(model, expression, row_condition) }}
{% endtest %}
