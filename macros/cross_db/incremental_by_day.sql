{#- Materialization of an incremental model on engines that can change stored rows: the
    given strategy (and unique key) on DuckDB and PostgreSQL; on Spark a plain table, rebuilt
    in full on every run. Spark's Parquet tables (no Delta or Iceberg) cannot delete or
    merge, and the only replace-by-day strategy, insert_overwrite of a table partitioned by
    day, writes ~1,100 day folders per table that every later read must list: on local Spark
    that cost 45-96 s per model and 5-13 s per test that read them, against a few seconds for
    the whole table (docs/decisions.md, 2026-11-24).
    Use: config(on_schema_change='fail', ..., **incremental_where_possible('append')), last
    (Jinja takes no keyword argument after **) -#}
{% macro incremental_where_possible(strategy, unique_key=none) -%}
    {%- if target.type == 'spark' -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
    {%- set settings = {'materialized': 'incremental', 'incremental_strategy': strategy} -%}
    {%- if unique_key is not none -%}
        {%- do settings.update({'unique_key': unique_key}) -%}
    {%- endif -%}
    {{ return(settings) }}
{%- endmacro %}

{#- The daily models whose incremental runs rebuild whole days (the look-back): the days in a
    run's output replace those days in the table (delete+insert on the day column), other
    days are kept. -#}
{% macro incremental_by_day(day_column) -%}
    {{ return(incremental_where_possible('delete+insert', day_column)) }}
{%- endmacro %}
