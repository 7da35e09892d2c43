"""`csm report`: the executive summary of fct_kpi_monthly in the terminal, and `csm export`.

Both read the serving database (the published marts, see csm.serving), never the working one.
The report lists the KPIs of fct_kpi_monthly by their report group, display order and display
unit, which the mart carries from the kpi_targets seed: the one list of KPIs. The dashboards
(csm.dashboard) format every number with format_value / format_change and the same display unit,
so a number reads the same in the terminal and on a page.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import duckdb

from csm import serving

KPI_TABLE = "fct_kpi_monthly"

STATUS_MARK = {"on_target": "OK", "acceptable": "~", "below_minimum": "!!", "no_target": ""}


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "multiple":
        return f"{value:.2f}x"
    if unit == "ratio":
        return f"{value:.1%}"
    if unit == "usd":
        return f"${value:,.0f}"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def format_change(change: float | None, unit: str) -> str:
    if change is None:
        return "-"
    if unit == "multiple":
        return f"{change:+.2f}x"
    if unit == "ratio":
        return f"{change * 100:+.1f} pp"
    if unit == "usd":
        return f"{'+' if change >= 0 else '-'}${abs(change):,.0f}"
    return f"{change:+,.1f}"


def latest_complete_month(connection: duckdb.DuckDBPyConnection) -> str:
    row = connection.execute(
        f"select max(month) from {KPI_TABLE} where is_complete_month"
    ).fetchone()
    if row is None or row[0] is None:
        raise LookupError(f"{KPI_TABLE} has no complete month: run `csm build` first")
    return row[0].isoformat()[:7]


def group_title(report_group: str) -> str:
    """A report_group of the kpi_targets seed as a block title: support -> Support."""
    return report_group.replace("_", " ").capitalize()


def render(connection: duckdb.DuckDBPyConnection, month: str | None, segment: str) -> str:
    """The report as text: one block per report group, one line per KPI, in the seed's
    display order, each value in its display unit (kpi_targets, carried by fct_kpi_monthly)."""
    month = month or latest_complete_month(connection)
    rows = connection.execute(
        f"select report_group, kpi_key, value, display_unit, target, status, mom_change "
        f"from {KPI_TABLE} where month = cast(? as date) and segment = ? "
        "order by display_order, kpi_key",
        [f"{month}-01", segment],
    ).fetchall()
    if not rows:
        raise LookupError(f"no KPIs for month {month} and segment {segment} in {KPI_TABLE}")
    groups: dict[str, list[tuple]] = {}  # in the order of each group's first KPI
    for row in rows:
        groups.setdefault(row[0], []).append(row[1:])
    lines = [f"Customer Success KPIs - {month} - segment {segment}", ""]
    header = f"  {'KPI':<31}{'value':>14}{'target':>12}  {'status':<14}{'vs last month':>15}"
    for group, present in groups.items():
        lines += [group_title(group), header]
        for key, value, unit, target, status, change in present:
            status_text = f"{STATUS_MARK.get(status or '', '')} {status or ''}".strip()
            lines.append(
                f"  {key:<31}{format_value(value, unit):>14}"
                f"{format_value(target, unit) if target is not None else '':>12}"
                f"  {status_text:<14}{format_change(change, unit):>15}"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


EXPORT_SUFFIXES = frozenset({".parquet", ".csv"})
TEMP_MARK = ".exporting-"


def _check_replaceable(out_dir: Path) -> None:
    """Only an empty folder or an earlier export (mart files only) is replaced."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise LookupError(f"export folder {out_dir} is a file")
    foreign = sorted(
        path.name
        for path in out_dir.iterdir()
        if not (path.is_file() and path.suffix in EXPORT_SUFFIXES)
    )
    if foreign:
        raise LookupError(
            f"export folder {out_dir} holds files that are not an export "
            f"({', '.join(foreign[:5])}): choose an empty folder or an earlier export's"
        )


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return result == 0


def move_into_place(staged: Path, out_dir: Path) -> None:
    """Put the staged folder at out_dir: swapped with an earlier export in one step where the
    system can, else the earlier export is moved aside first."""
    if not out_dir.exists():
        staged.rename(out_dir)
        return
    if _exchange(staged, out_dir):
        shutil.rmtree(staged)  # now the earlier export
        return
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    out_dir.rename(old)
    staged.rename(out_dir)
    shutil.rmtree(old)


def export(
    connection: duckdb.DuckDBPyConnection,
    out_dir: Path,
    file_format: str,
    select: Sequence[str] = (),
) -> list[Path]:
    """One file per mart (all marts, or the named ones) of the serving database: written into
    a folder beside out_dir, then put in its place, so a reader of out_dir sees the earlier
    export or this one, never a part; files of an earlier export not written now are gone."""
    tables = serving.mart_tables(connection)
    unknown = sorted(set(select) - set(tables) - {"marts"})
    if unknown:
        raise LookupError(f"not a mart: {', '.join(unknown)} (marts: {', '.join(tables)})")
    chosen = tables if not select or "marts" in select else [t for t in tables if t in select]
    out_dir = out_dir.resolve()
    _check_replaceable(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staged = out_dir.with_name(f".{out_dir.name}{TEMP_MARK}{os.getpid()}")
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir()
    try:
        options = "(format parquet)" if file_format == "parquet" else "(format csv, header true)"
        for table in chosen:
            path = staged / f"{table}.{file_format}"
            connection.execute(f"copy main.\"{table}\" to '{path}' {options}")
        move_into_place(staged, out_dir)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return [out_dir / f"{table}.{file_format}" for table in chosen]
