{{ config(tags=['usage']) }}

{%- set milestones = ['kickoff', 'technical_setup', 'first_value', 'training_complete', 'go_live'] %}

-- One row per account with onboarding milestones or a first paid month: each milestone's due
-- and completion dates and whether it was on time, time to first value (first paid month to
-- the first_value milestone), time to core adoption (first paid month to the first day the
-- account had used var core_adoption_share of the core features) and adoption velocity
-- (go-live to core adoption; seed 000, target from the kpi_targets seed).
with

milestones as (
    select * from {{ ref('stg_onboarding__milestones') }}
),

account_months as (
    select * from {{ ref('int_revenue__account_mrr_monthly') }}
),

feature_days as (
    select * from {{ ref('int_usage__account_feature_daily') }}
),

catalog as (
    select * from {{ ref('feature_catalog') }}
),

kpi_targets as (
    select * from {{ ref('kpi_targets') }}
),

velocity_target as (
    -- seed 000's adoption velocity target (< 30 days) is the time-to-value KPI's target
    select target as target_days
    from kpi_targets
    where kpi_key = 'median_time_to_value_days'
),

first_paid as (
    select
        account_id,
        min(first_paid_month) as first_paid_month
    from account_months
    group by account_id
),

milestone_accounts as (
    select
        account_id,
        {%- for milestone in milestones %}
            max(case when milestone = '{{ milestone }}' then due_date end) as {{ milestone }}_due_date,
            max(case when milestone = '{{ milestone }}' then completed_at end) as {{ milestone }}_completed_at,
        {%- endfor %}
        count(*) as milestones_planned,
        count(completed_at) as milestones_completed,
        count(case when cast(completed_at as date) <= due_date then 1 end) as milestones_completed_on_time
    from milestones
    group by account_id
),

accounts as (
    select account_id from milestone_accounts
    union
    select account_id from first_paid
),

core_features as (
    select
        feature_key,
        count(*) over () as core_feature_count
    from catalog
    where is_core
),

core_first_uses as (
    -- the first day on or after the first paid month on which the account used each core feature
    select
        feature_days.account_id,
        feature_days.feature_key,
        min(core_features.core_feature_count) as core_feature_count,
        min(feature_days.activity_date) as first_used_on
    from feature_days
    inner join core_features
        on feature_days.feature_key = core_features.feature_key
    inner join first_paid
        on
            feature_days.account_id = first_paid.account_id
            and feature_days.activity_date >= first_paid.first_paid_month
    group by feature_days.account_id, feature_days.feature_key
),

core_adoption_steps as (
    select
        account_id,
        first_used_on,
        core_feature_count,
        row_number() over (partition by account_id order by first_used_on, feature_key) as core_features_adopted
    from core_first_uses
),

core_adoption as (
    -- the day the cumulative count of distinct core features reaches the adoption share
    select
        account_id,
        min(first_used_on) as core_adoption_date
    from core_adoption_steps
    where core_features_adopted >= {{ var('core_adoption_share') }} * core_feature_count
    group by account_id
),

onboarding as (
    select
        accounts.account_id,
        first_paid.first_paid_month,
        {%- for milestone in milestones %}
            milestone_accounts.{{ milestone }}_due_date,
            milestone_accounts.{{ milestone }}_completed_at,
        {%- endfor %}
        coalesce(milestone_accounts.milestones_planned, 0) as milestones_planned,
        coalesce(milestone_accounts.milestones_completed, 0) as milestones_completed,
        coalesce(milestone_accounts.milestones_completed_on_time, 0) as milestones_completed_on_time,
        cast(milestone_accounts.first_value_completed_at as date) as first_value_date,
        cast(milestone_accounts.go_live_completed_at as date) as go_live_date,
        core_adoption.core_adoption_date,
        velocity_target.target_days as adoption_velocity_target_days,
        {{ as_of_date() }} as as_of_date
    from accounts
    left join first_paid
        on accounts.account_id = first_paid.account_id
    left join milestone_accounts
        on accounts.account_id = milestone_accounts.account_id
    left join core_adoption
        on accounts.account_id = core_adoption.account_id
    cross join velocity_target
),

timed as (
    select
        *,
        {{ days_between('first_paid_month', 'first_value_date') }} as time_to_first_value_days,
        {{ days_between('first_paid_month', 'core_adoption_date') }} as time_to_core_adoption_days,
        -- an account already using the core features at go-live adopted them in 0 days
        case
            when core_adoption_date <= go_live_date then 0
            else {{ days_between('go_live_date', 'core_adoption_date') }}
        end as adoption_velocity_days,
        {{ days_between('go_live_date', 'as_of_date') }} as days_since_go_live
    from onboarding
)

select
    account_id,
    first_paid_month,
    {%- for milestone in milestones %}
        {{ milestone }}_due_date,
        {{ milestone }}_completed_at,
        -- false once completed late or still open past the due date; null while open and not yet due
        case
            when {{ milestone }}_completed_at is not null
                then cast({{ milestone }}_completed_at as date) <= {{ milestone }}_due_date
            when {{ milestone }}_due_date < as_of_date then false
        end as is_{{ milestone }}_on_time,
    {%- endfor %}
    milestones_planned,
    milestones_completed,
    milestones_completed_on_time,
    go_live_date is not null as is_onboarding_complete,
    first_value_date,
    time_to_first_value_days,
    core_adoption_date,
    time_to_core_adoption_days,
    go_live_date,
    adoption_velocity_days,
    adoption_velocity_target_days,
    -- false once the target has passed without adoption; null while the clock is still running
    case
        when adoption_velocity_days is not null then adoption_velocity_days < adoption_velocity_target_days
        when days_since_go_live >= adoption_velocity_target_days then false
    end as is_adoption_velocity_on_target
from timed
