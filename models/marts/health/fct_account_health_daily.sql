{{
    config(
        on_schema_change='fail',
        tags=['health'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per paying account and day: every health measure and its 0-100 score, each
-- component's score, weight used and contribution (the contributions sum to the score), the
-- health score with its tier and color, the CSM and size segment the account had that day,
-- the lifecycle stage and renewal date, and the score 7 and 30 days earlier with the 7-day
-- trend. Incremental with the usage look-back.
{#- read once: each call of usage_reprocess_from() is a query when the model runs -#}
{%- set reprocess_from = usage_reprocess_from() %}
with

scores as (
    select * from {{ ref('int_health__scores_daily') }}
    {%- if is_incremental() %}
        -- the rebuilt days
        where activity_date >= {{ reprocess_from }}
    {%- endif %}
),

score_days as (
    -- the score alone, for the score history: reading it apart from the wide rows above keeps
    -- the engine from holding all of them in memory for the window (a CTE read twice is kept)
    select
        account_id,
        activity_date,
        health_score
    from {{ ref('int_health__scores_daily') }}
    {%- if is_incremental() %}
        -- the rebuilt days and the 30 days before them
        where activity_date >= {{ add_days(reprocess_from, -30) }}
    {%- endif %}
),

billing_signals as (
    select * from {{ ref('int_health__billing_signals_daily') }}
),

history as (
    select * from {{ ref('int_accounts__history') }}
),

tiers as (
    select * from {{ ref('health_score_tiers') }}
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

score_history as (
    -- the score 7 and 30 days earlier: a one-day range frame on the day number (null when the
    -- account had no score that day), one sorted pass instead of two self-joins
    select
        account_id,
        activity_date,
        max(health_score) over (
            partition by account_id order by {{ days_between("'1970-01-01'", 'activity_date') }}
            range between 7 preceding and 7 preceding
        ) as score_7d_ago,
        max(health_score) over (
            partition by account_id order by {{ days_between("'1970-01-01'", 'activity_date') }}
            range between 30 preceding and 30 preceding
        ) as score_30d_ago
    from score_days
)

select
    scores.account_id,
    scores.activity_date,
    scores.size_segment,
    history.csm_id,
    {{ money('billing_signals.mrr * 12') }} as arr,
    scores.license_utilization_value,
    scores.license_utilization_score,
    scores.active_day_frequency_value,
    scores.active_day_frequency_score,
    scores.core_feature_breadth_value,
    scores.core_feature_breadth_score,
    scores.usage_trend_value,
    scores.usage_trend_score,
    scores.onboarding_on_time_value,
    scores.onboarding_on_time_score,
    cast(scores.time_to_first_value_value as {{ dbt.type_bigint() }}) as time_to_first_value_value,
    scores.time_to_first_value_score,
    cast(scores.payment_timeliness_value as {{ dbt.type_bigint() }}) as payment_timeliness_value,
    scores.payment_timeliness_score,
    scores.ticket_burden_value,
    scores.ticket_burden_score,
    scores.csat_value,
    scores.csat_score,
    scores.nps_value,
    scores.nps_score,
    scores.ticket_sentiment_value,
    scores.ticket_sentiment_score,
    cast(scores.executive_engagement_value as integer) as executive_engagement_value,
    scores.executive_engagement_score,
    cast(scores.escalations_value as {{ dbt.type_bigint() }}) as escalations_value,
    scores.escalations_score,
    scores.mrr_change_value,
    scores.mrr_change_score,
    scores.active_user_growth_value,
    scores.active_user_growth_score,
    scores.expansion_pipeline_value,
    scores.expansion_pipeline_score,
    scores.product_usage_score,
    scores.product_usage_weight_used,
    scores.product_usage_contribution,
    scores.business_outcomes_score,
    scores.business_outcomes_weight_used,
    scores.business_outcomes_contribution,
    scores.relationship_quality_score,
    scores.relationship_quality_weight_used,
    scores.relationship_quality_contribution,
    scores.account_growth_score,
    scores.account_growth_weight_used,
    scores.account_growth_contribution,
    cast(scores.components_used as integer) as components_used,
    scores.health_score,
    tiers.tier,
    tiers.color as tier_color,
    billing_signals.renewal_date,
    case
        when billing_signals.renewal_date <= {{ add_days('scores.activity_date', var('renewal_window_days')) }}
            then 'renewal'
        when {{ days_between('first_paid.first_paid_month', 'scores.activity_date') }}
            < {{ var('lifecycle_onboarding_days') }} then 'onboarding'
        when {{ days_between('first_paid.first_paid_month', 'scores.activity_date') }}
            < {{ var('lifecycle_growth_days') }} then 'growth'
        else 'mature'
    end as lifecycle_stage,
    score_history.score_7d_ago,
    scores.health_score - score_history.score_7d_ago as score_change_7d,
    score_history.score_30d_ago,
    -- a change of exactly health_trend_points is flat: the tolerance absorbs float rounding
    case
        when score_history.score_7d_ago is null then null
        when scores.health_score - score_history.score_7d_ago > {{ var('health_trend_points') }} + 0.000000001
            then 'up'
        when scores.health_score - score_history.score_7d_ago < -{{ var('health_trend_points') }} - 0.000000001
            then 'down'
        else 'flat'
    end as trend
from scores
inner join billing_signals
    on
        scores.account_id = billing_signals.account_id
        and scores.activity_date = billing_signals.activity_date
inner join score_history
    on
        scores.account_id = score_history.account_id
        and scores.activity_date = score_history.activity_date
left join history
    on
        scores.account_id = history.account_id
        and scores.activity_date >= history.valid_from
        and (history.valid_to is null or scores.activity_date < history.valid_to)
left join tiers
    on
        -- the score's tier at 9 decimals: engines differ in the last bit of a sum of decimals
        -- (a score of exactly 70 was 69.99999999999999 on PostgreSQL), not in its tier
        cast(scores.health_score as decimal(18, 9)) >= tiers.min_score
        and (
            cast(scores.health_score as decimal(18, 9)) < tiers.max_score
            or (tiers.max_score = 100 and cast(scores.health_score as decimal(18, 9)) <= 100)
        )
left join first_paid
    on scores.account_id = first_paid.account_id
{%- if is_incremental() %}
    where scores.activity_date >= {{ reprocess_from }}
{%- endif %}
{{ in_day_order() }}
