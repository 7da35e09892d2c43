{{ config(materialized='table', tags=['health', 'alerts']) }}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per day an alert episode could open for an account and rule, with the day an
-- episode opened then would close and why, and the next day an episode could open after that
-- close and the rule's cooldown_days. A day can open an episode when the rule's condition has
-- held min_days consecutive paid days, no superseding rule is armed (its own condition held and
-- not yet recovered) and no snooze covers it. An open episode closes on the first day its exit
-- condition holds (recovered), a superseding rule is armed (superseded) or a snooze begins
-- (snoozed), or on the day after a missing paid day (expired); it stays open when none of
-- these has happened by the as-of date. Kept: the first possible opening of each account and
-- rule and the openings a close leads to, the links fct_alerts follows from the first. A
-- table, because fct_alerts reads it in every step of that chain.
with

rule_days as (
    select * from {{ ref('int_alerts__rule_days') }}
),

rules as (
    select * from {{ ref('alert_rules') }}
    where enabled
),

snoozes as (
    select * from {{ ref('alert_snoozes') }}
),

first_met_days as (
    -- the first day each account met each rule's condition: before it no episode is open or
    -- can open, so the days before it change nothing below and are left out (at `large`, 94M
    -- rule days, 35M from the first met day on; the first met day itself still starts its
    -- streak the day before, as after a day not met or a gap)
    select
        account_id,
        rule_key,
        min(activity_date) as first_met_on
    from rule_days
    where is_met
    group by account_id, rule_key
),

previous_days as (
    select
        rule_days.account_id,
        rule_days.rule_key,
        rule_days.activity_date,
        rule_days.is_met,
        rule_days.is_recovered,
        rules.min_days,
        rules.cooldown_days,
        rules.superseded_by,
        lag(rule_days.activity_date) over (
            partition by rule_days.account_id, rule_days.rule_key order by rule_days.activity_date
        ) as previous_day,
        -- the account's last paid day for the rule; ordered like the lag so that the engine sorts
        -- the rule days once for both (a window by account and rule alone sorted them again)
        max(rule_days.activity_date) over (
            partition by rule_days.account_id, rule_days.rule_key order by rule_days.activity_date
            rows between unbounded preceding and unbounded following
        ) as last_day
    from rule_days
    inner join rules
        on rule_days.rule_key = rules.rule_key
    inner join first_met_days
        on
            rule_days.account_id = first_met_days.account_id
            and rule_days.rule_key = first_met_days.rule_key
            and rule_days.activity_date >= first_met_days.first_met_on
),

resets as (
    -- a run of met days breaks on a day the condition does not hold or after a missing day;
    -- the hysteresis state resets on a recovered day or after a missing day
    select
        *,
        coalesce(previous_day < {{ add_days('activity_date', -1) }}, true) as follows_gap,
        max(case
            when not is_met then activity_date
            when coalesce(previous_day < {{ add_days('activity_date', -1) }}, true)
                then {{ add_days('activity_date', -1) }}
        end) over account_rule_days as last_break_day,
        max(case
            when is_recovered then activity_date
            when coalesce(previous_day < {{ add_days('activity_date', -1) }}, true)
                then {{ add_days('activity_date', -1) }}
        end) over account_rule_days as last_reset_day
    from previous_days
    window account_rule_days as (
        partition by account_id, rule_key order by activity_date rows between unbounded preceding and current row
    )
),

streaks as (
    -- min_days consecutive met days make the rule ready to open
    select
        *,
        is_met and {{ days_between('last_break_day', 'activity_date') }} >= min_days as has_held
    from resets
),

armed as (
    -- held since the last reset: the state a superseding rule imposes on the rules it supersedes
    select
        *,
        coalesce(
            max(case when has_held then activity_date end) over (
                partition by account_id, rule_key order by activity_date
                rows between unbounded preceding and current row
            ) > last_reset_day,
            false
        ) as is_armed
    from streaks
),

superseding_rules as (
    select distinct superseded_by as rule_key
    from rules
    where superseded_by is not null
),

superseding as (
    -- the armed days of the rules that supersede another enabled rule: only these can close or
    -- hold back an episode of the rule they supersede (joining every rule's days to every
    -- other rule's days built a hash table of all the rule days: minutes at `large`)
    select
        armed.account_id,
        armed.activity_date,
        armed.rule_key,
        armed.is_armed
    from armed
    inner join superseding_rules
        on armed.rule_key = superseding_rules.rule_key
    where armed.is_armed
),

day_states as (
    -- what each day means for the rule's episodes
    select
        armed.account_id,
        armed.rule_key,
        armed.activity_date,
        armed.cooldown_days,
        armed.has_held
        and not coalesce(superseding.is_armed, false)
        and snoozes.account_id is null as can_open,
        case
            when armed.previous_day < {{ add_days('armed.activity_date', -1) }}
                then {{ add_days('armed.previous_day', 1) }}
            when armed.is_recovered or superseding.is_armed or snoozes.account_id is not null
                then armed.activity_date
        end as stops_on,
        case
            when armed.previous_day < {{ add_days('armed.activity_date', -1) }} then 'expired'
            when armed.is_recovered then 'recovered'
            when superseding.is_armed then 'superseded'
            when snoozes.account_id is not null then 'snoozed'
        end as stop_reason,
        armed.last_day
    from armed
    left join superseding
        on
            armed.account_id = superseding.account_id
            and armed.activity_date = superseding.activity_date
            and armed.superseded_by = superseding.rule_key
    left join snoozes
        on
            armed.account_id = snoozes.account_id
            and armed.rule_key = snoozes.rule_key
            and armed.activity_date >= snoozes.snoozed_on
            and armed.activity_date <= snoozes.snoozed_until
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
