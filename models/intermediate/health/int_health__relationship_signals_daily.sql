{{
    config(
        on_schema_change='fail',
        tags=['health'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per account and paid day: the relationship signals of the health score from the
-- CRM - activities with a customer executive present in the last health_executive_window_days
-- (90) days, and the ARR of the expansion opportunities open that day. An activity counts from
-- its day until its window has passed (running sums of entries and exits). Incremental with the
-- usage look-back.
{#- read once: each call of usage_reprocess_from() is a query when the model runs -#}
{%- set reprocess_from = usage_reprocess_from() %}
with

paid_days as (
    select
        account_id,
        activity_date
    from {{ ref('int_usage__account_windows_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ reprocess_from }}
    {%- endif %}
),

executive_activities as (
    select
        account_id,
        cast(occurred_at as date) as occurred_on
    from {{ ref('stg_crm__activities') }}
    where
        is_executive_present
        -- an incremental run reads the window before the look-back start; a full build reads all
        and cast(occurred_at as date) >= {{
            add_days(reprocess_from, -var('health_executive_window_days'))
            if is_incremental() else "cast('1900-01-01' as date)"
        }}
),

expansion_opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
    where opportunity_type = 'expansion'
),

changes as (
    -- an executive activity enters the window on its day ...
    select
        account_id,
        occurred_on as change_date,
        1 as executive_activities
    from executive_activities
    union all
    -- ... and leaves it health_executive_window_days later
    select
        account_id,
        {{ add_days('occurred_on', var('health_executive_window_days')) }} as change_date,
        -1 as executive_activities
    from executive_activities
    union all
    -- every paid day is a row of the running sums, with or without a change
    select
        account_id,
        activity_date as change_date,
        0 as executive_activities
    from paid_days
),

daily_changes as (
    select
        account_id,
        change_date,
        sum(executive_activities) as executive_activities
    from changes
    group by account_id, change_date
),

in_window as (
    select
        account_id,
        change_date as activity_date,
        sum(executive_activities) over (
            partition by account_id order by change_date rows between unbounded preceding and current row
        ) as executive_activities
    from daily_changes
),

pipeline as (
    -- expansion opportunities created by the day and still open on it
    select
        paid_days.account_id,
        paid_days.activity_date,
        sum(expansion_opportunities.amount_arr) as open_pipeline_arr
    from paid_days
    inner join expansion_opportunities
        on
            paid_days.account_id = expansion_opportunities.account_id
            and cast(expansion_opportunities.created_at as date) <= paid_days.activity_date
            and (
                expansion_opportunities.stage = 'open'
                or paid_days.activity_date < expansion_opportunities.close_date
            )
    group by paid_days.account_id, paid_days.activity_date
)

select
    paid_days.account_id,
    paid_days.activity_date,
    cast(in_window.executive_activities as {{ dbt.type_bigint() }}) as executive_activities_in_window,
    coalesce(pipeline.open_pipeline_arr, 0) as open_pipeline_arr
from paid_days
inner join in_window
    on
        paid_days.account_id = in_window.account_id
        and paid_days.activity_date = in_window.activity_date
left join pipeline
    on
        paid_days.account_id = pipeline.account_id
        and paid_days.activity_date = pipeline.activity_date
{{ in_day_order() }}
