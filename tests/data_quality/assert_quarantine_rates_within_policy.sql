-- The share of each raw table's rows sent to the quarantine (1 - accuracy), against the
-- data-quality policy's family quarantine_rate (seed data_quality_policy, see dq_policy): the
-- table's own row, else the default, says above which share the build warns and above which
-- it fails. Counts every row its base model classified (stg_quarantine__row_accounting), also
-- on runs that test only recent rows. Returns one row per table above a threshold (csm build
-- prints one line each). One test for all tables, so that a daily run pays one node for it.
{{ policy_test_config() }}
{%- set measured -%}
    select
        'quarantine_rate' as check_family,
        source_table as table_name,
        '*' as column_name,
        kept_rows + duplicate_rows + superseded_rows + quarantined_rows as checked_rows,
        quarantined_rows as failing_rows
    from {{ ref('stg_quarantine__row_accounting') }}
{%- endset %}
{{ policy_levels(measured) }}
