-- Cross-source mismatches, one row per check, raw table and load day: kept rows that the
-- other sources contradict as of the build's as-of date, counted on the day the row was loaded.
-- - paying_account_missing_from_crm (billing_subscription_periods): a period running on the
--   as-of date with MRR > 0 whose account has no current CRM row, or a deleted one, so
--   dimensions and segments lose revenue;
-- - ticket_from_account_that_never_paid (support_tickets): a ticket from an account that never
--   had a period with MRR > 0, so support marts count accounts the revenue marts never see.
-- (Orphans, rows whose account_id is in no CRM row at all, are quarantined as unknown_account
-- and counted from the row accounting.)
with

periods as (
    select * from {{ ref('stg_billing__subscription_periods') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

paying_accounts as (
    select distinct account_id
    from periods
    where mrr > 0
),

paying_missing_from_crm as (
    select
        cast('paying_account_missing_from_crm' as {{ dbt.type_string() }}) as check_name,
        cast('billing_subscription_periods' as {{ dbt.type_string() }}) as source_table,
        cast(periods._loaded_at as date) as load_day,
        cast(count(*) as {{ dbt.type_bigint() }}) as mismatched_rows
    from periods
    left join accounts
        on periods.account_id = accounts.account_id
    where periods.mrr > 0
        and periods.period_start <= {{ as_of_date() }}
        and (periods.period_end is null or periods.period_end > {{ as_of_date() }})
        and (accounts.account_id is null or accounts.is_deleted)
    group by cast(periods._loaded_at as date)
),

tickets_without_revenue as (
    select
        cast('ticket_from_account_that_never_paid' as {{ dbt.type_string() }}) as check_name,
        cast('support_tickets' as {{ dbt.type_string() }}) as source_table,
        cast(tickets._loaded_at as date) as load_day,
        cast(count(*) as {{ dbt.type_bigint() }}) as mismatched_rows
    from tickets
    left join paying_accounts
        on tickets.account_id = paying_accounts.account_id
    where paying_accounts.account_id is null
    group by cast(tickets._loaded_at as date)
)

select
    check_name,
    source_table,
    load_day,
    mismatched_rows
from paying_missing_from_crm
union all
select
    check_name,
    source_table,
    load_day,
    mismatched_rows
from tickets_without_revenue
