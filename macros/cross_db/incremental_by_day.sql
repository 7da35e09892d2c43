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

{#- The end of a daily table's final select: on DuckDB a full build writes the rows in day
    order. Incremental runs read, delete and test only the recent days (the look-back, the
    test_recent_days), and DuckDB skips a row group whose min/max shows none of them; in the
    order the joins produce, every row group holds every day, so each such read decompresses
    the whole table until the full build's days have aged out of the look-back (the `large`
    daily run two days after a full build: about 60 -> 51 CPU-s, 5 s less; the sorts add about
    23 s to the full build, docs/benchmarks.md 2026-12-04, session 8). An incremental run
    inserts its days together, so they stay clustered. Not at the end of the alert rule days
    (94M rows at `large`: the sort ran out of memory; their input is sorted instead,
    days_clustered), left unsorted: the day states, and the churn scores and risk (wide decimal
    rows: the sort cost more than their reads save).
    Nothing elsewhere: PostgreSQL skips no blocks by min/max without an index, and Spark
    rebuilds in full. -#}
{% macro in_day_order(day_column='activity_date') -%}
    {{ return(adapter.dispatch('in_day_order', 'customer_success')(day_column)) }}
{%- endmacro %}

{% macro default__in_day_order(day_column) -%}
{%- endmacro %}

{% macro duckdb__in_day_order(day_column) -%}
    {%- if not is_incremental() %}
order by {{ day_column }}
    {%- endif %}
{%- endmacro %}

{#- The end of a CTE that several unioned selects of a daily table read (the alert rule days'
    rule_inputs, one select per rule): on DuckDB a full build sorts that input by day, so that
    each select's rows, and the row groups written from them, hold a few consecutive days: not
    one order over the whole table (that sort of the 94M rule days ran out of memory), but an
    incremental run's reads, deletes and tests of the recent days skip all but a few row groups
    as with in_day_order (`large`: 10 of 770 row groups hold a day of the last week, against
    all 780; the full build's query 64 -> 68 s, docs/benchmarks.md 2026-12-04, session 9).
    Nothing elsewhere, as in_day_order. -#}
{% macro days_clustered(day_column='activity_date') -%}
    {{ return(in_day_order(day_column)) }}
{%- endmacro %}
