-- Current version of every CRM account (deleted ones included, flagged), enums normalized.
with

accounts as (
    select * from {{ ref('base_crm__accounts') }}
    where dq_status = 'kept'
)

select
    account_id,
    account_name,
    industry,
    employee_count,
    region,
    csm_id,
    created_at,
    updated_at,
    is_deleted,
    _loaded_at
from accounts
