{{ config(materialized="table") }}

-- Every raw support_kb_sessions row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
    {{ raw_source('support', 'support_kb_sessions') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

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
)

{{ dq_classify('validated', 'support', 'support_kb_sessions') }}
