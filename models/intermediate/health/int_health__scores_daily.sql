-- noqa: disable=LT02,LT05
-- (layout rules are off here: the per-measure and per-component columns are written by Jinja
-- loops over health_measures() and health_components(), which sqlfluff's indentation cannot follow)
{{
    config(
        on_schema_change='fail',
        tags=['health'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}
-- One row per account and paid day: every health measure with its 0-100 score, each
-- component's score, weight used and contribution, and the health score. Each measure is
-- scaled by its row of health_measure_scales (linear between zero_at and full_at, clamped) and
-- weighted by the weights of the account's size segment on that day (health_score_weights, which
-- also names each measure's component); a component is the weighted average of its measures with
-- data, a component without data is left out and the other weights re-normalized, and the
-- contributions sum to the score. Sums run over exact decimals so the result does not depend on
-- the order the engine adds the terms in. The seeds are turned into one row per size segment (a
-- measure's scale, weight and component in its own columns), so that each account-day is scored
-- in one pass over its row of measures. (The measures were scored in long format, 16 rows per
-- account-day aggregated back into one: 40 of the 45 s of this model at `large`;
-- docs/decisions.md.) Stored (incremental with the usage look-back): the health mart and the
-- alert rule days both read the scores, which a view computed twice per build.
{#- read once: each call of usage_reprocess_from() is a query when the model runs -#}
{%- set reprocess_from = usage_reprocess_from() %}
with

measures as (
    select * from {{ ref('int_health__measures_daily') }}
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

segment_measures as (
    -- every scaled measure in every segment, with its weight there (0 and no component when the
    -- segment does not weight it)
    select
        segments.size_segment,
        scales.measure,
        scales.zero_at,
        scales.full_at,
        segment_weights.component,
        coalesce(segment_weights.weight, 0) as weight
    from segments
    cross join scales
    left join segment_weights
        on
            segments.size_segment = segment_weights.size_segment
            and scales.measure = segment_weights.measure
),

segment_scales as (
    -- one row per size segment: each measure's scale, weight and component, and each
    -- component's weight (the weights of its measures)
    select
        size_segment,
        {%- for measure in health_measures() %}
        max(case when measure = '{{ measure }}' then zero_at end) as {{ measure }}_zero_at,
        max(case when measure = '{{ measure }}' then full_at end) as {{ measure }}_full_at,
        max(case when measure = '{{ measure }}' then weight end) as {{ measure }}_weight,
        max(case when measure = '{{ measure }}' then component end) as {{ measure }}_component,
        {%- endfor %}
        {%- for component in health_components() %}
        sum(case when component = '{{ component }}' then weight end) as {{ component }}_weight
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from segment_measures
    group by size_segment
),

day_segments as (
    -- the account's size segment on the day (unknown without a CRM version then)
    select
        measures.*,
        coalesce(history.size_segment, 'unknown') as size_segment
    from measures
    left join history
        on
            measures.account_id = history.account_id
            and measures.activity_date >= history.valid_from
            and (history.valid_to is null or measures.activity_date < history.valid_to)
),

measure_positions as (
    -- where each value lies between its scale's zero_at (0) and full_at (1)
    select
        day_segments.account_id,
        day_segments.activity_date,
        segment_scales.*,
        {%- for measure in health_measures() %}
        day_segments.{{ measure }} as {{ measure }}_value,
        (day_segments.{{ measure }} - segment_scales.{{ measure }}_zero_at)
        / (segment_scales.{{ measure }}_full_at - segment_scales.{{ measure }}_zero_at) as {{ measure }}_position
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from day_segments
    inner join segment_scales
        on day_segments.size_segment = segment_scales.size_segment
),

measure_scores as (
    -- clamped to 0-100; a measure without data stays null (least and greatest skip nulls)
    select
        *,
        {%- for measure in health_measures() %}
        case
            when {{ measure }}_position is not null then 100 * least(greatest({{ measure }}_position, 0), 1)
        end as {{ measure }}_score
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from measure_positions
),

account_days as (
    -- for each component: the weight of its measures with data and their weighted score, the
    -- weight times the score of each as an exact decimal(20, 15) so that the sum does not
    -- depend on the order the engine adds them in (sixteen terms of precision 20 add up to
    -- precision 35, which no engine rounds; a term is at most 100: the seed's weights are tested
    -- to lie between 0 and 1, and decimal(20, 15) holds up to 99,999)
    select
        *,
        {%- for component in health_components() %}
        {%- for measure in health_measures() %}
        {% if not loop.first %}+ {% endif %}case
            when {{ measure }}_component = '{{ component }}' and {{ measure }}_score is not null
                then {{ measure }}_weight
            else 0
        end
        {%- endfor %} as {{ component }}_weight_with_data,
        {%- for measure in health_measures() %}
        {% if not loop.first %}+ {% endif %}case
            when {{ measure }}_component = '{{ component }}' and {{ measure }}_score is not null
                then cast({{ measure }}_weight * {{ measure }}_score as decimal(20, 15))
            else cast(0 as decimal(20, 15))
        end
        {%- endfor %} as {{ component }}_weighted_score
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from measure_scores
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
{{ in_day_order() }}
