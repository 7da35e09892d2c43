-- One row per valid support ticket: who handled it, how fast it was answered and resolved (in
-- calendar time and in business time on its support schedule), whether it met its priority's
-- SLA on the priority's clock, whether it was resolved at first contact, and what the customer
-- said about it.
with

tickets as (
    select * from {{ ref('int_support__tickets') }}
),

agents as (
    select * from {{ ref('stg_support__agents') }}
)

select
    tickets.ticket_id,
    tickets.account_id,
    tickets.agent_id,
    agents.agent_name,
    agents.agent_team,
    tickets.priority,
    tickets.category,
    tickets.channel,
    tickets.status,
    tickets.created_at,
    tickets.first_response_at,
    tickets.resolved_at,
    tickets.created_month,
    tickets.resolved_month,
    tickets.is_resolved,
    tickets.first_response_minutes,
    tickets.resolution_hours,
    tickets.schedule_id,
    tickets.business_minutes_to_first_response,
    tickets.business_minutes_to_resolution,
    tickets.sla_clock,
    tickets.sla_limit_hours,
    tickets.sla_target_hours,
    tickets.sla_deadline_at,
    tickets.is_sla_met,
    tickets.is_sla_target_met,
    tickets.sla_outcome_month,
    tickets.is_first_contact_resolution,
    tickets.is_escalated,
    tickets.reopened_count,
    tickets.customer_contacts,
    tickets.handle_time_minutes,
    tickets.sentiment_score,
    tickets.csat_score
from tickets
left join agents
    on tickets.agent_id = agents.agent_id
