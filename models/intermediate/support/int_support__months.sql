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

first_activity as (
    select min(created_at) as first_at from tickets
    union all
    select min(started_at) as first_at from kb_sessions
),

first_month as (
    select min({{ month_start('first_at') }}) as first_month
    from first_activity
),

months as (
    {{ month_spine('(select first_month from first_month)') }}
)

select
    month,
    month_end,
    is_complete_month
from months
