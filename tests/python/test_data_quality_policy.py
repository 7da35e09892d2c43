"""The data-quality policy as data (seed data_quality_policy): an optional column that is 100%
missing warns, in one line of the build summary, and the build publishes; the same data with
the policy edited to fail on it fails and publishes nothing. One KPI list: a KPI without a
kpi_targets row, or a row without a KPI, fails the build.

Real builds of generated `tiny` data, run as a user runs them (`csm build` in a subprocess),
the edited policy and seed in a copy of the project (builds.project_copy).
"""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from builds import CSM, Site, ok, project_copy
from csm import dbt_runner
from quality_oracle import Scorecard, read_policy
from test_data_quality_scorecard import CHECK_KEY, compare, mart

OPTIONAL = ("billing_subscription_periods", "cancel_reason")


def empty_column(raw: Path, table: str, column: str) -> None:
    """Every file of the table rewritten with the column present and entirely null (an
    extract whose system never fills it)."""
    for path in sorted((raw / table).rglob("*.parquet")):
        data = pq.read_table(path)
        index = data.schema.get_field_index(column)
        nulls = pa.nulls(data.num_rows, data.schema.field(index).type)
        pq.write_table(data.set_column(index, column, nulls), path)


def edit_csv(path: Path, edit) -> None:
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    rows = edit(rows)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("policy") / "raw"
    generate = ["generate", "--scale", "tiny", "--seed", "42", "--end-date", "2026-09-30"]
    subprocess.run([CSM, *generate, "--out", str(folder)], check=True, capture_output=True)
    empty_column(folder, *OPTIONAL)
    return folder


@pytest.fixture(scope="module")
def built(raw: Path, tmp_path_factory: pytest.TempPathFactory):
    site = Site(tmp_path_factory.mktemp("policy_site"))
    return site, site.csm(raw, "build")


def warning_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("  - warn  ")]


def test_an_empty_optional_column_warns_in_one_line_and_publishes(built) -> None:
    site, result = built
    out = ok(result)
    table, column = OPTIONAL
    lines = [line for line in warning_lines(out) if f"{table}.{column}" in line]
    assert lines == [
        f"  - warn  missing_rate of {table}.{column}: 100.00% of "
        + lines[0].split(" of ", 2)[2].split(" rows")[0]
        + " rows, warns above 95.00% (set only on the last period of a canceled subscription)"
        f"  [missing_rates_stg_{table.replace('_', '__', 1)}]"
    ], out[-3000:]
    assert "skipped" not in out
    assert site.snapshot()["publish_info"]["as_of_timestamp"] == "2026-09-30 23:30:00"
    # the published scorecard says the same as the build: the column is a warn
    with duckdb.connect(str(site.serving), read_only=True) as serving:
        found = serving.execute(
            "select measure, status from fct_data_quality_checks_daily "
            "where source_table = ? and check_name = ?",
            [table, column],
        ).fetchall()
        summary = serving.execute(
            "select completeness_status, status from fct_data_quality_summary "
            "where source_table = ?",
            [table],
        ).fetchone()
    assert found and {row[0] for row in found} == {1.0} and {row[1] for row in found} == {"warn"}
    assert summary[0] == "warn" and summary[1] in ("warn", "error")


def test_the_policy_decides_an_error_stops_the_build_and_the_publish(
    built, raw: Path, tmp_path: Path
) -> None:
    site, _first = built
    published = site.snapshot()
    project = project_copy(tmp_path / "strict_project")
    table, column = OPTIONAL

    def strict(rows: list[dict]) -> list[dict]:
        for row in rows:
            if (row["check_family"], row["table_name"], row["column_name"]) == (
                "missing_rate",
                table,
                column,
            ):
                row["error_above"] = "0.99"
        return rows

    edit_csv(project / "seeds" / "data_quality_policy.csv", strict)
    failed = site.with_project(project).csm(raw, "build")
    assert failed.returncode == 1, failed.stdout[-2000:]
    assert "test.customer_success.missing_rates_stg_billing__subscription_periods" in (
        failed.stderr
    )
    assert "fails above 99.00%" in failed.stderr
    assert "not published: 1 test failed; " in failed.stderr
    assert site.snapshot() == published


def test_an_edited_event_lag_threshold_counts_every_stored_day_again(
    built, raw: Path, tmp_path: Path
) -> None:
    """int_quality__event_lag_daily is incremental: a run counts again only the load days of
    newly classified rows. Its late_rows depend on the policy, so the next incremental build
    after the event_lag_hours threshold is edited counts every stored day again: the scorecard
    then equals the raw files read under the edited policy."""
    site, _first = built
    project = project_copy(tmp_path / "lag_project")

    def sooner(rows: list[dict]) -> list[dict]:
        for row in rows:
            if row["check_family"] == "event_lag_hours" and row["table_name"] == "*":
                row["warn_above"] = "6"
        return rows

    edit_csv(project / "seeds" / "data_quality_policy.csv", sooner)
    ok(site.with_project(project).csm(raw, "build", "--no-publish"))
    edited = Scorecard(raw, read_policy(project / "seeds" / "data_quality_policy.csv"))
    expected = edited.checks_daily()
    before = Scorecard(raw).checks_daily()
    late = lambda checks: checks.loc[checks.check_name == "event_lag_hours", "rows_failed"]  # noqa: E731
    assert late(expected).sum() > late(before).sum()
    connection = duckdb.connect(str(site.working), read_only=True)
    try:
        built_checks = mart(connection, "fct_data_quality_checks_daily")
    finally:
        connection.close()
    compare(expected, built_checks, CHECK_KEY)


def test_a_kpi_without_a_seed_row_or_a_seed_row_without_a_kpi_fails(
    built, raw: Path, tmp_path: Path
) -> None:
    site, _first = built
    project = project_copy(tmp_path / "kpi_project")

    def drop_nps_add_unknown(rows: list[dict]) -> list[dict]:
        kept = [row for row in rows if row["kpi_key"] != "nps"]
        return [*kept, {**kept[0], "kpi_key": "made_up_kpi", "display_order": "99"}]

    edit_csv(project / "seeds" / "kpi_targets.csv", drop_nps_add_unknown)
    failed = site.with_project(project).csm(
        raw, "build", "--select", "kpi_targets", "fct_kpi_monthly"
    )
    assert failed.returncode == 1
    assert "relationships_fct_kpi_monthly_kpi_key__kpi_key__ref_kpi_targets_" in failed.stderr
    assert "relationships_kpi_targets_kpi_key__kpi_key__ref_fct_kpi_monthly_" in failed.stderr


# --- the summary lines (no build) ---------------------------------------------------------


def _policy_test(name: str, sql: str | None) -> dbt_runner.NodeOutcome:
    return dbt_runner.NodeOutcome(
        f"test.customer_success.{name}.abc",
        "warn",
        "Got 1 result, configured to warn if >0",
        sql,
    )


def test_a_finding_reads_as_one_line() -> None:
    row = {
        "level": "warn",
        "check_family": "event_lag_hours",
        "table_name": "product_events",
        "column_name": "*",
        "measure": 40.0,
        "threshold": 36.0,
        "checked_rows": 1200,
        "note": "a daily extract",
    }
    assert dbt_runner.describe_finding(row) == (
        "event_lag_hours of product_events: 40.0 h of 1,200 rows, warns above 36.0 h "
        "(a daily extract)"
    )
    error = {**row, "check_family": "quarantine_rate", "measure": 0.5, "threshold": 0.05}
    error.update(level="error", note=None)
    assert dbt_runner.describe_finding(error) == (
        "quarantine_rate of product_events: 50.00% of 1,200 rows, fails above 5.00%"
    )


def test_a_test_of_several_checks_finds_one_line_each_the_error_over_the_warning() -> None:
    def row(column: str, level: str, measure: float, threshold: float) -> dict:
        return {
            "level": level,
            "check_family": "missing_rate",
            "table_name": "t",
            "column_name": column,
            "measure": measure,
            "threshold": threshold,
            "checked_rows": 10,
            "note": None,
        }

    rows = [row("b", "warn", 0.5, 0.05), row("a", "error", 0.5, 0.2), row("a", "warn", 0.5, 0.1)]
    assert dbt_runner.worst_findings(rows) == (
        "missing_rate of t.a: 50.00% of 10 rows, fails above 20.00%",
        "missing_rate of t.b: 50.00% of 10 rows, warns above 5.00%",
    )


def test_warnings_are_one_line_each_and_read_again_from_the_database(tmp_path: Path) -> None:
    import duckdb

    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "create table findings as select 'warn' as level, 'missing_rate' as check_family, "
            "'t' as table_name, 'c' as column_name, 0.5 as measure, 0.05 as threshold, "
            "10 as checked_rows, 5 as failing_rows, 'why' as note"
        )
    outcome = dbt_runner.BuildOutcome(
        success=True,
        warned=[
            _policy_test("missing_rate_x", "select * from findings"),
            _policy_test("recency_y", None),  # not a policy test: dbt's message
        ],
    )
    text = dbt_runner.report(dbt_runner.read_findings(outcome, database), Path("dbt.log"))
    assert text.splitlines() == [
        "2 warning(s), not failing the build:",
        "  - warn  missing_rate of t.c: 50.00% of 10 rows, warns above 5.00% (why)  "
        "[missing_rate_x]",
        "  - warn  Got 1 result, configured to warn if >0  [recency_y]",
    ]


def test_a_failed_test_shows_its_first_rows(tmp_path: Path) -> None:
    import duckdb

    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "create table broken as select 'crm_csms' as source_table, 15 as raw_count, "
            "14 as kept_count from range(7)"
        )
    failed = dbt_runner.NodeOutcome(
        "test.customer_success.assert_rows.abc",
        "fail",
        "Got 7 results, configured to fail if != 0",
        "select * from broken",
    )
    outcome = dbt_runner.BuildOutcome(success=False, failed=[failed])
    text = dbt_runner.report(dbt_runner.read_findings(outcome, database), Path("dbt.log"))
    row = "      source_table=crm_csms, raw_count=15, kept_count=14"
    assert text.splitlines()[:9] == [
        "Failed nodes:",
        "  - test.customer_success.assert_rows.abc [fail]",
        *[row] * 5,
        "      ... (2 more rows)",
        "      Got 7 results, configured to fail if != 0",
    ]
