-- Current version of every invoice; amount in dollars.
with

invoices as (
    select * from {{ ref('base_billing__invoices') }}
    where dq_status = 'kept'
)

select
    invoice_id,
    account_id,
    subscription_id,
    {{ cents_to_dollars('amount_cents') }} as amount,
    issued_at as issued_date,
    due_at as due_date,
    paid_at,
    status,
    _loaded_at
from invoices
