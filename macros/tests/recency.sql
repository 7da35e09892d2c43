{#- The newest value of a timestamp column is no older than `interval` `datepart`s before
    the build's as-of timestamp (never the wall clock). -#}
{% test recency(model, field, datepart, interval, row_condition=none) %}
{{ failing_rows(
    model,
    'max(' ~ field ~ ') >= ' ~ dbt.dateadd(datepart, -1 * interval, as_of_timestamp()),
    row_condition,
    group_by=[]
) }}
{% endtest %}
