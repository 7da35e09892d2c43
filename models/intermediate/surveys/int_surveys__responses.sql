-- One row per valid sent survey (answered or not) with the account's size segment, the month
-- it was sent and the month it was answered, and the score's category: promoter, passive or
-- detractor for NPS; satisfied or not_satisfied for CSAT; easy or not_easy for CES.
with

responses as (
    -- explicit columns: the free-text comment (customer PII) stays in staging
    select
        response_id,
        account_id,
        survey_type,
        touchpoint,
        ticket_id,
        score,
        is_answered,
        sent_at,
        responded_at
    from {{ ref('stg_survey__responses') }}
),

accounts as (
    select * from {{ ref('int_accounts__segmented') }}
),

survey_scales as (
    select * from {{ ref('survey_scales') }}
)

select
    responses.response_id,
    responses.account_id,
    coalesce(accounts.size_segment, 'unknown') as size_segment,
    responses.survey_type,
    responses.touchpoint,
    responses.ticket_id,
    responses.is_answered,
    responses.score,
    responses.score >= survey_scales.satisfied_min_score as is_satisfied,
    case
        when responses.score is null then null
        when responses.survey_type = 'nps' and responses.score >= survey_scales.satisfied_min_score
            then 'promoter'
        when responses.survey_type = 'nps' and responses.score <= survey_scales.dissatisfied_max_score
            then 'detractor'
        when responses.survey_type = 'nps' then 'passive'
        when responses.survey_type = 'csat' and responses.score >= survey_scales.satisfied_min_score
            then 'satisfied'
        when responses.survey_type = 'csat' then 'not_satisfied'
        when responses.survey_type = 'ces' and responses.score >= survey_scales.satisfied_min_score
            then 'easy'
        when responses.survey_type = 'ces' then 'not_easy'
    end as score_category,
    responses.sent_at,
    responses.responded_at,
    {{ month_start('responses.sent_at') }} as sent_month,
    case when responses.is_answered then {{ month_start('responses.responded_at') }} end as response_month
from responses
left join accounts
    on responses.account_id = accounts.account_id
left join survey_scales
    on responses.survey_type = survey_scales.survey_type
