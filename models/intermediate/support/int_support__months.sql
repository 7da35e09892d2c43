-- One row per calendar month from the first support ticket or knowledge-base session to the
-- as-of month: the spine the monthly support marts are built on, so that quiet months show
-- zero tickets instead of disappearing.
with

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

kb_sessions as (
    select * from {{ ref('stg_support__kb_sessions') }}
),

numbers as (
    {{ integers(3) }}
),

first_activity as (
    select min(created_at) as first_at from tickets
    union all
    select min(started_at) as first_at from kb_sessions
),

bounds as (
    select
        min({{ month_start('first_at') }}) as first_month,
        {{ month_start(as_of_date()) }} as last_month,
        {{ as_of_date() }} as as_of_date
    from first_activity
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
    {{ month_end('month') }} <= as_of_date as is_complete_month
from months
where month <= last_month
