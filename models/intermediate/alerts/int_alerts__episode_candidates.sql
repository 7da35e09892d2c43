{{ config(materialized='table', tags=['health', 'alerts']) }}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per day an alert episode could open for an account and rule, with the day an
-- episode opened then would close and why, and the next day an episode could open after that
-- close and the rule's cooldown_days. What each day means (can open, closes an open episode,
-- why) comes from int_alerts__rule_day_states; an episode stays open when nothing has closed
-- it by the as-of date, and expires the day after the account's last paid day before it. Kept:
-- the first possible opening of each account and rule and the openings a close leads to, the
-- links fct_alerts follows from the first. A table, because fct_alerts reads it in every step
-- of that chain. Rebuilt in full on every run from the opening days and the closing days that
-- follow one (a small part of the day states).
with

-- the day states are imported twice, each import read once: one import read by both
-- last_days and day_states was materialized whole (every column of the 34.7M day states at
-- `large`, about half of this model's time); apart, each reads only its columns and rows
paid_days as (
    select
        account_id,
        rule_key,
        activity_date
    from {{ ref('int_alerts__rule_day_states') }}
),

opening_and_closing_days as (
    -- the days that open or close: the other days change no episode
    select * from {{ ref('int_alerts__rule_day_states') }}
    where can_open or closes_an_opening
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

day_states as (
    select
        opening_and_closing_days.account_id,
        opening_and_closing_days.rule_key,
        opening_and_closing_days.activity_date,
        opening_and_closing_days.can_open,
        opening_and_closing_days.stops_on,
        opening_and_closing_days.stop_reason,
        rules.cooldown_days,
        last_days.last_day
    from opening_and_closing_days
    inner join rules
        on opening_and_closing_days.rule_key = rules.rule_key
    inner join last_days
        on
            opening_and_closing_days.account_id = last_days.account_id
            and opening_and_closing_days.rule_key = last_days.rule_key
),

next_stops as (
    -- for every day, the next day that would close an episode open on it
    select
        *,
        min(case when stops_on is not null then activity_date end) over (
            partition by account_id, rule_key order by activity_date
            rows between 1 following and unbounded following
        ) as next_stop_day
    from day_states
),

candidates as (
    -- the days an episode could open, with the close it would have: the next stop, else
    -- expired the day after the account's last paid day before the as-of date, else open
    select
        can_open_days.account_id,
        can_open_days.rule_key,
        can_open_days.activity_date as opened_on,
        coalesce(
            stops.stops_on,
            case when can_open_days.last_day < {{ as_of_date() }} then {{ add_days('can_open_days.last_day', 1) }} end
        ) as closed_on,
        coalesce(
            stops.stop_reason,
            case when can_open_days.last_day < {{ as_of_date() }} then 'expired' end
        ) as close_reason,
        can_open_days.cooldown_days
    from next_stops as can_open_days
    left join day_states as stops
        on
            can_open_days.account_id = stops.account_id
            and can_open_days.rule_key = stops.rule_key
            and can_open_days.next_stop_day = stops.activity_date
    where can_open_days.can_open
),

reopening_lookups as (
    -- the first day an episode could open on or after each close + cooldown_days: the close
    -- rows sort before the candidate days of the same day
    select
        account_id,
        rule_key,
        opened_on as lookup_day,
        0 as is_reopening_day,
        opened_on as candidate_day,
        cast(null as date) as after_opening_on
    from candidates
    union all
    select
        account_id,
        rule_key,
        {{ add_days('closed_on', 'cooldown_days') }} as lookup_day,
        1 as is_reopening_day,
        cast(null as date) as candidate_day,
        opened_on as after_opening_on
    from candidates
    where closed_on is not null
),

next_openings as (
    select
        account_id,
        rule_key,
        after_opening_on,
        min(candidate_day) over (
            partition by account_id, rule_key order by lookup_day asc, is_reopening_day desc
            rows between current row and unbounded following
        ) as next_opened_on
    from reopening_lookups
),

chained_candidates as (
    -- each candidate with the candidate that would open after it closes
    select
        candidates.account_id,
        candidates.rule_key,
        candidates.opened_on,
        next_openings.next_opened_on
    from candidates
    left join next_openings
        on
            candidates.account_id = next_openings.account_id
            and candidates.rule_key = next_openings.rule_key
            and candidates.opened_on = next_openings.after_opening_on
            and next_openings.after_opening_on is not null
),

first_openings as (
    select
        account_id,
        rule_key,
        min(opened_on) as opened_on
    from candidates
    group by account_id, rule_key
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
    from chained_candidates
    where next_opened_on is not null
)

select
    candidates.account_id,
    candidates.rule_key,
    candidates.opened_on,
    candidates.closed_on,
    candidates.close_reason,
    chained_candidates.next_opened_on,
    candidates.opened_on = first_openings.opened_on as is_first_opening
from candidates
inner join reachable
    on
        candidates.account_id = reachable.account_id
        and candidates.rule_key = reachable.rule_key
        and candidates.opened_on = reachable.opened_on
inner join chained_candidates
    on
        candidates.account_id = chained_candidates.account_id
        and candidates.rule_key = chained_candidates.rule_key
        and candidates.opened_on = chained_candidates.opened_on
inner join first_openings
    on
        candidates.account_id = first_openings.account_id
        and candidates.rule_key = first_openings.rule_key
