-- One row per support agent and month in which the agent had a ticket opened, resolved or
-- reach its SLA outcome: the individual view of seed 002 (tickets handled, first contact
-- resolution, handle time, SLA compliance, CSAT). Month attribution follows
-- fct_support_performance_monthly; the CSAT of a ticket counts in its resolved month.
-- Tickets never assigned to an agent are left out.
with

tickets as (
    select * from {{ ref('int_support__tickets') }}
),

months as (
    select * from {{ ref('int_support__months') }}
),

agents as (
    select * from {{ ref('stg_support__agents') }}
),

survey_scales as (
    select * from {{ ref('survey_scales') }}
),

assigned as (
    select * from tickets
    where agent_id is not null
),

created as (
    select
        agent_id,
        created_month as month,
        count(*) as tickets_assigned
    from assigned
    group by agent_id, created_month
),

resolved as (
    select
        assigned.agent_id,
        assigned.resolved_month as month,
        count(*) as tickets_handled,
        count(case when assigned.is_first_contact_resolution then 1 end) as fcr_tickets,
        count(assigned.handle_time_seconds) as handle_time_tickets,
        sum(assigned.handle_time_seconds) as handle_time_seconds,
        count(assigned.csat_score) as csat_responses,
        sum(assigned.csat_score) as csat_score_total,
        count(case when assigned.csat_score >= survey_scales.satisfied_min_score then 1 end)
            as csat_satisfied_responses
    from assigned
    cross join survey_scales
    where assigned.resolved_month is not null and survey_scales.survey_type = 'csat'
    group by assigned.agent_id, assigned.resolved_month
),

sla_outcomes as (
    select
        agent_id,
        sla_outcome_month as month,
        count(case when is_sla_met then 1 end) as sla_met_tickets,
        count(case when not is_sla_met then 1 end) as sla_breached_tickets
    from assigned
    where sla_outcome_month is not null and is_sla_met is not null
    group by agent_id, sla_outcome_month
),

agent_months as (
    select
        agent_id,
        month
    from created
    union
    select
        agent_id,
        month
    from resolved
    union
    select
        agent_id,
        month
    from sla_outcomes
),

measured as (
    select
        agent_months.agent_id,
        agent_months.month,
        months.is_complete_month,
        coalesce(created.tickets_assigned, 0) as tickets_assigned,
        coalesce(resolved.tickets_handled, 0) as tickets_handled,
        coalesce(resolved.fcr_tickets, 0) as fcr_tickets,
        coalesce(resolved.handle_time_tickets, 0) as handle_time_tickets,
        coalesce(resolved.handle_time_seconds, 0) as handle_time_seconds,
        coalesce(sla_outcomes.sla_met_tickets, 0) as sla_met_tickets,
        coalesce(sla_outcomes.sla_breached_tickets, 0) as sla_breached_tickets,
        coalesce(resolved.csat_responses, 0) as csat_responses,
        coalesce(resolved.csat_satisfied_responses, 0) as csat_satisfied_responses,
        resolved.csat_score_total
    from agent_months
    inner join months
        on agent_months.month = months.month
    left join created
        on agent_months.agent_id = created.agent_id and agent_months.month = created.month
    left join resolved
        on agent_months.agent_id = resolved.agent_id and agent_months.month = resolved.month
    left join sla_outcomes
        on agent_months.agent_id = sla_outcomes.agent_id and agent_months.month = sla_outcomes.month
)

select
    measured.agent_id,
    measured.month,
    agents.agent_name,
    agents.agent_team,
    agents.agent_tier,
    measured.tickets_assigned,
    measured.tickets_handled,
    measured.fcr_tickets,
    case when measured.tickets_handled > 0 then {{ ratio('measured.fcr_tickets', 'measured.tickets_handled') }} end
        as fcr_rate,
    measured.handle_time_tickets,
    case
        when measured.handle_time_tickets > 0
            then {{ ratio('measured.handle_time_seconds', '60 * measured.handle_time_tickets') }}
    end as aht_minutes,
    measured.sla_met_tickets,
    measured.sla_breached_tickets,
    case
        when measured.sla_met_tickets + measured.sla_breached_tickets > 0
            then {{ ratio('measured.sla_met_tickets', 'measured.sla_met_tickets + measured.sla_breached_tickets') }}
    end as sla_compliance_rate,
    measured.csat_responses,
    case
        when measured.csat_responses > 0
            then {{ ratio('measured.csat_satisfied_responses', 'measured.csat_responses') }}
    end as csat_pct,
    case
        when measured.csat_responses > 0 then {{ ratio('measured.csat_score_total', 'measured.csat_responses') }}
    end as csat_avg,
    measured.is_complete_month
from measured
left join agents
    on measured.agent_id = agents.agent_id
