"""The revenue marts equal an independent pandas computation from the raw Parquet:
money to the cent, rates to 1e-9."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from revenue_oracle import (
    Revenue,
    account_months,
    churn_events,
    cohorts,
    current_accounts,
    expansion_pipeline,
    lifetime_value,
    retention,
)

MARTS = "main_marts"
RATE_TOLERANCE = 1e-9
RATES = [
    "nrr_monthly",
    "grr_monthly",
    "nrr_t12m",
    "grr_t12m",
    "logo_churn_rate",
    "logo_churn_rate_t12m",
]
MONEY = {
    "starting_mrr": "previous",
    "new_mrr": "new",
    "reactivation_mrr": "reactivation",
    "expansion_mrr": "expansion",
    "contraction_mrr": "contraction",
    "churned_mrr": "churned",
    "ending_mrr": "mrr_cents",
}


@pytest.fixture(scope="module")
def revenue(built_raw_dir) -> Revenue:
    return account_months(built_raw_dir)


def cents(series: pd.Series) -> pd.Series:
    return (series.astype(float) * 100).round().astype("int64")


def assert_rates_equal(actual: pd.Series, expected: pd.Series, name: str) -> None:
    actual, expected = actual.astype(float), expected.astype(float)
    assert (actual.isna() == expected.isna()).all(), f"{name}: null pattern differs"
    both = actual.notna()
    worst = (actual[both] - expected[both]).abs().max() if both.any() else 0.0
    assert worst <= RATE_TOLERANCE, f"{name}: off by {worst}"


def test_account_month_mrr_and_movements(revenue, warehouse) -> None:
    mart = warehouse.execute(
        f"select account_id, month, mrr, previous_mrr, movement, new_mrr, reactivation_mrr, "
        f"expansion_mrr, contraction_mrr, churned_mrr from {MARTS}.fct_mrr_monthly"
    ).df()
    mart["month"] = pd.to_datetime(mart["month"])
    expected = revenue.account_months
    merged = expected.merge(mart, on=["account_id", "month"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged["_merge"].value_counts()
    assert len(mart) == len(expected)
    assert (cents(merged["mrr"]) == merged["mrr_cents"]).all()
    assert (cents(merged["previous_mrr"]) == merged["previous"]).all()
    assert (merged["movement_x"] == merged["movement_y"]).all()
    for column, oracle in [
        ("new_mrr", "new"),
        ("reactivation_mrr", "reactivation"),
        ("expansion_mrr", "expansion"),
        ("contraction_mrr", "contraction"),
        ("churned_mrr", "churned"),
    ]:
        assert (cents(merged[column]) == merged[oracle]).all(), column


@pytest.mark.parametrize("segment", ["all", "smb", "mid_market", "enterprise"])
def test_retention_monthly(revenue, warehouse, segment) -> None:
    mart = warehouse.execute(
        f"select * from {MARTS}.fct_revenue_retention_monthly where segment = '{segment}' "
        "order by month"
    ).df()
    mart["month"] = pd.to_datetime(mart["month"])
    mart = mart.set_index("month")
    expected = retention(revenue, segment)
    assert list(mart.index) == list(expected.index)
    for column, oracle in MONEY.items():
        assert (cents(mart[column]) == expected[oracle]).all(), column
    for rate in RATES:
        assert_rates_equal(mart[rate], expected[rate], rate)
    assert (mart["churned_customers"] == expected["churn_customer"]).all()
    assert (mart["customers_end"] == expected["end_customer"]).all()


def test_retention_has_t12m_history(revenue, warehouse) -> None:
    filled = warehouse.execute(
        f"select count(*) from {MARTS}.fct_revenue_retention_monthly "
        "where segment = 'all' and nrr_t12m is not null"
    ).fetchone()[0]
    assert filled >= 12


def test_cohort_retention(revenue, warehouse) -> None:
    mart = warehouse.execute(
        f"select cohort_month, months_since_start, cohort_size, active_customers, "
        f"logo_retention_rate, cohort_starting_mrr, mrr, revenue_retention_rate "
        f"from {MARTS}.fct_cohort_retention order by cohort_month, months_since_start"
    ).df()
    expected = cohorts(revenue).sort_values(["first_month", "k"]).reset_index(drop=True)
    assert len(mart) == len(expected)
    assert (pd.to_datetime(mart["cohort_month"]) == expected["first_month"]).all()
    assert (mart["months_since_start"] == expected["k"]).all()
    assert (mart["cohort_size"] == expected["cohort_size"]).all()
    assert (mart["active_customers"] == expected["active"]).all()
    assert (cents(mart["mrr"]) == expected["mrr"]).all()
    assert (cents(mart["cohort_starting_mrr"]) == expected["starting"]).all()
    assert_rates_equal(mart["logo_retention_rate"], expected["logo_retention_rate"], "logo")
    assert_rates_equal(mart["revenue_retention_rate"], expected["revenue_retention_rate"], "rev")


def test_generated_churn_is_in_the_intended_ranges(revenue) -> None:
    """The generator's calibration, read through the oracle: monthly logo churn by segment
    (metrics.md / the foundation issue) averaged over complete months."""
    bounds = {"smb": (0.02, 0.06), "mid_market": (0.01, 0.035), "enterprise": (0.003, 0.025)}
    for segment, (low, high) in bounds.items():
        rates = retention(revenue, segment)["logo_churn_rate"].iloc[1:-1]
        assert low <= np.nanmean(rates) <= high, (segment, np.nanmean(rates))


def test_churn_events(built_raw_dir, revenue, warehouse) -> None:
    mart = warehouse.execute(
        f"select account_id, month, churned_mrr, churn_type, tenure_months, tenure_band, "
        f"is_later_reactivated from {MARTS}.fct_churn_events"
    ).df()
    mart["month"] = pd.to_datetime(mart["month"])
    expected = churn_events(built_raw_dir, revenue)
    merged = expected.merge(mart, on=["account_id", "month"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (cents(merged["churned_mrr"]) == merged["churned"]).all()
    assert (merged["churn_type_x"] == merged["churn_type_y"]).all()
    assert (merged["tenure_months"] == merged["tenure"]).all()
    assert (merged["is_later_reactivated_x"] == merged["is_later_reactivated_y"]).all()
    bands = np.select([merged["tenure"] < 3, merged["tenure"] < 12], ["0-3", "3-12"], "12+")
    assert (merged["tenure_band"] == bands).all()
    share_involuntary = (expected["churn_type"] == "involuntary").mean()
    assert 0.1 <= share_involuntary <= 0.45, share_involuntary  # voluntary about 3x involuntary


def test_dim_accounts_current_revenue(built_raw_dir, revenue, warehouse) -> None:
    mart = warehouse.execute(
        f"select account_id, current_mrr, current_arr, tenure_months, first_paid_month, "
        f"is_active_customer from {MARTS}.dim_accounts"
    ).df()
    expected = current_accounts(built_raw_dir, revenue)
    merged = expected.merge(mart, on="account_id", how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (cents(merged["current_mrr"]) == merged["current_mrr_cents"]).all()
    assert (cents(merged["current_arr"]) == merged["current_mrr_cents"] * 12).all()
    assert (merged["tenure_months_x"] == merged["tenure_months_y"]).all()
    assert (merged["is_active_customer"] == (merged["current_mrr_cents"] > 0)).all()
    paid = merged["first_paid_month_x"].notna()
    assert (
        pd.to_datetime(merged.loc[paid, "first_paid_month_y"])
        == merged.loc[paid, "first_paid_month_x"]
    ).all()
    assert merged.loc[~paid, "first_paid_month_y"].isna().all()


@pytest.mark.parametrize("segment", ["all", "smb", "enterprise"])
def test_customer_lifetime_value(built_raw_dir, revenue, warehouse, segment) -> None:
    mart = warehouse.execute(
        f"select * from {MARTS}.fct_customer_lifetime_value where segment = '{segment}' "
        "order by month"
    ).df()
    mart["month"] = pd.to_datetime(mart["month"])
    mart = mart.set_index("month")
    expected = lifetime_value(built_raw_dir, revenue, segment)
    assert list(mart.index) == list(expected.index)
    for column in [
        "arpa",
        "expected_lifetime_years",
        "avg_cac",
        "clv",
        "cac_payback_months",
        "ltv_to_cac",
    ]:
        actual, wanted = mart[column].astype(float), expected[column].astype(float)
        assert (actual.isna() == wanted.isna()).all(), column
        both = actual.notna()
        relative = ((actual[both] - wanted[both]).abs() / wanted[both].abs().clip(lower=1)).max()
        assert relative <= RATE_TOLERANCE, (column, relative)


def test_expansion_pipeline(built_raw_dir, revenue, warehouse) -> None:
    mart = warehouse.execute(
        f"select month, open_pipeline_arr, won_opportunities, lost_opportunities, "
        f"pipeline_coverage_ratio, current_arr from {MARTS}.fct_expansion_pipeline "
        "where segment = 'all' order by month"
    ).df()
    mart["month"] = pd.to_datetime(mart["month"])
    mart = mart.set_index("month")
    expected = expansion_pipeline(built_raw_dir, revenue)
    assert (cents(mart["open_pipeline_arr"]) == expected["open_cents"]).all()
    assert (mart["won_opportunities"] == expected["won"]).all()
    assert (mart["lost_opportunities"] == expected["lost"]).all()
    ending = retention(revenue)["mrr_cents"] * 12
    ratio = (expected["open_cents"] / ending.replace(0, np.nan)).astype(float)
    assert_rates_equal(mart["pipeline_coverage_ratio"], ratio, "coverage")
