{#- The share of null values in each listed column of a model, against the data-quality policy
    (seed data_quality_policy, see dq_policy): family missing_rate for an optional column (all
    rows), conditional_missing_rate for a column given with a row_condition that says when it
    must be set (e.g. paid_at of a paid invoice). The policy row of the column's table and
    name, else the family's default, says above which share the test warns and above which it
    fails; the test returns one row per column found above a threshold (csm build prints one
    line each). One test per model, so that a daily run pays one node for all its columns:

        - missing_rates:
            arguments:
              columns:
                - industry
                - {name: paid_at, row_condition: "status = 'paid'"}
-#}
{% test missing_rates(model, columns) %}
    {{ policy_test_config() }}
    {%- set table_name = policy_table_name() -%}
    {%- set measured -%}
    {%- for column in columns %}
        {%- set column_name = column if column is string else column.name %}
        {%- set row_condition = none if column is string else column.get('row_condition') %}
        {% if not loop.first %}union all{% endif %}
        select
            '{{ 'conditional_missing_rate' if row_condition else 'missing_rate' }}' as check_family,
            '{{ table_name }}' as table_name,
            '{{ column_name }}' as column_name,
            count(*) as checked_rows,
            sum(case when {{ column_name }} is null then 1 else 0 end) as failing_rows
        from {{ model }}
        {%- if row_condition %}
        where {{ row_condition }}
        {%- endif %}
    {%- endfor %}
    {%- endset -%}
{{ policy_levels(measured) }}
{% endtest %}
