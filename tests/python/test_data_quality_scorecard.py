"""The data-quality scorecard (fct_data_quality_checks_daily, fct_data_quality_daily,
fct_data_quality_summary) equals an independent pandas recomputation from the raw files and
the policy seed (quality_oracle.py), and adds up to the row accounting."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from quality_oracle import Scorecard

MARTS = "main_marts"
CHECK_KEY = ["source_table", "load_day", "standard", "check_name"]


@pytest.fixture(scope="module")
def oracle(built_raw_dir) -> Scorecard:
    return Scorecard(built_raw_dir)


@pytest.fixture(scope="module")
def expected_checks(oracle: Scorecard) -> pd.DataFrame:
    return oracle.checks_daily()


def mart(warehouse, name: str) -> pd.DataFrame:
    frame = warehouse.execute(f"select * from {MARTS}.{name}").df()
    for column in ("load_day", "as_of_timestamp", "latest_loaded_at"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column])
    return frame


def same(expected: object, actual: object) -> bool:
    missing = [
        value is None or (isinstance(value, float) and math.isnan(value))
        for value in (expected, actual)
    ]
    if any(missing):
        return all(missing)
    if isinstance(expected, float) or isinstance(actual, float):
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-9)
    return expected == actual


def compare(expected: pd.DataFrame, actual: pd.DataFrame, key: list[str]) -> None:
    expected = expected.copy()
    if "load_day" in expected:
        expected["load_day"] = pd.to_datetime(expected["load_day"])
    rows = expected.merge(actual, on=key, how="outer", suffixes=("", "_built"), indicator=True)
    unmatched = rows[rows["_merge"] != "both"]
    assert unmatched.empty, unmatched[[*key, "_merge"]].head(20).to_string()
    columns = [c for c in expected.columns if c not in key]
    wrong = [
        (tuple(row[k] for k in key), column, row[column], row[f"{column}_built"])
        for _, row in rows.iterrows()
        for column in columns
        if not same(row[column], row[f"{column}_built"])
    ]
    assert not wrong, wrong[:20]


def test_checks_equal_the_raw_files(expected_checks, warehouse) -> None:
    built = mart(warehouse, "fct_data_quality_checks_daily")
    assert len(built) > 10_000
    compare(expected_checks, built, CHECK_KEY)
    assert set(built["standard"]) == {"accuracy", "completeness", "timeliness", "consistency"}


def test_the_daily_scorecard_equals_the_raw_files(oracle, expected_checks, warehouse) -> None:
    built = mart(warehouse, "fct_data_quality_daily")
    compare(oracle.daily(expected_checks), built, ["source_table", "load_day"])


def test_the_summary_equals_the_raw_files(oracle, expected_checks, warehouse) -> None:
    built = mart(warehouse, "fct_data_quality_summary")
    compare(oracle.summary(expected_checks), built, ["source_table"])


def test_the_scorecard_adds_up_to_the_row_accounting(warehouse) -> None:
    totals = warehouse.execute(
        f"""
        select
            accounting.source_table,
            accounting.raw_rows - summary.rows_received,
            accounting.quarantined_rows - summary.quarantined_rows,
            accounting.quarantined_rows - coalesce(rules.rejected, 0)
        from main_staging.stg_quarantine__row_accounting as accounting
        inner join {MARTS}.fct_data_quality_summary as summary
            on accounting.source_table = summary.source_table
        left join (
            select source_table, sum(rows_failed) as rejected
            from {MARTS}.fct_data_quality_checks_daily
            where standard = 'accuracy'
            group by source_table
        ) as rules
            on accounting.source_table = rules.source_table
        """
    ).fetchall()
    assert len(totals) == 14
    assert all(differences == [0, 0, 0] for _table, *differences in totals), totals
