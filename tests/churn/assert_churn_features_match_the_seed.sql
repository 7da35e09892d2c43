-- The features the churn model computes (int_churn__features_daily, read on its latest day) and
-- the seed that scores them name the same features: every computed feature has a coefficient,
-- every coefficient's feature is computed (a feature missing on one side would silently score
-- 0 or never be scored), and on that day each account has each feature once (the view's key,
-- which a test over every day would compute in full).
with

features as (
    select * from {{ ref('int_churn__features_daily') }}
),

coefficients as (
    select * from {{ ref('churn_model_coefficients') }}
),

latest_day as (
    select max(activity_date) as activity_date
    from features
),

latest_features as (
    select
        features.account_id,
        features.feature
    from features
    inner join latest_day
        on features.activity_date = latest_day.activity_date
),

computed as (
    select distinct feature
    from latest_features
)

select
    computed.feature,
    'computed but without a coefficient' as problem
from computed
left join coefficients
    on computed.feature = coefficients.feature
where coefficients.feature is null
union all
select
    coefficients.feature,
    'in the seed but not computed' as problem
from coefficients
left join computed
    on coefficients.feature = computed.feature
where computed.feature is null
union all
select
    feature,
    'twice for an account on the latest day' as problem
from latest_features
group by account_id, feature
having count(*) > 1
