-- One row per day, segment (all, and each size_segment) and tier: the accounts scored, their
-- share of the segment's scored accounts that day and their ARR - seed 000's healthy /
-- at-risk / critical view over time.
with

health as (
    select * from {{ ref('fct_account_health_daily') }}
),

counted as (
    select
        activity_date,
        coalesce(size_segment, 'all') as segment,
        tier,
        count(*) as accounts,
        sum(arr) as arr
    from health
    group by activity_date, tier, rollup(size_segment)
)

select
    activity_date,
    segment,
    tier,
    accounts,
    {{ ratio('accounts', 'sum(accounts) over (partition by activity_date, segment)') }} as account_share,
    {{ money('arr') }} as arr
from counted
