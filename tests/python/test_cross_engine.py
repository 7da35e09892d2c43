"""The same tiny data gives the same marts on DuckDB, PostgreSQL and Spark (issue #7).

Builds nothing: scripts/ci/cross_engine.sh generates the data, loads it into PostgreSQL and
Spark (`csm load`), builds the three targets, then runs this file with CSM_CROSS_ENGINE=1.
Money must agree to the cent, rates within 1e-9, everything else exactly (cross_engine.py).

To check another mart on every engine, add it to RELATIONS with its primary key.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from itertools import islice

import pyarrow as pa
import pytest

from cross_engine import ENGINES, REFERENCE, Relation, Warehouses, differences
from csm.cli import main
from csm.load import read_raw_table, target_settings

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
    # alert episodes: window functions and a recursive CTE, then the effectiveness over them
    Relation("marts", "fct_alerts", ("account_id", "rule_key", "opened_on")),
    Relation("marts", "fct_alert_effectiveness", ("month", "category", "rule_key")),
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
    assert data.schema.field("employee_count").type == pa.int32()
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
