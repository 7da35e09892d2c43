{#- Materialization of the daily models whose incremental runs rebuild whole days (the
    look-back): the days in a run's output replace those days in the table, other days are
    kept. DuckDB and PostgreSQL: incremental, delete+insert on the day column.
    Spark: a plain table, rebuilt in full on every run. Parquet tables (no Delta or Iceberg)
    cannot delete or merge, and the only replace-by-day strategy, insert_overwrite of a table
    partitioned by day, writes ~1,100 day folders per table that every later read must list:
    on local Spark that cost 45-96 s per model and 5-13 s per test that read them, against a
    few seconds for the whole table (docs/decisions.md, 2026-11-23).
    Use: config(on_schema_change='fail', ..., **incremental_by_day('activity_date')), last
    (Jinja takes no keyword argument after **) -#}
{% macro incremental_by_day(day_column) -%}
    {%- if target.type == 'spark' -%}
        {{ return({'materialized': 'table'}) }}
    {%- else -%}
        {{ return({
            'materialized': 'incremental',
            'incremental_strategy': 'delete+insert',
            'unique_key': day_column,
        }) }}
    {%- endif -%}
{%- endmacro %}
