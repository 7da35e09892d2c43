{#- The share of a raw table's rows sent to the quarantine (1 - accuracy), against the
    data-quality policy's family quarantine_rate (seed data_quality_policy, see dq_policy): the
    table's own row, else the default, says above which share the test warns and above which it
    fails. Counts every row, also on runs that test only recent rows. -#}
{% test quarantine_rate(model) %}
    {{ config(warn_if='>0', error_if='>1', meta={'test_all_rows': true}) }}
    {%- set measured -%}
select
    count(*) as checked_rows,
    sum(case when dq_status = 'quarantined' then 1 else 0 end) as failing_rows
from {{ model }}
    {%- endset -%}
{{ policy_levels('quarantine_rate', '*', measured) }}
{% endtest %}
