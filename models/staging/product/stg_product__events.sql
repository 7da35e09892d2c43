-- One row per product event, re-deliveries of the same event_id merged.
with

events as (
    select * from {{ ref('base_product__events') }}
    where dq_status = 'kept'
)

select
    event_id,
    account_id,
    user_id,
    event_type,
    feature_key,
    occurred_at,
    cast(occurred_at as date) as event_date,
    _loaded_at
from events
