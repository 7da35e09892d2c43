{{
    config(
        on_schema_change='fail',
        tags=['usage'],
        **incremental_by_day('activity_date')
    )
}}

-- One row per account and day with at least one event loaded by the as-of time: active users,
-- sessions, events by type, distinct features and core features used. Built from the user and
-- feature grains (no second pass over the events), incremental with the same look-back.
-- depends_on: {{ ref('stg_meta__as_of') }} (the look-back reads the as-of date on incremental runs only)
{#- read once: each call of usage_reprocess_from() is a query when the model runs -#}
{%- set reprocess_from = usage_reprocess_from() %}
with

user_days as (
    select * from {{ ref('int_usage__user_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ reprocess_from }}
    {%- endif %}
),

feature_days as (
    select * from {{ ref('int_usage__account_feature_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ reprocess_from }}
    {%- endif %}
),

catalog as (
    select * from {{ ref('feature_catalog') }}
),

activity as (
    select
        account_id,
        activity_date,
        count(*) as active_users,
        cast(sum(events) as {{ dbt.type_bigint() }}) as events,
        cast(sum(sessions) as {{ dbt.type_bigint() }}) as sessions,
        cast(sum(feature_events) as {{ dbt.type_bigint() }}) as feature_events,
        cast(sum(api_calls) as {{ dbt.type_bigint() }}) as api_calls,
        cast(sum(report_exports) as {{ dbt.type_bigint() }}) as report_exports,
        cast(sum(integration_syncs) as {{ dbt.type_bigint() }}) as integration_syncs
    from user_days
    group by account_id, activity_date
),

features as (
    -- a feature missing from the catalog counts as used but not as core
    select
        feature_days.account_id,
        feature_days.activity_date,
        count(*) as features_used,
        count(case when catalog.is_core then 1 end) as core_features_used
    from feature_days
    left join catalog
        on feature_days.feature_key = catalog.feature_key
    group by feature_days.account_id, feature_days.activity_date
)

select
    activity.account_id,
    activity.activity_date,
    activity.active_users,
    activity.events,
    activity.sessions,
    activity.feature_events,
    activity.api_calls,
    activity.report_exports,
    activity.integration_syncs,
    coalesce(features.features_used, 0) as features_used,
    coalesce(features.core_features_used, 0) as core_features_used
from activity
left join features
    on
        activity.account_id = features.account_id
        and activity.activity_date = features.activity_date
