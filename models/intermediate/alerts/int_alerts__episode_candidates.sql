{{ config(materialized='table', tags=['health', 'alerts']) }}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per day an alert episode could open for an account and rule, with the day an
-- episode opened then would close and why, and the next day an episode could open after that
-- close and the rule's cooldown_days. What each day means (can open, closes an open episode,
-- why) comes from int_alerts__rule_day_states; an episode stays open when nothing has closed
-- it by the as-of date, and expires the day after the account's last paid day before it. Kept:
-- the first possible opening of each account and rule and the openings a close leads to, the
-- links fct_alerts follows from the first. A table, because fct_alerts reads it in every step
-- of that chain. Rebuilt in full on every run.
-- The days an episode could open are many (4.3M at `large`: every day a condition holds), the
-- closing days few (47K). An episode opened on a day closes on the first closing day after it,
-- so the openings between two closing days share their close; the next opening after a close is
-- that day itself when an episode could open on it, else the first day of the next run of
-- consecutive such days. So the model sorts only the closing days and the first days of the runs
-- (95K), never every day an episode could open. With the measure and threshold of the opening
-- day and the measure of the closing day (kept by the day states on those days), which
-- fct_alerts reports.
with

-- the day states are imported per use, each import reading only its columns and rows: an
-- import read by several CTEs is materialized whole
paid_days as (
    select
        account_id,
        rule_key,
        activity_date
    from {{ ref('int_alerts__rule_day_states') }}
),

open_days as (
    select
        account_id,
        rule_key,
        activity_date
    from {{ ref('int_alerts__rule_day_states') }}
    where can_open
),

run_start_days as (
    select
        account_id,
        rule_key,
        activity_date
    from {{ ref('int_alerts__rule_day_states') }}
    where starts_a_run
),

closing_days as (
    -- the days that close an episode open before them (of the days that open or close: the
    -- closing days that follow no opening are left out by closes_an_opening)
    select
        account_id,
        rule_key,
        activity_date,
        stops_on,
        stop_reason,
        closing_value
    from {{ ref('int_alerts__rule_day_states') }}
    where stops_on is not null and (can_open or closes_an_opening)
),

opening_values as (
    -- the measure and threshold of the days an episode could open, for the reachable openings
    select
        account_id,
        rule_key,
        activity_date,
        opening_value,
        opening_threshold
    from {{ ref('int_alerts__rule_day_states') }}
    where can_open
),

rules as (
    select * from {{ ref('alert_rules') }}
    where enabled
),

last_days as (
    -- the account's last paid day for the rule
    select
        account_id,
        rule_key,
        max(activity_date) as last_day
    from paid_days
    group by account_id, rule_key
),

run_starts as (
    -- the first day of each run of consecutive days an episode could open (kept by the day
    -- states: joining the 4.3M possible openings to the days after them took half of this
    -- model's time at `large`), for the enabled rules (a rule disabled since its days were
    -- stored opens no episode)
    select
        run_start_days.account_id,
        run_start_days.rule_key,
        run_start_days.activity_date
    from run_start_days
    inner join rules
        on run_start_days.rule_key = rules.rule_key
),

first_openings as (
    -- the first day an episode could open: where the chain starts
    select
        account_id,
        rule_key,
        min(activity_date) as opened_on
    from run_starts
    group by account_id, rule_key
),

closes as (
    -- each closing day with the closing day before it and the day an episode could open again
    -- after it
    select
        closing_days.account_id,
        closing_days.rule_key,
        closing_days.activity_date,
        closing_days.stops_on,
        closing_days.stop_reason,
        closing_days.closing_value,
        lag(closing_days.activity_date) over (
            partition by closing_days.account_id, closing_days.rule_key
            order by closing_days.activity_date
        ) as previous_closing_day,
        {{ add_days('closing_days.stops_on', 'rules.cooldown_days') }} as reopens_from
    from closing_days
    inner join rules
        on closing_days.rule_key = rules.rule_key
),

lookups as (
    -- the days from which the next possible opening is sought: the closing day before each
    -- closing day (is there an opening for it to close?) and the day after its cooldown
    select
        account_id,
        rule_key,
        activity_date as closing_day,
        false as is_reopening,
        previous_closing_day as lookup_day
    from closes
    where previous_closing_day is not null
    union all
    select
        account_id,
        rule_key,
        activity_date as closing_day,
        true as is_reopening,
        reopens_from as lookup_day
    from closes
),

lookups_and_run_starts as (
    -- a lookup sorts before a run starting on its day
    select
        account_id,
        rule_key,
        lookup_day as sort_day,
        0 as is_run_start,
        closing_day,
        is_reopening,
        cast(null as date) as run_start
    from lookups
    union all
    select
        account_id,
        rule_key,
        activity_date as sort_day,
        1 as is_run_start,
        cast(null as date) as closing_day,
        cast(null as boolean) as is_reopening,
        activity_date as run_start
    from run_starts
),

next_run_starts as (
    select
        account_id,
        rule_key,
        sort_day as lookup_day,
        closing_day,
        is_reopening,
        is_run_start,
        min(run_start) over (
            partition by account_id, rule_key order by sort_day, is_run_start
            rows between current row and unbounded following
        ) as next_run_start
    from lookups_and_run_starts
),

next_openings as (
    -- the first day on or after each lookup day an episode could open: the day itself, if one
    -- could open on it, else the first day of the next run
    select
        next_run_starts.account_id,
        next_run_starts.rule_key,
        next_run_starts.closing_day,
        next_run_starts.is_reopening,
        coalesce(open_days.activity_date, next_run_starts.next_run_start) as next_opened_on
    from next_run_starts
    left join open_days
        on
            next_run_starts.account_id = open_days.account_id
            and next_run_starts.rule_key = open_days.rule_key
            and next_run_starts.lookup_day = open_days.activity_date
    where next_run_starts.is_run_start = 0
),

links as (
    -- each closing day, whether an episode could open since the closing day before it (then it
    -- closes one: follows_an_opening) and the first opening after its cooldown
    select
        closes.account_id,
        closes.rule_key,
        closes.activity_date as closing_day,
        closes.previous_closing_day,
        closes.stops_on,
        closes.stop_reason,
        closes.closing_value,
        coalesce(after_previous.next_opened_on, first_openings.opened_on) < closes.activity_date
            as follows_an_opening,
        reopening.next_opened_on
    from closes
    left join next_openings as after_previous
        on
            closes.account_id = after_previous.account_id
            and closes.rule_key = after_previous.rule_key
            and closes.activity_date = after_previous.closing_day
            and not after_previous.is_reopening
    left join first_openings
        on
            closes.account_id = first_openings.account_id
            and closes.rule_key = first_openings.rule_key
            and closes.previous_closing_day is null
    inner join next_openings as reopening
        on
            closes.account_id = reopening.account_id
            and closes.rule_key = reopening.rule_key
            and closes.activity_date = reopening.closing_day
            and reopening.is_reopening
),

reachable as (
    -- the first possible opening of each account and rule, and every opening a close leads to
    select
        account_id,
        rule_key,
        opened_on
    from first_openings
    union
    select distinct
        account_id,
        rule_key,
        next_opened_on as opened_on
    from links
    where follows_an_opening and next_opened_on is not null
),

closed as (
    -- each reachable opening with the first closing day after it: the one whose interval from
    -- the closing day before it holds the opening
    select
        reachable.account_id,
        reachable.rule_key,
        reachable.opened_on,
        links.stops_on,
        links.stop_reason,
        links.closing_value,
        links.next_opened_on
    from reachable
    left join links
        on
            reachable.account_id = links.account_id
            and reachable.rule_key = links.rule_key
            and reachable.opened_on < links.closing_day
            and (links.previous_closing_day is null or reachable.opened_on >= links.previous_closing_day)
)

select
    closed.account_id,
    closed.rule_key,
    closed.opened_on,
    coalesce(
        closed.stops_on,
        case when last_days.last_day < {{ as_of_date() }} then {{ add_days('last_days.last_day', 1) }} end
    ) as closed_on,
    coalesce(
        closed.stop_reason,
        case when last_days.last_day < {{ as_of_date() }} then 'expired' end
    ) as close_reason,
    closed.next_opened_on,
    closed.opened_on = first_openings.opened_on as is_first_opening,
    opening_values.opening_value,
    opening_values.opening_threshold,
    closed.closing_value
from closed
inner join last_days
    on
        closed.account_id = last_days.account_id
        and closed.rule_key = last_days.rule_key
inner join first_openings
    on
        closed.account_id = first_openings.account_id
        and closed.rule_key = first_openings.rule_key
inner join opening_values
    on
        closed.account_id = opening_values.account_id
        and closed.rule_key = opening_values.rule_key
        and closed.opened_on = opening_values.activity_date
