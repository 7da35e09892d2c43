{#- The load days (date of _loaded_at) of a raw table whose raw row count differs from the
    rows its incremental base model ({{ this }}) stores for them: the days an incremental run
    re-reads. A new day has no stored rows; a backfill adds rows to an earlier day. Counting
    per day reads one column of the raw files and of the stored table. -#}
{% macro changed_load_days(source_name, table_name) -%}
with

raw_days as (
    select
        cast(raw_rows._loaded_at as date) as load_day,
        count(*) as raw_rows
    from ({{ raw_source(source_name, table_name) }}) as raw_rows
    group by cast(raw_rows._loaded_at as date)
),

stored_days as (
    select
        cast(_loaded_at as date) as load_day,
        count(*) as stored_rows
    from {{ this }}
    group by cast(_loaded_at as date)
)

select raw_days.load_day
from raw_days
left join stored_days
    on raw_days.load_day = stored_days.load_day
where stored_days.stored_rows is null or stored_days.stored_rows <> raw_days.raw_rows
{%- endmacro %}

{#- Pre-hook of the incremental base models: rows without a key (quarantined as missing the
    key) cannot be replaced by key, so on an incremental run those of the re-read load days
    are deleted before the run inserts them again from the raw files. -#}
{% macro delete_keyless_rows_of_changed_load_days(source_name, table_name) -%}
{%- if is_incremental() -%}
{%- set key = source_contract(source_name, table_name).meta['key'] -%}
delete from {{ this }}
where ({{ key | join(' is null or ') }} is null)
    and cast(_loaded_at as date) in ({{ changed_load_days(source_name, table_name) }})
{%- endif -%}
{%- endmacro %}
