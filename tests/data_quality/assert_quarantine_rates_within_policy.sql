-- The share of each raw table's rows sent to the quarantine (1 - accuracy), against the
-- data-quality policy's family quarantine_rate (seed data_quality_policy, see dq_policy): the
-- table's own row, else the default, says above which share the build warns and above which
-- it fails. Counts every row of the base models, also on runs that test only recent rows.
-- Returns one row per table above a threshold (csm build prints one line each). One test for
-- all tables, so that a daily run pays one node for it.
{{ policy_test_config() }}
{%- set measured -%}
    {%- for raw in raw_tables() %}
        {% if not loop.first %}union all{% endif %}
        select
            'quarantine_rate' as check_family,
            '{{ raw.table }}' as table_name,
            '*' as column_name,
            count(*) as checked_rows,
            sum(case when dq_status = 'quarantined' then 1 else 0 end) as failing_rows
        from {{ ref(raw.base) }}
    {%- endfor %}
{%- endset %}
{{ policy_levels(measured) }}
