{{ config(materialized="table") }}

-- Every raw billing_invoices row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
with

source as (
    {{ raw_source('billing', 'billing_invoices') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

normalized as (
    select
        invoice_id,
        account_id,
        subscription_id,
        amount_cents,
        issued_at,
        due_at,
        paid_at,
        {{ normalize_enum('status') }} as status,
        _loaded_at
    from source
),

validated as (
    select
        normalized.*,
        {{ dq_first_broken_rule('billing', 'billing_invoices', table_rules=[
            ["known_accounts.known_account_id is null", "unknown_account"]
        ]) }} as dq_rule
    from normalized
    left join known_accounts
        on normalized.account_id = known_accounts.known_account_id
)

{{ dq_classify('validated', 'billing', 'billing_invoices') }}
