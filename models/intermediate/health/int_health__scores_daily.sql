{{
    config(
        on_schema_change='fail',
        tags=['health'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}
-- One row per account and paid day: every health measure with its 0-100 score, each
-- component's score, weight used and contribution, and the health score. The measures (long
-- format) join the scales seed (linear between zero_at and full_at, clamped) and the weights
-- of the account's size segment on that day; a component is the weighted average of its
-- measures with data, a component without data is left out and the other weights
-- re-normalized, and the contributions sum to the score. Sums run over exact decimals so the
-- result does not depend on the order the engine adds the rows in. Stored (incremental with
-- the usage look-back): the health mart and the alert rule days both read the scores, which
-- a view computed twice per build.
with

measures as (
    select * from {{ ref('int_health__measures_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ usage_reprocess_from() }}
    {%- endif %}
),

paid_days as (
    select
        account_id,
        activity_date
    from {{ ref('int_health__usage_signals_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ usage_reprocess_from() }}
    {%- endif %}
),

history as (
    select * from {{ ref('int_accounts__history') }}
),

employee_bands as (
    select * from {{ ref('segment_bands') }}
    where band_type = 'employee_count'
),

weights as (
    select
        size_segment,
        component,
        measure,
        cast(weight as decimal(18, 6)) as weight
    from {{ ref('health_score_weights') }}
),

scales as (
    select * from {{ ref('health_measure_scales') }}
),

day_segments as (
    -- the account's size segment on the day (unknown without a CRM version then)
    select
        paid_days.account_id,
        paid_days.activity_date,
        coalesce(history.size_segment, 'unknown') as size_segment
    from paid_days
    left join history
        on
            paid_days.account_id = history.account_id
            and paid_days.activity_date >= history.valid_from
            and (history.valid_to is null or paid_days.activity_date < history.valid_to)
),

segments as (
    select segment as size_segment from employee_bands
    union all
    select 'unknown' as size_segment
),

segment_weights as (
    -- a segment's own rows replace the default rows entirely
    select
        segments.size_segment,
        weights.component,
        weights.measure,
        weights.weight
    from segments
    inner join weights
        on
            segments.size_segment = weights.size_segment
            or (
                weights.size_segment = 'default'
                and not exists (
                    select 1 from weights as own
                    where own.size_segment = segments.size_segment
                )
            )
),

measure_positions as (
    -- where the value lies between the scale's zero_at (0) and full_at (1)
    select
        measures.account_id,
        measures.activity_date,
        day_segments.size_segment,
        segment_weights.component,
        measures.measure,
        measures.measure_value,
        (measures.measure_value - scales.zero_at) / (scales.full_at - scales.zero_at) as scale_position,
        coalesce(segment_weights.weight, 0) as weight
    from measures
    inner join day_segments
        on
            measures.account_id = day_segments.account_id
            and measures.activity_date = day_segments.activity_date
    inner join scales
        on measures.measure = scales.measure
    left join segment_weights
        on
            day_segments.size_segment = segment_weights.size_segment
            and measures.measure = segment_weights.measure
),

measure_scores as (
    select
        account_id,
        activity_date,
        size_segment,
        component,
        measure,
        measure_value,
        -- clamped to 0-100; a measure without data stays null (least and greatest skip nulls)
        case when scale_position is not null then 100 * least(greatest(scale_position, 0), 1) end as measure_score,
        weight
    from measure_positions
),

component_scores as (
    -- a component's weight, and the weighted average score of its measures with data
    select
        account_id,
        activity_date,
        component,
        sum(weight) as component_weight,
        {{ ratio(
            'sum(case when measure_score is not null then cast(weight * measure_score as decimal(38, 15)) end)',
            'sum(case when measure_score is not null then weight end)'
        ) }} as component_score
    from measure_scores
    where component is not null
    group by account_id, activity_date, component
),

normalized as (
    -- the weights of the components with data, re-normalized to sum to 1
    select
        account_id,
        activity_date,
        component,
        component_score,
        sum(case when component_score is not null then component_weight else 0 end)
            over (partition by account_id, activity_date) as used_weight,
        component_weight
    from component_scores
),

contributions as (
    select
        account_id,
        activity_date,
        component,
        component_score,
        case
            when component_score is not null and used_weight > 0 then {{ ratio('component_weight', 'used_weight') }}
            else 0
        end as weight_used
    from normalized
),

components_wide as (
    select
        account_id,
        activity_date,
        max(case when component = 'product_usage' then component_score end) as product_usage_score,
        max(case when component = 'product_usage' then weight_used end) as product_usage_weight_used,
        max(case when component = 'business_outcomes' then component_score end) as business_outcomes_score,
        max(case when component = 'business_outcomes' then weight_used end) as business_outcomes_weight_used,
        max(case when component = 'relationship_quality' then component_score end) as relationship_quality_score,
        max(case when component = 'relationship_quality' then weight_used end) as relationship_quality_weight_used,
        max(case when component = 'account_growth' then component_score end) as account_growth_score,
        max(case when component = 'account_growth' then weight_used end) as account_growth_weight_used,
        count(component_score) as components_used,
        sum(cast(weight_used * coalesce(component_score, 0) as decimal(38, 15))) as health_score
    from contributions
    group by account_id, activity_date
),

measures_wide as (
    select
        account_id,
        activity_date,
        size_segment,
        max(case when measure = 'license_utilization' then measure_value end) as license_utilization_value,
        max(case when measure = 'license_utilization' then measure_score end) as license_utilization_score,
        max(case when measure = 'active_day_frequency' then measure_value end) as active_day_frequency_value,
        max(case when measure = 'active_day_frequency' then measure_score end) as active_day_frequency_score,
        max(case when measure = 'core_feature_breadth' then measure_value end) as core_feature_breadth_value,
        max(case when measure = 'core_feature_breadth' then measure_score end) as core_feature_breadth_score,
        max(case when measure = 'usage_trend' then measure_value end) as usage_trend_value,
        max(case when measure = 'usage_trend' then measure_score end) as usage_trend_score,
        max(case when measure = 'onboarding_on_time' then measure_value end) as onboarding_on_time_value,
        max(case when measure = 'onboarding_on_time' then measure_score end) as onboarding_on_time_score,
        max(case when measure = 'time_to_first_value' then measure_value end) as time_to_first_value_value,
        max(case when measure = 'time_to_first_value' then measure_score end) as time_to_first_value_score,
        max(case when measure = 'payment_timeliness' then measure_value end) as payment_timeliness_value,
        max(case when measure = 'payment_timeliness' then measure_score end) as payment_timeliness_score,
        max(case when measure = 'ticket_burden' then measure_value end) as ticket_burden_value,
        max(case when measure = 'ticket_burden' then measure_score end) as ticket_burden_score,
        max(case when measure = 'csat' then measure_value end) as csat_value,
        max(case when measure = 'csat' then measure_score end) as csat_score,
        max(case when measure = 'nps' then measure_value end) as nps_value,
        max(case when measure = 'nps' then measure_score end) as nps_score,
        max(case when measure = 'ticket_sentiment' then measure_value end) as ticket_sentiment_value,
        max(case when measure = 'ticket_sentiment' then measure_score end) as ticket_sentiment_score,
        max(case when measure = 'executive_engagement' then measure_value end) as executive_engagement_value,
        max(case when measure = 'executive_engagement' then measure_score end) as executive_engagement_score,
        max(case when measure = 'escalations' then measure_value end) as escalations_value,
        max(case when measure = 'escalations' then measure_score end) as escalations_score,
        max(case when measure = 'mrr_change' then measure_value end) as mrr_change_value,
        max(case when measure = 'mrr_change' then measure_score end) as mrr_change_score,
        max(case when measure = 'active_user_growth' then measure_value end) as active_user_growth_value,
        max(case when measure = 'active_user_growth' then measure_score end) as active_user_growth_score,
        max(case when measure = 'expansion_pipeline' then measure_value end) as expansion_pipeline_value,
        max(case when measure = 'expansion_pipeline' then measure_score end) as expansion_pipeline_score
    from measure_scores
    group by account_id, activity_date, size_segment
)

select
    measures_wide.account_id,
    measures_wide.activity_date,
    measures_wide.size_segment,
    measures_wide.license_utilization_value,
    measures_wide.license_utilization_score,
    measures_wide.active_day_frequency_value,
    measures_wide.active_day_frequency_score,
    measures_wide.core_feature_breadth_value,
    measures_wide.core_feature_breadth_score,
    measures_wide.usage_trend_value,
    measures_wide.usage_trend_score,
    measures_wide.onboarding_on_time_value,
    measures_wide.onboarding_on_time_score,
    measures_wide.time_to_first_value_value,
    measures_wide.time_to_first_value_score,
    measures_wide.payment_timeliness_value,
    measures_wide.payment_timeliness_score,
    measures_wide.ticket_burden_value,
    measures_wide.ticket_burden_score,
    measures_wide.csat_value,
    measures_wide.csat_score,
    measures_wide.nps_value,
    measures_wide.nps_score,
    measures_wide.ticket_sentiment_value,
    measures_wide.ticket_sentiment_score,
    measures_wide.executive_engagement_value,
    measures_wide.executive_engagement_score,
    measures_wide.escalations_value,
    measures_wide.escalations_score,
    measures_wide.mrr_change_value,
    measures_wide.mrr_change_score,
    measures_wide.active_user_growth_value,
    measures_wide.active_user_growth_score,
    measures_wide.expansion_pipeline_value,
    measures_wide.expansion_pipeline_score,
    components_wide.product_usage_score,
    coalesce(components_wide.product_usage_weight_used, 0) as product_usage_weight_used,
    coalesce(components_wide.product_usage_weight_used, 0) * coalesce(components_wide.product_usage_score, 0)
        as product_usage_contribution,
    components_wide.business_outcomes_score,
    coalesce(components_wide.business_outcomes_weight_used, 0) as business_outcomes_weight_used,
    coalesce(components_wide.business_outcomes_weight_used, 0) * coalesce(components_wide.business_outcomes_score, 0)
        as business_outcomes_contribution,
    components_wide.relationship_quality_score,
    coalesce(components_wide.relationship_quality_weight_used, 0) as relationship_quality_weight_used,
    coalesce(components_wide.relationship_quality_weight_used, 0)
    * coalesce(components_wide.relationship_quality_score, 0) as relationship_quality_contribution,
    components_wide.account_growth_score,
    coalesce(components_wide.account_growth_weight_used, 0) as account_growth_weight_used,
    coalesce(components_wide.account_growth_weight_used, 0) * coalesce(components_wide.account_growth_score, 0)
        as account_growth_contribution,
    coalesce(components_wide.components_used, 0) as components_used,
    case
        when components_wide.components_used > 0 then cast(components_wide.health_score as {{ type_double() }})
    end as health_score
from measures_wide
left join components_wide
    on
        measures_wide.account_id = components_wide.account_id
        and measures_wide.activity_date = components_wide.activity_date
