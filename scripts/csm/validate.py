"""Check the raw extracts folder against the source contract before dbt reads it.

Only Parquet footers are read (schema, row counts, statistics), not the data, so the check
takes about the same time for 100 rows as for 50 million.

Type compatibility (contract `data_type` <- Arrow type found in the file):

- varchar   <- string, large_string, string_view
- bigint    <- any signed or unsigned integer (8 to 64 bits)
- integer   <- any signed or unsigned integer: 64-bit files are accepted because writers
  (pandas, Spark) often widen integers; staging casts to 32 bits and quarantines a value
  that does not fit (rule out_of_range_<column>)
- double    <- float16, float32, float64
- boolean   <- bool
- date      <- date32, date64
- timestamp <- timestamp of any unit, with or without a time zone: one with a zone is
  converted to UTC (the contract's convention: timestamps without a zone are UTC)
- any type  <- null (a column that is entirely null in a file), for nullable columns only

A `_loaded_at` later than the wall clock (UTC) is rejected, naming the table, file and value:
it would move the build's "now" into the future. Its maximum comes from the Parquet
statistics (the column is read only when a file has none).

Dictionary-encoded columns are judged by their value type. Extra columns are allowed,
optional columns may be missing from some files (not from all of them), and Hive partition
keys in folder names (`event_date=2024-01-01/`) count as columns present in the files below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from csm.contract import Column, Table, load_contract
from csm.paths import project_dir

HINT = "fix the extract or regenerate with `csm generate`"


@dataclass(frozen=True)
class Problem:
    """One reason the raw folder cannot be built. `table` is None for the raw folder itself."""

    table: str | None
    column: str | None
    file: Path | None
    message: str

    def __str__(self) -> str:
        return self.message


_TYPE_CHECKS: dict[str, Callable[[pa.DataType], bool]] = {
    "varchar": lambda t: (
        pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)
    ),
    "bigint": pa.types.is_integer,
    "integer": pa.types.is_integer,
    "double": pa.types.is_floating,
    "boolean": pa.types.is_boolean,
    "date": pa.types.is_date,
    "timestamp": pa.types.is_timestamp,
}


def type_matches(column: Column, arrow_type: pa.DataType) -> bool:
    """Whether a file's Arrow type can be read as the contract type (see module docstring)."""
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pa.types.is_null(arrow_type):
        return not column.required
    check = _TYPE_CHECKS.get(column.data_type)
    if check is None:
        raise ValueError(f"contract column {column.name}: unknown data_type {column.data_type}")
    return check(arrow_type)


def parquet_files(folder: Path) -> list[Path]:
    """All Parquet files under a table folder, including Hive-partitioned subfolders."""
    return sorted(path for path in folder.rglob("*.parquet") if path.is_file())


def partition_keys(file: Path, folder: Path) -> set[str]:
    """Hive partition keys in the folders between the table folder and the file."""
    return {part.split("=", 1)[0] for part in file.relative_to(folder).parts[:-1] if "=" in part}


LOADED_AT = "_loaded_at"


@dataclass(frozen=True)
class _FileInfo:
    path: Path
    rows: int
    schema: pa.Schema
    partition_keys: set[str]
    latest_load: datetime | None  # max _loaded_at as UTC without a zone


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def latest_load(parquet: pq.ParquetFile) -> datetime | None:
    """The file's largest _loaded_at (UTC), from the row-group statistics when present."""
    if parquet.schema_arrow.get_field_index(LOADED_AT) < 0:
        return None
    metadata = parquet.metadata
    maxima: list[datetime] = []
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            chunk = row_group.column(index)
            if chunk.path_in_schema != LOADED_AT:
                continue
            stats = chunk.statistics
            if stats is None or not stats.has_min_max or not isinstance(stats.max, datetime):
                column = parquet.read(columns=[LOADED_AT]).column(0)
                found = pc.max(column).as_py()
                return _utc(found) if isinstance(found, datetime) else None
            maxima.append(_utc(stats.max))
    return max(maxima, default=None)


def _read_footer(path: Path, folder: Path) -> _FileInfo:
    parquet = pq.ParquetFile(path)
    try:
        return _FileInfo(
            path,
            parquet.metadata.num_rows,
            parquet.schema_arrow,
            partition_keys(path, folder),
            latest_load(parquet),
        )
    finally:
        parquet.close()


def _future_loads(table: Table, infos: list[_FileInfo], now: datetime) -> list[Problem]:
    late = [info for info in infos if info.latest_load is not None and info.latest_load > now]
    return [
        Problem(
            table.name,
            LOADED_AT,
            info.path,
            f"{table.name}.{LOADED_AT} in the future in {info.path}: {info.latest_load} is "
            f"later than the wall clock ({now:%Y-%m-%d %H:%M:%S} UTC); a load cannot happen "
            "after now (check the extract's clock and time zone)",
        )
        for info in late
    ]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _and_more(files: list[Path]) -> str:
    """'<first file>' or '<first file> (and N more files)' to keep big folders readable."""
    more = f" (and {_plural(len(files) - 1, 'more file')})" if len(files) > 1 else ""
    return f"{files[0]}{more}"


def _column_problems(table: Table, folder: Path, infos: list[_FileInfo]) -> list[Problem]:
    problems: list[Problem] = []
    for column in table.columns:
        missing: list[Path] = []
        wrong: dict[str, list[Path]] = {}
        for info in infos:
            index = info.schema.get_field_index(column.name)
            if index < 0:
                if column.name not in info.partition_keys:
                    missing.append(info.path)
                continue
            arrow_type = info.schema.field(index).type
            if not type_matches(column, arrow_type):
                wrong.setdefault(str(arrow_type), []).append(info.path)
        qualified = f"{table.name}.{column.name}"
        if missing and (column.required or len(missing) == len(infos)):
            where = (
                f"all {_plural(len(infos), 'file')} under {folder}"
                if len(missing) == len(infos) > 1
                else _and_more(missing)
            )
            reason = "required column" if column.required else "contract column found in no file"
            problems.append(
                Problem(
                    table.name,
                    column.name,
                    missing[0],
                    f"missing column {qualified} in {where} ({reason})",
                )
            )
        for found, files in wrong.items():
            extra = " (the column is required, so it cannot be all null)" if found == "null" else ""
            problems.append(
                Problem(
                    table.name,
                    column.name,
                    files[0],
                    f"wrong type for {qualified} in {_and_more(files)}: "
                    f"expected {column.data_type}, found {found}{extra}",
                )
            )
    return problems


def check_table(table: Table, raw: Path, now: datetime | None = None) -> list[Problem]:
    """All problems of one contract table's folder under the raw folder; `now` (UTC, no zone)
    bounds _loaded_at (default: the wall clock)."""
    folder = raw / table.name
    if not folder.is_dir():
        return [
            Problem(
                table.name, None, folder, f"missing table folder: {folder} (table {table.name})"
            )
        ]
    files = parquet_files(folder)
    if not files:
        return [
            Problem(
                table.name,
                None,
                folder,
                f"no Parquet files for table {table.name}: nothing matches {folder}/**/*.parquet",
            )
        ]
    problems: list[Problem] = []
    infos: list[_FileInfo] = []
    for path in files:
        try:
            infos.append(_read_footer(path, folder))
        except (OSError, pa.ArrowException) as error:
            message = f"unreadable Parquet file {path} (table {table.name}): {error}"
            problems.append(Problem(table.name, None, path, message))
    if infos and sum(info.rows for info in infos) == 0:
        problems.append(
            Problem(
                table.name,
                None,
                folder,
                f"empty table {table.name}: {_plural(len(infos), 'readable Parquet file')} "
                f"under {folder} hold 0 rows",
            )
        )
    now = now or datetime.now(UTC).replace(tzinfo=None)
    return problems + _column_problems(table, folder, infos) + _future_loads(table, infos, now)


def validate_raw(
    raw: Path, tables: Iterable[Table] | None = None, now: datetime | None = None
) -> list[Problem]:
    """Every problem of the raw folder against the contract (all tables, not just the first)."""
    if tables is None:
        tables = load_contract(project_dir()).values()
    if not raw.is_dir():
        return [
            Problem(
                None,
                None,
                raw,
                f"raw folder not found: {raw} (set --raw-dir or CSM_RAW_DIR, or create it "
                "with `csm generate`)",
            )
        ]
    return [problem for table in tables for problem in check_table(table, raw, now)]


def report(problems: list[Problem], raw: Path) -> str:
    """Human-readable result of validate_raw: 'OK' or one 'input error:' line per problem."""
    if not problems:
        return f"OK: {raw} matches the source contract"
    lines = [f"input error: {problem.message}" for problem in problems]
    lines.append(f"{_plural(len(problems), 'input problem')} in {raw}: {HINT}")
    return "\n".join(lines)
