{{ config(tags=['health', 'alerts']) }}

-- One row per alert episode: a rule of alert_rules opened for an account on the day its
-- condition had held min_days consecutive days, closed on the first day its exit condition
-- held (recovered), a superseding rule took over (superseded), a snooze began (snoozed) or the
-- account had no paid day (expired), and still open (no close) when none of these has happened
-- by the as-of date. While an episode is open its rule opens no other for the account, and
-- after it closes the next opens no earlier than cooldown_days later: starting from the first
-- possible opening, each episode leads to the first possible opening after its close and
-- cooldown (int_alerts__episode_candidates), a chain followed by a recursive CTE. With the
-- measure and threshold at opening, the measure at closing and the owner: the account's CSM
-- on the opening day. Rebuilt in full on every run (an episode can span the whole history).
with recursive

candidates as (
    select * from {{ ref('int_alerts__episode_candidates') }}
),

rule_days as (
    select * from {{ ref('int_alerts__rule_days') }}
),

rules as (
    select * from {{ ref('alert_rules') }}
    where enabled
),

history as (
    select * from {{ ref('int_accounts__history') }}
),

candidate_days as (
    -- the days an episode could open or close on
    select
        account_id,
        rule_key,
        opened_on as activity_date
    from candidates
    union
    select
        account_id,
        rule_key,
        closed_on as activity_date
    from candidates
    where closed_on is not null
),

episode_day_values as (
    -- the measure and threshold on those days, read from the rule days once (every account,
    -- rule and paid day: joining them twice made the engine keep all of them in memory)
    select
        rule_days.account_id,
        rule_days.rule_key,
        rule_days.activity_date,
        rule_days.observed_value,
        rule_days.threshold
    from rule_days
    inner join candidate_days
        on
            rule_days.account_id = candidate_days.account_id
            and rule_days.rule_key = candidate_days.rule_key
            and rule_days.activity_date = candidate_days.activity_date
),

episodes as (
    -- the first possible opening of each account and rule, then the opening each close leads to
    select
        account_id,
        rule_key,
        opened_on,
        closed_on,
        close_reason,
        next_opened_on
    from candidates
    where is_first_opening
    union all
    select
        candidates.account_id,
        candidates.rule_key,
        candidates.opened_on,
        candidates.closed_on,
        candidates.close_reason,
        candidates.next_opened_on
    from episodes
    inner join candidates
        on
            episodes.account_id = candidates.account_id
            and episodes.rule_key = candidates.rule_key
            and episodes.next_opened_on = candidates.opened_on
)

select
    {{ dbt.hash(dbt.concat([
        'episodes.rule_key', "'|'", 'episodes.account_id', "'|'", dbt.cast('episodes.opened_on', dbt.type_string())
    ])) }} as alert_id,
    episodes.account_id,
    episodes.rule_key,
    rules.category,
    rules.severity,
    episodes.opened_on,
    episodes.closed_on,
    episodes.close_reason,
    opening.observed_value as opening_value,
    opening.threshold,
    cast(rules.exit_threshold as {{ type_double() }}) as exit_threshold,
    closing.observed_value as closing_value,
    rules.action as recommended_action,
    rules.owner_role,
    history.csm_id as owner_csm_id
from episodes
inner join rules
    on episodes.rule_key = rules.rule_key
inner join episode_day_values as opening
    on
        episodes.account_id = opening.account_id
        and episodes.rule_key = opening.rule_key
        and episodes.opened_on = opening.activity_date
left join episode_day_values as closing
    on
        episodes.account_id = closing.account_id
        and episodes.rule_key = closing.rule_key
        and episodes.closed_on = closing.activity_date
left join history
    on
        episodes.account_id = history.account_id
        and episodes.opened_on >= history.valid_from
        and (history.valid_to is null or episodes.opened_on < history.valid_to)
