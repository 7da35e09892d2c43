-- One row per valid sent survey (answered or not). comment is free text that may hold
-- customer PII: it stops here.
with

responses as (
    select * from {{ ref('base_survey__responses') }}
    where dq_status = 'kept'
)

select
    response_id,
    account_id,
    respondent_user_id,
    survey_type,
    touchpoint,
    ticket_id,
    score,
    score is not null as is_answered,
    sent_at,
    responded_at,
    comment,
    _loaded_at
from responses
