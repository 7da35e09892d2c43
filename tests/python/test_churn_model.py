"""The churn model (issue 19): scored in SQL exactly as its seeds say, evaluated out of time as
fct_churn_model_evaluation publishes it, and good enough on `small` - an out-of-time AUC well
above the health score's, calibrated deciles.

Independent of the SQL: the 90-day churn labels come from the raw Parquet (revenue_oracle), the
AUC and Brier score from scikit-learn's metrics, the scores from the seeds' formula in pandas.
The shipped seed is what `csm train` fits on the `small` test data (seed 42).
"""

from __future__ import annotations

import csv
import os
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss, roc_auc_score

from csm import churn_model
from csm.cli import main
from csm.paths import project_dir
from model_sql import final_select, final_select_aliases, macro_names
from revenue_oracle import account_months

MARTS = "main_marts"
FEATURES = "main_intermediate.int_churn__features_daily"
# issue 19's goals are 0.80, 0.05 and 0.05; reached on small: AUC 0.843 against the health
# score's 0.739 (+0.104), every decile within 0.028 of its mean prediction (docs/decisions.md)
MIN_AUC = 0.83
MIN_AUC_OVER_HEALTH = 0.09
MAX_CALIBRATION_GAP = 0.035


def seed(name: str) -> pd.DataFrame:
    return pd.read_csv(project_dir() / "seeds" / f"{name}.csv")


@pytest.fixture(scope="module")
def model() -> pd.Series:
    row = seed("churn_model").iloc[0]
    for column in ("evaluation_from_month", "evaluation_to_month"):
        row[column] = pd.Timestamp(row[column])
    return row


@pytest.fixture(scope="module")
def labels(built_raw_dir) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Accounts paying on a month's first day (the health score's days), whether they churned
    within 90 days (a churn movement in that month or the two after, from the raw Parquet) and
    whether that outcome is complete."""
    revenue = account_months(built_raw_dir)
    months = revenue.account_months
    churns = months.loc[months["movement"] == "churn", ["account_id", "month"]]
    complete = months["month"] + pd.offsets.MonthEnd(0) <= revenue.as_of_date
    last_complete = months.loc[complete, "month"].max()
    return churns, last_complete


def label(frame: pd.DataFrame, churns: pd.DataFrame, last_complete: pd.Timestamp) -> pd.DataFrame:
    merged = frame[["account_id", "month"]].merge(churns, on="account_id", how="left")
    merged["churned"] = (merged["month_y"] >= merged["month_x"]) & (
        merged["month_y"] <= merged["month_x"] + pd.DateOffset(months=2)
    )
    churned = merged.groupby(["account_id", "month_x"])["churned"].max().rename("churned_90d")
    out = frame.merge(churned, left_on=["account_id", "month"], right_index=True)
    out["churned_90d"] = out["churned_90d"].astype(int)
    out["is_outcome_observed"] = out["month"] + pd.DateOffset(months=2) <= last_complete
    return out


@pytest.fixture(scope="module")
def evaluated(warehouse, labels, model) -> pd.DataFrame:
    """The model's evaluation window: probability, health score and the raw-Parquet label."""
    frame = warehouse.execute(
        f"""
        select risk.account_id, risk.activity_date as month, risk.churn_probability_90d,
            health.health_score
        from {MARTS}.fct_churn_risk_daily as risk
        inner join {MARTS}.fct_account_health_daily as health using (account_id, activity_date)
        where extract(day from risk.activity_date) = 1
            and risk.activity_date between ? and ?
        """,
        [model["evaluation_from_month"].date(), model["evaluation_to_month"].date()],
    ).df()
    frame["month"] = pd.to_datetime(frame["month"])
    frame = label(frame, *labels)
    return frame[frame["is_outcome_observed"]].reset_index(drop=True)


def deciles(frame: pd.DataFrame) -> pd.DataFrame:
    """SQL's ntile(10) over the probability, ties broken by account and month: the first
    n % 10 deciles hold one row more."""
    ordered = frame.sort_values(["churn_probability_90d", "account_id", "month"]).reset_index()
    size, extra = divmod(len(ordered), 10)
    bounds = np.cumsum([size + (i < extra) for i in range(10)])
    ordered["decile"] = np.searchsorted(bounds, np.arange(len(ordered)), side="right") + 1
    return ordered.groupby("decile").agg(
        account_months=("churned_90d", "size"),
        churned_account_months=("churned_90d", "sum"),
        mean_churn_probability=("churn_probability_90d", "mean"),
        observed_churn_rate=("churned_90d", "mean"),
    )


@pytest.fixture(scope="module")
def evaluation_mart(warehouse) -> pd.DataFrame:
    return (
        warehouse.execute(f"select * from {MARTS}.fct_churn_model_evaluation")
        .df()
        .set_index("decile")
        .sort_index()
    )


def test_outcomes_match_the_raw_churns(warehouse, labels) -> None:
    outcomes = warehouse.execute("select * from main_intermediate.int_churn__outcomes_monthly").df()
    outcomes["month"] = pd.to_datetime(outcomes["month"])
    expected = label(outcomes[["account_id", "month"]], *labels)
    merged = outcomes.merge(expected, on=["account_id", "month"], suffixes=("", "_raw"))
    assert len(merged) == len(outcomes) > 0
    assert (merged["churned_90d"] == merged["churned_90d_raw"]).all()
    assert (merged["is_outcome_observed"] == merged["is_outcome_observed_raw"]).all()
    assert 0.05 < outcomes["churned_90d"].mean() < 0.15  # the base rate of small (9.2%)


def test_evaluation_mart_matches_pandas(evaluated, evaluation_mart, model) -> None:
    truth, risk = evaluated["churned_90d"], evaluated["churn_probability_90d"]
    mart = evaluation_mart
    assert list(mart.index) == list(range(1, 11))
    assert (mart["evaluated_account_months"] == len(evaluated)).all()
    assert (mart["evaluation_from_month"] == model["evaluation_from_month"]).all()
    assert mart["model_auc"].iloc[0] == pytest.approx(roc_auc_score(truth, risk), abs=1e-9)
    health_auc = roc_auc_score(truth, -evaluated["health_score"])
    assert mart["health_score_auc"].iloc[0] == pytest.approx(health_auc, abs=1e-9)
    assert mart["brier_score"].iloc[0] == pytest.approx(brier_score_loss(truth, risk), abs=1e-12)
    assert mart["evaluated_churn_rate"].iloc[0] == pytest.approx(truth.mean(), abs=1e-12)
    expected = deciles(evaluated)
    for column in expected.columns:
        assert np.allclose(mart[column], expected[column], rtol=0, atol=1e-12), column
    gap = expected["observed_churn_rate"] - expected["mean_churn_probability"]
    assert np.allclose(mart["calibration_gap"], gap, rtol=0, atol=1e-12)


def test_goals_on_small(evaluated) -> None:
    """Issue 19: out-of-time AUC >= 0.80 and >= 0.05 above the health score's on the same
    account-months; every decile's observed churn rate within 0.05 of its mean prediction."""
    truth = evaluated["churned_90d"]
    auc = roc_auc_score(truth, evaluated["churn_probability_90d"])
    health_auc = roc_auc_score(truth, -evaluated["health_score"])
    calibration = deciles(evaluated)
    gaps = (calibration["observed_churn_rate"] - calibration["mean_churn_probability"]).abs()
    assert len(evaluated) >= 2000, len(evaluated)  # 9 months of ~300 paying accounts
    assert auc >= MIN_AUC, (auc, health_auc)
    assert auc - health_auc >= MIN_AUC_OVER_HEALTH, (auc, health_auc)
    assert gaps.max() <= MAX_CALIBRATION_GAP, calibration


def test_sql_evaluates_as_the_trainer(evaluation_mart) -> None:
    """On the data it was trained on, the SQL scores give the AUC and Brier score csm train
    measured in Python: the same model on both sides."""
    row = evaluation_mart.iloc[0]
    assert row["model_auc"] == pytest.approx(row["trainer_auc"], abs=1e-9)
    assert row["brier_score"] == pytest.approx(row["trainer_brier_score"], abs=1e-9)


def test_scores_follow_the_seeds(warehouse) -> None:
    """The seeds' formula in pandas on the month starts: contribution = coefficient x
    (transform(value) - center) / scale (0 without data), log-odds = intercept + their sum,
    the probability, its band and the top driver."""
    coefficients = seed("churn_model_coefficients").set_index("feature")
    intercept = seed("churn_model").loc[0, "intercept"]
    bands = seed("churn_risk_bands").sort_values("min_probability")
    features = (
        warehouse.execute(f"select * from {FEATURES} where extract(day from activity_date) = 1")
        .df()
        .melt(
            id_vars=["account_id", "activity_date"], var_name="feature", value_name="feature_value"
        )
    )
    rows = features.join(coefficients, on="feature", how="inner")
    value = rows["feature_value"].astype(float).copy()
    logged = rows["transform"] == "log1p"
    value[logged] = np.log1p(value[logged].clip(lower=0))
    contribution = rows["coefficient"] * (value - rows["center"]) / rows["scale"]
    rows["contribution"] = np.nan_to_num(contribution.astype(float), nan=0.0)
    wide = rows.pivot(
        index=["account_id", "activity_date"], columns="feature", values="contribution"
    )
    log_odds = intercept + wide.sum(axis=1)
    probability = 1 / (1 + np.exp(-log_odds))
    band_index = np.searchsorted(bands["min_probability"], probability, side="right") - 1
    positive = wide.where(wide > 0)
    expected = pd.DataFrame(
        {
            "churn_log_odds": log_odds,
            "churn_probability_90d": probability,
            "risk_band": bands["risk_band"].to_numpy()[band_index],
            "top_risk_driver": positive.idxmax(axis=1).where(positive.notna().any(axis=1)),
        }
    )
    mart = (
        warehouse.execute(
            f"select * from {MARTS}.fct_churn_risk_daily where extract(day from activity_date) = 1"
        )
        .df()
        .set_index(["account_id", "activity_date"])
    )
    assert len(mart) == len(expected) > 0
    mart = mart.loc[expected.index]
    for column in ("churn_log_odds", "churn_probability_90d"):
        assert np.allclose(mart[column], expected[column], rtol=0, atol=1e-9), column
    for feature in coefficients.index:
        got = mart[f"{feature}_contribution"]
        assert np.allclose(got, wide[feature], rtol=0, atol=1e-9), feature
    assert (mart["risk_band"] == expected["risk_band"]).all()
    assert mart["top_risk_driver"].fillna("").equals(expected["top_risk_driver"].fillna(""))
    assert set(mart["risk_band"]) == {"low", "medium", "high"}


def test_dim_accounts_carry_the_latest_probability(warehouse) -> None:
    mismatches = warehouse.execute(
        f"""
        select count(*)
        from {MARTS}.dim_accounts as accounts
        left join (
            select account_id, churn_probability_90d, risk_band,
                row_number() over (partition by account_id order by activity_date desc) as rank
            from {MARTS}.fct_churn_risk_daily
        ) as latest on accounts.account_id = latest.account_id and latest.rank = 1
        where accounts.churn_probability_90d is distinct from
                case when accounts.is_active_customer then latest.churn_probability_90d end
            or accounts.churn_risk_band is distinct from
                case when accounts.is_active_customer then latest.risk_band end
        """
    ).fetchone()[0]
    assert mismatches == 0
    paying = warehouse.execute(
        f"select count(churn_probability_90d), count(*) from {MARTS}.dim_accounts "
        "where is_active_customer"
    ).fetchone()
    assert paying[0] == paying[1] > 0


def test_csm_train_reproduces_the_shipped_seed(tmp_path) -> None:
    """The shipped seed is csm train's fit on this data; write_seeds round-trips it."""
    database = Path(os.environ["CSM_DUCKDB_PATH"])
    specs = churn_model.read_specs(project_dir())
    shipped_model = seed("churn_model").iloc[0]
    trained = churn_model.fit(
        churn_model.read_training_frame(database, specs),
        specs,
        regularization_c=float(shipped_model["regularization_c"]),
    )
    shipped = seed("churn_model_coefficients")
    for column in ("center", "scale", "coefficient"):
        assert np.allclose(trained.coefficients[column], shipped[column], rtol=0, atol=1e-6)
    assert trained.intercept == pytest.approx(shipped_model["intercept"], abs=1e-6)
    assert trained.windows.evaluation_from.isoformat() == shipped_model["evaluation_from_month"]
    assert trained.windows.training_to.isoformat() == shipped_model["training_to_month"]
    assert trained.training_rows == shipped_model["training_account_months"]
    assert trained.evaluation_auc == pytest.approx(shipped_model["evaluation_auc"], abs=1e-6)

    (tmp_path / "seeds").mkdir()
    (tmp_path / churn_model.COEFFICIENTS_SEED).write_text(
        (project_dir() / churn_model.COEFFICIENTS_SEED).read_text()
    )
    churn_model.write_seeds(tmp_path, trained)
    with (tmp_path / churn_model.MODEL_SEED).open() as handle:
        written = list(csv.DictReader(handle))
    assert len(written) == 1 and tuple(written[0]) == churn_model.MODEL_COLUMNS
    rewritten = pd.read_csv(tmp_path / churn_model.COEFFICIENTS_SEED)
    assert list(rewritten.columns) == list(churn_model.COEFFICIENT_COLUMNS)
    assert np.array_equal(rewritten["coefficient"], trained.coefficients["coefficient"])


def months(first: date, count: int) -> list[date]:
    return [
        date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range(count)
    ]


def test_training_ends_before_the_held_out_outcomes() -> None:
    """Out of time: the last training month's 90-day outcome (it and the two after) ends
    before the first held-out month, also across a year end."""
    windows = churn_model.split_windows(months(date(2023, 1, 1), 24), evaluation_months=9)
    assert (windows.evaluation_from, windows.evaluation_to) == (date(2024, 4, 1), date(2024, 12, 1))
    assert (windows.training_from, windows.training_to) == (date(2023, 1, 1), date(2024, 1, 1))
    january = churn_model.split_windows(months(date(2023, 1, 1), 22), evaluation_months=9)
    assert january.evaluation_from == date(2024, 2, 1)
    assert january.training_to == date(2023, 11, 1)
    with pytest.raises(churn_model.TrainingError, match="need at least 15"):
        churn_model.split_windows(months(date(2023, 1, 1), 14), evaluation_months=9)


def test_the_seed_features_are_the_features_of_the_sql() -> None:
    """Every feature of the seed is a column of int_churn__features_daily, named by
    churn_features() (whose loops score it in int_churn__scores_daily) and selected as a
    contribution by the scores' hand-written final select, and nothing else is."""
    seeded = set(seed("churn_model_coefficients")["feature"])
    listed = macro_names("churn/churn_features.sql", "churn_features")
    computed = final_select_aliases("intermediate/churn/int_churn__features_daily.sql")
    selected = set(
        re.findall(
            r"top_drivers\.([a-z0-9_]+)_contribution,$",
            final_select("intermediate/churn/int_churn__scores_daily.sql"),
            re.MULTILINE,
        )
    )
    assert len(seeded) >= 20
    assert len(listed) == len(set(listed)), listed
    assert set(listed) == seeded, {
        "seed only": seeded - set(listed),
        "macro only": set(listed) - seeded,
    }
    assert computed == seeded, {"seed only": seeded - computed, "view only": computed - seeded}
    assert selected == seeded, {"seed only": seeded - selected, "scores only": selected - seeded}


def test_training_names_a_seed_feature_the_view_lacks() -> None:
    database = Path(os.environ["CSM_DUCKDB_PATH"])
    specs = [
        *churn_model.read_specs(project_dir()),
        churn_model.FeatureSpec("seat_growth", "identity"),
    ]
    with pytest.raises(churn_model.TrainingError, match="has no feature seat_growth: build"):
        churn_model.read_training_frame(database, specs)


def test_train_without_a_warehouse_is_a_usage_error(tmp_path, capsys) -> None:
    assert main(["train", "--duckdb-path", str(tmp_path / "missing.duckdb")]) == 2
    assert "csm build" in capsys.readouterr().err
