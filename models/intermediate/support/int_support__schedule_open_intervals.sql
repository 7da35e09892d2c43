-- One row per open interval of a support schedule, in UTC: every local day of the data window
-- takes the weekly intervals of the schedule version valid that day, unless the day is one of
-- the schedule's holidays, and converts their local opening and closing times to UTC on that
-- day (a daylight-saving change moves them). With the open time of all earlier intervals
-- (a running total), a ticket's business time is the difference of two running totals and its
-- deadline a lookup (int_support__ticket_business_time): no ticket x minute expansion. Tiny:
-- schedules x days x intervals.
{{ config(materialized='table') }}

with

schedules as (
    select * from {{ ref('support_schedules') }}
),

holidays as (
    select * from {{ ref('support_holidays') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

bounds as (
    -- the day before the first ticket: a local day can start before its UTC day
    select
        {{ add_days('cast(min(created_at) as date)', -1) }} as first_day,
        {{ add_days(as_of_date(), var('support_calendar_days_ahead')) }} as last_day
    from tickets
),

local_days as (
    select {{ add_days('bounds.first_day', 'numbers.n') }} as local_date
    from bounds
    cross join ({{ integers(5) }}) as numbers
    where numbers.n <= {{ days_between('bounds.first_day', 'bounds.last_day') }}
),

local_weekdays as (
    -- ISO weekday, 1 = Monday: days since Monday 1900-01-01, modulo 7
    select
        local_date,
        mod({{ days_between("cast('1900-01-01' as date)", 'local_date') }}, 7) + 1 as weekday
    from local_days
),

scheduled_days as (
    -- the version valid on the day: valid_from inclusive, valid_to exclusive
    select
        schedules.schedule_id,
        schedules.timezone,
        local_weekdays.local_date,
        schedules.start_time,
        schedules.end_time
    from local_weekdays
    inner join schedules
        on
            local_weekdays.weekday = schedules.weekday
            and local_weekdays.local_date >= schedules.valid_from
            and (schedules.valid_to is null or local_weekdays.local_date < schedules.valid_to)
),

open_days as (
    -- a holiday closes the schedule for the whole local day
    select scheduled_days.*
    from scheduled_days
    left join holidays
        on
            scheduled_days.schedule_id = holidays.schedule_id
            and scheduled_days.local_date = holidays.holiday_date
    where holidays.holiday_date is null
),

local_intervals as (
    -- HH:MM as minutes after the local midnight (24:00 is the next midnight)
    select
        schedule_id,
        timezone,
        local_date,
        {{ add_minutes(
            'cast(local_date as ' ~ dbt.type_timestamp() ~ ')',
            'cast(substring(start_time, 1, 2) as integer) * 60 + cast(substring(start_time, 4, 2) as integer)'
        ) }} as local_open_at,
        {{ add_minutes(
            'cast(local_date as ' ~ dbt.type_timestamp() ~ ')',
            'cast(substring(end_time, 1, 2) as integer) * 60 + cast(substring(end_time, 4, 2) as integer)'
        ) }} as local_close_at
    from open_days
),

utc_intervals as (
    select
        schedule_id,
        timezone,
        local_date,
        local_open_at,
        local_close_at,
        {{ local_to_utc('local_open_at', 'timezone') }} as open_at,
        {{ local_to_utc('local_close_at', 'timezone') }} as close_at
    from local_intervals
),

numbered as (
    select
        schedule_id,
        timezone,
        local_date,
        local_open_at,
        local_close_at,
        open_at,
        close_at,
        {{ microseconds_between('open_at', 'close_at') }} as open_microseconds,
        row_number() over (partition by schedule_id order by open_at) as interval_number
    from utc_intervals
)

select
    schedule_id,
    interval_number,
    timezone,
    local_date,
    local_open_at,
    local_close_at,
    open_at,
    close_at,
    open_microseconds,
    -- open time of the schedule's earlier intervals: the running total at this opening
    cast(coalesce(sum(open_microseconds) over (
        partition by schedule_id
        order by interval_number
        rows between unbounded preceding and 1 preceding
    ), 0) as {{ dbt.type_bigint() }}) as open_microseconds_before
from numbered
