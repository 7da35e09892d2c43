{{ config(severity='warn') }}

-- Every event loaded by the as-of time is counted once in int_usage__account_daily, day by day.
-- A difference after incremental runs means events arrived later than var usage_lookback_days
-- (their day was no longer rebuilt): run the usage models with --full-refresh.
with

events as (
    select * from {{ ref('stg_product__events') }}
    where
        _loaded_at <= {{ as_of_timestamp() }}
        and event_date <= {{ as_of_date() }}
),

account_days as (
    select * from {{ ref('int_usage__account_daily') }}
),

staged as (
    select
        event_date as activity_date,
        count(*) as staged_events
    from events
    group by event_date
),

built as (
    select
        activity_date,
        sum(events) as built_events
    from account_days
    group by activity_date
)

select
    coalesce(staged.activity_date, built.activity_date) as activity_date,
    staged.staged_events,
    built.built_events
from staged
full outer join built
    on staged.activity_date = built.activity_date
where
    staged.activity_date is null
    or built.activity_date is null
    or staged.staged_events <> built.built_events
