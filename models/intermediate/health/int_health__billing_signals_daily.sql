{{
    config(
        on_schema_change='fail',
        tags=['health'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per account and paid day: the billing signals of the health score - MRR on the day
-- and health_growth_window_days (90) days earlier, its change, and the days the most overdue
-- invoice still unpaid that day is past due - and the next renewal date of the account's
-- annual contracts (the lifecycle stage and the renewal_at_risk alert). Subscription periods
-- cover [start, end). Incremental with the usage look-back.
with

paid_days as (
    select
        account_id,
        activity_date,
        {{ add_days('activity_date', -var('health_growth_window_days')) }} as growth_base_date
    from {{ ref('int_usage__account_windows_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ usage_reprocess_from() }}
    {%- endif %}
),

periods as (
    select * from {{ ref('stg_billing__subscription_periods') }}
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
    where status <> 'void'
),

revenue as (
    -- MRR of the periods covering the day and the growth base date
    select
        paid_days.account_id,
        paid_days.activity_date,
        sum(case
            when
                periods.period_start <= paid_days.activity_date
                and (periods.period_end is null or periods.period_end > paid_days.activity_date)
                then periods.mrr
            else 0
        end) as mrr,
        sum(case
            when
                periods.period_start <= paid_days.growth_base_date
                and (periods.period_end is null or periods.period_end > paid_days.growth_base_date)
                then periods.mrr
            else 0
        end) as growth_base_mrr
    from paid_days
    inner join periods
        on
            paid_days.account_id = periods.account_id
            and paid_days.activity_date >= periods.period_start
            and (periods.period_end is null or paid_days.growth_base_date < periods.period_end)
    group by paid_days.account_id, paid_days.activity_date
),

annual_subscriptions as (
    -- annual core subscriptions renew on the anniversary of their first period
    select
        subscription_id,
        account_id,
        min(period_start) as subscription_start,
        max(case when period_end is null then 1 else 0 end) as is_running,
        max(period_end) as last_period_end
    from periods
    where billing_interval = 'year' and plan_code in ('starter', 'growth', 'enterprise')
    group by subscription_id, account_id
),

subscription_years as (
    -- whole years from the start of each annual subscription running on the day
    select
        paid_days.account_id,
        paid_days.activity_date,
        annual_subscriptions.subscription_start,
        {{ dbt.datediff('annual_subscriptions.subscription_start', 'paid_days.activity_date', 'year') }}
            as years
    from paid_days
    inner join annual_subscriptions
        on
            paid_days.account_id = annual_subscriptions.account_id
            and paid_days.activity_date >= annual_subscriptions.subscription_start
            and (
                annual_subscriptions.is_running = 1
                or paid_days.activity_date < annual_subscriptions.last_period_end
            )
),

anniversaries as (
    -- parentheses around the intervals: dbt's Spark dateadd multiplies the expression as written
    select
        account_id,
        activity_date,
        cast({{ dbt.dateadd('year', '(years)', 'subscription_start') }} as date) as anniversary,
        cast({{ dbt.dateadd('year', '(years + 1)', 'subscription_start') }} as date) as next_anniversary
    from subscription_years
),

renewals as (
    -- the next anniversary after the day, over the account's annual subscriptions
    select
        account_id,
        activity_date,
        min(case when anniversary > activity_date then anniversary else next_anniversary end) as renewal_date
    from anniversaries
    group by account_id, activity_date
),

overdue as (
    -- the most overdue invoice unpaid on the day
    select
        paid_days.account_id,
        paid_days.activity_date,
        max({{ dbt.datediff('invoices.due_date', 'paid_days.activity_date', 'day') }}) as max_days_overdue
    from paid_days
    inner join invoices
        on
            paid_days.account_id = invoices.account_id
            and paid_days.activity_date > invoices.due_date
            and (invoices.paid_at is null or cast(invoices.paid_at as date) > paid_days.activity_date)
    group by paid_days.account_id, paid_days.activity_date
)

select
    paid_days.account_id,
    paid_days.activity_date,
    coalesce(revenue.mrr, 0) as mrr,
    case
        when revenue.growth_base_mrr > 0 then {{ ratio('revenue.mrr', 'revenue.growth_base_mrr') }} - 1
    end as mrr_change,
    cast(coalesce(overdue.max_days_overdue, 0) as {{ dbt.type_bigint() }}) as max_days_overdue,
    renewals.renewal_date
from paid_days
left join revenue
    on
        paid_days.account_id = revenue.account_id
        and paid_days.activity_date = revenue.activity_date
left join overdue
    on
        paid_days.account_id = overdue.account_id
        and paid_days.activity_date = overdue.activity_date
left join renewals
    on
        paid_days.account_id = renewals.account_id
        and paid_days.activity_date = renewals.activity_date
{{ in_day_order() }}
