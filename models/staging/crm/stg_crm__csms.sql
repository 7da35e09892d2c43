-- One row per customer success manager.
with

csms as (
    select * from {{ ref('base_crm__csms') }}
    where dq_status = 'kept'
)

select
    csm_id,
    full_name as csm_name,
    email as csm_email,
    team as csm_team,
    started_at as started_on,
    _loaded_at
from csms
