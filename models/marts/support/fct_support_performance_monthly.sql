-- One row per month, ticket category and priority, with rollup rows `all` for either or both:
-- volume, first contact resolution against its target, handle time, SLA compliance, response
-- and resolution medians, escalation and reopen rates, and (month level only) the
-- self-service resolution rate. Created volume and first response count in the created
-- month; resolution metrics in the resolved month; SLA outcomes in int_support__tickets'
-- sla_outcome_month (docs/decisions.md).
with

tickets as (
    select * from {{ ref('int_support__tickets') }}
),

months as (
    select * from {{ ref('int_support__months') }}
),

kb_sessions as (
    select * from {{ ref('stg_support__kb_sessions') }}
),

sla_policies as (
    select * from {{ ref('sla_policies') }}
),

fcr_category_targets as (
    select * from {{ ref('fcr_category_targets') }}
),

kpi_targets as (
    select * from {{ ref('kpi_targets') }}
),

rollup_levels as (
    -- each ticket counts once at every level: (category, priority), (category, all),
    -- (all, priority) and (all, all)
    select
        true as by_category,
        true as by_priority
    union all
    select
        true as by_category,
        false as by_priority
    union all
    select
        false as by_category,
        true as by_priority
    union all
    select
        false as by_category,
        false as by_priority
),

categories as (
    select category from fcr_category_targets
    union all
    select 'all' as category
),

priorities as (
    select priority from sla_policies
    union all
    select 'all' as priority
),

grid as (
    select
        months.month,
        months.is_complete_month,
        categories.category,
        priorities.priority
    from months
    cross join categories
    cross join priorities
),

ticket_levels as (
    select
        tickets.created_month,
        tickets.resolved_month,
        tickets.sla_outcome_month,
        tickets.first_response_minutes,
        tickets.resolution_hours,
        tickets.is_sla_met,
        tickets.is_first_contact_resolution,
        tickets.is_escalated,
        tickets.reopened_count,
        tickets.handle_time_seconds,
        case when rollup_levels.by_category then tickets.category else 'all' end as category,
        case when rollup_levels.by_priority then tickets.priority else 'all' end as priority
    from tickets
    cross join rollup_levels
),

created as (
    select
        created_month as month,
        category,
        priority,
        count(*) as tickets_created,
        {{ median_of('first_response_minutes') }} as median_first_response_minutes
    from ticket_levels
    group by created_month, category, priority
),

resolved as (
    select
        resolved_month as month,
        category,
        priority,
        count(*) as tickets_resolved,
        count(case when is_first_contact_resolution then 1 end) as fcr_tickets,
        count(case when is_escalated then 1 end) as escalated_tickets,
        count(case when reopened_count > 0 then 1 end) as reopened_tickets,
        count(handle_time_seconds) as handle_time_tickets,
        sum(handle_time_seconds) as handle_time_seconds,
        {{ median_of('resolution_hours') }} as median_resolution_hours
    from ticket_levels
    where resolved_month is not null
    group by resolved_month, category, priority
),

sla_outcomes as (
    select
        sla_outcome_month as month,
        category,
        priority,
        count(case when is_sla_met then 1 end) as sla_met_tickets,
        count(case when not is_sla_met then 1 end) as sla_breached_tickets
    from ticket_levels
    where sla_outcome_month is not null and is_sla_met is not null
    group by sla_outcome_month, category, priority
),

self_service as (
    select
        {{ month_start('started_at') }} as month,
        count(case when is_resolved_without_ticket then 1 end) as self_service_resolutions
    from kb_sessions
    group by {{ month_start('started_at') }}
),

fcr_rate_target as (
    select target from kpi_targets
    where kpi_key = 'fcr_rate'
),

measured as (
    select
        grid.month,
        grid.category,
        grid.priority,
        grid.is_complete_month,
        coalesce(created.tickets_created, 0) as tickets_created,
        coalesce(resolved.tickets_resolved, 0) as tickets_resolved,
        coalesce(resolved.fcr_tickets, 0) as fcr_tickets,
        coalesce(resolved.escalated_tickets, 0) as escalated_tickets,
        coalesce(resolved.reopened_tickets, 0) as reopened_tickets,
        coalesce(resolved.handle_time_tickets, 0) as handle_time_tickets,
        coalesce(resolved.handle_time_seconds, 0) as handle_time_seconds,
        coalesce(sla_outcomes.sla_met_tickets, 0) as sla_met_tickets,
        coalesce(sla_outcomes.sla_breached_tickets, 0) as sla_breached_tickets,
        created.median_first_response_minutes,
        resolved.median_resolution_hours,
        case
            when grid.category = 'all' and grid.priority = 'all'
                then coalesce(self_service.self_service_resolutions, 0)
        end as self_service_resolutions,
        case
            when grid.category = 'all' then (select fcr_rate_target.target from fcr_rate_target)
            else fcr_category_targets.fcr_target
        end as fcr_target
    from grid
    left join created
        on
            grid.month = created.month
            and grid.category = created.category
            and grid.priority = created.priority
    left join resolved
        on
            grid.month = resolved.month
            and grid.category = resolved.category
            and grid.priority = resolved.priority
    left join sla_outcomes
        on
            grid.month = sla_outcomes.month
            and grid.category = sla_outcomes.category
            and grid.priority = sla_outcomes.priority
    left join self_service
        on grid.month = self_service.month
    left join fcr_category_targets
        on grid.category = fcr_category_targets.category
)

select
    month,
    category,
    priority,
    tickets_created,
    tickets_resolved,
    fcr_tickets,
    case when tickets_resolved > 0 then {{ ratio('fcr_tickets', 'tickets_resolved') }} end as fcr_rate,
    fcr_target,
    handle_time_tickets,
    case
        when handle_time_tickets > 0 then {{ ratio('handle_time_seconds', '60 * handle_time_tickets') }}
    end as aht_minutes,
    sla_met_tickets,
    sla_breached_tickets,
    case
        when sla_met_tickets + sla_breached_tickets > 0
            then {{ ratio('sla_met_tickets', 'sla_met_tickets + sla_breached_tickets') }}
    end as sla_compliance_rate,
    median_first_response_minutes,
    median_resolution_hours,
    escalated_tickets,
    case when tickets_resolved > 0 then {{ ratio('escalated_tickets', 'tickets_resolved') }} end as escalation_rate,
    reopened_tickets,
    case when tickets_resolved > 0 then {{ ratio('reopened_tickets', 'tickets_resolved') }} end as reopen_rate,
    self_service_resolutions,
    case
        when self_service_resolutions + tickets_created > 0
            then {{ ratio('self_service_resolutions', 'self_service_resolutions + tickets_created') }}
    end as self_service_rate,
    is_complete_month
from measured
