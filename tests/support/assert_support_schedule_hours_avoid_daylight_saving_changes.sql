-- Every opening and closing time of a support schedule lies at least an hour away from a
-- daylight-saving change of its time zone: the local hour before and the hour after it are one
-- UTC hour each. A wall-clock time that a change skips or repeats has no single UTC instant,
-- and the engines pick differently (so would Python's zoneinfo), so business time would differ
-- by engine. The default schedules (09:00-18:00 on weekdays) are far from the changes, which
-- happen at night and mostly on Sundays.
with

open_intervals as (
    select * from {{ ref('int_support__schedule_open_intervals') }}
),

boundaries as (
    select
        schedule_id,
        timezone,
        local_open_at as local_at,
        open_at as utc_at
    from open_intervals
    union all
    select
        schedule_id,
        timezone,
        local_close_at as local_at,
        close_at as utc_at
    from open_intervals
),

neighbours as (
    select
        schedule_id,
        timezone,
        local_at,
        utc_at,
        {{ local_to_utc(add_minutes('local_at', -60), 'timezone') }} as utc_hour_before,
        {{ local_to_utc(add_minutes('local_at', 60), 'timezone') }} as utc_hour_after
    from boundaries
)

select
    schedule_id,
    timezone,
    local_at,
    utc_at
from neighbours
where
    {{ microseconds_between('utc_hour_before', 'utc_at') }} <> 3600000000
    or {{ microseconds_between('utc_at', 'utc_hour_after') }} <> 3600000000
