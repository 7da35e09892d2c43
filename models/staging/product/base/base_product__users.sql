{{ config(materialized="table") }}

-- Every raw product_users row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
    {{ raw_source('product', 'product_users') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

normalized as (
    select
        user_id,
        account_id,
        {{ normalize_enum('role') }} as role,
        created_at,
        deactivated_at,
        email,
        _loaded_at
    from source
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('product', 'product_users', table_rules=[
            ["known_accounts.known_account_id is null", "unknown_account"]
        ]) }} as dq_rule
    from normalized
    left join known_accounts
        on normalized.account_id = known_accounts.known_account_id
)

{{ dq_classify('validated', 'product', 'product_users') }}
