-- The features the churn model computes (int_churn__features_daily, read on its latest day)
-- are the features of the seed that scores them, each once per account: the view crosses each
-- account-day with the seed's features, so a feature listed twice in the seed, or a feature
-- the view produces outside the seed, would count twice or score nothing. (A seed feature
-- without its branch in the view has no value at all: test_churn_model.py reads the two lists.)
-- Read on the latest day: a test over every day would compute the view in full.
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
