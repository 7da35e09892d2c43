-- Current version of every opportunity; amount in dollars of ARR.
with

opportunities as (
    select * from {{ ref('base_crm__opportunities') }}
    where dq_status = 'kept'
)

select
    opportunity_id,
    account_id,
    opportunity_type,
    stage,
    {{ cents_to_dollars('amount_cents') }} as amount_arr,
    created_at,
    close_date,
    updated_at,
    _loaded_at
from opportunities
