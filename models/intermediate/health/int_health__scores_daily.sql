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
-- result does not depend on the order the engine adds the rows in. One aggregation turns the
-- measure rows back into one row per account and day (values, scores and each component's
-- weighted sums); the component scores and the health score are then arithmetic on that row.
-- (Aggregating per component and per measure separately and joining the two made the engine
-- keep the 16 measure rows per account-day twice, which at `large`, 150M rows, spilled until
-- the disk filled: docs/decisions.md.) Stored (incremental with the usage look-back): the
-- health mart and the alert rule days both read the scores, which a view computed twice per
-- build.
{#- read once: each call of usage_reprocess_from() is a query when the model runs -#}
{%- set reprocess_from = usage_reprocess_from() %}
with

measures as (
    select * from {{ ref('int_health__measures_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ reprocess_from }}
    {%- endif %}
),

paid_days as (
    select
        account_id,
        activity_date
    from {{ ref('int_health__usage_signals_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ reprocess_from }}
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

weighted_measures as (
    -- the weight times the score of a measure with data, as an exact decimal so that the sums
    -- do not depend on the order the engine adds the rows in
    select
        *,
        cast(weight * measure_score as decimal(38, 15)) as weighted_score
    from measure_scores
),

account_days as (
    -- one row per account and day: each measure's value and score, and for each component
    -- the weight of its measures, the weight of those with data and their weighted score
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
        max(case when measure = 'expansion_pipeline' then measure_score end) as expansion_pipeline_score,
        sum(case when component = 'product_usage' then weight end) as product_usage_weight,
        sum(case when component = 'product_usage' and measure_score is not null then weight end)
            as product_usage_weight_with_data,
        sum(case when component = 'product_usage' then weighted_score end) as product_usage_weighted_score,
        sum(case when component = 'business_outcomes' then weight end) as business_outcomes_weight,
        sum(case when component = 'business_outcomes' and measure_score is not null then weight end)
            as business_outcomes_weight_with_data,
        sum(case when component = 'business_outcomes' then weighted_score end) as business_outcomes_weighted_score,
        sum(case when component = 'relationship_quality' then weight end) as relationship_quality_weight,
        sum(case when component = 'relationship_quality' and measure_score is not null then weight end)
            as relationship_quality_weight_with_data,
        sum(case when component = 'relationship_quality' then weighted_score end)
            as relationship_quality_weighted_score,
        sum(case when component = 'account_growth' then weight end) as account_growth_weight,
        sum(case when component = 'account_growth' and measure_score is not null then weight end)
            as account_growth_weight_with_data,
        sum(case when component = 'account_growth' then weighted_score end) as account_growth_weighted_score
    from weighted_measures
    group by account_id, activity_date, size_segment
),

component_scores as (
    -- a component's score: the weighted average score of its measures with data
    select
        *,
        {{ ratio('product_usage_weighted_score', 'product_usage_weight_with_data') }}
            as product_usage_score,
        {{ ratio('business_outcomes_weighted_score', 'business_outcomes_weight_with_data') }}
            as business_outcomes_score,
        {{ ratio('relationship_quality_weighted_score', 'relationship_quality_weight_with_data') }}
            as relationship_quality_score,
        {{ ratio('account_growth_weighted_score', 'account_growth_weight_with_data') }}
            as account_growth_score
    from account_days
),

used_weights as (
    -- the weight of the components with data, which the weights used are re-normalized by
    select
        *,
        case when product_usage_score is not null then product_usage_weight else 0 end
        + case when business_outcomes_score is not null then business_outcomes_weight else 0 end
        + case when relationship_quality_score is not null then relationship_quality_weight else 0 end
        + case when account_growth_score is not null then account_growth_weight else 0 end as used_weight,
        cast(
            case when product_usage_score is not null then 1 else 0 end
            + case when business_outcomes_score is not null then 1 else 0 end
            + case when relationship_quality_score is not null then 1 else 0 end
            + case when account_growth_score is not null then 1 else 0 end
            as bigint
        ) as components_used
    from component_scores
),

weights_used as (
    select
        *,
        case
            when product_usage_score is not null and used_weight > 0
                then {{ ratio('product_usage_weight', 'used_weight') }}
            else 0
        end as product_usage_weight_used,
        case
            when business_outcomes_score is not null and used_weight > 0
                then {{ ratio('business_outcomes_weight', 'used_weight') }}
            else 0
        end as business_outcomes_weight_used,
        case
            when relationship_quality_score is not null and used_weight > 0
                then {{ ratio('relationship_quality_weight', 'used_weight') }}
            else 0
        end as relationship_quality_weight_used,
        case
            when account_growth_score is not null and used_weight > 0
                then {{ ratio('account_growth_weight', 'used_weight') }}
            else 0
        end as account_growth_weight_used
    from used_weights
),

health_scores as (
    -- the contributions summed as exact decimals, so that the score does not depend on the
    -- order the engine adds them in
    select
        *,
        cast(product_usage_weight_used * coalesce(product_usage_score, 0) as decimal(38, 15))
        + cast(business_outcomes_weight_used * coalesce(business_outcomes_score, 0) as decimal(38, 15))
        + cast(relationship_quality_weight_used * coalesce(relationship_quality_score, 0) as decimal(38, 15))
        + cast(account_growth_weight_used * coalesce(account_growth_score, 0) as decimal(38, 15)) as exact_health_score
    from weights_used
)

select
    account_id,
    activity_date,
    size_segment,
    license_utilization_value,
    license_utilization_score,
    active_day_frequency_value,
    active_day_frequency_score,
    core_feature_breadth_value,
    core_feature_breadth_score,
    usage_trend_value,
    usage_trend_score,
    onboarding_on_time_value,
    onboarding_on_time_score,
    time_to_first_value_value,
    time_to_first_value_score,
    payment_timeliness_value,
    payment_timeliness_score,
    ticket_burden_value,
    ticket_burden_score,
    csat_value,
    csat_score,
    nps_value,
    nps_score,
    ticket_sentiment_value,
    ticket_sentiment_score,
    executive_engagement_value,
    executive_engagement_score,
    escalations_value,
    escalations_score,
    mrr_change_value,
    mrr_change_score,
    active_user_growth_value,
    active_user_growth_score,
    expansion_pipeline_value,
    expansion_pipeline_score,
    product_usage_score,
    product_usage_weight_used,
    product_usage_weight_used * coalesce(product_usage_score, 0) as product_usage_contribution,
    business_outcomes_score,
    business_outcomes_weight_used,
    business_outcomes_weight_used * coalesce(business_outcomes_score, 0) as business_outcomes_contribution,
    relationship_quality_score,
    relationship_quality_weight_used,
    relationship_quality_weight_used * coalesce(relationship_quality_score, 0) as relationship_quality_contribution,
    account_growth_score,
    account_growth_weight_used,
    account_growth_weight_used * coalesce(account_growth_score, 0) as account_growth_contribution,
    components_used,
    case
        when components_used > 0 then cast(exact_health_score as {{ type_double() }})
    end as health_score
from health_scores
