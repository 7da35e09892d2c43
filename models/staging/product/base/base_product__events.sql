-- noqa: disable=LT02
-- (indentation is off here: whole CTEs exist only on incremental runs)
{{
    config(
        on_schema_change='fail',
        pre_hook="{{ delete_keyless_rows_of_changed_load_days('product', 'product_events') }}",
        **incremental_where_possible('delete+insert', 'event_key')
    )
}}

-- Every raw product_events row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
-- Incremental (the one event-scale table; a plain table on Spark, which has no
-- delete+insert): a run re-reads the raw rows of every load day (date of _loaded_at) whose
-- raw row count differs from the rows stored for it: new days, and earlier days that
-- received a backfill (a re-run of last week's extract), whatever their _loaded_at. It
-- classifies them together with the stored rows they must be compared with, so the table
-- equals a full rebuild: the stored rows of the event_ids they carry (re-deliveries) and the
-- rows of event_ids quarantined as unknown_account (the account may have arrived in the CRM
-- since). Rows without an event_id cannot be replaced by key: the pre-hook deletes those of
-- the re-read days first. A replay with the var as_of_timestamp sees only the rows loaded by
-- then. The stored rows are found, and replaced (dbt's delete+insert), by event_key, an
-- integer hash of event_id (key_hash): comparing strings read all 54.7M stored event_ids of
-- `large` twice a run.
with

raw_events as (
    {{ raw_source('product', 'product_events') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

{%- if is_incremental() %}
{%- set load_days = changed_load_day_list('product', 'product_events') %}

source as (
    select raw_events.*
    from raw_events
    where {{ loaded_on_days(load_days, 'raw_events._loaded_at', 'product', 'product_events') }}
),

stored as (
    {{ stored_rows_to_reclassify('product', 'product_events', load_days, hashed_key='event_key') }}
),
{%- else %}

source as (
    select * from raw_events
),
{%- endif %}

normalized as (
    select
        event_id,
        account_id,
        user_id,
        {{ normalize_enum('event_type') }} as event_type,
        feature_key,
        occurred_at,
        _loaded_at
    from source
    {%- if is_incremental() %}
    union all
    select
        event_id,
        account_id,
        user_id,
        event_type,
        feature_key,
        occurred_at,
        _loaded_at
    from stored
    {%- endif %}
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('product', 'product_events', table_rules=[
            ["known_accounts.known_account_id is null", "unknown_account"]
        ]) }} as dq_rule
    from normalized
    left join known_accounts
        on normalized.account_id = known_accounts.known_account_id
),

classified as (
    {{ dq_classify('validated', 'product', 'product_events') }}
)

select
    classified.*,
    {{ key_hash('classified.event_id') }} as event_key
from classified
