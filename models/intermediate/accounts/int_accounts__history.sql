-- One row per account and span of days over which its CRM attributes held: the CSM, employee
-- count and size segment from valid_from to valid_to (exclusive; null while current). A day
-- takes the last version written by its end, so every past day gets the values it had on that
-- day, and an incremental health run agrees with a full refresh when an account changes CSM
-- or segment.
with

versions as (
    select * from {{ ref('stg_crm__account_versions') }}
),

employee_bands as (
    select * from {{ ref('segment_bands') }}
    where band_type = 'employee_count'
),

ranked as (
    -- the last version written on a day speaks for that day
    select
        account_id,
        employee_count,
        csm_id,
        is_deleted,
        cast(updated_at as date) as valid_from,
        row_number() over (
            partition by account_id, cast(updated_at as date)
            order by updated_at desc, _loaded_at desc, csm_id desc, employee_count desc
        ) as rank_in_day
    from versions
),

spans as (
    select
        account_id,
        employee_count,
        csm_id,
        is_deleted,
        valid_from,
        lead(valid_from) over (partition by account_id order by valid_from) as valid_to
    from ranked
    where rank_in_day = 1
)

select
    spans.account_id,
    spans.valid_from,
    spans.valid_to,
    spans.csm_id,
    spans.employee_count,
    coalesce(employee_bands.segment, 'unknown') as size_segment,
    spans.is_deleted
from spans
left join employee_bands
    on
        spans.employee_count >= employee_bands.lower_bound
        and (employee_bands.upper_bound is null or spans.employee_count < employee_bands.upper_bound)
