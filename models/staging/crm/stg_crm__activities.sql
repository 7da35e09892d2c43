-- One row per CSM activity with an account.
with

activities as (
    select * from {{ ref('base_crm__activities') }}
    where dq_status = 'kept'
)

select
    activity_id,
    account_id,
    csm_id,
    activity_type,
    occurred_at,
    executive_present as is_executive_present,
    _loaded_at
from activities
