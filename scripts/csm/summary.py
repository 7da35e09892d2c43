"""What a successful build left in the warehouse: file size, raw row accounting, mart sizes.

Opens the DuckDB file read-only after dbt has finished; never fails the build.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

ROW_ACCOUNTING = "stg_quarantine__row_accounting"
DATA_QUALITY = "fct_data_quality_summary"
DATA_QUALITY_COLUMNS = (
    "source_table",
    "accuracy",
    "accuracy_status",
    "columns_incomplete",
    "completeness_status",
    "load_age_hours",
    "timeliness_status",
    "orphan_rows",
    "cross_source_mismatches",
    "consistency_status",
    "status",
)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        share = column.endswith("_rate") or column == "accuracy"
        return f"{value:.2%}" if share else f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table; numbers right-aligned."""
    cells = [[_cell(col, value) for col, value in zip(columns, row, strict=True)] for row in rows]
    widths = [max([len(col), *(len(row[i]) for row in cells)]) for i, col in enumerate(columns)]
    numeric = [
        all(isinstance(row[i], int | float | Decimal) or row[i] is None for row in rows)
        for i in range(len(columns))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            value.rjust(width) if is_num else value.ljust(width)
            for value, width, is_num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *map(line, cells)])


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _find_relation(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    row = con.execute(
        "select table_schema from information_schema.tables "
        "where table_catalog = current_database() and table_name = ? order by table_schema",
        [name],
    ).fetchone()
    return f"{_quote(row[0])}.{_quote(name)}" if row else None


def row_accounting(con: duckdb.DuckDBPyConnection) -> str | None:
    """The raw row accounting table as text, or None if the model is not built."""
    relation = _find_relation(con, ROW_ACCOUNTING)
    if relation is None:
        return None
    cursor = con.execute(f"select * from {relation} order by 1")
    columns = [d[0] for d in cursor.description]
    return format_table(columns, cursor.fetchall())


def data_quality(con: duckdb.DuckDBPyConnection) -> str | None:
    """The scorecard's latest state per raw table (seed 002's standards), or None."""
    relation = _find_relation(con, DATA_QUALITY)
    if relation is None:
        return None
    rows = con.execute(
        f"select {', '.join(DATA_QUALITY_COLUMNS)} from {relation} order by source_table"
    ).fetchall()
    return format_table(DATA_QUALITY_COLUMNS, rows)


def mart_sizes(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(schema.name, table type, row count) of each relation in a marts schema."""
    relations = con.execute(
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_catalog = current_database() "
        "and (table_schema = 'marts' or table_schema like '%\\_marts' escape '\\') "
        "order by table_schema, table_name"
    ).fetchall()
    sizes = []
    for schema, name, table_type in relations:
        count = con.execute(f"select count(*) from {_quote(schema)}.{_quote(name)}").fetchone()
        kind = "view" if table_type == "VIEW" else "table"
        sizes.append((f"{schema}.{name}", kind, int(count[0]) if count else 0))
    return sizes


def _summary_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    lines: list[str] = []
    accounting = row_accounting(con)
    if accounting is None:
        lines.append(f"(no {ROW_ACCOUNTING} model in the warehouse: raw row accounting skipped)")
    else:
        lines += ["", "Raw row accounting:", accounting]
    quality = data_quality(con)
    if quality is not None:
        lines += ["", f"Data quality, latest state per table ({DATA_QUALITY}):", quality]
    marts = mart_sizes(con)
    if marts:
        lines += ["", "Marts:", format_table(["relation", "type", "rows"], marts)]
    else:
        lines.append("(no relations in a marts schema yet)")
    return lines


def summarize(duckdb_file: Path) -> str:
    """The build summary as text; a warning line instead if the file cannot be read."""
    if not duckdb_file.is_file():
        return f"warning: no warehouse file at {duckdb_file}: summary skipped"
    lines = [f"Warehouse: {duckdb_file} ({human_size(duckdb_file.stat().st_size)})"]
    try:
        with duckdb.connect(str(duckdb_file), read_only=True) as con:
            lines += _summary_lines(con)
    except duckdb.Error as error:
        lines.append(f"warning: could not read {duckdb_file} for the summary: {error}")
    return "\n".join(lines)
