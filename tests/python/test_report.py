"""`csm report` prints every KPI of the month grouped like the seed documents; `csm export`
writes one file per mart of the serving database, atomically."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from csm import report, serving


def test_report_lists_every_kpi_by_group(serving_db) -> None:
    text = report.render(serving_db, None, "all")
    month = report.latest_complete_month(serving_db)
    assert f"Customer Success KPIs - {month} - segment all" in text
    for group, keys in report.GROUPS.items():
        assert f"\n{group}\n" in text
        for key in keys:
            assert f"  {key} " in text, key
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
