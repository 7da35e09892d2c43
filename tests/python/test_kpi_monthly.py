"""fct_kpi_monthly carries exactly the values of the marts that own each KPI, the targets of the
kpi_targets seed, and statuses that follow from them."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from csm.paths import project_dir

MARTS = "main_marts"
REQUIRED = [
    "mrr",
    "arr",
    "new_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "reactivation_mrr",
    "nrr_monthly",
    "grr_monthly",
    "nrr_t12m",
    "grr_t12m",
    "revenue_churn_rate",
    "active_customers",
    "new_customers",
    "churned_customers",
    "logo_churn_rate",
    "logo_churn_rate_t12m",
    "arpa",
    "clv",
    "cac_payback_months",
    "ltv_to_cac",
    "expansion_pipeline_coverage",
    "csat_pct",
    "csat_avg",
    "nps",
    "ces_avg",
    "survey_response_rate",
    "tickets_created",
    "tickets_resolved",
    "fcr_rate",
    "aht_minutes",
    "sla_compliance_rate",
    "median_first_response_minutes",
    "median_resolution_hours",
    "self_service_rate",
    "avg_health_score",
    "pct_accounts_at_risk",
    "license_utilization",
    "median_time_to_value_days",
]
SOURCES = {
    "fct_revenue_retention_monthly": {
        "mrr": "ending_mrr",
        "nrr_t12m": "nrr_t12m",
        "logo_churn_rate": "logo_churn_rate",
        "churned_mrr": "churned_mrr",
        "active_customers": "customers_end",
    },
    "fct_customer_lifetime_value": {"clv": "clv", "arpa": "arpa", "ltv_to_cac": "ltv_to_cac"},
    "fct_expansion_pipeline": {"expansion_pipeline_coverage": "pipeline_coverage_ratio"},
}


@pytest.fixture(scope="module")
def kpis(warehouse) -> pd.DataFrame:
    frame = warehouse.execute(f"select * from {MARTS}.fct_kpi_monthly").df()
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


def test_every_required_kpi_is_present(kpis) -> None:
    assert set(REQUIRED) <= set(kpis["kpi_key"])


@pytest.mark.parametrize("mart", sorted(SOURCES))
def test_values_equal_the_source_marts(kpis, warehouse, mart) -> None:
    source = warehouse.execute(f"select * from {MARTS}.{mart}").df()
    source["month"] = pd.to_datetime(source["month"])
    for kpi, column in SOURCES[mart].items():
        rows = kpis[kpis["kpi_key"] == kpi].merge(source, on=["month", "segment"], how="outer")
        assert rows["value"].isna().equals(rows[column].isna()), kpi
        both = rows["value"].notna()
        assert np.allclose(
            rows.loc[both, "value"], rows.loc[both, column].astype(float), rtol=1e-12, atol=1e-9
        ), kpi


def test_support_and_satisfaction_values(kpis, warehouse) -> None:
    support = warehouse.execute(
        f"select month, fcr_rate, sla_compliance_rate, aht_minutes from "
        f"{MARTS}.fct_support_performance_monthly where category = 'all' and priority = 'all'"
    ).df()
    csat = warehouse.execute(
        f"select month, segment, csat_pct from {MARTS}.fct_satisfaction_monthly "
        "where survey_type = 'csat' and touchpoint = 'all'"
    ).df()
    for frame in (support, csat):
        frame["month"] = pd.to_datetime(frame["month"])
    fcr = kpis[kpis["kpi_key"] == "fcr_rate"].merge(support, on="month")
    assert len(fcr) == len(support)
    assert np.allclose(fcr["value"].astype(float), fcr["fcr_rate"].astype(float), equal_nan=True)
    pct = kpis[kpis["kpi_key"] == "csat_pct"].merge(csat, on=["month", "segment"])
    assert len(pct) == len(csat)
    assert np.allclose(pct["value"].astype(float), pct["csat_pct"].astype(float), equal_nan=True)


def test_targets_and_status_follow_the_seed(kpis) -> None:
    with (project_dir() / "seeds" / "kpi_targets.csv").open() as handle:
        seed = {row["kpi_key"]: row for row in csv.DictReader(handle)}
    for row in kpis.dropna(subset=["value"]).itertuples():
        spec = seed[row.kpi_key]
        target = float(spec["target"]) if spec["target"] else None
        minimum = float(spec["minimum_acceptable"]) if spec["minimum_acceptable"] else None
        higher = spec["higher_is_better"] == "true"

        def meets(bound: float, value: float = row.value, higher: bool = higher) -> bool:
            return value >= bound if higher else value <= bound

        if target is None:
            expected = "no_target"
        elif meets(target):
            expected = "on_target"
        elif minimum is not None and meets(minimum):
            expected = "acceptable"
        else:
            expected = "below_minimum"
        assert row.status == expected, (row.kpi_key, row.month, row.value)


def test_month_over_month_change(kpis) -> None:
    mrr = kpis[(kpis["kpi_key"] == "mrr") & (kpis["segment"] == "all")].sort_values("month")
    assert np.allclose(mrr["value_prev_month"].iloc[1:], mrr["value"].iloc[:-1])
    assert np.allclose(mrr["mom_change"].iloc[1:], np.diff(mrr["value"]))


def test_one_kpi_list_the_seed_and_the_model_hold_the_same_kpis(kpis) -> None:
    with (project_dir() / "seeds" / "kpi_targets.csv").open() as handle:
        seed = {row["kpi_key"]: row for row in csv.DictReader(handle)}
    assert set(kpis["kpi_key"]) == set(seed)
    display = kpis[["kpi_key", "report_group", "display_unit", "display_order"]].drop_duplicates()
    assert len(display) == len(seed), "a KPI shows two ways"
    for row in display.itertuples():
        spec = seed[row.kpi_key]
        assert (row.report_group, row.display_unit, row.display_order) == (
            spec["report_group"],
            spec["display_unit"],
            int(spec["display_order"]),
        ), row.kpi_key
