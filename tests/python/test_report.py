"""`csm report` prints every KPI of the month grouped like the seed documents; `csm export`
writes one file per mart of the serving database, atomically."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from csm import report, serving
from csm.paths import project_dir

KPI_COLUMNS = (
    "month date, kpi_key varchar, segment varchar, value double, unit varchar, "
    "target double, status varchar, mom_change double, is_complete_month boolean, "
    "report_group varchar, display_unit varchar, display_order integer"
)


def _kpi_table(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    """An in-memory serving database whose fct_kpi_monthly holds the given rows."""
    connection = duckdb.connect()
    connection.execute(f"create table fct_kpi_monthly ({KPI_COLUMNS})")
    connection.executemany(
        "insert into fct_kpi_monthly values "
        "(date '2026-08-01', ?, 'all', ?, 'ratio', null, 'no_target', null, true, ?, ?, ?)",
        rows,
    )
    return connection


def test_the_report_follows_the_seeds_group_unit_and_order() -> None:
    """Editing report_group, display_unit or display_order in kpi_targets (which
    fct_kpi_monthly carries) changes the report: nothing about a KPI's display is in code."""
    as_seeded = report.render(
        _kpi_table(
            [
                ("nrr_t12m", 1.05, "retention", "ratio", 1),
                ("ltv_to_cac", 3.2, "retention", "multiple", 2),
            ]
        ),
        "2026-08",
        "all",
    )
    assert as_seeded.index("nrr_t12m") < as_seeded.index("ltv_to_cac")
    assert "105.0%" in as_seeded and "3.20x" in as_seeded
    edited = report.render(
        _kpi_table(
            [
                ("nrr_t12m", 1.05, "retention", "multiple", 2),
                ("ltv_to_cac", 3.2, "unit_economics", "ratio", 1),
            ]
        ),
        "2026-08",
        "all",
    )
    assert edited.index("Unit economics\n") < edited.index("Retention\n")
    assert edited.index("ltv_to_cac") < edited.index("nrr_t12m")
    assert "1.05x" in edited and "320.0%" in edited


def test_report_lists_every_kpi_by_group(serving_db) -> None:
    text = report.render(serving_db, None, "all")
    month = report.latest_complete_month(serving_db)
    assert f"Customer Success KPIs - {month} - segment all" in text
    with (project_dir() / "seeds" / "kpi_targets.csv").open() as handle:
        seed = sorted(csv.DictReader(handle), key=lambda row: int(row["display_order"]))
    groups = list(dict.fromkeys(row["report_group"] for row in seed))
    positions = [text.index(f"\n{report.group_title(group)}\n") for group in groups]
    assert positions == sorted(positions), groups
    lines = text.splitlines()
    listed = [line.split()[0] for line in lines if line.startswith("  ") and "KPI" not in line]
    assert listed == [row["kpi_key"] for row in seed]
    ltv = next(line for line in lines if line.startswith("  ltv_to_cac "))
    assert ltv.split()[1].endswith("x"), ltv  # a multiple (seed display_unit), not a percentage
    nps = serving_db.execute(
        "select value from fct_kpi_monthly "
        "where kpi_key = 'nps' and segment = 'all' and month = cast(? as date)",
        [f"{month}-01"],
    ).fetchone()[0]
    assert f"{nps:,.1f}" in text


def test_the_serving_database_holds_every_public_mart_row_for_row(warehouse, serving_db) -> None:
    marts = serving.mart_tables(serving_db)
    built = [
        row[0]
        for row in warehouse.execute(
            "select table_name from information_schema.tables where table_schema = 'main_marts'"
        ).fetchall()
    ]
    assert sorted(marts) == sorted(built)
    for mart in marts:
        published = serving_db.execute(f"select * from {mart}").df()
        source = warehouse.execute(f"select * from main_marts.{mart}").df()
        keys = list(source.columns)
        pd.testing.assert_frame_equal(
            published.sort_values(keys).reset_index(drop=True),
            source.sort_values(keys).reset_index(drop=True),
        )
    info = serving.read_publish_info(serving_db)
    as_of = warehouse.execute("select as_of_timestamp from main_staging.stg_meta__as_of")
    assert info["as_of_timestamp"] == as_of.fetchone()[0]
    assert info["mart_count"] == len(marts)


def _same_rows(connection: duckdb.DuckDBPyConnection, mart: str, file_sql: str) -> None:
    for first, second in ((f"main.{mart}", file_sql), (file_sql, f"main.{mart}")):
        missing = connection.execute(
            f"select count(*) from (select * from {first} except all select * from {second})"
        ).fetchone()[0]
        assert missing == 0, f"{mart}: {missing} rows of {first} not in {second}"


def test_export_writes_exactly_the_current_marts(serving_db, tmp_path: Path) -> None:
    out = tmp_path / "export"
    out.mkdir()
    (out / "fct_retired_mart.parquet").write_bytes(b"stale file of an earlier export")
    written = report.export(serving_db, out, "parquet", ["marts"])
    marts = serving.mart_tables(serving_db)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{m}.parquet" for m in marts)
    assert sorted(path.stem for path in written) == sorted(marts)
    for mart in marts:
        _same_rows(serving_db, mart, f"read_parquet('{out / mart}.parquet')")
    rows = serving_db.execute("select count(*) from fct_kpi_monthly").fetchone()[0]
    assert pq.ParquetFile(out / "fct_kpi_monthly.parquet").metadata.num_rows == rows

    csv_file = report.export(serving_db, out, "csv", ["dim_accounts"])[0]
    assert sorted(p.name for p in out.iterdir()) == ["dim_accounts.csv"]
    accounts = serving_db.execute("select count(*) from dim_accounts").fetchone()[0]
    assert len(pd.read_csv(csv_file)) == accounts
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]  # no temporary left


class _FailingConnection:
    """Passes statements through, then fails on the third file."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection
        self.copies = 0

    def execute(self, sql: str, *args: object) -> duckdb.DuckDBPyConnection:
        if sql.startswith("copy "):
            self.copies += 1
            if self.copies == 3:
                raise duckdb.IOException("disk full (simulated)")
        return self.connection.execute(sql, *args)


def test_a_failed_export_leaves_the_earlier_export_whole(serving_db, tmp_path: Path) -> None:
    out = tmp_path / "export"
    report.export(serving_db, out, "csv", ["dim_accounts", "fct_kpi_monthly"])
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(duckdb.IOException, match="simulated"):
        report.export(_FailingConnection(serving_db), out, "parquet", ["marts"])  # type: ignore[arg-type]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]


def test_export_refuses_a_folder_that_is_not_an_export(serving_db, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(LookupError, match=r"not an export \(notes.txt\)"):
        report.export(serving_db, tmp_path, "parquet", ["dim_accounts"])
    assert (tmp_path / "notes.txt").read_text() == "mine"
