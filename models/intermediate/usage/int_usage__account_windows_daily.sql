{{
    config(
        on_schema_change='fail',
        tags=['usage'],
        **incremental_by_day('activity_date')
    )
}}

{#- Window lengths in days: part of the metric definitions (shared/metrics.md). -#}
{%- set user_windows = {'wau': 7, 'mau': 30} -%}
{%- set feature_window = 30 -%}
{%- set active_days_window = 30 -%}
{%- set trend_days = 14 -%}
{#- An incremental run rebuilds the days from the look-back start and reads the grains from
    this many days before it: enough for the longest window. -#}
{%- set history_days = [user_windows['mau'], feature_window, active_days_window, 2 * trend_days] | max -%}
{%- set plan_tiers = var('usage_plan_tiers', ['starter', 'growth', 'enterprise']) -%}
{#- 30-day distinct features: the core ones, and per plan tier (features whose min_plan is that
    tier) so that a day's plan can add up the tiers it includes. -#}
{%- set feature_measures = ['core_features_used_30d'] -%}
{%- for plan_code in plan_tiers -%}
    {%- do feature_measures.append('tier_' ~ loop.index ~ '_features_used_30d') -%}
{%- endfor -%}

-- One row per account and day on which the account has a paid subscription, to the as-of
-- date: daily, 7-day and 30-day active users, seats and license utilization, stickiness,
-- core-feature and plan-feature adoption breadth over 30 days, and the 14-day usage trend.
-- fct_account_usage_daily publishes these rows; the health signals read them here, so that
-- the intermediate layer never reads a mart.
-- Windowed counts are running sums of changes (a user's 30-day window opens on one day and
-- closes on another; an event enters the 14-day window on its day and leaves it 14 days
-- later), never a join per day: the cost grows with the activity, not with the window length.
-- Incremental with the usage look-back; a full refresh gives the same rows.
{#- read once: each call of usage_reprocess_from() is a query when the model runs -#}
{%- set reprocess_from = usage_reprocess_from() %}
with

periods as (
    select * from {{ ref('stg_billing__subscription_periods') }}
),

user_days as (
    select * from {{ ref('int_usage__user_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ add_days(reprocess_from, 1 - history_days) }}
    {%- endif %}
),

account_days as (
    select * from {{ ref('int_usage__account_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ add_days(reprocess_from, 1 - history_days) }}
    {%- endif %}
),

feature_days as (
    select * from {{ ref('int_usage__account_feature_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ add_days(reprocess_from, 1 - history_days) }}
    {%- endif %}
),

catalog as (
    select * from {{ ref('feature_catalog') }}
),

plan_tiers as (
    {{ usage_plan_tiers() }}
),

numbers as (
    {{ integers(4) }}
),

bounds as (
    -- the days this run (re)builds, to the as-of date: on a full refresh from the first day of
    -- product event data (usage before the extracts begin is unknown, not zero), on an
    -- incremental run from the look-back start
    select
        {%- if is_incremental() %}
            {{ reprocess_from }} as first_day,
        {%- else %}
            (select min(activity_date) from user_days) as first_day,
        {%- endif %}
        {{ as_of_date() }} as last_day
),

days as (
    select {{ add_days('bounds.first_day', 'numbers.n') }} as calendar_date
    from bounds
    cross join numbers
    where numbers.n <= {{ days_between('bounds.first_day', 'bounds.last_day') }}
),

paid_days as (
    -- a day is paid when the periods covering it (end exclusive) sum to mrr > 0; seats and plan
    -- come from the core-plan periods only, because an add-on repeats its core plan's seats
    select
        periods.account_id,
        days.calendar_date as activity_date,
        cast(
            sum(case when plan_tiers.plan_rank is not null then periods.seats else 0 end)
            as {{ dbt.type_bigint() }}
        ) as seats,
        max(plan_tiers.plan_rank) as plan_rank
    from days
    inner join periods
        on
            days.calendar_date >= periods.period_start
            and (periods.period_end is null or days.calendar_date < periods.period_end)
    left join plan_tiers
        on periods.plan_code = plan_tiers.plan_code
    group by periods.account_id, days.calendar_date
    having sum(periods.mrr) > 0
),

user_day_neighbours as (
    select
        account_id,
        activity_date,
        lag(activity_date) over (partition by account_id, user_id order by activity_date) as previous_day,
        lead(activity_date) over (partition by account_id, user_id order by activity_date) as next_day
    from user_days
),

user_window_changes as (
    -- for a window of n days, a user's window opens on an active day with no active day in the
    -- n - 1 days before, and closes n days after an active day with no active day in the n - 1
    -- days after: windows opened minus windows closed = users active in the last n days
    select
        account_id,
        activity_date,
        {%- for measure, length in user_windows.items() %}
            count(case
                when previous_day is null or {{ days_between('previous_day', 'activity_date') }} >= {{ length }}
                    then 1
            end) as {{ measure }}_openings,
            count(case
                when next_day is null or {{ days_between('activity_date', 'next_day') }} >= {{ length }}
                    then 1
            end) as {{ measure }}_closings{% if not loop.last %},{% endif %}
        {%- endfor %}
    from user_day_neighbours
    group by account_id, activity_date
),

feature_day_neighbours as (
    -- catalog features only, with the rank of the feature's min_plan
    select
        feature_days.account_id,
        feature_days.activity_date,
        catalog.is_core,
        plan_tiers.plan_rank as feature_tier,
        lag(feature_days.activity_date) over (
            partition by feature_days.account_id, feature_days.feature_key
            order by feature_days.activity_date
        ) as previous_day,
        lead(feature_days.activity_date) over (
            partition by feature_days.account_id, feature_days.feature_key
            order by feature_days.activity_date
        ) as next_day
    from feature_days
    inner join catalog
        on feature_days.feature_key = catalog.feature_key
    left join plan_tiers
        on catalog.min_plan = plan_tiers.plan_code
),

feature_window_edges as (
    -- the same openings and closings as for users, per feature
    select
        account_id,
        activity_date,
        is_core,
        feature_tier,
        previous_day is null
        or {{ days_between('previous_day', 'activity_date') }} >= {{ feature_window }} as is_opening,
        next_day is null
        or {{ days_between('activity_date', 'next_day') }} >= {{ feature_window }} as is_closing
    from feature_day_neighbours
),

feature_window_changes as (
    select
        account_id,
        activity_date,
        {%- for measure in feature_measures %}
            {%- set counted = 'is_core' if loop.first else 'feature_tier = ' ~ (loop.index - 1) %}
            count(case when {{ counted }} and is_opening then 1 end) as {{ measure }}_openings,
            count(case when {{ counted }} and is_closing then 1 end) as {{ measure }}_closings
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from feature_window_edges
    group by account_id, activity_date
),

activity as (
    -- every account-day with an event, with its user and feature window changes (a user or a
    -- feature is only active on an account-day with events)
    select
        account_days.account_id,
        account_days.activity_date,
        account_days.events,
        account_days.active_users,
        {%- for measure in user_windows %}
            user_window_changes.{{ measure }}_openings,
            user_window_changes.{{ measure }}_closings,
        {%- endfor %}
        {%- for measure in feature_measures %}
            coalesce(feature_window_changes.{{ measure }}_openings, 0) as {{ measure }}_openings,
            coalesce(feature_window_changes.{{ measure }}_closings, 0) as {{ measure }}_closings
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from account_days
    inner join user_window_changes
        on
            account_days.account_id = user_window_changes.account_id
            and account_days.activity_date = user_window_changes.activity_date
    left join feature_window_changes
        on
            account_days.account_id = feature_window_changes.account_id
            and account_days.activity_date = feature_window_changes.activity_date
),

{# Every windowed measure as (days after the activity day, measure, change): a window opening
   counts from its day and a closing from `window` days later; an event counts in the last 14
   days from its day, and in the previous 14 days from 14 days later. Each offset becomes one
   branch of `changes`, where the measures it does not list change by 0. #}
{%- set change_list = [
    (0, 'active_days_30d', '1'),
    (active_days_window, 'active_days_30d', '-1'),
    (0, 'events_14d', 'events'),
    (trend_days, 'events_14d', '-1 * events'),
    (trend_days, 'events_prev_14d', 'events'),
    (2 * trend_days, 'events_prev_14d', '-1 * events'),
    (0, 'active_user_days_14d', 'active_users'),
    (trend_days, 'active_user_days_14d', '-1 * active_users'),
    (trend_days, 'active_user_days_prev_14d', 'active_users'),
    (2 * trend_days, 'active_user_days_prev_14d', '-1 * active_users'),
] %}
{%- for measure, length in user_windows.items() %}
    {%- do change_list.append((0, measure, measure ~ '_openings')) %}
    {%- do change_list.append((length, measure, '-1 * ' ~ measure ~ '_closings')) %}
{%- endfor %}
{%- for measure in feature_measures %}
    {%- do change_list.append((0, measure, measure ~ '_openings')) %}
    {%- do change_list.append((feature_window, measure, '-1 * ' ~ measure ~ '_closings')) %}
{%- endfor %}
{%- set measures, changes_after = [], {} %}
{%- for offset, measure, change in change_list %}
    {%- if measure not in measures %}{% do measures.append(measure) %}{% endif %}
    {%- do changes_after.setdefault(offset, {}).update({measure: change}) %}
{%- endfor %}

changes as (
    -- doubles: sums of doubles are much faster than of wide integers, and exact below 2^53
    {%- for offset, values in changes_after | dictsort %}
        {%- set change_date = add_days('activity_date', offset) if offset else 'activity_date' %}
        select
            account_id,
            {{ change_date }} as change_date,
            {%- for measure in measures %}
                cast({{ values.get(measure, '0') }} as {{ type_double() }}) as {{ measure }}
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from activity
        where {{ change_date }} <= {{ as_of_date() }}
        union all
    {%- endfor %}
    -- paid days change nothing: listed so that every paid day gets its running sums
    select
        account_id,
        activity_date as change_date,
        {%- for measure in measures %}
            cast(0 as {{ type_double() }}) as {{ measure }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from paid_days
),

changes_by_day as (
    select
        account_id,
        change_date,
        {%- for measure in measures %}
            sum({{ measure }}) as {{ measure }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from changes
    group by account_id, change_date
),

windows as (
    -- running sums from the first day read, exact for every rebuilt day
    select
        account_id,
        change_date as activity_date,
        {%- for measure in measures %}
            cast(sum({{ measure }}) over (
                partition by account_id order by change_date
                rows between unbounded preceding and current row
            ) as {{ dbt.type_bigint() }}) as {{ measure }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from changes_by_day
),

catalog_counts as (
    select count(case when is_core then 1 end) as core_features
    from catalog
),

plan_feature_counts as (
    -- the features a plan includes: those whose min_plan ranks at or below it
    select
        plan_tiers.plan_rank,
        plan_tiers.plan_code,
        count(*) as plan_features
    from plan_tiers
    inner join plan_tiers as feature_tiers
        on plan_tiers.plan_rank >= feature_tiers.plan_rank
    inner join catalog
        on feature_tiers.plan_code = catalog.min_plan
    group by plan_tiers.plan_rank, plan_tiers.plan_code
),

measured as (
    select
        paid_days.account_id,
        paid_days.activity_date,
        plan_feature_counts.plan_code as core_plan,
        paid_days.seats,
        coalesce(account_days.active_users, 0) as dau,
        windows.wau,
        windows.mau,
        windows.active_days_30d,
        windows.core_features_used_30d,
        catalog_counts.core_features as core_features_in_catalog,
        {%- for measure in feature_measures[1:] %}
            case when paid_days.plan_rank >= {{ loop.index }} then windows.{{ measure }} else 0 end
            {%- if not loop.last %} +{% endif %}
        {%- endfor %} as plan_features_used_30d,
        plan_feature_counts.plan_features as plan_features_available,
        coalesce(account_days.events, 0) as events,
        windows.events_14d,
        windows.events_prev_14d,
        windows.active_user_days_14d,
        windows.active_user_days_prev_14d
    from paid_days
    inner join windows
        on
            paid_days.account_id = windows.account_id
            and paid_days.activity_date = windows.activity_date
    left join account_days
        on
            paid_days.account_id = account_days.account_id
            and paid_days.activity_date = account_days.activity_date
    left join plan_feature_counts
        on paid_days.plan_rank = plan_feature_counts.plan_rank
    cross join catalog_counts
)

select
    account_id,
    activity_date,
    core_plan,
    seats,
    dau,
    wau,
    mau,
    case when seats > 0 then least({{ ratio('mau', 'seats') }}, 1.0) end as license_utilization,
    case when mau > 0 then {{ ratio('dau', 'mau') }} end as stickiness,
    active_days_30d,
    core_features_used_30d,
    core_features_in_catalog,
    case
        when core_features_in_catalog > 0 then {{ ratio('core_features_used_30d', 'core_features_in_catalog') }}
    end as core_feature_adoption_breadth,
    plan_features_used_30d,
    plan_features_available,
    case
        when plan_features_available > 0 then {{ ratio('plan_features_used_30d', 'plan_features_available') }}
    end as plan_feature_adoption_breadth,
    events,
    events_14d,
    events_prev_14d,
    case when events_prev_14d > 0 then {{ ratio('events_14d', 'events_prev_14d') }} - 1 end as usage_change_14d,
    active_user_days_14d,
    active_user_days_prev_14d,
    case
        when active_user_days_prev_14d > 0 then {{ ratio('active_user_days_14d', 'active_user_days_prev_14d') }} - 1
    end as dau_change_14d
from measured
{{ in_day_order() }}
