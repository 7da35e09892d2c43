{{
    config(
        on_schema_change='fail',
        tags=['usage'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per account and paid day: the windowed usage measures of
-- int_usage__account_windows_daily, published with a contract. An incremental run copies the
-- days the intermediate model rebuilt (from the latest stored day minus the usage look-back).
with

windows as (
    select * from {{ ref('int_usage__account_windows_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ usage_reprocess_from() }}
    {%- endif %}
)

select
    account_id,
    activity_date,
    core_plan,
    seats,
    dau,
    wau,
    mau,
    license_utilization,
    stickiness,
    active_days_30d,
    core_features_used_30d,
    core_features_in_catalog,
    core_feature_adoption_breadth,
    plan_features_used_30d,
    plan_features_available,
    plan_feature_adoption_breadth,
    events,
    events_14d,
    events_prev_14d,
    usage_change_14d,
    active_user_days_14d,
    active_user_days_prev_14d,
    dau_change_14d
from windows
{{ in_day_order() }}
