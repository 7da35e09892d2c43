-- The ticket fact and the monthly mart tell the same story: counting fct_support_tickets by
-- the month each measure is attributed to gives the all/all row of
-- fct_support_performance_monthly, for every month of the spine.
with

tickets as (
    select * from {{ ref('fct_support_tickets') }}
),

performance as (
    select * from {{ ref('fct_support_performance_monthly') }}
    where category = 'all' and priority = 'all'
),

created as (
    select
        created_month as month,
        count(*) as tickets_created
    from tickets
    group by created_month
),

resolved as (
    select
        resolved_month as month,
        count(*) as tickets_resolved,
        count(case when is_first_contact_resolution then 1 end) as fcr_tickets
    from tickets
    where is_resolved
    group by resolved_month
),

sla_outcomes as (
    select
        sla_outcome_month as month,
        count(case when is_sla_met then 1 end) as sla_met_tickets,
        count(case when not is_sla_met then 1 end) as sla_breached_tickets
    from tickets
    where is_sla_met is not null
    group by sla_outcome_month
)

select performance.month
from performance
left join created
    on performance.month = created.month
left join resolved
    on performance.month = resolved.month
left join sla_outcomes
    on performance.month = sla_outcomes.month
where
    performance.tickets_created <> coalesce(created.tickets_created, 0)
    or performance.tickets_resolved <> coalesce(resolved.tickets_resolved, 0)
    or performance.fcr_tickets <> coalesce(resolved.fcr_tickets, 0)
    or performance.sla_met_tickets <> coalesce(sla_outcomes.sla_met_tickets, 0)
    or performance.sla_breached_tickets <> coalesce(sla_outcomes.sla_breached_tickets, 0)
