-- On the as-of date, the 7- and 30-day active users built from window open/close changes equal
-- a plain count of distinct users active in the last 7 and 30 days (the direct definition,
-- affordable for one day).
with

usage_days as (
    select * from {{ ref('fct_account_usage_daily') }}
    where activity_date = {{ as_of_date() }}
),

user_days as (
    select * from {{ ref('int_usage__user_daily') }}
    where activity_date > {{ add_days(as_of_date(), -30) }}
),

direct as (
    select
        account_id,
        count(distinct user_id) as mau,
        count(distinct case when activity_date > {{ add_days(as_of_date(), -7) }} then user_id end) as wau,
        count(distinct case when activity_date = {{ as_of_date() }} then user_id end) as dau
    from user_days
    group by account_id
)

select
    usage_days.account_id,
    usage_days.dau,
    usage_days.wau,
    usage_days.mau,
    direct.dau as direct_dau,
    direct.wau as direct_wau,
    direct.mau as direct_mau
from usage_days
left join direct
    on usage_days.account_id = direct.account_id
where
    usage_days.mau <> coalesce(direct.mau, 0)
    or usage_days.wau <> coalesce(direct.wau, 0)
    or usage_days.dau <> coalesce(direct.dau, 0)
