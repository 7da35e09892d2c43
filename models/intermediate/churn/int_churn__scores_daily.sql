-- noqa: disable=LT02,LT05
-- (layout rules are off here: the per-feature columns are written by Jinja loops over
-- churn_features(), which sqlfluff's indentation cannot follow)
{{
    config(
        on_schema_change='fail',
        tags=['churn'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}
-- One row per account and paid day: the churn model's probability that the account churns
-- within 90 days, its risk band, and each feature's contribution to the log-odds (coefficient
-- x standardized value: positive raises the risk), with the feature that raises it most. The
-- seed churn_model_coefficients is turned into one row (each feature's transform, center,
-- scale and coefficient in its own columns) and joined to every account-day's row of features
-- (int_churn__features_daily, one column per feature): each feature is transformed as the seed
-- says (identity, or log1p of the value floored at 0), centered and scaled by the training mean
-- and standard deviation; a feature without data counts as the training mean (contribution 0).
-- (The features were one row per account-day and feature, aggregated back into one row here:
-- most of this model's time at `large`; docs/decisions.md.) csm train writes the seeds; this is
-- the same formula on every engine. Stored (incremental with the usage look-back, like the
-- health scores): the alert rule days and fct_churn_risk_daily read it, and scoring every paid
-- day again for each reader cost minutes at `large`.
{%- set feature_names = churn_features() %}
{%- if feature_names | length > 24 %}
    {{ exceptions.raise_compiler_error(
        "int_churn__scores_daily: " ~ (feature_names | length) ~ " churn features; the log-odds sum is"
        ~ " written for at most 24 (two exact groups of 12, see log_odds)"
    ) }}
{%- endif %}
with

features as (
    select * from {{ ref('int_churn__features_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ usage_reprocess_from() }}
    {%- endif %}
),

coefficients as (
    select * from {{ ref('churn_model_coefficients') }}
),

model as (
    select * from {{ ref('churn_model') }}
),

bands as (
    select
        risk_band,
        min_probability,
        lead(min_probability) over (order by min_probability) as next_min_probability
    from {{ ref('churn_risk_bands') }}
),

feature_coefficients as (
    -- one row: each feature's transform, center, scale and coefficient
    select
        {%- for feature in feature_names %}
        max(case when feature = '{{ feature }}' then transform end) as {{ feature }}_transform,
        max(case when feature = '{{ feature }}' then center end) as {{ feature }}_center,
        max(case when feature = '{{ feature }}' then scale end) as {{ feature }}_scale,
        max(case when feature = '{{ feature }}' then coefficient end) as {{ feature }}_coefficient
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from coefficients
),

contributions as (
    -- coefficient x (transform(value) - center) / scale; 0 without data (the training mean)
    select
        features.account_id,
        features.activity_date,
        {%- for feature in feature_names %}
        coalesce(
            feature_coefficients.{{ feature }}_coefficient * (
                case feature_coefficients.{{ feature }}_transform
                    -- a value below 0 counts as 0; a missing one stays missing (greatest() would skip it)
                    when 'log1p'
                        then ln(1 + case when features.{{ feature }} < 0 then 0 else features.{{ feature }} end)
                    else features.{{ feature }}
                end - feature_coefficients.{{ feature }}_center
            ) / feature_coefficients.{{ feature }}_scale,
            0
        ) as {{ feature }}_contribution
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from features
    cross join feature_coefficients
),

log_odds as (
    -- an exact decimal sum: each contribution rounded to 18 decimals (decimal(26, 18): the seed's
    -- column_checks keep |coefficient| / scale <= 100000, so a contribution stays below 10^8)
    -- and added in two groups, the first 12 features (to nps) and the rest. Each + widens a
    -- decimal by one digit, so a group reaches at most precision 37 and their sum 38, where
    -- Spark would start rounding (one chain of the 23 terms would keep 8 decimals there). On
    -- Spark a value beyond 10^8 would turn null (DuckDB and PostgreSQL stop with an error)
    select
        contributions.*,
        model.intercept + cast(
            (
                {%- for feature in feature_names[:12] %}
                cast(contributions.{{ feature }}_contribution as decimal(26, 18))
                {%- if not loop.last %} +{% endif %}
                {%- endfor %}
            )
            {%- if feature_names | length > 12 %}
            + (
                {%- for feature in feature_names[12:] %}
                cast(contributions.{{ feature }}_contribution as decimal(26, 18))
                {%- if not loop.last %} +{% endif %}
                {%- endfor %}
            )
            {%- endif %} as {{ type_double() }}
        ) as churn_log_odds
    from contributions
    cross join model
),

probabilities as (
    select
        log_odds.*,
        1 / (1 + exp(-log_odds.churn_log_odds)) as churn_probability_90d,
        greatest(
            {%- for feature in feature_names %}
            log_odds.{{ feature }}_contribution
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        ) as top_contribution
    from log_odds
),

top_drivers as (
    -- the feature that raises the risk most that day: the largest positive contribution, the
    -- first feature in alphabetical order on a tie; null when none raises it
    select
        probabilities.*,
        case
            when probabilities.top_contribution <= 0 then null
            {%- for feature in feature_names | sort %}
            when probabilities.{{ feature }}_contribution = probabilities.top_contribution
                then '{{ feature }}'
            {%- endfor %}
        end as top_risk_driver
    from probabilities
)

select
    top_drivers.account_id,
    top_drivers.activity_date,
    top_drivers.churn_probability_90d,
    bands.risk_band,
    top_drivers.churn_log_odds,
    top_drivers.license_utilization_contribution,
    top_drivers.active_day_frequency_contribution,
    top_drivers.core_feature_breadth_contribution,
    top_drivers.usage_trend_contribution,
    top_drivers.usage_volatility_contribution,
    top_drivers.active_user_growth_contribution,
    top_drivers.ticket_burden_contribution,
    top_drivers.escalations_contribution,
    top_drivers.ticket_sentiment_contribution,
    top_drivers.oldest_open_ticket_days_contribution,
    top_drivers.csat_contribution,
    top_drivers.nps_contribution,
    top_drivers.days_overdue_contribution,
    top_drivers.mrr_change_contribution,
    top_drivers.renewal_within_window_contribution,
    top_drivers.renewal_proximity_contribution,
    top_drivers.annual_contract_contribution,
    top_drivers.tenure_years_contribution,
    top_drivers.segment_mid_market_contribution,
    top_drivers.segment_enterprise_contribution,
    top_drivers.executive_engagement_contribution,
    top_drivers.onboarding_on_time_contribution,
    top_drivers.health_score_contribution,
    top_drivers.top_risk_driver
from top_drivers
inner join bands
    on
        top_drivers.churn_probability_90d >= bands.min_probability
        and (bands.next_min_probability is null or top_drivers.churn_probability_90d < bands.next_min_probability)
