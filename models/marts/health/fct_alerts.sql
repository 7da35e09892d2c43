{{ config(tags=['health', 'alerts']) }}

-- One row per alert episode: a rule of alert_rules opened for an account on the day its
-- condition had held min_days consecutive days, closed on the first day its exit condition
-- held (recovered), a superseding rule took over (superseded), a snooze began (snoozed) or the
-- account had no paid day (expired), and still open (no close) when none of these has happened
-- by the as-of date. While an episode is open its rule opens no other for the account, and
-- after it closes the next opens no earlier than cooldown_days later: starting from the first
-- possible opening, each episode leads to the first possible opening after its close and
-- cooldown (int_alerts__episode_candidates), a chain followed by a recursive CTE. With the
-- measure and threshold at opening, the measure at closing (the rule days' values on those days,
-- carried by the day states and the candidates: this model reads no rule days) and the owner:
-- the account's CSM on the opening day. Rebuilt in full on every run (an episode can span the
-- whole history).
with recursive

candidates as (
    select * from {{ ref('int_alerts__episode_candidates') }}
),

rules as (
    select * from {{ ref('alert_rules') }}
    where enabled
),

history as (
    select * from {{ ref('int_accounts__history') }}
),

episodes as (
    -- the first possible opening of each account and rule, then the opening each close leads to
    select
        account_id,
        rule_key,
        opened_on,
        closed_on,
        close_reason,
        next_opened_on,
        opening_value,
        opening_threshold,
        closing_value
    from candidates
    where is_first_opening
    union all
    select
        candidates.account_id,
        candidates.rule_key,
        candidates.opened_on,
        candidates.closed_on,
        candidates.close_reason,
        candidates.next_opened_on,
        candidates.opening_value,
        candidates.opening_threshold,
        candidates.closing_value
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
    episodes.opening_value,
    episodes.opening_threshold as threshold,
    cast(rules.exit_threshold as {{ type_double() }}) as exit_threshold,
    episodes.closing_value,
    rules.action as recommended_action,
    rules.owner_role,
    history.csm_id as owner_csm_id
from episodes
inner join rules
    on episodes.rule_key = rules.rule_key
left join history
    on
        episodes.account_id = history.account_id
        and episodes.opened_on >= history.valid_from
        and (history.valid_to is null or episodes.opened_on < history.valid_to)
