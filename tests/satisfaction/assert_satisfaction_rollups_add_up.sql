-- Counts of fct_satisfaction_monthly add up across its rollups: for every month and every
-- combination of the other two dimensions (`all` included), the rows of each survey type,
-- touchpoint or segment sum to the row where that dimension is `all`.
with

satisfaction as (
    select * from {{ ref('fct_satisfaction_monthly') }}
),

parts as (
    select
        'survey_type' as rolled_up,
        month,
        touchpoint as first_kept,
        segment as second_kept,
        sum(responses) as responses,
        sum(surveys_sent) as surveys_sent,
        sum(surveys_answered) as surveys_answered,
        sum(csat_responses) as csat_responses,
        sum(csat_satisfied_responses) as csat_satisfied_responses,
        sum(nps_responses) as nps_responses,
        sum(promoters) as promoters,
        sum(passives) as passives,
        sum(detractors) as detractors,
        sum(ces_responses) as ces_responses
    from satisfaction
    where survey_type <> 'all'
    group by month, touchpoint, segment
    union all
    select
        'touchpoint' as rolled_up,
        month,
        survey_type as first_kept,
        segment as second_kept,
        sum(responses) as responses,
        sum(surveys_sent) as surveys_sent,
        sum(surveys_answered) as surveys_answered,
        sum(csat_responses) as csat_responses,
        sum(csat_satisfied_responses) as csat_satisfied_responses,
        sum(nps_responses) as nps_responses,
        sum(promoters) as promoters,
        sum(passives) as passives,
        sum(detractors) as detractors,
        sum(ces_responses) as ces_responses
    from satisfaction
    where touchpoint <> 'all'
    group by month, survey_type, segment
    union all
    select
        'segment' as rolled_up,
        month,
        survey_type as first_kept,
        touchpoint as second_kept,
        sum(responses) as responses,
        sum(surveys_sent) as surveys_sent,
        sum(surveys_answered) as surveys_answered,
        sum(csat_responses) as csat_responses,
        sum(csat_satisfied_responses) as csat_satisfied_responses,
        sum(nps_responses) as nps_responses,
        sum(promoters) as promoters,
        sum(passives) as passives,
        sum(detractors) as detractors,
        sum(ces_responses) as ces_responses
    from satisfaction
    where segment <> 'all'
    group by month, survey_type, touchpoint
),

totals as (
    select
        'survey_type' as rolled_up,
        month,
        touchpoint as first_kept,
        segment as second_kept,
        responses,
        surveys_sent,
        surveys_answered,
        csat_responses,
        csat_satisfied_responses,
        nps_responses,
        promoters,
        passives,
        detractors,
        ces_responses
    from satisfaction
    where survey_type = 'all'
    union all
    select
        'touchpoint' as rolled_up,
        month,
        survey_type as first_kept,
        segment as second_kept,
        responses,
        surveys_sent,
        surveys_answered,
        csat_responses,
        csat_satisfied_responses,
        nps_responses,
        promoters,
        passives,
        detractors,
        ces_responses
    from satisfaction
    where touchpoint = 'all'
    union all
    select
        'segment' as rolled_up,
        month,
        survey_type as first_kept,
        touchpoint as second_kept,
        responses,
        surveys_sent,
        surveys_answered,
        csat_responses,
        csat_satisfied_responses,
        nps_responses,
        promoters,
        passives,
        detractors,
        ces_responses
    from satisfaction
    where segment = 'all'
),

compared as (
    select
        coalesce(totals.rolled_up, parts.rolled_up) as rolled_up,
        coalesce(totals.month, parts.month) as month,
        coalesce(totals.first_kept, parts.first_kept) as first_kept,
        coalesce(totals.second_kept, parts.second_kept) as second_kept,
        totals.month is null or parts.month is null
        or totals.responses <> parts.responses
        or totals.surveys_sent <> parts.surveys_sent
        or totals.surveys_answered <> parts.surveys_answered
        or totals.csat_responses <> parts.csat_responses
        or totals.csat_satisfied_responses <> parts.csat_satisfied_responses
        or totals.nps_responses <> parts.nps_responses
        or totals.promoters <> parts.promoters
        or totals.passives <> parts.passives
        or totals.detractors <> parts.detractors
        or totals.ces_responses <> parts.ces_responses as is_mismatch
    from totals
    full outer join parts
        on
            totals.rolled_up = parts.rolled_up
            and totals.month = parts.month
            and totals.first_kept = parts.first_kept
            and totals.second_kept = parts.second_kept
)

select
    rolled_up,
    month,
    first_kept,
    second_kept
from compared
where is_mismatch
