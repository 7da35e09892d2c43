-- noqa: disable=LT02
-- (indentation is off here: whole CTEs exist only on incremental runs)
{{
    config(
        on_schema_change='fail',
        **incremental_where_possible('delete+insert', 'event_id')
    )
}}

-- Every raw product_events row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
-- Incremental (the one event-scale table; a plain table on Spark, which has no
-- delete+insert): a run reads only the raw rows loaded after the latest _loaded_at it
-- holds, and classifies them together with the stored rows they must be compared with, so
-- the table equals a full rebuild: every stored row of the event_ids they carry
-- (re-deliveries), the rows of event_ids quarantined as unknown_account (the account may
-- have arrived in the CRM since) and the rows without an event_id (their copy numbers).
-- A replay with the var as_of_timestamp sees only the rows loaded by then.
{%- set loaded_until = '(select max(stored_rows._loaded_at) from ' ~ this ~ ' as stored_rows)' %}
with

source as (
    select * from {{ source('product', 'product_events') }}
    where
        {#- a replay (var as_of_timestamp set) sees only the rows loaded by then #}
        {{ "_loaded_at <= " ~ as_of_timestamp() if var('as_of_timestamp', none) else "1 = 1" }}
        {%- if is_incremental() %}
        and _loaded_at > {{ loaded_until }}
        {%- endif %}
),

known_accounts as (
    {{ known_account_ids() }}
),

{%- if is_incremental() %}

reclassified_keys as (
    select event_id from source
    union
    select event_id from {{ this }}
    where dq_rule = 'unknown_account'
),

stored as (
    select
        event_id,
        account_id,
        user_id,
        event_type,
        feature_key,
        occurred_at,
        _loaded_at
    from {{ this }}
    where
        event_id in (select reclassified_keys.event_id from reclassified_keys)
        or event_id is null
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
    select * from stored
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

select * from classified
{%- if is_incremental() %}
-- stored rows without an event_id only number the new ones: delete+insert keeps them
where event_id is not null or _loaded_at > {{ loaded_until }}
{%- endif %}
