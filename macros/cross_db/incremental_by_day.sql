{#- Incremental config of the daily models whose runs rebuild whole days (the look-back):
    the days in a run's output replace those days in the table, other days are kept.
    DuckDB and PostgreSQL: delete+insert on the day column. Spark (Parquet tables, no Delta
    or Iceberg, so no delete or merge): insert_overwrite of a table partitioned by the day
    column, with dynamic partition overwrite, which replaces exactly the days (partitions)
    present in the run's output: the same rows as delete+insert.
    Use: config(materialized='incremental', ..., **incremental_by_day('activity_date')), last
    (Jinja takes no keyword argument after **) -#}
{% macro incremental_by_day(day_column) -%}
    {%- if target.type == 'spark' -%}
        {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [day_column]}) }}
    {%- else -%}
        {{ return({'incremental_strategy': 'delete+insert', 'unique_key': day_column}) }}
    {%- endif -%}
{%- endmacro %}
