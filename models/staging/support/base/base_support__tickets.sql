-- noqa: disable=LT02
-- (indentation is off here: whole CTEs exist only on incremental runs)
{{
    config(
        on_schema_change='fail',
        pre_hook="{{ delete_keyless_rows_of_changed_load_days('support', 'support_tickets') }}",
        **incremental_where_possible('delete+insert', 'ticket_id')
    )
}}

-- Every raw support_tickets row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
-- Incremental (a plain table on Spark) like base_product__users: a run re-reads the raw rows
-- of every load day whose raw row count differs from the rows stored for it and classifies
-- them together with the stored versions of the same tickets (the latest version wins) and of
-- the tickets quarantined as unknown_account (the account may have arrived in the CRM since).
-- Stored rows quarantined for another rule are carried over unchanged: their stored values
-- are already cast (an out-of-range integer is null), so they are not validated again; an
-- identical copy is one of the same load day, which a re-read day re-reads whole.
with

raw_tickets as (
    {{ raw_source('support', 'support_tickets') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

{%- if is_incremental() %}
{%- set load_days = changed_load_day_list('support', 'support_tickets') %}

source as (
    select raw_tickets.*
    from raw_tickets
    where {{ loaded_on_days(load_days, 'raw_tickets._loaded_at', 'support', 'support_tickets') }}
),

stored as (
    {{ stored_rows_to_reclassify('support', 'support_tickets', load_days) }}
),
{%- else %}

source as (
    select * from raw_tickets
),
{%- endif %}

normalized as (
    select
        ticket_id,
        account_id,
        requester_user_id,
        agent_id,
        {{ normalize_enum('priority') }} as priority,
        {{ normalize_enum('category') }} as category,
        {{ normalize_enum('channel') }} as channel,
        {{ normalize_enum('status') }} as status,
        created_at,
        first_response_at,
        resolved_at,
        reopened_count,
        customer_contacts,
        escalated,
        handle_time_seconds,
        sentiment_score,
        updated_at,
        _loaded_at
    from source
    {%- if is_incremental() %}
    union all
    select
        ticket_id,
        account_id,
        requester_user_id,
        agent_id,
        priority,
        category,
        channel,
        status,
        created_at,
        first_response_at,
        resolved_at,
        reopened_count,
        customer_contacts,
        escalated,
        handle_time_seconds,
        sentiment_score,
        updated_at,
        _loaded_at
    from stored
    where dq_rule is null or dq_rule = 'unknown_account'
    {%- endif %}
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('support', 'support_tickets', table_rules=[
            ["known_accounts.known_account_id is null", "unknown_account"],
            ["resolved_at < created_at", "resolved_before_created"],
            ["sentiment_score < -1 or sentiment_score > 1", "invalid_sentiment_score"]
        ]) }} as dq_rule
    from normalized
    left join known_accounts
        on normalized.account_id = known_accounts.known_account_id
),

classified as (
    {{ dq_classify('validated', 'support', 'support_tickets') }}
)

select * from classified
{%- if is_incremental() %}
union all
select * from stored
where dq_rule is not null and dq_rule <> 'unknown_account'
{%- endif %}
