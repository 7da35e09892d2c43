-- One row per month, survey type, touchpoint and account size segment, with rollup rows `all`
-- for any of the three: CSAT % and average, NPS with its promoters, passives and detractors,
-- CES average (each over the answered surveys of its type answered in the month) and the
-- response rate of the surveys sent in the month. A row exists when its cell had a survey
-- sent or answered that month.
with

responses as (
    select * from {{ ref('int_surveys__responses') }}
),

detail_flags as (
    select true as is_detail
    union all
    select false as is_detail
),

rollup_levels as (
    -- every survey counts once at each of the 8 combinations of detail and `all`
    select
        by_survey_type.is_detail as by_survey_type,
        by_touchpoint.is_detail as by_touchpoint,
        by_segment.is_detail as by_segment
    from detail_flags as by_survey_type
    cross join detail_flags as by_touchpoint
    cross join detail_flags as by_segment
),

response_levels as (
    select
        responses.sent_month,
        responses.response_month,
        responses.is_answered,
        responses.score,
        responses.score_category,
        responses.survey_type as response_survey_type,
        case when rollup_levels.by_survey_type then responses.survey_type else 'all' end as survey_type,
        case when rollup_levels.by_touchpoint then responses.touchpoint else 'all' end as touchpoint,
        case when rollup_levels.by_segment then responses.size_segment else 'all' end as segment
    from responses
    cross join rollup_levels
),

sent as (
    select
        sent_month as month,
        survey_type,
        touchpoint,
        segment,
        count(*) as surveys_sent,
        count(case when is_answered then 1 end) as surveys_answered
    from response_levels
    group by sent_month, survey_type, touchpoint, segment
),

answered as (
    select
        response_month as month,
        survey_type,
        touchpoint,
        segment,
        count(*) as responses,
        count(case when response_survey_type = 'csat' then 1 end) as csat_responses,
        count(case when score_category = 'satisfied' then 1 end) as csat_satisfied_responses,
        sum(case when response_survey_type = 'csat' then score else 0 end) as csat_score_total,
        count(case when response_survey_type = 'nps' then 1 end) as nps_responses,
        count(case when score_category = 'promoter' then 1 end) as promoters,
        count(case when score_category = 'passive' then 1 end) as passives,
        count(case when score_category = 'detractor' then 1 end) as detractors,
        count(case when response_survey_type = 'ces' then 1 end) as ces_responses,
        sum(case when response_survey_type = 'ces' then score else 0 end) as ces_score_total
    from response_levels
    where is_answered
    group by response_month, survey_type, touchpoint, segment
),

cells as (
    select
        month,
        survey_type,
        touchpoint,
        segment
    from sent
    union
    select
        month,
        survey_type,
        touchpoint,
        segment
    from answered
),

measured as (
    select
        cells.month,
        cells.survey_type,
        cells.touchpoint,
        cells.segment,
        coalesce(sent.surveys_sent, 0) as surveys_sent,
        coalesce(sent.surveys_answered, 0) as surveys_answered,
        coalesce(answered.responses, 0) as responses,
        coalesce(answered.csat_responses, 0) as csat_responses,
        coalesce(answered.csat_satisfied_responses, 0) as csat_satisfied_responses,
        coalesce(answered.csat_score_total, 0) as csat_score_total,
        coalesce(answered.nps_responses, 0) as nps_responses,
        coalesce(answered.promoters, 0) as promoters,
        coalesce(answered.passives, 0) as passives,
        coalesce(answered.detractors, 0) as detractors,
        coalesce(answered.ces_responses, 0) as ces_responses,
        coalesce(answered.ces_score_total, 0) as ces_score_total
    from cells
    left join sent
        on
            cells.month = sent.month
            and cells.survey_type = sent.survey_type
            and cells.touchpoint = sent.touchpoint
            and cells.segment = sent.segment
    left join answered
        on
            cells.month = answered.month
            and cells.survey_type = answered.survey_type
            and cells.touchpoint = answered.touchpoint
            and cells.segment = answered.segment
    -- a build with an earlier as_of_timestamp stops at its month
    where cells.month <= {{ month_start(as_of_date()) }}
)

select
    month,
    survey_type,
    touchpoint,
    segment,
    responses,
    surveys_sent,
    surveys_answered,
    {{ ratio('surveys_answered', 'surveys_sent') }} as response_rate,
    csat_responses,
    csat_satisfied_responses,
    {{ ratio('csat_satisfied_responses', 'csat_responses') }} as csat_pct,
    {{ ratio('csat_score_total', 'csat_responses') }} as csat_avg,
    nps_responses,
    promoters,
    passives,
    detractors,
    {{ ratio('100 * (promoters - detractors)', 'nps_responses') }} as nps,
    ces_responses,
    {{ ratio('ces_score_total', 'ces_responses') }} as ces_avg,
    {{ month_end('month') }} <= {{ as_of_date() }} as is_complete_month
from measured
