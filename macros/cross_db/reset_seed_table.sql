{#- A seed whose CSV gained, lost or renamed a column is reloaded into a new table (as with
    --full-refresh) instead of into the old table, which would fail: dbt truncates and reuses the
    existing table unless told to full-refresh, so adding a column to a seed (kpi_targets gained
    report_group, display_unit and display_order) broke every build of an existing warehouse.
    Overrides dbt's reset_csv_table for DuckDB and PostgreSQL (dbt looks in the root project
    first); a dropped seed takes its dependent views with it on PostgreSQL, which the same build
    creates again. -#}
{% macro duckdb__reset_csv_table(model, full_refresh, old_relation, agate_table) %}
    {{ return(reset_seed_table(model, full_refresh, old_relation, agate_table)) }}
{% endmacro %}

{% macro postgres__reset_csv_table(model, full_refresh, old_relation, agate_table) %}
    {{ return(reset_seed_table(model, full_refresh, old_relation, agate_table)) }}
{% endmacro %}

{% macro reset_seed_table(model, full_refresh, old_relation, agate_table) %}
    {%- set existing = adapter.get_columns_in_relation(old_relation) | map(attribute='name') | map('lower') | list -%}
    {%- set wanted = agate_table.column_names | map('lower') | list -%}
    {{ return(dbt.default__reset_csv_table(model, full_refresh or existing != wanted, old_relation, agate_table)) }}
{% endmacro %}
