{{
    config(
        on_schema_change='fail',
        tags=['health'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per account and paid day: the product-usage signals of the health score, from the
-- usage windows (license utilization, active-day frequency, core-feature breadth, the 14-day
-- trends), and the growth of 30-day active users against the same measure
-- health_growth_window_days (90) days earlier. These days are the health score's days.
-- Incremental with the usage look-back.
{#- read once: each call of usage_reprocess_from() is a query when the model runs -#}
{%- set reprocess_from = usage_reprocess_from() %}
with

windows as (
    select * from {{ ref('int_usage__account_windows_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ add_days(reprocess_from, -var('health_growth_window_days')) }}
    {%- endif %}
),

paid_days as (
    select * from windows
    {%- if is_incremental() %}
        where activity_date >= {{ reprocess_from }}
    {%- endif %}
),

growth_base as (
    -- the 30-day active users health_growth_window_days earlier (no row: no paid day then)
    select
        account_id,
        {{ add_days('activity_date', var('health_growth_window_days')) }} as activity_date,
        mau as base_mau
    from windows
)

select
    paid_days.account_id,
    paid_days.activity_date,
    paid_days.core_plan,
    paid_days.seats,
    paid_days.mau,
    paid_days.license_utilization,
    -- active days of the usage window (30 days) / its length
    {{ ratio('paid_days.active_days_30d', 30) }} as active_day_frequency,
    paid_days.core_feature_adoption_breadth,
    paid_days.plan_feature_adoption_breadth,
    paid_days.usage_change_14d,
    paid_days.dau_change_14d,
    case
        when growth_base.base_mau > 0 then {{ ratio('paid_days.mau', 'growth_base.base_mau') }} - 1
    end as active_user_growth
from paid_days
left join growth_base
    on
        paid_days.account_id = growth_base.account_id
        and paid_days.activity_date = growth_base.activity_date
{{ in_day_order() }}
