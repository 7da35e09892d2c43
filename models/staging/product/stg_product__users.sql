-- One row per product user. email is customer PII: it stops here (downstream keeps user_id only).
with

users as (
    select * from {{ ref('base_product__users') }}
    where dq_status = 'kept'
)

select
    user_id,
    account_id,
    role,
    created_at,
    deactivated_at,
    email,
    _loaded_at
from users
