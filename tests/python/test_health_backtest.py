"""The health score predicts churn: on the generated data, 90-day churn after the first day of a
month is ordered critical > at_risk > good > excellent and the pooled ROC AUC is at least 0.70.
Churn is recomputed from the raw Parquet (revenue_oracle), not read from the marts."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from revenue_oracle import account_months

MARTS = "main_marts"
TIER_ORDER = ["critical", "at_risk", "good", "excellent"]
MIN_ACCOUNT_MONTHS = 30


def roc_auc(risk: pd.Series, churned: pd.Series) -> float:
    """Rank-sum AUC: the probability that a churner carries more risk than a stayer."""
    ranks = risk.rank(method="average")
    positives = int(churned.sum())
    negatives = len(churned) - positives
    return (ranks[churned].sum() - positives * (positives + 1) / 2) / (positives * negatives)


@pytest.fixture(scope="module")
def scored(built_raw_dir, warehouse) -> pd.DataFrame:
    scores = warehouse.execute(
        f"select account_id, activity_date as month, health_score, tier "
        f"from {MARTS}.fct_account_health_daily where extract(day from activity_date) = 1"
    ).df()
    scores["month"] = pd.to_datetime(scores["month"])
    revenue = account_months(built_raw_dir)
    months = revenue.account_months
    churns = months.loc[months["movement"] == "churn", ["account_id", "month"]]
    complete = months["month"] + pd.offsets.MonthEnd(0) <= revenue.as_of_date
    last_observed = months.loc[complete, "month"].max()
    merged = scores.merge(churns, on="account_id", how="left", suffixes=("", "_churn"))
    merged["churned"] = (merged["month_churn"] >= merged["month"]) & (
        merged["month_churn"] <= merged["month"] + pd.DateOffset(months=2)
    )
    labels = merged.groupby(["account_id", "month"], as_index=False)["churned"].max()
    scored = scores.merge(labels, on=["account_id", "month"])
    # only months whose 90-day outcome is fully observed (their third month is complete)
    return scored[scored["month"] + pd.DateOffset(months=2) <= last_observed]


def test_churn_is_ordered_by_tier(scored) -> None:
    by_tier = scored.groupby("tier")["churned"].agg(["size", "mean"])
    assert (by_tier["size"] >= MIN_ACCOUNT_MONTHS).all(), by_tier
    rates = [by_tier.loc[tier, "mean"] for tier in TIER_ORDER]
    assert all(a > b for a, b in itertools.pairwise(rates)), by_tier


def test_pooled_auc_is_at_least_070(scored) -> None:
    auc = roc_auc(-scored["health_score"], scored["churned"])
    assert auc >= 0.70, auc


def test_backtest_mart_matches(scored, warehouse) -> None:
    mart = warehouse.execute(
        f"select month, tier, accounts_scored, accounts_churned_90d, roc_auc_90d "
        f"from {MARTS}.fct_health_backtest"
    ).df()
    mart["month"] = pd.to_datetime(mart["month"])
    overall = mart[mart["tier"] == "all"].set_index("month").sort_index()
    assert list(overall.index) == sorted(scored["month"].unique())
    for month, rows in scored.groupby("month"):
        assert overall.loc[month, "accounts_scored"] == len(rows)
        assert overall.loc[month, "accounts_churned_90d"] == rows["churned"].sum()
        if 0 < rows["churned"].sum() < len(rows):
            expected = roc_auc(-rows["health_score"], rows["churned"])
            assert abs(overall.loc[month, "roc_auc_90d"] - expected) <= 1e-9
    tiers = mart[mart["tier"] != "all"].groupby("tier")["accounts_scored"].sum()
    assert tiers.sum() == len(scored)
    assert np.isclose(tiers.sum(), overall["accounts_scored"].sum())
