-- One row per valid support ticket with the schedule its business clock runs on, the business
-- time from creation to first response and to resolution, and the instants at which the
-- business time since creation reaches the priority's SLA limit and target.
--
-- Business time up to an instant is a running total: the open time of the schedule's intervals
-- before the interval that opened last at or before the instant, plus the part of that interval
-- already gone (all of it once it has closed). The business time between two instants is the
-- difference of their running totals, and the deadline is where the running total reaches the
-- creation's total plus the limit. Both lookups sort the tickets' instants (or totals) in with
-- the intervals' openings and carry the last interval number forward: set-based, no ticket x
-- minute expansion and no range join. A table: every support mart reads it through
-- int_support__tickets.
{{ config(materialized='table') }}

with

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

sla_policies as (
    select * from {{ ref('sla_policies') }}
),

schedule_regions as (
    select * from {{ ref('support_schedule_regions') }}
),

open_intervals as (
    select * from {{ ref('int_support__schedule_open_intervals') }}
),

ticket_schedules as (
    -- the priority's own schedule if it names one, else the account region's, else `default`
    select
        tickets.ticket_id,
        tickets.created_at,
        tickets.first_response_at,
        tickets.resolved_at,
        coalesce(sla_policies.schedule_id, region_schedules.schedule_id, default_schedules.schedule_id)
            as schedule_id,
        cast(round(sla_policies.resolution_limit_hours * 3600000000) as {{ dbt.type_bigint() }})
            as limit_microseconds,
        cast(round(sla_policies.resolution_target_hours * 3600000000) as {{ dbt.type_bigint() }})
            as target_microseconds
    from tickets
    left join sla_policies
        on tickets.priority = sla_policies.priority
    left join accounts
        on tickets.account_id = accounts.account_id
    left join schedule_regions as region_schedules
        on accounts.region = region_schedules.region
    left join schedule_regions as default_schedules
        on default_schedules.region = 'default'
),

ticket_instants as (
    select
        ticket_id,
        schedule_id,
        'created' as instant,
        created_at as instant_at
    from ticket_schedules
    union all
    select
        ticket_id,
        schedule_id,
        'first_response' as instant,
        first_response_at as instant_at
    from ticket_schedules
    where first_response_at is not null
    union all
    select
        ticket_id,
        schedule_id,
        'resolved' as instant,
        resolved_at as instant_at
    from ticket_schedules
    where resolved_at is not null
),

instants_and_openings as (
    -- one time line per schedule; at the same time an opening sorts first, so an instant at an
    -- opening belongs to the interval that opens
    select
        schedule_id,
        open_at as at_time,
        0 as sort_order,
        interval_number,
        cast(null as {{ dbt.type_string() }}) as ticket_id,
        cast(null as {{ dbt.type_string() }}) as instant
    from open_intervals
    union all
    select
        schedule_id,
        instant_at as at_time,
        1 as sort_order,
        cast(null as {{ dbt.type_bigint() }}) as interval_number,
        ticket_id,
        instant
    from ticket_instants
),

instants_in_intervals as (
    select
        ticket_id,
        instant,
        schedule_id,
        at_time as instant_at,
        max(interval_number) over (
            partition by schedule_id
            order by at_time, sort_order
            rows between unbounded preceding and current row
        ) as interval_number
    from instants_and_openings
),

instant_totals as (
    -- the running total at each instant (0 before the schedule's first interval)
    select
        instants_in_intervals.ticket_id,
        instants_in_intervals.instant,
        coalesce(
            open_intervals.open_microseconds_before
            + least(
                open_intervals.open_microseconds,
                {{ microseconds_between('open_intervals.open_at', 'instants_in_intervals.instant_at') }}
            ),
            0
        ) as running_total
    from instants_in_intervals
    left join open_intervals
        on
            instants_in_intervals.schedule_id = open_intervals.schedule_id
            and instants_in_intervals.interval_number = open_intervals.interval_number
    where instants_in_intervals.ticket_id is not null
),

ticket_totals as (
    select
        ticket_id,
        max(case when instant = 'created' then running_total end) as created_total,
        max(case when instant = 'first_response' then running_total end) as first_response_total,
        max(case when instant = 'resolved' then running_total end) as resolved_total
    from instant_totals
    group by ticket_id
),

clock_targets as (
    -- the running totals at which the limit and the target are reached
    select
        ticket_schedules.ticket_id,
        ticket_schedules.schedule_id,
        'limit' as target,
        ticket_totals.created_total + ticket_schedules.limit_microseconds as target_total
    from ticket_schedules
    inner join ticket_totals
        on ticket_schedules.ticket_id = ticket_totals.ticket_id
    union all
    select
        ticket_schedules.ticket_id,
        ticket_schedules.schedule_id,
        'target' as target,
        ticket_totals.created_total + ticket_schedules.target_microseconds as target_total
    from ticket_schedules
    inner join ticket_totals
        on ticket_schedules.ticket_id = ticket_totals.ticket_id
),

targets_and_openings as (
    -- one axis of running totals per schedule; at the same total a target sorts first, so a
    -- target reached exactly when an interval closes stays in that interval: the deadline is
    -- the closing time, not the next opening
    select
        schedule_id,
        open_microseconds_before as running_total,
        1 as sort_order,
        interval_number,
        cast(null as {{ dbt.type_string() }}) as ticket_id,
        cast(null as {{ dbt.type_string() }}) as target
    from open_intervals
    union all
    select
        schedule_id,
        target_total as running_total,
        0 as sort_order,
        cast(null as {{ dbt.type_bigint() }}) as interval_number,
        ticket_id,
        target
    from clock_targets
),

targets_in_intervals as (
    select
        ticket_id,
        target,
        schedule_id,
        running_total as target_total,
        max(interval_number) over (
            partition by schedule_id
            order by running_total, sort_order
            rows between unbounded preceding and current row
        ) as interval_number
    from targets_and_openings
),

reached as (
    -- null when the target lies beyond the calendar (var support_calendar_days_ahead)
    select
        targets_in_intervals.ticket_id,
        targets_in_intervals.target,
        case
            when
                targets_in_intervals.target_total
                <= open_intervals.open_microseconds_before + open_intervals.open_microseconds
                then {{ add_microseconds(
                    'open_intervals.open_at',
                    'targets_in_intervals.target_total - open_intervals.open_microseconds_before'
                ) }}
        end as reached_at
    from targets_in_intervals
    inner join open_intervals
        on
            targets_in_intervals.schedule_id = open_intervals.schedule_id
            and targets_in_intervals.interval_number = open_intervals.interval_number
    where targets_in_intervals.ticket_id is not null
),

deadlines as (
    select
        ticket_id,
        max(case when target = 'limit' then reached_at end) as business_deadline_at,
        max(case when target = 'target' then reached_at end) as business_target_at
    from reached
    group by ticket_id
)

select
    ticket_schedules.ticket_id,
    ticket_schedules.schedule_id,
    {{ ratio('ticket_totals.first_response_total - ticket_totals.created_total', 60000000) }}
        as business_minutes_to_first_response,
    {{ ratio('ticket_totals.resolved_total - ticket_totals.created_total', 60000000) }}
        as business_minutes_to_resolution,
    deadlines.business_deadline_at,
    deadlines.business_target_at
from ticket_schedules
inner join ticket_totals
    on ticket_schedules.ticket_id = ticket_totals.ticket_id
left join deadlines
    on ticket_schedules.ticket_id = deadlines.ticket_id
