-- One row per self-service knowledge-base session.
with

sessions as (
    select * from {{ ref('base_support__kb_sessions') }}
    where dq_status = 'kept'
)

select
    kb_session_id,
    account_id,
    user_id,
    started_at,
    article_id,
    resolved_without_ticket as is_resolved_without_ticket,
    article_rating,
    _loaded_at
from sessions
