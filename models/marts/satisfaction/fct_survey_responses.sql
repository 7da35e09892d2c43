-- One row per valid sent survey (answered or not): type, touchpoint, score and its category,
-- the account's size segment and the months it counts in (sent for response rate, answered
-- for scores). IDs only: no respondent names, emails or comments.
with

responses as (
    select * from {{ ref('int_surveys__responses') }}
)

select
    response_id,
    account_id,
    size_segment,
    survey_type,
    touchpoint,
    ticket_id,
    is_answered,
    score,
    score_category,
    is_satisfied,
    sent_at,
    responded_at,
    sent_month,
    response_month
from responses
