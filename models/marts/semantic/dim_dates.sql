-- One row per calendar day of the months the revenue history covers, from the first
-- subscription month to the last day of the as-of month: MetricFlow's daily time spine. It is
-- derived from the month spine (no fixed range and no wall clock), so the same raw data always
-- gives the same days, and every month is whole, the running one included.
with

months as (
    select * from {{ ref('int_revenue__months') }}
),

day_offsets as (
    -- 0 .. 99, more than any month has days
    {{ integers(2) }}
)

select {{ add_days('months.month', 'day_offsets.n') }} as date_day
from months
cross join day_offsets
where day_offsets.n <= {{ days_between('months.month', 'months.month_end') }}
