{#- The load days (date of _loaded_at) of product_events whose raw row count differs from
    the rows base_product__events stores for them: the days an incremental run re-reads. A
    new day has no stored rows; a backfill adds rows to an earlier day. Counting per day
    reads one column of the raw files and of the stored table. -#}
{% macro changed_event_load_days() -%}
with

raw_days as (
    select
        cast(raw_events._loaded_at as date) as load_day,
        count(*) as raw_rows
    from ({{ raw_source('product', 'product_events') }}) as raw_events
    group by cast(raw_events._loaded_at as date)
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

{#- Pre-hook of base_product__events: rows without an event_id cannot be replaced by key, so
    on an incremental run those of the re-read load days are deleted before the run inserts
    them again from the raw files. -#}
{% macro delete_keyless_events_of_changed_load_days() -%}
{%- if is_incremental() -%}
delete from {{ this }}
where event_id is null
    and cast(_loaded_at as date) in ({{ changed_event_load_days() }})
{%- endif -%}
{%- endmacro %}
