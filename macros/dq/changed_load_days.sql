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

{#- The changed load days (changed_load_days) of an incremental run as a list of dates
    (incremental_run_values); none at parse time and where `this` is not the model's own table
    (unit tests), where loaded_on_days falls back to the query itself. Set it
    once per model and pass it to each loaded_on_days. A null load day is left out, as the
    query's `in` left it out before. -#}
{% macro changed_load_day_list(source_name, table_name) -%}
    {%- set load_days = incremental_run_values(changed_load_days(source_name, table_name)) -%}
    {{ return(none if load_days is none else load_days | reject('none') | list) }}
{%- endmacro %}

{#- A condition: the timestamp `column` falls on one of `load_days` (changed_load_day_list).
    The days are written as constants, with the range from the first to the last, so that the
    engine skips by their min/max the Parquet row groups and the table segments of other days:
    behind a subquery every raw file is read (the raw events of one day at `large`: 1.9 s
    against 0.03 s). With none, the changed_load_days query of source_name.table_name. -#}
{% macro loaded_on_days(load_days, column, source_name, table_name) -%}
    {%- if load_days is none -%}
cast({{ column }} as date) in ({{ changed_load_days(source_name, table_name) }})
    {%- elif load_days | length == 0 -%}
1 = 0
    {%- else -%}
        {%- set first_day = load_days | min -%}
        {%- set day_after_last = (load_days | max) + modules.datetime.timedelta(days=1) -%}
(
    {{ column }} >= cast('{{ first_day }}' as timestamp)
    and {{ column }} < cast('{{ day_after_last }}' as timestamp)
    and cast({{ column }} as date) in (
        {%- for day in load_days %}cast('{{ day }}' as date){% if not loop.last %}, {% endif %}{% endfor -%}
    )
)
    {%- endif -%}
{%- endmacro %}

{#- On an incremental run of an incremental base model: the stored rows to classify again
    together with the raw rows of the changed load days (`changed`, the CTE of those raw rows):
    the stored rows of the keys they carry (re-deliveries, earlier versions) and of the keys
    quarantined as unknown_account whose account the CRM now has (the model's known_accounts
    CTE; a row whose account is still unknown would be classified the same again, and rewriting
    it would make the data-quality tables count its day again, dq_run), without the
    stored rows of the re-read days themselves (`load_days`, changed_load_day_list), which the
    raw rows replace. Where the engine names its rows (stored_row_id), the rows are found by
    reading the key columns alone and then read whole by row: a filter on the key in the read of
    all columns decompresses every column of every stored row (`large`'s daily run: 4.2 of the
    5.1 CPU-s of base_product__events' query went to that scan of 54.7M rows). With hashed_key
    (a stored column holding key_hash of a one-column key, the model's unique_key) the rows
    are found by it: every stored row of each hash, so a key sharing its hash with another is
    classified again too, with all its rows, and comes out the same. -#}
{% macro stored_rows_to_reclassify(source_name, table_name, load_days, changed='source', hashed_key=none) -%}
{%- set key = source_contract(source_name, table_name).meta['key'] | join(', ') -%}
{%- set row_id = stored_row_id() -%}
{%- set keys_to_reclassify -%}
select {{ key_hash(key) if hashed_key else key }} from {{ changed }}
        union
        select {{ hashed_key or key }} from {{ this }}
        where dq_rule = 'unknown_account'
            and account_id in (select known_account_id from known_accounts)
{%- endset -%}
{%- if hashed_key and execute and model.resource_type == 'model' -%}
    {%- set stored_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if hashed_key not in stored_columns -%}
        {{ exceptions.raise_compiler_error(
            this ~ " has no column " ~ hashed_key ~ ": it was built by an earlier version of the project."
            ~ " Rebuild it once with `csm build --full-refresh`."
        ) }}
    {%- endif -%}
{%- endif -%}
{%- set key = hashed_key or key -%}
select *
from {{ this }}
where
    {%- if row_id %}
    {{ row_id }} in (
        select {{ row_id }}
        from {{ this }}
        where ({{ key }}) in ({{ keys_to_reclassify }})
    )
    {%- else %}
    ({{ key }}) in (
        {{ keys_to_reclassify }}
    )
    {%- endif %}
    and not {{ loaded_on_days(load_days, '_loaded_at', source_name, table_name) }}
{%- endmacro %}

{#- The engine's name for a stored row within one query, '' where there is none to use:
    DuckDB's rowid, by which it fetches just the rows asked for (stored_rows_to_reclassify). -#}
{% macro stored_row_id() -%}
    {{ return(adapter.dispatch('stored_row_id', 'customer_success')()) }}
{%- endmacro %}

{% macro default__stored_row_id() -%}
{%- endmacro %}

{% macro duckdb__stored_row_id() -%}
rowid
{%- endmacro %}
