{{
    config(
        on_schema_change='fail',
        tags=['health'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per account and paid day: the onboarding signals of the health score - the share of
-- the milestones due by that day that were completed on time, and the days from the first paid
-- month to the first_value milestone once it has been reached. A milestone counts from its due
-- date on (running sums over the due dates). Incremental with the usage look-back.
with

paid_days as (
    select
        account_id,
        activity_date
    from {{ ref('int_usage__account_windows_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ usage_reprocess_from() }}
    {%- endif %}
),

milestones as (
    select * from {{ ref('stg_onboarding__milestones') }}
),

account_months as (
    select * from {{ ref('int_revenue__account_mrr_monthly') }}
),

first_paid as (
    select
        account_id,
        min(first_paid_month) as first_paid_month
    from account_months
    group by account_id
),

first_value as (
    select
        account_id,
        max(cast(completed_at as date)) as first_value_date
    from milestones
    where milestone = 'first_value'
    group by account_id
),

time_to_value as (
    select
        first_value.account_id,
        first_value.first_value_date,
        {{ days_between('first_paid.first_paid_month', 'first_value.first_value_date') }} as time_to_first_value_days
    from first_value
    inner join first_paid
        on first_value.account_id = first_paid.account_id
),

changes as (
    -- a milestone counts once its due date has come: on time when completed by then
    select
        account_id,
        due_date as change_date,
        1 as milestones_due,
        case when cast(completed_at as date) <= due_date then 1 else 0 end as milestones_on_time
    from milestones
    union all
    -- every paid day is a row of the running sums, with or without a change
    select
        account_id,
        activity_date as change_date,
        0 as milestones_due,
        0 as milestones_on_time
    from paid_days
),

daily_changes as (
    select
        account_id,
        change_date,
        sum(milestones_due) as milestones_due,
        sum(milestones_on_time) as milestones_on_time
    from changes
    group by account_id, change_date
),

due_so_far as (
    select
        account_id,
        change_date as activity_date,
        sum(milestones_due) over account_days as milestones_due,
        sum(milestones_on_time) over account_days as milestones_on_time
    from daily_changes
    window account_days as (
        partition by account_id order by change_date rows between unbounded preceding and current row
    )
)

select
    paid_days.account_id,
    paid_days.activity_date,
    cast(due_so_far.milestones_due as {{ dbt.type_bigint() }}) as milestones_due,
    case
        when due_so_far.milestones_due > 0
            then {{ ratio('due_so_far.milestones_on_time', 'due_so_far.milestones_due') }}
    end as onboarding_on_time_share,
    case
        when time_to_value.first_value_date <= paid_days.activity_date then time_to_value.time_to_first_value_days
    end as time_to_first_value_days
from paid_days
inner join due_so_far
    on
        paid_days.account_id = due_so_far.account_id
        and paid_days.activity_date = due_so_far.activity_date
left join time_to_value
    on paid_days.account_id = time_to_value.account_id
{{ in_day_order() }}
