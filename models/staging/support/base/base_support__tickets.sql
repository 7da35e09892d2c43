{{ config(materialized="table") }}

-- Every raw support_tickets row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
    {{ raw_source('support', 'support_tickets') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

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
)

{{ dq_classify('validated', 'support', 'support_tickets') }}
