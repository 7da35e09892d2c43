-- One row per account onboarding milestone.
with

milestones as (
    select * from {{ ref('base_onboarding__milestones') }}
    where dq_status = 'kept'
)

select
    account_id,
    milestone,
    due_date,
    completed_at,
    _loaded_at
from milestones
