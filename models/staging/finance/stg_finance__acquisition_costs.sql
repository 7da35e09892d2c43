-- Acquisition cost per account in dollars.
with

costs as (
    select * from {{ ref('base_finance__acquisition_costs') }}
    where dq_status = 'kept'
)

select
    account_id,
    acquired_month,
    {{ cents_to_dollars('cac_cents') }} as cac,
    _loaded_at
from costs
