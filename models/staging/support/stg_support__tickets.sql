-- Current version of every valid support ticket.
with

tickets as (
    select * from {{ ref('base_support__tickets') }}
    where dq_status = 'kept'
)

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
    escalated as is_escalated,
    handle_time_seconds,
    sentiment_score,
    updated_at,
    _loaded_at
from tickets
