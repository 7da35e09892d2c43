"""Read the same relation from the DuckDB, PostgreSQL and Spark warehouses and compare it.

The warehouses are built beforehand from the same raw folder (scripts/ci/cross_engine.sh:
`csm load` + `dbt build --target <engine>`); nothing here builds. Connection settings come
from profiles.yml through csm.load, like dbt's.

Values are compared by kind, so a new mart needs no column list:
- two decimals (money): equal to the cent;
- a float on either side (rates, averages): equal within 1e-9, relative above 1;
- anything else (keys, counts, dates, labels, flags): exactly equal.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from csm.load import postgres_connection, spark_session, target_settings
from csm.paths import DEFAULT_DUCKDB_PATH, project_dir

ENGINES = ("duckdb", "postgres", "spark")
REFERENCE = "duckdb"
CENT = Decimal("0.01")
RATE_TOLERANCE = 1e-9

Row = dict[str, Any]


@dataclass(frozen=True)
class Relation:
    """A model to compare: its layer (the schema suffix dbt gives it) and its primary key."""

    layer: str
    name: str
    key: tuple[str, ...]

    def schema(self, engine: str) -> str:
        # dbt's default generate_schema_name: <target schema>_<custom schema>
        base = "main" if engine == "duckdb" else target_settings(engine)["schema"]
        return f"{base}_{self.layer}"


class Warehouses:
    """Lazily opened read connections to the three warehouses of one test session."""

    def __init__(self) -> None:
        self._duckdb: duckdb.DuckDBPyConnection | None = None
        self._postgres: Any = None
        self._postgres_context: Any = None
        self._spark: Any = None

    def rows(self, engine: str, relation: Relation) -> list[Row]:
        table = f"{relation.schema(engine)}.{relation.name}"
        if engine == "duckdb":
            return self._duckdb_rows(table)
        if engine == "postgres":
            return self._postgres_rows(table)
        if engine == "spark":
            return [row.asDict() for row in self._spark_session().table(table).collect()]
        raise ValueError(f"unknown engine {engine!r}")

    def _duckdb_rows(self, table: str) -> list[Row]:
        if self._duckdb is None:
            path = Path(os.environ.get("CSM_DUCKDB_PATH", project_dir() / DEFAULT_DUCKDB_PATH))
            self._duckdb = duckdb.connect(str(path), read_only=True)
        cursor = self._duckdb.execute(f"select * from {table}")
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    def _postgres_rows(self, table: str) -> list[Row]:
        if self._postgres is None:
            self._postgres_context = postgres_connection()
            self._postgres = self._postgres_context.__enter__()
        with self._postgres.cursor() as cursor:
            cursor.execute(f"select * from {table}")
            names = [column.name for column in cursor.description]
            return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    def _spark_session(self) -> Any:
        if self._spark is None:
            self._spark = spark_session()
        return self._spark

    def close(self) -> None:
        if self._duckdb is not None:
            self._duckdb.close()
        if self._postgres_context is not None:
            self._postgres_context.__exit__(None, None, None)
        if self._spark is not None:
            self._spark.stop()


def _is_float(value: Any) -> bool:
    return isinstance(value, float)


def values_match(expected: Any, actual: Any) -> bool:
    """Whether two cells agree (see the module docstring for the rules by kind)."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual or expected == actual
    if _is_float(expected) or _is_float(actual):
        a, b = float(expected), float(actual)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= RATE_TOLERANCE * max(1.0, abs(a), abs(b))
    if isinstance(expected, Decimal) or isinstance(actual, Decimal):
        return Decimal(expected).quantize(CENT) == Decimal(actual).quantize(CENT)
    if isinstance(expected, datetime) and isinstance(actual, datetime):
        return expected.replace(tzinfo=None) == actual.replace(tzinfo=None)
    if isinstance(expected, date) and isinstance(actual, date):
        return expected == actual
    return expected == actual


def _keyed(rows: Sequence[Row], key: Sequence[str]) -> dict[tuple[Any, ...], Row]:
    keyed: dict[tuple[Any, ...], Row] = {}
    for row in rows:
        keyed[tuple(row[column] for column in key)] = row
    return keyed


def differences(
    expected: Sequence[Row], actual: Sequence[Row], key: Sequence[str]
) -> Iterator[str]:
    """Human-readable differences between two versions of a relation, keyed by `key`."""
    expected_columns = set(expected[0]) if expected else set()
    actual_columns = set(actual[0]) if actual else set()
    if expected_columns != actual_columns:
        yield (
            f"columns differ: only in {REFERENCE}: {sorted(expected_columns - actual_columns)}, "
            f"only here: {sorted(actual_columns - expected_columns)}"
        )
        return
    if len(expected) != len(actual):
        yield f"{len(expected)} rows in {REFERENCE}, {len(actual)} here"
    left, right = _keyed(expected, key), _keyed(actual, key)
    if len(left) != len(expected) or len(right) != len(actual):
        yield f"key {list(key)} is not unique"
    for missing in sorted(set(left) - set(right), key=repr):
        yield f"row {missing} missing here"
    for extra in sorted(set(right) - set(left), key=repr):
        yield f"row {extra} only here"
    for row_key in sorted(set(left) & set(right), key=repr):
        for column in sorted(expected_columns):
            a, b = left[row_key][column], right[row_key][column]
            if not values_match(a, b):
                yield f"row {row_key} column {column}: {REFERENCE} {a!r}, here {b!r}"
