-- noqa: disable=LT02
-- (indentation is off here: whole CTEs exist only on incremental runs)
{{
    config(
        on_schema_change='fail',
        pre_hook="{{ delete_keyless_rows_of_changed_load_days('product', 'product_users') }}",
        **incremental_where_possible('delete+insert', 'user_id')
    )
}}

-- Every raw product_users row, enums normalized, classified as kept, duplicate,
-- superseded or quarantined (with the rule it broke). Staging and the quarantine read it.
-- Incremental (a plain table on Spark) like base_product__events: a run re-reads the raw rows
-- of every load day whose raw row count differs from the rows stored for it and classifies
-- them together with the stored versions of the same users (the latest version wins) and of
-- the users quarantined as unknown_account (the account may have arrived in the CRM since).
-- Stored rows quarantined for another rule are carried over unchanged: their stored values
-- are already cast (an out-of-range integer is null), so they are not validated again; an
-- identical copy is one of the same load day, which a re-read day re-reads whole.
with

raw_users as (
    {{ raw_source('product', 'product_users') }}
),

known_accounts as (
    {{ known_account_ids() }}
),

{%- if is_incremental() %}
{%- set load_days = changed_load_day_list('product', 'product_users') %}

source as (
    select raw_users.*
    from raw_users
    where {{ loaded_on_days(load_days, 'raw_users._loaded_at', 'product', 'product_users') }}
),

stored as (
    {{ stored_rows_to_reclassify('product', 'product_users', load_days) }}
),
{%- else %}

source as (
    select * from raw_users
),
{%- endif %}

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
    {%- if is_incremental() %}
    union all
    select
        user_id,
        account_id,
        role,
        created_at,
        deactivated_at,
        email,
        _loaded_at
    from stored
    where dq_rule is null or dq_rule = 'unknown_account'
    {%- endif %}
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
),

classified as (
    {{ dq_classify('validated', 'product', 'product_users') }}
)

select * from classified
{%- if is_incremental() %}
union all
select * from stored
where dq_rule is not null and dq_rule <> 'unknown_account'
{%- endif %}
