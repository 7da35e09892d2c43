"""The satisfaction marts equal an independent pandas computation from the raw Parquet:
counts exactly, CSAT %, CSAT average, NPS, CES average and response rate to 1e-9."""

from __future__ import annotations

import pandas as pd
import pytest

from support_oracle import (
    Satisfaction,
    assert_close,
    assert_counts_equal,
    load_satisfaction,
    satisfaction_monthly,
)

MARTS = "main_marts"
COUNTS = [
    "responses",
    "surveys_sent",
    "surveys_answered",
    "csat_responses",
    "nps_responses",
    "promoters",
    "passives",
    "detractors",
    "ces_responses",
]
RATES = ["response_rate", "csat_pct", "csat_avg", "nps", "ces_avg"]


@pytest.fixture(scope="module")
def satisfaction(built_raw_dir) -> Satisfaction:
    return load_satisfaction(built_raw_dir)


def monthly_cell(warehouse, survey_type: str, touchpoint: str, segment: str) -> pd.DataFrame:
    mart = warehouse.execute(
        f"select * from {MARTS}.fct_satisfaction_monthly "
        "where survey_type = ? and touchpoint = ? and segment = ? order by month",
        [survey_type, touchpoint, segment],
    ).df()
    return mart.set_index(pd.to_datetime(mart["month"]))


def test_response_categories_match(satisfaction, warehouse) -> None:
    mart = warehouse.execute(
        f"select response_id, size_segment, score_category, sent_month, response_month "
        f"from {MARTS}.fct_survey_responses order by response_id"
    ).df()
    expected = satisfaction.responses.sort_values("response_id").reset_index(drop=True)
    assert list(mart["response_id"]) == list(expected["response_id"])
    assert (mart["size_segment"] == expected["segment"]).all()
    assert (mart["score_category"].fillna("-") == expected["score_category"].fillna("-")).all()
    assert (pd.to_datetime(mart["sent_month"]) == expected["sent_month"]).all()
    response_month = pd.to_datetime(mart["response_month"])
    assert (response_month.isna() == expected["response_month"].isna()).all()
    assert (response_month.dropna() == expected["response_month"].dropna()).all()


@pytest.mark.parametrize(
    ("survey_type", "touchpoint", "segment"),
    [
        ("all", "all", "all"),
        ("csat", "all", "all"),
        ("nps", "all", "all"),
        ("ces", "all", "all"),
        ("csat", "support", "all"),
        ("csat", "onboarding", "all"),
        ("nps", "product", "all"),
        ("nps", "account_management", "all"),
        ("ces", "product", "all"),
        ("all", "support", "all"),
        ("all", "all", "smb"),
        ("all", "all", "enterprise"),
        ("nps", "account_management", "mid_market"),
    ],
)
def test_monthly_cells_match(satisfaction, warehouse, survey_type, touchpoint, segment) -> None:
    mart = monthly_cell(warehouse, survey_type, touchpoint, segment)
    expected = satisfaction_monthly(satisfaction, survey_type, touchpoint, segment)
    assert len(expected) > 0
    assert list(mart.index) == list(expected.index)
    for column in COUNTS:
        assert_counts_equal(mart[column], expected[column], column)
    for column in RATES:
        assert_close(mart[column], expected[column], column)
