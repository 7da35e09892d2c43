{{
    config(
        on_schema_change='fail',
        tags=['health'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per account and paid day: the support signals of the health score over the last
-- health_ticket_window_days (90) days - tickets opened (and per 10 seats), escalated tickets,
-- average ticket sentiment - and the age of the oldest ticket still open that day (the
-- stale_ticket alert). A ticket counts in the window from the day it was opened until the
-- window has passed: the counts are running sums of those entries and exits, so the cost
-- grows with the tickets, not with the window. Incremental with the usage look-back: a run
-- reads only the tickets that can still be in the window of a rebuilt day.
{#- read once: each call of usage_reprocess_from() is a query when the model runs -#}
{%- set reprocess_from = usage_reprocess_from() %}
with

paid_days as (
    select
        account_id,
        activity_date,
        seats
    from {{ ref('int_usage__account_windows_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ reprocess_from }}
    {%- endif %}
),

tickets as (
    select
        account_id,
        cast(created_at as date) as opened_on,
        cast(resolved_at as date) as resolved_on,
        case when is_escalated then 1 else 0 end as is_escalated,
        -- exact decimals: a running sum of doubles depends on the order of the additions
        cast(coalesce(sentiment_score, 0) as decimal(18, 9)) as sentiment_score,
        case when sentiment_score is not null then 1 else 0 end as has_sentiment
    from {{ ref('int_support__tickets') }}
),

window_tickets as (
    select * from tickets
    {%- if is_incremental() %}
        where opened_on >= {{ add_days(reprocess_from, -var('health_ticket_window_days')) }}
    {%- endif %}
),

changes as (
    -- a ticket enters the window on the day it was opened ...
    select
        account_id,
        opened_on as change_date,
        1 as tickets,
        is_escalated as escalations,
        sentiment_score as sentiment_sum,
        has_sentiment as sentiment_count
    from window_tickets
    union all
    -- ... and leaves it health_ticket_window_days later
    select
        account_id,
        {{ add_days('opened_on', var('health_ticket_window_days')) }} as change_date,
        -1 as tickets,
        -is_escalated as escalations,
        -sentiment_score as sentiment_sum,
        -has_sentiment as sentiment_count
    from window_tickets
    union all
    -- every paid day is a row of the running sums, with or without a change
    select
        account_id,
        activity_date as change_date,
        0 as tickets,
        0 as escalations,
        0 as sentiment_sum,
        0 as sentiment_count
    from paid_days
),

daily_changes as (
    select
        account_id,
        change_date,
        sum(tickets) as tickets,
        sum(escalations) as escalations,
        sum(sentiment_sum) as sentiment_sum,
        sum(sentiment_count) as sentiment_count
    from changes
    group by account_id, change_date
),

in_window as (
    select
        account_id,
        change_date as activity_date,
        sum(tickets) over account_days as tickets,
        sum(escalations) over account_days as escalations,
        sum(sentiment_sum) over account_days as sentiment_sum,
        sum(sentiment_count) over account_days as sentiment_count
    from daily_changes
    window account_days as (
        partition by account_id order by change_date rows between unbounded preceding and current row
    )
),

open_tickets as (
    -- the oldest ticket open on each paid day: opened by then and not resolved by then
    select
        paid_days.account_id,
        paid_days.activity_date,
        max({{ days_between('tickets.opened_on', 'paid_days.activity_date') }}) as oldest_open_ticket_days
    from paid_days
    inner join tickets
        on
            paid_days.account_id = tickets.account_id
            and paid_days.activity_date >= tickets.opened_on
            and (tickets.resolved_on is null or paid_days.activity_date < tickets.resolved_on)
    group by paid_days.account_id, paid_days.activity_date
)

select
    paid_days.account_id,
    paid_days.activity_date,
    -- counts: running sums widen (hugeint on DuckDB, numeric on PostgreSQL)
    cast(in_window.tickets as {{ dbt.type_bigint() }}) as tickets_in_window,
    case
        when paid_days.seats > 0 then {{ ratio('10 * in_window.tickets', 'paid_days.seats') }}
    end as tickets_per_10_seats,
    cast(in_window.escalations as {{ dbt.type_bigint() }}) as escalations_in_window,
    case
        when in_window.sentiment_count > 0 then {{ ratio('in_window.sentiment_sum', 'in_window.sentiment_count') }}
    end as avg_ticket_sentiment,
    coalesce(open_tickets.oldest_open_ticket_days, 0) as oldest_open_ticket_days
from paid_days
inner join in_window
    on
        paid_days.account_id = in_window.account_id
        and paid_days.activity_date = in_window.activity_date
left join open_tickets
    on
        paid_days.account_id = open_tickets.account_id
        and paid_days.activity_date = open_tickets.activity_date
{{ in_day_order() }}
