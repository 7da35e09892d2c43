-- Current state of every CRM account (deleted ones included and flagged) with its size
-- segment from the employee-count bands seed and its CSM.
with

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

csms as (
    select * from {{ ref('stg_crm__csms') }}
),

employee_bands as (
    select * from {{ ref('segment_bands') }}
    where band_type = 'employee_count'
)

select
    accounts.account_id,
    accounts.account_name,
    accounts.industry,
    accounts.region,
    accounts.employee_count,
    coalesce(employee_bands.segment, 'unknown') as size_segment,
    accounts.csm_id,
    csms.csm_name,
    accounts.created_at,
    accounts.is_deleted
from accounts
left join employee_bands
    on
        accounts.employee_count >= employee_bands.lower_bound
        and (employee_bands.upper_bound is null or accounts.employee_count < employee_bands.upper_bound)
left join csms
    on accounts.csm_id = csms.csm_id
