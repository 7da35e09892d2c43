"""`csm load`: copy the raw Parquet folders into the `raw` schema of a Spark or PostgreSQL target.

DuckDB reads the Parquet files where they lie (the sources' `external_location`). Spark and
PostgreSQL read tables instead: on those targets every source resolves to `raw.<table>`,
and this module fills those tables, replacing them, from the same files.

Each table folder is read like DuckDB's `read_parquet(..., union_by_name = true,
hive_partitioning = false)` does: every Parquet file below it, columns matched by name, a
column missing from a file is null there, and folder names are not columns. Only the contract
columns are loaded, cast to their contract types (`csm.contract`), with two exceptions that
keep the raw value for staging to judge, as on DuckDB: `integer` columns load as 64-bit
(staging quarantines a value beyond 32 bits as out_of_range_<column>), and a timestamp with
a time zone loads as its UTC wall time.

Connection settings come from the target in `profiles.yml` (env_var() rendered as dbt does),
so dbt and the loader cannot disagree on where the warehouse is.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import yaml

from csm.contract import Table, load_contract
from csm.paths import project_dir
from csm.validate import parquet_files

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

RAW_SCHEMA = "raw"
PROFILE_NAME = "customer_success"
LOAD_TARGETS = ("postgres", "spark")

ARROW_TYPES: dict[str, pa.DataType] = {
    "varchar": pa.string(),
    "bigint": pa.int64(),
    "integer": pa.int64(),  # staging narrows to 32 bits (out_of_range_<column> otherwise)
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}

POSTGRES_TYPES = {
    "varchar": "text",
    "bigint": "bigint",
    "integer": "bigint",
    "double": "double precision",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}

SPARK_TYPES = {
    "varchar": "string",
    "bigint": "bigint",
    "integer": "bigint",
    "double": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}


class LoadError(Exception):
    """The target cannot be loaded (missing adapter, unreachable server, bad profile)."""


# --- profile --------------------------------------------------------------------------


def _env_var(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise LoadError(f"profiles.yml needs the environment variable {name}")
    return value


def _render(value: Any, env: jinja2.Environment) -> Any:
    if isinstance(value, str):
        return env.from_string(value).render()
    if isinstance(value, dict):
        return {key: _render(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [_render(item, env) for item in value]
    return value


def target_settings(target: str, project: Path | None = None) -> dict[str, Any]:
    """A target of profiles.yml with its Jinja (env_var, as_number, ...) rendered."""
    path = (project or project_dir()) / "profiles.yml"
    outputs = yaml.safe_load(path.read_text())[PROFILE_NAME]["outputs"]
    if target not in outputs:
        raise LoadError(f"{path} has no target {target!r} (targets: {', '.join(outputs)})")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.globals["env_var"] = _env_var
    for name in ("as_number", "as_text", "as_bool", "as_native"):
        env.filters[name] = lambda value: value
    return _render(outputs[target], env)


# --- reading the raw folders ----------------------------------------------------------


def read_raw_table(folder: Path, table: Table) -> pa.Table:
    """Every Parquet file under `folder` as one Arrow table of the contract columns and types."""
    schema = pa.schema([(c.name, ARROW_TYPES[c.data_type]) for c in table.columns])
    parts: list[pa.Table] = []
    for path in parquet_files(folder):
        found = pq.read_schema(path).names
        data = pq.read_table(path, columns=[name for name in schema.names if name in found])
        columns = [
            data.column(field.name).cast(field.type)
            if field.name in found
            else pa.nulls(data.num_rows, field.type)
            for field in schema
        ]
        parts.append(pa.Table.from_arrays(columns, schema=schema))
    if not parts:
        raise LoadError(f"{table.name}: no Parquet files under {folder}")
    return pa.concat_tables(parts)


# --- PostgreSQL -----------------------------------------------------------------------


@contextmanager
def postgres_connection(project: Path | None = None) -> Iterator[Any]:
    """A psycopg2 connection to the `postgres` target (installed with dbt-postgres)."""
    try:
        import psycopg2
    except ImportError as error:
        raise LoadError(
            "the postgres target needs the extra: pip install -e '.[postgres]'"
        ) from error
    settings = target_settings("postgres", project)
    try:
        connection = psycopg2.connect(
            host=settings["host"],
            port=int(settings["port"]),
            user=settings["user"],
            password=settings.get("password") or None,
            dbname=settings["dbname"],
            connect_timeout=10,
        )
    except psycopg2.OperationalError as error:
        raise LoadError(
            f"cannot connect to PostgreSQL at {settings['host']}:{settings['port']} "
            f"as {settings['user']} (database {settings['dbname']}): {str(error).strip()}; "
            "start one with scripts/ci/postgres.sh or set CSM_PG_HOST / CSM_PG_PORT / "
            "CSM_PG_USER / CSM_PG_PASSWORD / CSM_PG_DATABASE"
        ) from error
    try:
        yield connection
    finally:
        connection.close()


def _csv_bytes(data: pa.Table) -> io.BytesIO:
    # every non-null value quoted: an unquoted empty field is NULL to COPY, "" an empty string
    buffer = io.BytesIO()
    options = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
    pa_csv.write_csv(data, buffer, options)
    buffer.seek(0)
    return buffer


def load_postgres(
    raw: Path, tables: dict[str, Table], progress: Callable[[str], None] = print
) -> dict[str, int]:
    rows: dict[str, int] = {}
    with postgres_connection() as connection:
        with connection.cursor() as cursor:
            cursor.execute(f"create schema if not exists {RAW_SCHEMA}")
        connection.commit()
        for name, table in tables.items():
            started = time.monotonic()
            data = read_raw_table(raw / name, table)
            columns = ", ".join(f'"{c.name}" {POSTGRES_TYPES[c.data_type]}' for c in table.columns)
            names = ", ".join(f'"{c.name}"' for c in table.columns)
            with connection.cursor() as cursor:
                # one transaction per table: readers see the old table or the new one
                cursor.execute(f"drop table if exists {RAW_SCHEMA}.{name}")
                cursor.execute(f"create table {RAW_SCHEMA}.{name} ({columns})")
                cursor.copy_expert(
                    f"copy {RAW_SCHEMA}.{name} ({names}) from stdin with (format csv)",
                    _csv_bytes(data),
                )
                cursor.execute(f"analyze {RAW_SCHEMA}.{name}")
            connection.commit()
            rows[name] = data.num_rows
            progress(
                f"  {name}: {data.num_rows:,} rows -> {RAW_SCHEMA}.{name} "
                f"({time.monotonic() - started:.1f}s)"
            )
    return rows


# --- Spark ----------------------------------------------------------------------------


def spark_session(project: Path | None = None) -> SparkSession:
    """The in-process SparkSession dbt-spark's `method: session` opens for the `spark`
    target: Hive support and the target's server_side_parameters (same warehouse and
    metastore). Only one process may hold the local Derby metastore at a time."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise LoadError("the spark target needs the extra: pip install -e '.[spark]'") from error
    settings = target_settings("spark", project)
    if settings.get("method") != "session":
        raise LoadError(
            f"csm load --target spark runs Spark in-process (method: session), the target "
            f"uses method {settings.get('method')!r}: load raw.* with the cluster's own tools"
        )
    builder = SparkSession.builder.enableHiveSupport()
    parameters = {str(k): str(v) for k, v in (settings.get("server_side_parameters") or {}).items()}
    parameters["spark.sql.ansi.enabled"] = "false"  # as dbt-spark sets it
    for key, value in parameters.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def load_spark(
    raw: Path, tables: dict[str, Table], progress: Callable[[str], None] = print
) -> dict[str, int]:
    from pyspark.sql import functions as F

    rows: dict[str, int] = {}
    session = spark_session()
    session.sql(f"create database if not exists {RAW_SCHEMA}")
    with tempfile.TemporaryDirectory(prefix="csm_load_") as staging:
        for name, table in tables.items():
            started = time.monotonic()
            data = read_raw_table(raw / name, table)
            # one typed file Spark reads back, then a managed Parquet table in database raw
            path = Path(staging) / f"{name}.parquet"
            pq.write_table(data, path)
            frame = session.read.parquet(str(path)).select(
                *(F.col(c.name).cast(SPARK_TYPES[c.data_type]).alias(c.name) for c in table.columns)
            )
            frame.write.mode("overwrite").format("parquet").saveAsTable(f"{RAW_SCHEMA}.{name}")
            rows[name] = data.num_rows
            progress(
                f"  {name}: {data.num_rows:,} rows -> {RAW_SCHEMA}.{name} "
                f"({time.monotonic() - started:.1f}s)"
            )
    return rows


def load(target: str, raw: Path, progress: Callable[[str], None] = print) -> dict[str, int]:
    """Replace every contract table in the target's `raw` schema with the raw folder's rows."""
    if target not in LOAD_TARGETS:
        raise LoadError(f"csm load supports {', '.join(LOAD_TARGETS)}, not {target!r}")
    tables = load_contract(project_dir())
    loader = load_postgres if target == "postgres" else load_spark
    return loader(raw, tables, progress)
