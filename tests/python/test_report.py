"""`csm report` prints every KPI of the month grouped like the seed documents; `csm export`
writes one file per mart."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq

from csm import report


def test_report_lists_every_kpi_by_group(warehouse) -> None:
    text = report.render(warehouse, None, "all")
    month = report.latest_complete_month(warehouse)
    assert f"Customer Success KPIs - {month} - segment all" in text
    for group, keys in report.GROUPS.items():
        assert f"\n{group}\n" in text
        for key in keys:
            assert f"  {key} " in text, key
    nps = warehouse.execute(
        "select value from main_marts.fct_kpi_monthly "
        "where kpi_key = 'nps' and segment = 'all' and month = cast(? as date)",
        [f"{month}-01"],
    ).fetchone()[0]
    assert f"{nps:,.1f}" in text


def test_export_writes_one_file_per_mart(warehouse, tmp_path) -> None:
    written = report.export(warehouse, tmp_path, "parquet", ["marts"])
    marts = report.mart_tables(warehouse)
    assert sorted(path.stem for path in written) == sorted(marts)
    rows = warehouse.execute("select count(*) from main_marts.fct_kpi_monthly").fetchone()[0]
    assert pq.ParquetFile(tmp_path / "fct_kpi_monthly.parquet").metadata.num_rows == rows
    csv_file = report.export(warehouse, tmp_path / "csv", "csv", ["dim_accounts"])[0]
    accounts = warehouse.execute("select count(*) from main_marts.dim_accounts").fetchone()[0]
    assert len(pd.read_csv(csv_file)) == accounts
