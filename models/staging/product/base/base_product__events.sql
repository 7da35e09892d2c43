{{ config(materialized="table") }}

-- Every raw product_events row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
    select * from {{ source('product', 'product_events') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

normalized as (
    select
        event_id,
        account_id,
        user_id,
        {{ normalize_enum('event_type') }} as event_type,
        feature_key,
        occurred_at,
        _loaded_at
    from source
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('product', 'product_events', table_rules=[
            ["known_accounts.known_account_id is null", "unknown_account"]
        ]) }} as dq_rule
    from normalized
    left join known_accounts
        on normalized.account_id = known_accounts.known_account_id
)

{{ dq_classify('validated', 'product', 'product_events') }}
