-- One row per valid version of a CRM account (the current one and the older versions CDC
-- superseded) loaded by the as-of time: the history that gives each past day the CSM and
-- size segment the account had on that day. A replay with the var as_of_timestamp sees only
-- the versions loaded by then, as the daily runs of that time did.
with

versions as (
    select * from {{ ref('base_crm__accounts') }}
    where
        dq_status in ('kept', 'superseded')
        and _loaded_at <= {{ as_of_timestamp() }}
)

select
    account_id,
    employee_count,
    csm_id,
    is_deleted,
    updated_at,
    _loaded_at
from versions
