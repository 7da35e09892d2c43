"""The same tiny data gives the same marts on DuckDB, PostgreSQL and Spark (issue #7).

Builds nothing: scripts/ci/cross_engine.sh generates the data, loads it into PostgreSQL and
Spark (`csm load`), builds the three targets, then runs this file with CSM_CROSS_ENGINE=1.
Money must agree to the cent, rates within 1e-9, everything else exactly (cross_engine.py).

To check another mart on every engine, add it to RELATIONS with its primary key.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from itertools import islice
from pathlib import Path

import pyarrow as pa
import pytest

from cross_engine import ENGINES, REFERENCE, Relation, Warehouses, differences
from csm import serving_postgres
from csm.cli import main
from csm.load import postgres_connection, read_raw_table, target_settings
from csm.paths import project_dir

needs_engines = pytest.mark.skipif(
    os.environ.get("CSM_CROSS_ENGINE") != "1",
    reason="cross-engine equality reads the DuckDB, PostgreSQL and Spark warehouses: run "
    "scripts/ci/cross_engine.sh (it builds them and sets CSM_CROSS_ENGINE=1)",
)

RELATIONS = (
    # a seed with quotes in its text and empty cells: the seed loaders agree
    Relation("reference", "kpi_targets", ("kpi_key",)),
    # the raw row accounting: same numbers here means the engines read the same data
    Relation("staging", "stg_quarantine__row_accounting", ("source_table",)),
    Relation("marts", "fct_mrr_monthly", ("account_id", "month")),
    Relation("marts", "fct_revenue_retention_monthly", ("month", "segment")),
    # every KPI with its target: reads nearly every other mart
    Relation("marts", "fct_kpi_monthly", ("month", "kpi_key", "segment")),
    # incremental on every engine (delete+insert; insert_overwrite of day partitions on Spark)
    Relation("marts", "fct_account_health_daily", ("account_id", "activity_date")),
    # business hours: local schedule hours to UTC (three time-zone APIs), then business
    # minutes, deadlines on the priority's clock and the SLA outcomes of every ticket
    Relation(
        "intermediate", "int_support__schedule_open_intervals", ("schedule_id", "interval_number")
    ),
    Relation("marts", "fct_support_tickets", ("ticket_id",)),
    # the data-quality scorecard: the policy seed's thresholds, medians of lags, statuses
    Relation(
        "marts",
        "fct_data_quality_checks_daily",
        ("source_table", "load_day", "standard", "check_name"),
    ),
    Relation("marts", "fct_data_quality_daily", ("source_table", "load_day")),
    Relation("marts", "fct_data_quality_summary", ("source_table",)),
    # alert episodes: window functions and a recursive CTE, then the effectiveness over them
    Relation("marts", "fct_alerts", ("account_id", "rule_key", "opened_on")),
    Relation("marts", "fct_alert_effectiveness", ("month", "category", "rule_key")),
    # the churn model scored from its seeds (ln, exp, a pivot of the contributions) and its
    # out-of-time evaluation (rank-sum AUCs, ntile deciles)
    Relation("marts", "fct_churn_risk_daily", ("account_id", "activity_date")),
    Relation("marts", "fct_churn_model_evaluation", ("decile",)),
)
SHOWN = 20


@pytest.fixture(scope="module")
def warehouses() -> Iterator[Warehouses]:
    opened = Warehouses()
    yield opened
    opened.close()


@needs_engines
@pytest.mark.parametrize("engine", [e for e in ENGINES if e != REFERENCE])
@pytest.mark.parametrize("relation", RELATIONS, ids=lambda r: r.name)
def test_relation_is_identical_on_every_engine(warehouses, relation, engine) -> None:
    expected = warehouses.rows(REFERENCE, relation)
    actual = warehouses.rows(engine, relation)
    assert expected, f"{relation.name} is empty on {REFERENCE}: nothing to compare"
    found = list(islice(differences(expected, actual, relation.key), SHOWN + 1))
    shown = "\n".join(found[:SHOWN]) + ("\n..." if len(found) > SHOWN else "")
    assert not found, f"{relation.name} on {engine} differs from {REFERENCE}:\n{shown}"


# --- the comparison itself (no warehouse needed) --------------------------------------------

BASE = {"month": date(2026, 1, 1), "segment": "all", "mrr": Decimal("10.00"), "rate": 0.5}


def _diff(actual: dict) -> list[str]:
    return list(differences([BASE], [{**BASE, **actual}], ("month", "segment")))


def test_money_must_agree_to_the_cent() -> None:
    assert not _diff({"mrr": Decimal("10.0000")})
    assert _diff({"mrr": Decimal("10.01")})


def test_rates_must_agree_within_1e_9() -> None:
    assert not _diff({"rate": 0.5 + 1e-12})
    assert _diff({"rate": 0.5 + 1e-8})
    assert _diff({"rate": None})


def test_rows_and_columns_must_match() -> None:
    assert _diff({"segment": "smb"})  # the `all` row is missing, an `smb` row extra
    assert _diff({"extra": 1})
    assert list(differences([BASE], [BASE, BASE], ("month", "segment")))


# --- csm load's reading and settings (no warehouse needed) ----------------------------------


def test_raw_table_is_read_by_column_name_with_contract_types(raw_factory) -> None:

    table = raw_factory.contract["crm_accounts"]
    first = raw_factory.arrow_table("crm_accounts", rows=2, drop=("csm_id",))
    second = raw_factory.arrow_table(
        "crm_accounts",
        rows=3,
        override={
            "employee_count": pa.array([1, 2, 3], type=pa.int64()),  # wider than the contract
            "unexpected": pa.array(["x", "y", "z"]),
        },
    )
    raw_factory.write("crm_accounts", first, "part-0.parquet")
    raw_factory.write("crm_accounts", second.select(second.column_names[::-1]), "b/part-1.parquet")

    data = read_raw_table(raw_factory.root / "crm_accounts", table)

    assert data.column_names == table.column_names
    assert data.num_rows == 5
    assert data.schema.field("employee_count").type == pa.int64()  # staging narrows it
    assert data.column("csm_id").null_count == 2  # missing from the first file only


def test_load_settings_come_from_the_profile(monkeypatch) -> None:
    monkeypatch.setenv("CSM_PG_PORT", "6543")
    monkeypatch.setenv("CSM_SPARK_WAREHOUSE", "/somewhere")
    assert int(target_settings("postgres")["port"]) == 6543
    spark = target_settings("spark")["server_side_parameters"]
    assert spark["spark.sql.warehouse.dir"] == "/somewhere/warehouse"


def test_load_without_a_server_is_a_usage_error(valid_raw, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CSM_PG_HOST", "127.0.0.1")
    monkeypatch.setenv("CSM_PG_PORT", "1")  # nothing listens there
    assert main(["load", "--target", "postgres", "--raw-dir", str(valid_raw)]) == 2
    assert "postgres" in capsys.readouterr().err.lower()


def test_load_checks_the_raw_folder_first(tmp_path, capsys) -> None:
    assert main(["load", "--target", "spark", "--raw-dir", str(tmp_path / "missing")]) == 2
    assert "missing" in capsys.readouterr().err


# --- publishing on PostgreSQL: the serving schema is swapped in one transaction -------------


@pytest.fixture(scope="module")
def postgres_target() -> Path:
    """dbt's manifest and run results of the PostgreSQL build (cross_engine.sh keeps them)."""
    folder = Path(os.environ.get("CSM_CROSS_ENGINE_PG_TARGET", ""))
    if not (folder / "run_results.json").is_file():
        pytest.fail(f"no run_results.json of the PostgreSQL build in {folder!s}")
    return folder


def _serving_reads(stop: threading.Event, seen: list, errors: list, schema: str) -> None:
    """One statement at a time, as a BI tool runs them: publish_info and two mart counts."""
    with postgres_connection() as connection:
        connection.autocommit = True
        cursor = connection.cursor()
        while not stop.is_set():
            try:
                cursor.execute(
                    f"select p.published_at, p.mart_row_counts::text, "
                    f"(select count(*) from {schema}.fct_kpi_monthly), "
                    f"(select count(*) from {schema}.dim_accounts) from {schema}.publish_info p"
                )
                seen.append(cursor.fetchone())
            except Exception as error:  # any failure of a reader is what this test looks for
                errors.append(repr(error))


@needs_engines
def test_postgres_readers_see_one_whole_snapshot_during_publishes(postgres_target) -> None:
    project = project_dir()
    schema = serving_postgres.serving_schema(project)
    first = serving_postgres.publish(project, postgres_target)
    stop, seen, errors = threading.Event(), [], []
    reader = threading.Thread(target=_serving_reads, args=(stop, seen, errors, schema))
    reader.start()
    try:
        time.sleep(0.5)
        for _ in range(3):
            serving_postgres.publish(project, postgres_target)
        time.sleep(0.5)
    finally:
        stop.set()
        reader.join(timeout=60)
    assert not errors, errors[:3]
    assert len({row[0] for row in seen}) >= 2, "the reader never saw a new snapshot"
    for _published, counts, kpis, accounts in seen:
        recorded = json.loads(counts)
        assert (kpis, accounts) == (recorded["fct_kpi_monthly"], recorded["dim_accounts"])
    with postgres_connection() as connection:
        cursor = connection.cursor()
        for mart, rows in first.row_counts.items():
            cursor.execute(
                f"select count(*) from {target_settings('postgres')['schema']}_marts.{mart}"
            )
            assert cursor.fetchone()[0] == rows, mart
        cursor.execute(
            "select nspname from pg_namespace where nspname like %s order by 1", [f"{schema}%"]
        )
        assert [row[0] for row in cursor.fetchall()] == [schema]  # nothing left behind


@needs_engines
def test_postgres_publish_does_not_wait_for_a_reader(postgres_target) -> None:
    project = project_dir()
    schema = serving_postgres.serving_schema(project)
    with postgres_connection() as reader:
        cursor = reader.cursor()  # a transaction that holds a serving table open
        cursor.execute(f"select count(*) from {schema}.fct_kpi_monthly")
        held = cursor.fetchone()[0]
        started = time.monotonic()
        serving_postgres.publish(project, postgres_target)
        assert time.monotonic() - started < 120
        cursor.execute(f"select count(*) from {schema}.fct_kpi_monthly")
        assert cursor.fetchone()[0] == held
        reader.rollback()
    serving_postgres.publish(project, postgres_target)  # drops what the reader held
    with postgres_connection() as connection:
        cursor = connection.cursor()
        cursor.execute("select count(*) from pg_namespace where nspname like %s", [f"{schema}_%"])
        assert cursor.fetchone()[0] == 0
