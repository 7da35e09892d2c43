"""The support marts equal an independent pandas computation from the raw Parquet: counts
exactly, rates, averages and medians to 1e-9."""

from __future__ import annotations

import pandas as pd
import pytest

from support_oracle import (
    Support,
    agent_monthly,
    assert_close,
    assert_counts_equal,
    load_support,
    queue,
    support_monthly,
)

MARTS = "main_marts"
MONTHLY_COUNTS = [
    "tickets_created",
    "tickets_resolved",
    "fcr_tickets",
    "handle_time_tickets",
    "sla_met_tickets",
    "sla_breached_tickets",
    "escalated_tickets",
    "reopened_tickets",
]
MONTHLY_RATES = [
    "fcr_rate",
    "fcr_target",
    "aht_minutes",
    "sla_compliance_rate",
    "median_first_response_minutes",
    "median_resolution_hours",
    "escalation_rate",
    "reopen_rate",
]


@pytest.fixture(scope="module")
def support(built_raw_dir) -> Support:
    return load_support(built_raw_dir)


def monthly_cell(warehouse, category: str, priority: str) -> pd.DataFrame:
    mart = warehouse.execute(
        f"select * from {MARTS}.fct_support_performance_monthly "
        "where category = ? and priority = ? order by month",
        [category, priority],
    ).df()
    return mart.set_index(pd.to_datetime(mart["month"]))


def test_tickets_match_the_raw_tickets(support, warehouse) -> None:
    mart = warehouse.execute(
        f"select ticket_id, is_resolved, is_sla_met, is_first_contact_resolution, "
        f"first_response_minutes, resolution_hours, sla_limit_hours, sla_deadline_at, "
        f"handle_time_minutes, csat_score, created_month, resolved_month, sla_outcome_month "
        f"from {MARTS}.fct_support_tickets order by ticket_id"
    ).df()
    expected = support.tickets.sort_values("ticket_id").reset_index(drop=True)
    assert list(mart["ticket_id"]) == list(expected["ticket_id"])
    assert (mart["is_resolved"] == expected["is_resolved"]).all()
    for column, oracle in [
        ("is_sla_met", "is_sla_met"),
        ("is_first_contact_resolution", "is_fcr"),
    ]:
        assert (mart[column].isna() == expected[oracle].isna()).all(), column
        decided = mart[column].notna()
        assert (mart.loc[decided, column].astype(bool) == expected.loc[decided, oracle]).all()
    assert (pd.to_datetime(mart["sla_deadline_at"]) == expected["deadline"]).all()
    assert_close(mart["sla_limit_hours"], expected["sla_limit_hours"], "sla_limit_hours")
    assert_close(mart["first_response_minutes"], expected["first_response_minutes"], "frt")
    assert_close(mart["resolution_hours"], expected["resolution_hours"], "resolution_hours")
    assert_close(mart["handle_time_minutes"], expected["handle_time_seconds"] / 60, "handle")
    assert_close(mart["csat_score"], expected["csat_score"], "csat_score")
    for column, oracle in [
        ("created_month", "created_month"),
        ("resolved_month", "resolved_month"),
        ("sla_outcome_month", "sla_month"),
    ]:
        actual = pd.to_datetime(mart[column])
        assert (actual.isna() == expected[oracle].isna()).all(), column
        assert (actual.dropna() == expected[oracle].dropna()).all(), column


def test_business_time_matches_zoneinfo(support, warehouse) -> None:
    """Every ticket's schedule, business minutes and deadline on its priority's clock equal the
    oracle's, which lays each schedule's local hours out day by day with zoneinfo and sums the
    overlap interval by interval."""
    mart = warehouse.execute(
        f"select ticket_id, schedule_id, sla_clock, business_minutes_to_first_response, "
        f"business_minutes_to_resolution, sla_deadline_at "
        f"from {MARTS}.fct_support_tickets order by ticket_id"
    ).df()
    expected = support.tickets.sort_values("ticket_id").reset_index(drop=True)
    assert list(mart["ticket_id"]) == list(expected["ticket_id"])
    assert list(mart["schedule_id"]) == list(expected["schedule_id"])
    assert list(mart["sla_clock"]) == list(expected["sla_clock"])
    for column in ["business_minutes_to_first_response", "business_minutes_to_resolution"]:
        assert_close(mart[column], expected[column], column)
    deadline = pd.to_datetime(mart["sla_deadline_at"])
    assert (deadline == expected["deadline"]).all()
    business = expected["sla_clock"] == "business"
    # the two clocks differ visibly on the generated data (tickets follow the working week)
    assert (deadline[business] > expected.loc[business, "calendar_deadline"]).mean() > 0.5


def test_monthly_all_all_matches(support, warehouse) -> None:
    mart = monthly_cell(warehouse, "all", "all")
    expected = support_monthly(support)
    assert list(mart.index) == list(expected.index)
    for column in [*MONTHLY_COUNTS, "self_service_resolutions"]:
        assert_counts_equal(mart[column], expected[column], column)
    for column in [*MONTHLY_RATES, "self_service_rate"]:
        assert_close(mart[column], expected[column], column)


@pytest.mark.parametrize(
    ("category", "priority"),
    [
        ("technical", "critical"),
        ("billing", "low"),
        ("product", "all"),
        ("general", "all"),
        ("all", "high"),
        ("all", "medium"),
    ],
)
def test_monthly_cells_match(support, warehouse, category, priority) -> None:
    mart = monthly_cell(warehouse, category, priority)
    expected = support_monthly(support, category, priority)
    assert list(mart.index) == list(expected.index)
    for column in MONTHLY_COUNTS:
        assert_counts_equal(mart[column], expected[column], column)
    for column in MONTHLY_RATES:
        assert_close(mart[column], expected[column], column)
    assert mart["self_service_rate"].isna().all()


def test_agent_monthly_matches(support, warehouse) -> None:
    mart = warehouse.execute(
        f"select * from {MARTS}.fct_support_agent_monthly order by agent_id, month"
    ).df()
    mart["month"] = pd.to_datetime(mart["month"])
    mart = mart.set_index(["agent_id", "month"])
    expected = agent_monthly(support)
    assert list(mart.index) == list(expected.index)
    for column in ["tickets_assigned", "tickets_handled", "fcr_tickets", "csat_responses"]:
        assert_counts_equal(mart[column], expected[column], column)
    for column in ["fcr_rate", "aht_minutes", "sla_compliance_rate", "csat_pct", "csat_avg"]:
        assert_close(mart[column], expected[column], column)


def test_queue_matches(support, warehouse) -> None:
    mart = warehouse.execute(
        f"select ticket_id, age_hours, is_breached, is_breach_risk "
        f"from {MARTS}.fct_support_queue order by ticket_id"
    ).df()
    expected = queue(support)
    assert list(mart["ticket_id"]) == list(expected.index)
    assert (mart["is_breached"].to_numpy() == expected["is_breached"].to_numpy()).all()
    assert (mart["is_breach_risk"].to_numpy() == expected["is_breach_risk"].to_numpy()).all()
    assert_close(mart["age_hours"], expected["age_hours"], "age_hours")
