-- Every assigned ticket counts once in fct_support_agent_monthly: per month, the agents'
-- tickets handled, FCR tickets and SLA outcomes add up to the assigned tickets of
-- fct_support_tickets attributed to that month.
with

agent_months as (
    select * from {{ ref('fct_support_agent_monthly') }}
),

tickets as (
    select * from {{ ref('fct_support_tickets') }}
    where agent_id is not null
),

agent_totals as (
    select
        month,
        sum(tickets_assigned) as tickets_assigned,
        sum(tickets_handled) as tickets_handled,
        sum(fcr_tickets) as fcr_tickets,
        sum(sla_met_tickets + sla_breached_tickets) as sla_outcomes
    from agent_months
    group by month
),

ticket_events as (
    select
        created_month as month,
        1 as assigned,
        0 as handled,
        0 as fcr,
        0 as sla_outcome
    from tickets
    union all
    select
        resolved_month as month,
        0 as assigned,
        1 as handled,
        case when is_first_contact_resolution then 1 else 0 end as fcr,
        0 as sla_outcome
    from tickets
    where is_resolved
    union all
    select
        sla_outcome_month as month,
        0 as assigned,
        0 as handled,
        0 as fcr,
        1 as sla_outcome
    from tickets
    where is_sla_met is not null
),

ticket_totals as (
    select
        month,
        sum(assigned) as tickets_assigned,
        sum(handled) as tickets_handled,
        sum(fcr) as fcr_tickets,
        sum(sla_outcome) as sla_outcomes
    from ticket_events
    group by month
)

select coalesce(agent_totals.month, ticket_totals.month) as month
from agent_totals
full outer join ticket_totals
    on agent_totals.month = ticket_totals.month
where
    agent_totals.month is null
    or ticket_totals.month is null
    or agent_totals.tickets_assigned <> ticket_totals.tickets_assigned
    or agent_totals.tickets_handled <> ticket_totals.tickets_handled
    or agent_totals.fcr_tickets <> ticket_totals.fcr_tickets
    or agent_totals.sla_outcomes <> ticket_totals.sla_outcomes
