{{
    config(
        on_schema_change='fail',
        tags=['health', 'alerts'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per enabled rule of alert_rules, account and paid day: the rule's measure on that
-- day (observed_value), the threshold it is compared with, whether the condition holds
-- (is_met) and whether the exit condition holds (is_recovered). Between the two thresholds
-- neither holds: an open episode stays open (hysteresis). One CTE per rule, all of the same
-- shape, unioned at the end; fct_alerts turns the days into episodes. A measure without data
-- meets no condition and counts as recovered. Window lengths come from the rules' window_days.
-- Incremental with the usage look-back: a run rebuilds the days from the latest built day
-- minus usage_lookback_days and reads each windowed input from as far before them as its
-- rule's window reaches: the active user-days from twice usage_decline's window (a window and
-- the one before it), the feature days from expansion_opportunity's, the scores from
-- health_score_drop's and the CSAT answers from low_csat's. A running sum started that early
-- equals the full history's on every rebuilt day: each entry it misses has left the window by
-- then. The windows are read when the model runs (alert_rule_window_days), as
-- usage_reprocess_from() reads its date, so that the bounds are constants: as a subquery a bound
-- was hidden, and every day of the account and feature days was read. (Reading every input
-- from twice the longest window, 180 days, took 4.0 s at `large` on its own; 1.5 s now:
-- docs/benchmarks.md, 2026-12-03, the alert chain.)
{%- set reprocess_from = usage_reprocess_from() %}
{%- set account_days_from = add_days(reprocess_from, '-2 * ' ~ alert_rule_window_days('usage_decline')) %}
{%- set feature_days_from = add_days(reprocess_from, '-' ~ alert_rule_window_days('expansion_opportunity')) %}
{%- set scores_from = add_days(reprocess_from, '-' ~ alert_rule_window_days('health_score_drop')) %}
{%- set csat_from = add_days(reprocess_from, '-' ~ alert_rule_window_days('low_csat')) %}
with

rules as (
    select * from {{ ref('alert_rules') }}
    where enabled
),

tiers as (
    select * from {{ ref('health_score_tiers') }}
),

usage_signals as (
    select * from {{ ref('int_health__usage_signals_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ reprocess_from }}
    {%- endif %}
),

scores as (
    select
        account_id,
        activity_date,
        health_score
    from {{ ref('int_health__scores_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ scores_from }}
    {%- endif %}
),

ticket_signals as (
    select * from {{ ref('int_health__ticket_signals_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ reprocess_from }}
    {%- endif %}
),

billing_signals as (
    select * from {{ ref('int_health__billing_signals_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ reprocess_from }}
    {%- endif %}
),

churn_scores as (
    select
        account_id,
        activity_date,
        churn_probability_90d
    from {{ ref('int_churn__scores_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ reprocess_from }}
    {%- endif %}
),

account_days as (
    select * from {{ ref('int_usage__account_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ account_days_from }}
    {%- endif %}
),

feature_days as (
    select * from {{ ref('int_usage__account_feature_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ feature_days_from }}
    {%- endif %}
),

catalog as (
    select * from {{ ref('feature_catalog') }}
),

plan_tiers as (
    {{ usage_plan_tiers() }}
),

csat_answers as (
    select
        account_id,
        score,
        cast(responded_at as date) as answered_on
    from {{ ref('int_surveys__responses') }}
    where
        is_answered
        and survey_type = 'csat'
        -- an incremental run reads the answers from low_csat's window before the rebuilt days; a
        -- full build reads all
        and cast(responded_at as date) >= {{ csat_from if is_incremental() else "cast('1900-01-01' as date)" }}
),

-- measures over the rules' windows ---------------------------------------------------------

score_days as (
    -- each score counts on its own day and, window_days later, as the score before the drop
    -- (one read of the scores)
    select
        scores.account_id,
        {{ add_days('scores.activity_date', 'offsets.days_back') }} as activity_date,
        max(case when offsets.days_back = 0 then scores.health_score end) as health_score,
        max(case when offsets.days_back > 0 then scores.health_score end) as earlier_score
    from scores
    cross join (
        select 0 as days_back
        union all
        select window_days as days_back from rules
        where rule_key = 'health_score_drop'
    ) as offsets
    group by scores.account_id, {{ add_days('scores.activity_date', 'offsets.days_back') }}
),

active_user_day_changes as (
    -- an active day's users count in the current window for window_days, then in the window
    -- before for window_days more (running sums of entries and exits)
    select
        account_days.account_id,
        account_days.activity_date as change_date,
        account_days.active_users as current_window,
        0 as previous_window
    from account_days
    union all
    select
        account_days.account_id,
        {{ add_days('account_days.activity_date', 'rules.window_days') }} as change_date,
        -account_days.active_users as current_window,
        account_days.active_users as previous_window
    from account_days
    inner join rules
        on rules.rule_key = 'usage_decline'
    union all
    select
        account_days.account_id,
        {{ add_days('account_days.activity_date', '2 * rules.window_days') }} as change_date,
        0 as current_window,
        -account_days.active_users as previous_window
    from account_days
    inner join rules
        on rules.rule_key = 'usage_decline'
    union all
    select
        account_id,
        activity_date as change_date,
        0 as current_window,
        0 as previous_window
    from usage_signals
),

active_user_days as (
    select
        account_id,
        change_date as activity_date,
        sum(sum(current_window)) over account_days_so_far as current_window,
        sum(sum(previous_window)) over account_days_so_far as previous_window
    from active_user_day_changes
    group by account_id, change_date
    window account_days_so_far as (
        partition by account_id order by change_date rows between unbounded preceding and current row
    )
),

feature_uses as (
    -- each use of a catalog feature, with the rank of the cheapest plan that includes it and
    -- the account's previous and next use of the feature
    select
        feature_days.account_id,
        feature_days.activity_date,
        feature_plans.plan_rank as feature_rank,
        lag(feature_days.activity_date) over feature_history as previous_use,
        lead(feature_days.activity_date) over feature_history as next_use
    from feature_days
    inner join catalog
        on feature_days.feature_key = catalog.feature_key
    inner join plan_tiers as feature_plans
        on catalog.min_plan = feature_plans.plan_code
    window feature_history as (
        partition by feature_days.account_id, feature_days.feature_key order by feature_days.activity_date
    )
),

feature_changes as (
    -- a feature counts from a use until window_days after the use; closer uses extend it
    select
        feature_uses.account_id,
        feature_uses.feature_rank,
        feature_uses.activity_date as change_date,
        1 as features
    from feature_uses
    inner join rules
        on rules.rule_key = 'expansion_opportunity'
    where
        feature_uses.previous_use is null
        or feature_uses.previous_use <= {{ add_days('feature_uses.activity_date', '-rules.window_days') }}
    union all
    select
        feature_uses.account_id,
        feature_uses.feature_rank,
        {{ add_days('feature_uses.activity_date', 'rules.window_days') }} as change_date,
        -1 as features
    from feature_uses
    inner join rules
        on rules.rule_key = 'expansion_opportunity'
    where
        feature_uses.next_use is null
        or feature_uses.next_use >= {{ add_days('feature_uses.activity_date', 'rules.window_days') }}
),

plan_days as (
    select
        usage_signals.account_id,
        usage_signals.activity_date,
        plan_tiers.plan_rank,
        usage_signals.license_utilization
    from usage_signals
    left join plan_tiers
        on usage_signals.core_plan = plan_tiers.plan_code
),

plan_feature_changes as (
    -- a feature counts for every plan that includes it; each paid day reads its own plan
    select
        feature_changes.account_id,
        plan_tiers.plan_rank,
        feature_changes.change_date,
        feature_changes.features
    from feature_changes
    inner join plan_tiers
        on feature_changes.feature_rank <= plan_tiers.plan_rank
    union all
    select
        account_id,
        plan_rank,
        activity_date as change_date,
        0 as features
    from plan_days
    where plan_rank is not null
),

plan_features_used as (
    select
        account_id,
        plan_rank,
        change_date as activity_date,
        sum(sum(features)) over (
            partition by account_id, plan_rank order by change_date
            rows between unbounded preceding and current row
        ) as features_used
    from plan_feature_changes
    group by account_id, plan_rank, change_date
),

plan_features_available as (
    select
        plan_tiers.plan_rank,
        count(*) as features_available
    from plan_tiers
    inner join plan_tiers as feature_plans
        on plan_tiers.plan_rank >= feature_plans.plan_rank
    inner join catalog
        on feature_plans.plan_code = catalog.min_plan
    group by plan_tiers.plan_rank
),

plan_adoption as (
    select
        plan_days.account_id,
        plan_days.activity_date,
        plan_days.license_utilization,
        {{ ratio('plan_features_used.features_used', 'plan_features_available.features_available') }}
            as plan_feature_share
    from plan_days
    left join plan_features_used
        on
            plan_days.account_id = plan_features_used.account_id
            and plan_days.plan_rank = plan_features_used.plan_rank
            and plan_days.activity_date = plan_features_used.activity_date
    left join plan_features_available
        on plan_days.plan_rank = plan_features_available.plan_rank
),

csat_changes as (
    -- a CSAT answer counts from its day until window_days later
    select
        csat_answers.account_id,
        csat_answers.answered_on as change_date,
        csat_answers.score as score_sum,
        1 as answers
    from csat_answers
    union all
    select
        csat_answers.account_id,
        {{ add_days('csat_answers.answered_on', 'rules.window_days') }} as change_date,
        -csat_answers.score as score_sum,
        -1 as answers
    from csat_answers
    inner join rules
        on rules.rule_key = 'low_csat'
    union all
    select
        account_id,
        activity_date as change_date,
        0 as score_sum,
        0 as answers
    from usage_signals
),

csat_windows as (
    select
        account_id,
        change_date as activity_date,
        sum(sum(score_sum)) over account_days_so_far as score_sum,
        sum(sum(answers)) over account_days_so_far as answers
    from csat_changes
    group by account_id, change_date
    window account_days_so_far as (
        partition by account_id order by change_date rows between unbounded preceding and current row
    )
),

rule_inputs as (
    -- every measure a rule reads, on every paid day being built
    select
        usage_signals.account_id,
        usage_signals.activity_date,
        score_days.health_score,
        score_days.earlier_score - score_days.health_score as score_drop,
        case
            when active_user_days.previous_window > 0
                then {{ ratio('active_user_days.current_window', 'active_user_days.previous_window') }} - 1
        end as active_user_days_change,
        plan_adoption.plan_feature_share,
        plan_adoption.license_utilization,
        case when csat_windows.answers > 0 then {{ ratio('csat_windows.score_sum', 'csat_windows.answers') }} end
            as csat_avg,
        ticket_signals.oldest_open_ticket_days,
        billing_signals.max_days_overdue,
        {{ days_between('usage_signals.activity_date', 'billing_signals.renewal_date') }} as days_to_renewal,
        churn_scores.churn_probability_90d
    from usage_signals
    left join score_days
        on
            usage_signals.account_id = score_days.account_id
            and usage_signals.activity_date = score_days.activity_date
    left join active_user_days
        on
            usage_signals.account_id = active_user_days.account_id
            and usage_signals.activity_date = active_user_days.activity_date
    left join plan_adoption
        on
            usage_signals.account_id = plan_adoption.account_id
            and usage_signals.activity_date = plan_adoption.activity_date
    left join csat_windows
        on
            usage_signals.account_id = csat_windows.account_id
            and usage_signals.activity_date = csat_windows.activity_date
    left join ticket_signals
        on
            usage_signals.account_id = ticket_signals.account_id
            and usage_signals.activity_date = ticket_signals.activity_date
    left join billing_signals
        on
            usage_signals.account_id = billing_signals.account_id
            and usage_signals.activity_date = billing_signals.activity_date
    left join churn_scores
        on
            usage_signals.account_id = churn_scores.account_id
            and usage_signals.activity_date = churn_scores.activity_date
    -- a full build writes each rule's days in day order (days_clustered)
    {{ days_clustered('usage_signals.activity_date') }}
),

-- one CTE per rule: (account_id, activity_date, rule_key, observed_value, threshold, is_met,
-- is_recovered) -----------------------------------------------------------------------------

health_score_drop as (
    select
        rule_inputs.account_id,
        rule_inputs.activity_date,
        rules.rule_key,
        rule_inputs.score_drop as observed_value,
        rules.threshold,
        coalesce(rule_inputs.score_drop > rules.threshold, false) as is_met,
        coalesce(rule_inputs.score_drop <= rules.exit_threshold, true) as is_recovered
    from rule_inputs
    inner join rules
        on rules.rule_key = 'health_score_drop'
),

health_below_60 as (
    select
        rule_inputs.account_id,
        rule_inputs.activity_date,
        rules.rule_key,
        rule_inputs.health_score as observed_value,
        rules.threshold,
        coalesce(rule_inputs.health_score < rules.threshold, false) as is_met,
        coalesce(rule_inputs.health_score >= rules.exit_threshold, true) as is_recovered
    from rule_inputs
    inner join rules
        on rules.rule_key = 'health_below_60'
),

tier_entry_at_risk as (
    -- below the at_risk tier's upper bound: in the orange or red tier
    select
        rule_inputs.account_id,
        rule_inputs.activity_date,
        rules.rule_key,
        rule_inputs.health_score as observed_value,
        tiers.max_score as threshold,
        coalesce(rule_inputs.health_score < tiers.max_score, false) as is_met,
        coalesce(rule_inputs.health_score >= rules.exit_threshold, true) as is_recovered
    from rule_inputs
    inner join rules
        on rules.rule_key = 'tier_entry_at_risk'
    inner join tiers
        on tiers.tier = 'at_risk'
),

tier_entry_critical as (
    -- below the critical tier's upper bound: in the red tier
    select
        rule_inputs.account_id,
        rule_inputs.activity_date,
        rules.rule_key,
        rule_inputs.health_score as observed_value,
        tiers.max_score as threshold,
        coalesce(rule_inputs.health_score < tiers.max_score, false) as is_met,
        coalesce(rule_inputs.health_score >= rules.exit_threshold, true) as is_recovered
    from rule_inputs
    inner join rules
        on rules.rule_key = 'tier_entry_critical'
    inner join tiers
        on tiers.tier = 'critical'
),

usage_decline as (
    -- "down 30% or more": the tolerance keeps exactly -30% (0.7 - 1 in floating point) in
    select
        rule_inputs.account_id,
        rule_inputs.activity_date,
        rules.rule_key,
        rule_inputs.active_user_days_change as observed_value,
        rules.threshold,
        coalesce(rule_inputs.active_user_days_change <= -rules.threshold + 0.000000001, false) as is_met,
        coalesce(rule_inputs.active_user_days_change > -rules.exit_threshold, true) as is_recovered
    from rule_inputs
    inner join rules
        on rules.rule_key = 'usage_decline'
),

expansion_opportunity as (
    -- the measure that fired: the plan-feature share, else license utilization
    select
        rule_inputs.account_id,
        rule_inputs.activity_date,
        rules.rule_key,
        case
            when rule_inputs.plan_feature_share >= rules.threshold then rule_inputs.plan_feature_share
            when rule_inputs.license_utilization >= rules.secondary_threshold then rule_inputs.license_utilization
            else rule_inputs.plan_feature_share
        end as observed_value,
        case
            when rule_inputs.plan_feature_share >= rules.threshold then rules.threshold
            when rule_inputs.license_utilization >= rules.secondary_threshold then rules.secondary_threshold
            else rules.threshold
        end as threshold,
        coalesce(
            rule_inputs.plan_feature_share >= rules.threshold
            or rule_inputs.license_utilization >= rules.secondary_threshold,
            false
        ) as is_met,
        coalesce(rule_inputs.plan_feature_share, 0) < rules.exit_threshold
        and coalesce(rule_inputs.license_utilization, 0) < rules.secondary_exit_threshold as is_recovered
    from rule_inputs
    inner join rules
        on rules.rule_key = 'expansion_opportunity'
),

low_csat as (
    select
        rule_inputs.account_id,
        rule_inputs.activity_date,
        rules.rule_key,
        rule_inputs.csat_avg as observed_value,
        rules.threshold,
        coalesce(rule_inputs.csat_avg < rules.threshold, false) as is_met,
        coalesce(rule_inputs.csat_avg >= rules.exit_threshold, true) as is_recovered
    from rule_inputs
    inner join rules
        on rules.rule_key = 'low_csat'
),

stale_ticket as (
    -- the age of the oldest ticket open that day
    select
        rule_inputs.account_id,
        rule_inputs.activity_date,
        rules.rule_key,
        cast(rule_inputs.oldest_open_ticket_days as {{ type_double() }}) as observed_value,
        rules.threshold,
        coalesce(rule_inputs.oldest_open_ticket_days > rules.threshold, false) as is_met,
        coalesce(rule_inputs.oldest_open_ticket_days <= rules.exit_threshold, true) as is_recovered
    from rule_inputs
    inner join rules
        on rules.rule_key = 'stale_ticket'
),

renewal_at_risk as (
    -- the health score while an annual renewal is at most window_days away
    select
        rule_inputs.account_id,
        rule_inputs.activity_date,
        rules.rule_key,
        rule_inputs.health_score as observed_value,
        rules.threshold,
        coalesce(
            rule_inputs.days_to_renewal <= rules.window_days and rule_inputs.health_score < rules.threshold,
            false
        ) as is_met,
        coalesce(
            rule_inputs.days_to_renewal > rules.window_days or rule_inputs.health_score >= rules.exit_threshold,
            true
        ) as is_recovered
    from rule_inputs
    inner join rules
        on rules.rule_key = 'renewal_at_risk'
),

payment_overdue as (
    select
        rule_inputs.account_id,
        rule_inputs.activity_date,
        rules.rule_key,
        cast(rule_inputs.max_days_overdue as {{ type_double() }}) as observed_value,
        rules.threshold,
        coalesce(rule_inputs.max_days_overdue > rules.threshold, false) as is_met,
        coalesce(rule_inputs.max_days_overdue <= rules.exit_threshold, true) as is_recovered
    from rule_inputs
    inner join rules
        on rules.rule_key = 'payment_overdue'
),

churn_risk_high as (
    -- the churn model's probability of churn within 90 days (int_churn__scores_daily)
    select
        rule_inputs.account_id,
        rule_inputs.activity_date,
        rules.rule_key,
        rule_inputs.churn_probability_90d as observed_value,
        rules.threshold,
        coalesce(rule_inputs.churn_probability_90d >= rules.threshold, false) as is_met,
        coalesce(rule_inputs.churn_probability_90d < rules.exit_threshold, true) as is_recovered
    from rule_inputs
    inner join rules
        on rules.rule_key = 'churn_risk_high'
),

rule_days as (
    select * from health_score_drop
    union all
    select * from health_below_60
    union all
    select * from tier_entry_at_risk
    union all
    select * from tier_entry_critical
    union all
    select * from usage_decline
    union all
    select * from expansion_opportunity
    union all
    select * from low_csat
    union all
    select * from stale_ticket
    union all
    select * from renewal_at_risk
    union all
    select * from payment_overdue
    union all
    select * from churn_risk_high
)

select
    account_id,
    activity_date,
    rule_key,
    cast(observed_value as {{ type_double() }}) as observed_value,
    cast(threshold as {{ type_double() }}) as threshold,
    is_met,
    is_recovered
from rule_days
