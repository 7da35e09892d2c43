-- One row per calendar month from the first subscription period to the as-of month, with the
-- day its MRR is measured on: the month's last day, or the as-of date for the running month.
with

periods as (
    select * from {{ ref('stg_billing__subscription_periods') }}
),

first_month as (
    select min({{ month_start('period_start') }}) as first_month
    from periods
),

months as (
    {{ month_spine('(select first_month from first_month)') }}
)

select
    month,
    month_end,
    measured_on,
    is_complete_month
from months
