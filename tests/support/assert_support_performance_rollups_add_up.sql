-- Counts of fct_support_performance_monthly add up across its rollups: for every month, the
-- rows of each category sum to the category's `all`-priority row, the rows of each priority
-- to its `all`-category row (the `all`/`all` row included, both ways).
with

performance as (
    select * from {{ ref('fct_support_performance_monthly') }}
),

parts as (
    -- priorities within a category (category may be `all`)
    select
        'priority' as rolled_up,
        month,
        category as kept_value,
        sum(tickets_created) as tickets_created,
        sum(tickets_resolved) as tickets_resolved,
        sum(fcr_tickets) as fcr_tickets,
        sum(handle_time_tickets) as handle_time_tickets,
        sum(sla_met_tickets) as sla_met_tickets,
        sum(sla_breached_tickets) as sla_breached_tickets,
        sum(escalated_tickets) as escalated_tickets,
        sum(reopened_tickets) as reopened_tickets
    from performance
    where priority <> 'all'
    group by month, category
    union all
    -- categories within a priority (priority may be `all`)
    select
        'category' as rolled_up,
        month,
        priority as kept_value,
        sum(tickets_created) as tickets_created,
        sum(tickets_resolved) as tickets_resolved,
        sum(fcr_tickets) as fcr_tickets,
        sum(handle_time_tickets) as handle_time_tickets,
        sum(sla_met_tickets) as sla_met_tickets,
        sum(sla_breached_tickets) as sla_breached_tickets,
        sum(escalated_tickets) as escalated_tickets,
        sum(reopened_tickets) as reopened_tickets
    from performance
    where category <> 'all'
    group by month, priority
),

totals as (
    select
        'priority' as rolled_up,
        month,
        category as kept_value,
        tickets_created,
        tickets_resolved,
        fcr_tickets,
        handle_time_tickets,
        sla_met_tickets,
        sla_breached_tickets,
        escalated_tickets,
        reopened_tickets
    from performance
    where priority = 'all'
    union all
    select
        'category' as rolled_up,
        month,
        priority as kept_value,
        tickets_created,
        tickets_resolved,
        fcr_tickets,
        handle_time_tickets,
        sla_met_tickets,
        sla_breached_tickets,
        escalated_tickets,
        reopened_tickets
    from performance
    where category = 'all'
)

select
    totals.rolled_up,
    totals.month,
    totals.kept_value
from totals
full outer join parts
    on
        totals.rolled_up = parts.rolled_up
        and totals.month = parts.month
        and totals.kept_value = parts.kept_value
where
    totals.month is null
    or parts.month is null
    or totals.tickets_created <> parts.tickets_created
    or totals.tickets_resolved <> parts.tickets_resolved
    or totals.fcr_tickets <> parts.fcr_tickets
    or totals.handle_time_tickets <> parts.handle_time_tickets
    or totals.sla_met_tickets <> parts.sla_met_tickets
    or totals.sla_breached_tickets <> parts.sla_breached_tickets
    or totals.escalated_tickets <> parts.escalated_tickets
    or totals.reopened_tickets <> parts.reopened_tickets
