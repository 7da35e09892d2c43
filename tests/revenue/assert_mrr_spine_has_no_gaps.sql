-- Every account has exactly one fct_mrr_monthly row per month from its first paying month
-- to the as-of month: no gaps, no early stop.
with

mrr as (
    select * from {{ ref('fct_mrr_monthly') }}
),

months as (
    select * from {{ ref('int_revenue__months') }}
),

per_account as (
    select
        account_id,
        min(month) as first_month,
        max(month) as last_month,
        count(*) as month_rows
    from mrr
    group by account_id
),

expected as (
    select
        per_account.account_id,
        per_account.month_rows,
        per_account.last_month,
        count(*) as expected_rows,
        max(months.month) as as_of_month
    from per_account
    inner join months
        on per_account.first_month <= months.month
    group by per_account.account_id, per_account.month_rows, per_account.last_month
)

select *
from expected
where month_rows <> expected_rows or last_month <> as_of_month
