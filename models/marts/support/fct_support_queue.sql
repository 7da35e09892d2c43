-- One row per ticket open at as_of_timestamp (created by then, not yet resolved): its age,
-- its SLA deadline on the priority's clock, and whether it has breached or is about to (the
-- deadline passes within var('breach_risk_minutes') after as_of_timestamp, seed 002's
-- critical alert).
with

tickets as (
    select * from {{ ref('int_support__tickets') }}
),

agents as (
    select * from {{ ref('stg_support__agents') }}
),

open_tickets as (
    select
        *,
        {{ as_of_timestamp() }} as as_of_timestamp
    from tickets
    where not is_resolved
),

measured as (
    select
        *,
        {{ ratio(seconds_between('created_at', 'as_of_timestamp'), 3600) }} as age_hours,
        {{ ratio(seconds_between('as_of_timestamp', 'sla_deadline_at'), 60) }} as minutes_to_deadline,
        {{ add_minutes('as_of_timestamp', var('breach_risk_minutes')) }} as breach_risk_until
    from open_tickets
    where created_at <= as_of_timestamp
)

select
    measured.ticket_id,
    measured.as_of_timestamp,
    measured.account_id,
    measured.agent_id,
    agents.agent_name,
    measured.priority,
    measured.category,
    measured.channel,
    measured.status,
    measured.created_at,
    measured.first_response_at,
    measured.first_response_at is not null as is_responded,
    measured.age_hours,
    {{ ratio('measured.age_hours', 24) }} as age_days,
    measured.sla_clock,
    measured.sla_limit_hours,
    measured.sla_deadline_at,
    measured.minutes_to_deadline,
    -- the same rule as is_sla_met = false on an unresolved ticket
    measured.sla_deadline_at < measured.as_of_timestamp as is_breached,
    measured.sla_deadline_at >= measured.as_of_timestamp
    and measured.sla_deadline_at <= measured.breach_risk_until as is_breach_risk,
    measured.is_escalated,
    measured.reopened_count
from measured
left join agents
    on measured.agent_id = agents.agent_id
