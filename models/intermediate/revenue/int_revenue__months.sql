-- One row per calendar month from the first subscription period to the as-of month, with the
-- day its MRR is measured on: the month's last day, or the as-of date for the running month.
with

periods as (
    select * from {{ ref('stg_billing__subscription_periods') }}
),

numbers as (
    {{ integers(3) }}
),

bounds as (
    select
        min({{ month_start('period_start') }}) as first_month,
        {{ month_start(as_of_date()) }} as last_month,
        {{ as_of_date() }} as as_of_date
    from periods
),

months as (
    select
        {{ add_months('bounds.first_month', 'numbers.n') }} as month,
        bounds.last_month,
        bounds.as_of_date
    from bounds
    cross join numbers
)

select
    month,
    {{ month_end('month') }} as month_end,
    case
        when {{ month_end('month') }} <= as_of_date then {{ month_end('month') }}
        else as_of_date
    end as measured_on,
    {{ month_end('month') }} <= as_of_date as is_complete_month
from months
where month <= last_month
