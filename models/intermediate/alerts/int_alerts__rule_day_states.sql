{{
    config(
        on_schema_change='fail',
        tags=['health', 'alerts'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per account, enabled rule and paid day from the account's first day meeting the
-- rule's condition: what the day means for the rule's episodes. A day can open an episode
-- (can_open) when the condition has held min_days consecutive paid days, no superseding rule is
-- armed (its own condition held and not yet recovered) and no snooze covers it. A day closes
-- an open episode (stops_on, stop_reason) when its exit condition holds (recovered), a
-- superseding rule is armed (superseded) or a snooze begins (snoozed), or, on the day after a
-- missing paid day, on that missing day (expired). The running state behind these (the last
-- break of the met days, the last reset, the last day the condition had held, the last opening
-- and closing day) is kept on every row so that an incremental run carries it on from the last
-- stored day before the days it rebuilds (the usage look-back) instead of reading every rule
-- day again: each of these columns is a running maximum, so the state at that day is the
-- maximum over the stored days before. int_alerts__episode_candidates reads the opening days,
-- the first days of their runs (starts_a_run) and the closing days that follow an opening
-- (closes_an_opening), with the measure and threshold on the days an episode can open and
-- the measure on the days that close one (where the closing day is the day itself; none for an
-- expiry on a missing day), which fct_alerts reports.
{#- read once: each call of usage_reprocess_from() is a query when the model runs -#}
{%- set reprocess_from = usage_reprocess_from() %}
with

rule_days as (
    select * from {{ ref('int_alerts__rule_days') }}
    {%- if is_incremental() %}
        where activity_date >= {{ reprocess_from }}
    {%- endif %}
),

rules as (
    select * from {{ ref('alert_rules') }}
    where enabled
),

snoozes as (
    select * from {{ ref('alert_snoozes') }}
),

-- noqa: disable=LT02
-- (sqlfluff indents the Jinja branches below as if nested)
{%- if is_incremental() %}

stored_day_before as (
    -- the stored state on the day before the rebuilt days: each state column is a running
    -- maximum, so the row of that day holds the maximum over all the days before it
    select
        account_id,
        rule_key,
        activity_date as previous_day,
        last_break_day,
        last_reset_day,
        last_held_day,
        last_open_day,
        last_stop_day
    from {{ this }}
    where activity_date = {{ add_days(reprocess_from, -1) }}
),

pairs_without_that_day as (
    -- the rebuilt accounts and rules with no stored row on that day: no paid day then (a gap),
    -- or no day meeting the condition yet
    select distinct
        rule_days.account_id,
        rule_days.rule_key
    from rule_days
    left join stored_day_before
        on
            rule_days.account_id = stored_day_before.account_id
            and rule_days.rule_key = stored_day_before.rule_key
    where stored_day_before.account_id is null
),

carried as (
    -- each account and rule's state at its last stored day before the rebuilt days: the row of
    -- the day before them, else the maximum over the pair's stored days (reading the whole
    -- table only for those pairs instead of grouping all of it)
    select * from stored_day_before
    union all
    select
        stored.account_id,
        stored.rule_key,
        max(stored.activity_date) as previous_day,
        max(stored.last_break_day) as last_break_day,
        max(stored.last_reset_day) as last_reset_day,
        max(stored.last_held_day) as last_held_day,
        max(stored.last_open_day) as last_open_day,
        max(stored.last_stop_day) as last_stop_day
    from {{ this }} as stored
    inner join pairs_without_that_day
        on
            stored.account_id = pairs_without_that_day.account_id
            and stored.rule_key = pairs_without_that_day.rule_key
    where stored.activity_date < {{ reprocess_from }}
    group by stored.account_id, stored.rule_key
),
{%- else %}

carried as (
    -- nothing is carried in a full build
    select
        account_id,
        rule_key,
        cast(null as date) as previous_day,
        cast(null as date) as last_break_day,
        cast(null as date) as last_reset_day,
        cast(null as date) as last_held_day,
        cast(null as date) as last_open_day,
        cast(null as date) as last_stop_day
    from rule_days
    where false
),
{%- endif %}
-- noqa: enable=LT02

first_met_days as (
    -- the first day each account met each rule's condition: before it no episode is open or
    -- can open, so the days before it are left out (at `large`, 94M rule days, 35M from the
    -- first met day on); on an incremental run this matters only for the accounts and rules
    -- with no stored day, whose first met day is among the rebuilt days if at all
    select
        account_id,
        rule_key,
        min(activity_date) as first_met_on
    from rule_days
    where is_met
    group by account_id, rule_key
),

account_rule_days as (
    select
        rule_days.account_id,
        rule_days.rule_key,
        rule_days.activity_date,
        rule_days.is_met,
        rule_days.is_recovered,
        rule_days.observed_value,
        rule_days.threshold,
        rules.min_days,
        rules.superseded_by,
        carried.previous_day as carried_previous_day,
        carried.last_break_day as carried_last_break_day,
        carried.last_reset_day as carried_last_reset_day,
        carried.last_held_day as carried_last_held_day,
        carried.last_open_day as carried_last_open_day,
        carried.last_stop_day as carried_last_stop_day
    from rule_days
    inner join rules
        on rule_days.rule_key = rules.rule_key
    left join carried
        on
            rule_days.account_id = carried.account_id
            and rule_days.rule_key = carried.rule_key
    left join first_met_days
        on
            rule_days.account_id = first_met_days.account_id
            and rule_days.rule_key = first_met_days.rule_key
    where
        carried.account_id is not null
        or rule_days.activity_date >= first_met_days.first_met_on
),

previous_days as (
    select
        *,
        coalesce(
            lag(activity_date) over (partition by account_id, rule_key order by activity_date),
            carried_previous_day
        ) as previous_day
    from account_rule_days
),

resets as (
    -- a run of met days breaks on a day the condition does not hold or after a missing day;
    -- the hysteresis state resets on a recovered day or after a missing day
    select
        *,
        greatest(
            carried_last_break_day,
            max(case
                when not is_met then activity_date
                when coalesce(previous_day < {{ add_days('activity_date', -1) }}, true)
                    then {{ add_days('activity_date', -1) }}
            end) over account_rule_days
        ) as last_break_day,
        greatest(
            carried_last_reset_day,
            max(case
                when is_recovered then activity_date
                when coalesce(previous_day < {{ add_days('activity_date', -1) }}, true)
                    then {{ add_days('activity_date', -1) }}
            end) over account_rule_days
        ) as last_reset_day
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

held as (
    select
        *,
        greatest(
            carried_last_held_day,
            max(case when has_held then activity_date end) over (
                partition by account_id, rule_key order by activity_date
                rows between unbounded preceding and current row
            )
        ) as last_held_day
    from streaks
),

armed as (
    -- held since the last reset: the state a superseding rule imposes on the rules it supersedes
    select
        *,
        coalesce(last_held_day > last_reset_day, false) as is_armed
    from held
),

superseding_rules as (
    select distinct superseded_by as rule_key
    from rules
    where superseded_by is not null
),

superseding as (
    -- the armed days of the rules that supersede another enabled rule: only these can close or
    -- hold back an episode of the rule they supersede
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
        armed.previous_day,
        armed.last_break_day,
        armed.last_reset_day,
        armed.last_held_day,
        armed.carried_last_open_day,
        armed.carried_last_stop_day,
        armed.observed_value,
        armed.threshold,
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
        end as stop_reason
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

openings_before as (
    -- the last opening day and the last closing day before each day
    select
        *,
        greatest(
            carried_last_open_day,
            max(case when can_open then activity_date end) over days_before
        ) as last_open_before,
        greatest(
            carried_last_stop_day,
            max(case when stops_on is not null then activity_date end) over days_before
        ) as last_stop_before
    from day_states
    window days_before as (
        partition by account_id, rule_key order by activity_date rows between unbounded preceding and 1 preceding
    )
)

select
    account_id,
    rule_key,
    activity_date,
    can_open,
    stops_on,
    stop_reason,
    -- the first closing day after an opening day: it closes the episodes that could open since
    -- the closing day before it (later closing days close nothing that could be open)
    stops_on is not null
    and last_open_before is not null
    and (last_stop_before is null or last_open_before > last_stop_before) as closes_an_opening,
    -- the first day of a run of consecutive days an episode could open (the day before could
    -- not: no opening since the day before it); the episode candidates start their lookups there
    can_open
    and coalesce(last_open_before < {{ add_days('activity_date', -1) }}, true) as starts_a_run,
    -- the measure an episode opening or closing this day reports (fct_alerts), kept on those days
    -- only: fct_alerts then reads no rule days
    case when can_open then observed_value end as opening_value,
    case when can_open then threshold end as opening_threshold,
    case when stops_on = activity_date then observed_value end as closing_value,
    previous_day,
    last_break_day,
    last_reset_day,
    last_held_day,
    greatest(last_open_before, case when can_open then activity_date end) as last_open_day,
    greatest(last_stop_before, case when stops_on is not null then activity_date end) as last_stop_day
from openings_before
