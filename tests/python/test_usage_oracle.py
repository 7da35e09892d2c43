"""The usage marts equal an independent pandas computation from the raw Parquet: counts exactly,
rates to 1e-9, on a deterministic sample of account-days plus every account's latest paid day."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from revenue_oracle import account_months
from usage_oracle import Usage, account_day_measures, load_usage, onboarding, paid_days, sample_days

MARTS = "main_marts"
RATE_TOLERANCE = 1e-9
COUNTS = ["seats", "dau", "wau", "mau", "core_features_used_30d", "events_14d", "events_prev_14d"]
RATES = ["license_utilization", "stickiness", "core_feature_adoption_breadth", "usage_change_14d"]


@pytest.fixture(scope="module")
def usage(built_raw_dir) -> Usage:
    return load_usage(built_raw_dir)


@pytest.fixture(scope="module")
def paid(usage) -> pd.DataFrame:
    return paid_days(usage)


@pytest.fixture(scope="module")
def usage_mart(warehouse) -> pd.DataFrame:
    mart = warehouse.execute(
        f"select account_id, activity_date, {', '.join(COUNTS + RATES)} "
        f"from {MARTS}.fct_account_usage_daily"
    ).df()
    mart["day"] = pd.to_datetime(mart.pop("activity_date"))
    return mart


def assert_rates_equal(actual: pd.Series, expected: pd.Series, name: str) -> None:
    actual, expected = actual.astype(float), expected.astype(float)
    assert (actual.isna() == expected.isna()).all(), f"{name}: null pattern differs"
    both = actual.notna()
    worst = (actual[both] - expected[both]).abs().max() if both.any() else 0.0
    assert worst <= RATE_TOLERANCE, f"{name}: off by {worst}"


def test_usage_rows_are_the_paid_account_days(paid, usage_mart) -> None:
    expected = set(zip(paid["account_id"], paid["day"], strict=True))
    actual = set(zip(usage_mart["account_id"], usage_mart["day"], strict=True))
    assert len(usage_mart) == len(actual), "duplicate account-days"
    assert actual == expected, (len(actual - expected), len(expected - actual))


def test_usage_measures_on_a_sample_of_account_days(usage, paid, usage_mart) -> None:
    keys = sample_days(paid)
    assert len(keys) >= 200
    expected = account_day_measures(usage, keys)
    merged = expected.merge(
        usage_mart, on=["account_id", "day"], how="left", suffixes=("", "_mart"), indicator=True
    )
    assert (merged["_merge"] == "both").all()
    for column in COUNTS:
        assert (merged[column].astype("int64") == merged[f"{column}_mart"]).all(), column
    for column in RATES:
        assert_rates_equal(merged[f"{column}_mart"], merged[column], column)
    # the sample must exercise the interesting cases, not only idle accounts
    assert (merged["mau"] > merged["dau"]).any()
    assert (merged["license_utilization"] == 1.0).any() or merged["license_utilization"].max() > 0.5
    assert merged["usage_change_14d"].notna().any()


def test_onboarding_times(usage, built_raw_dir, warehouse) -> None:
    revenue = account_months(built_raw_dir).account_months
    first_paid_month = revenue.groupby("account_id")["first_month"].min()
    expected = onboarding(usage, built_raw_dir, first_paid_month)
    mart = warehouse.execute(
        f"select account_id, first_paid_month, time_to_first_value_days, core_adoption_date "
        f"from {MARTS}.fct_account_onboarding"
    ).df()
    merged = expected.merge(
        mart, on="account_id", how="outer", suffixes=("", "_mart"), indicator=True
    )
    assert (merged["_merge"] == "both").all(), merged["_merge"].value_counts()
    assert (
        pd.to_datetime(merged["first_paid_month_mart"]).fillna(pd.Timestamp(0))
        == merged["first_paid_month"].fillna(pd.Timestamp(0))
    ).all()
    ttfv = merged["time_to_first_value_days"].astype(float)
    ttfv_mart = merged["time_to_first_value_days_mart"].astype(float)
    assert (ttfv.isna() == ttfv_mart.isna()).all()
    assert np.allclose(ttfv.dropna(), ttfv_mart.dropna(), rtol=0, atol=0)
    assert ttfv.notna().sum() > 0
    adopted = pd.to_datetime(merged["core_adoption_date_mart"])
    assert (adopted.isna() == merged["core_adoption_date"].isna()).all()
    assert (adopted.dropna() == merged["core_adoption_date"].dropna()).all()
