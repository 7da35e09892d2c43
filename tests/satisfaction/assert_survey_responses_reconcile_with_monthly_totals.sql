-- The response fact and the monthly mart tell the same story: per month, the surveys of
-- fct_survey_responses answered that month and sent that month equal the all/all/all row of
-- fct_satisfaction_monthly.
with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

satisfaction as (
    select * from {{ ref('fct_satisfaction_monthly') }}
    where survey_type = 'all' and touchpoint = 'all' and segment = 'all'
),

answered as (
    select
        response_month as month,
        count(*) as responses,
        count(case when score_category = 'promoter' then 1 end) as promoters,
        count(case when score_category = 'detractor' then 1 end) as detractors,
        count(case when score_category = 'satisfied' then 1 end) as csat_satisfied_responses
    from responses
    where is_answered
    group by response_month
),

sent as (
    select
        sent_month as month,
        count(*) as surveys_sent,
        count(case when is_answered then 1 end) as surveys_answered
    from responses
    group by sent_month
),

months as (
    select month from answered
    union
    select month from sent
)

select coalesce(months.month, satisfaction.month) as month
from months
left join answered
    on months.month = answered.month
left join sent
    on months.month = sent.month
full outer join satisfaction
    on months.month = satisfaction.month
where
    months.month is null
    or satisfaction.month is null
    or satisfaction.responses <> coalesce(answered.responses, 0)
    or satisfaction.promoters <> coalesce(answered.promoters, 0)
    or satisfaction.detractors <> coalesce(answered.detractors, 0)
    or satisfaction.csat_satisfied_responses <> coalesce(answered.csat_satisfied_responses, 0)
    or satisfaction.surveys_sent <> coalesce(sent.surveys_sent, 0)
    or satisfaction.surveys_answered <> coalesce(sent.surveys_answered, 0)
