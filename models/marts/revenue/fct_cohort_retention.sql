-- One row per cohort (month of an account's first MRR > 0) and months since that start:
-- how many of the cohort's accounts still pay and how much of its starting MRR remains.
with

movements as (
    select * from {{ ref('int_revenue__mrr_movements') }}
),

cohort_starts as (
    select
        first_paid_month as cohort_month,
        count(*) as cohort_size,
        sum(mrr) as cohort_starting_mrr
    from movements
    where month = first_paid_month
    group by first_paid_month
),

cohort_months as (
    select
        first_paid_month as cohort_month,
        -- an integer on every engine (PostgreSQL's datediff returns a double)
        cast({{ dbt.datediff('first_paid_month', 'month', 'month') }} as {{ dbt.type_int() }}) -- noqa: LT05
            as months_since_start,
        month,
        sum(case when mrr > 0 then 1 else 0 end) as active_customers,
        sum(mrr) as mrr
    from movements
    group by first_paid_month, month
)

select
    cohort_months.cohort_month,
    cohort_months.months_since_start,
    cohort_months.month,
    cohort_starts.cohort_size,
    cohort_months.active_customers,
    {{ ratio('cohort_months.active_customers', 'cohort_starts.cohort_size') }} as logo_retention_rate,
    {{ money('cohort_starts.cohort_starting_mrr') }} as cohort_starting_mrr,
    {{ money('cohort_months.mrr') }} as mrr,
    case
        when cohort_starts.cohort_starting_mrr > 0
            then {{ ratio('cohort_months.mrr', 'cohort_starts.cohort_starting_mrr') }}
    end as revenue_retention_rate
from cohort_months
inner join cohort_starts
    on cohort_months.cohort_month = cohort_starts.cohort_month
