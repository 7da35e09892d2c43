-- noqa: disable=LT02
-- (indentation is off here: whole CTEs exist only on incremental runs)
{{
    config(
        on_schema_change='fail',
        pre_hook="{{ delete_keyless_rows_of_changed_load_days('support', 'support_kb_sessions') }}",
        **incremental_where_possible('delete+insert', 'kb_session_id')
    )
}}

-- Every raw support_kb_sessions row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
-- Incremental (a plain table on Spark) like base_product__users: a run re-reads the raw rows
-- of every load day whose raw row count differs from the rows stored for it and classifies
-- them together with the stored versions of the same sessions (the latest version wins) and
-- of the sessions quarantined as unknown_account (the account may have arrived in the CRM
-- since). Stored rows quarantined for another rule are carried over unchanged: their stored
-- values are already cast, so they are not validated again; an identical copy is one of the
-- same load day, which a re-read day re-reads whole.
with

raw_sessions as (
    {{ raw_source('support', 'support_kb_sessions') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

{%- if is_incremental() %}
{%- set load_days = changed_load_day_list('support', 'support_kb_sessions') %}

source as (
    select raw_sessions.*
    from raw_sessions
    where {{ loaded_on_days(load_days, 'raw_sessions._loaded_at', 'support', 'support_kb_sessions') }}
),

stored as (
    {{ stored_rows_to_reclassify('support', 'support_kb_sessions', load_days) }}
),
{%- else %}

source as (
    select * from raw_sessions
),
{%- endif %}

normalized as (
    select
        kb_session_id,
        account_id,
        user_id,
        started_at,
        article_id,
        resolved_without_ticket,
        article_rating,
        _loaded_at
    from source
    {%- if is_incremental() %}
    union all
    select
        kb_session_id,
        account_id,
        user_id,
        started_at,
        article_id,
        resolved_without_ticket,
        article_rating,
        _loaded_at
    from stored
    where dq_rule is null or dq_rule = 'unknown_account'
    {%- endif %}
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('support', 'support_kb_sessions', table_rules=[
            ["known_accounts.known_account_id is null", "unknown_account"],
            ["article_rating not between 1 and 5", "invalid_article_rating"]
        ]) }} as dq_rule
    from normalized
    left join known_accounts
        on normalized.account_id = known_accounts.known_account_id
),

classified as (
    {{ dq_classify('validated', 'support', 'support_kb_sessions') }}
)

select * from classified
{%- if is_incremental() %}
union all
select * from stored
where dq_rule is not null and dq_rule <> 'unknown_account'
{%- endif %}
