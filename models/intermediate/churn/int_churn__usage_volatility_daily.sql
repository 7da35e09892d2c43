{{
    config(
        on_schema_change='fail',
        tags=['churn'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per account and paid day: the churn model's usage_volatility, the coefficient of
-- variation of the daily events of the last churn_volatility_window_days (28) paid days, the
-- day included. A steady account is near 0, one that uses the product in bursts is high.
-- Population standard deviation / mean = sqrt(n sum(x^2) - sum(x)^2) / sum(x), from integer
-- sums: exact whatever order a window adds rows in, so a day-by-day run equals a build at once
-- (a floating stddev_pop differed in the last bit).
-- Stored, incremental with the usage look-back: a run rebuilds the days from the look-back
-- start and reads the window's length of days before them. Inside the churn features view the
-- window ran over every account-day on each daily run, since a filter on the day cannot reach
-- below a window that needs the days before it (3.3 s of the churn scores' 4 s at `large`,
-- docs/benchmarks.md).
{%- set window_days = var('churn_volatility_window_days') %}
{%- set reprocess_from = usage_reprocess_from() %}
with

usage_windows as (
    select
        account_id,
        activity_date,
        events
    from {{ ref('int_usage__account_windows_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ add_days(reprocess_from, 1 - window_days) }}
    {%- endif %}
),

volatility as (
    select
        account_id,
        activity_date,
        sqrt(cast(
            count(*) over last_days * sum(events * events) over last_days
            - sum(events) over last_days * sum(events) over last_days
            as {{ type_double() }}
        )) / nullif(cast(sum(events) over last_days as {{ type_double() }}), 0) as usage_volatility
    from usage_windows
    window last_days as (
        partition by account_id order by {{ days_between("'1970-01-01'", 'activity_date') }}
        range between {{ window_days - 1 }} preceding and current row
    )
)

select
    account_id,
    activity_date,
    usage_volatility
from volatility
{%- if is_incremental() %}
where activity_date >= {{ reprocess_from }}
{%- endif %}
{{ in_day_order() }}
