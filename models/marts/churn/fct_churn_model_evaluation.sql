-- One row per decile of the churn model's out-of-time account-months (accounts paying on the
-- first day of a month of the model's evaluation window, churn_model.csv): the mean predicted
-- probability against the observed 90-day churn rate (calibration), and - the same on every row
-- - the model's ROC AUC beside the health score's on the same account-months, the Brier score
-- and the training window. AUCs from rank sums (average ranks for ties) as fct_health_backtest,
-- so every engine computes them without an ML package.
with

risk as (
    select * from {{ ref('fct_churn_risk_daily') }}
),

health as (
    select * from {{ ref('fct_account_health_daily') }}
),

outcomes as (
    select * from {{ ref('int_churn__outcomes_monthly') }}
),

model as (
    select * from {{ ref('churn_model') }}
),

evaluated as (
    -- the held-out months with a fully observed outcome, scored by the model and the health score
    select
        outcomes.account_id,
        outcomes.month,
        outcomes.churned_90d,
        risk.churn_probability_90d,
        health.health_score
    from outcomes
    cross join model
    inner join risk
        on
            outcomes.account_id = risk.account_id
            and outcomes.month = risk.activity_date
    inner join health
        on
            outcomes.account_id = health.account_id
            and outcomes.month = health.activity_date
    where
        outcomes.is_outcome_observed
        and outcomes.month >= model.evaluation_from_month
        and outcomes.month <= model.evaluation_to_month
),

ranked as (
    -- risk ranks as doubles (Spark's decimal division keeps 6 digits), ties sharing their
    -- average rank: a higher probability and a lower health score carry more risk; deciles by
    -- probability (ties broken by account and month)
    select
        *,
        (
            2 * cast(rank() over (order by churn_probability_90d) as {{ type_double() }})
            + count(*) over (partition by churn_probability_90d) - 1
        ) / 2 as model_risk_rank,
        (
            2 * cast(rank() over (order by health_score desc) as {{ type_double() }})
            + count(*) over (partition by health_score) - 1
        ) / 2 as health_risk_rank,
        ntile(10) over (order by churn_probability_90d, account_id, month) as decile
    from evaluated
),

sums as (
    select
        count(*) as account_months,
        sum(churned_90d) as churned_account_months,
        sum(case when churned_90d = 1 then model_risk_rank else 0 end) as model_rank_sum,
        sum(case when churned_90d = 1 then health_risk_rank else 0 end) as health_rank_sum,
        sum((churn_probability_90d - churned_90d) * (churn_probability_90d - churned_90d)) as squared_errors
    from ranked
),

overall as (
    -- AUC = (rank sum of the churned - c(c + 1)/2) / (c (n - c)), both sides doubled
    select
        account_months,
        churned_account_months,
        {{ ratio(
            '2 * model_rank_sum - churned_account_months * (churned_account_months + 1)',
            '2 * churned_account_months * (account_months - churned_account_months)'
        ) }} as model_auc,
        {{ ratio(
            '2 * health_rank_sum - churned_account_months * (churned_account_months + 1)',
            '2 * churned_account_months * (account_months - churned_account_months)'
        ) }} as health_score_auc,
        {{ ratio('squared_errors', 'account_months') }} as brier_score
    from sums
),

deciles as (
    select
        decile,
        count(*) as account_months,
        sum(churned_90d) as churned_account_months,
        avg(churn_probability_90d) as mean_churn_probability,
        min(churn_probability_90d) as min_churn_probability,
        max(churn_probability_90d) as max_churn_probability
    from ranked
    group by decile
)

select
    cast(deciles.decile as integer) as decile,
    model.evaluation_from_month,
    model.evaluation_to_month,
    cast(deciles.account_months as {{ dbt.type_bigint() }}) as account_months,
    cast(deciles.churned_account_months as {{ dbt.type_bigint() }}) as churned_account_months,
    cast(deciles.min_churn_probability as {{ type_double() }}) as min_churn_probability,
    cast(deciles.max_churn_probability as {{ type_double() }}) as max_churn_probability,
    cast(deciles.mean_churn_probability as {{ type_double() }}) as mean_churn_probability,
    {{ ratio('deciles.churned_account_months', 'deciles.account_months') }} as observed_churn_rate,
    {{ ratio('deciles.churned_account_months', 'deciles.account_months') }}
    - cast(deciles.mean_churn_probability as {{ type_double() }}) as calibration_gap,
    cast(overall.account_months as {{ dbt.type_bigint() }}) as evaluated_account_months,
    {{ ratio('overall.churned_account_months', 'overall.account_months') }} as evaluated_churn_rate,
    cast(overall.model_auc as {{ type_double() }}) as model_auc,
    cast(overall.health_score_auc as {{ type_double() }}) as health_score_auc,
    cast(overall.brier_score as {{ type_double() }}) as brier_score,
    cast(model.evaluation_auc as {{ type_double() }}) as trainer_auc,
    cast(model.evaluation_brier as {{ type_double() }}) as trainer_brier_score,
    model.trained_at as model_trained_at,
    model.training_from_month,
    model.training_to_month,
    cast(model.training_account_months as {{ dbt.type_bigint() }}) as training_account_months,
    cast(model.training_churn_rate as {{ type_double() }}) as training_churn_rate,
    cast(model.regularization_c as {{ type_double() }}) as regularization_c
from deciles
cross join overall
cross join model
