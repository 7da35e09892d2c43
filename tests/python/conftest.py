"""Shared fixtures: a minimal raw folder that satisfies the source contract."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from csm.contract import Table, load_contract
from csm.paths import DEFAULT_DUCKDB_PATH, DEFAULT_SERVING_PATH, project_dir

DEFAULT_DUCKDB = project_dir() / DEFAULT_DUCKDB_PATH
DEFAULT_SERVING = project_dir() / DEFAULT_SERVING_PATH

# contract data_type -> (Arrow type, a sample value)
ARROW_SAMPLES: dict[str, tuple[pa.DataType, object]] = {
    "varchar": (pa.string(), "x"),
    "bigint": (pa.int64(), 100),
    "integer": (pa.int32(), 1),
    "double": (pa.float64(), 0.5),
    "boolean": (pa.bool_(), False),
    "date": (pa.date32(), date(2024, 1, 1)),
    "timestamp": (pa.timestamp("us"), datetime(2024, 1, 1, 12, 0)),
}


class RawFactory:
    """Writes contract-shaped Parquet files under a raw folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.contract: dict[str, Table] = load_contract(project_dir())

    def arrow_table(
        self,
        table: str,
        rows: int = 2,
        drop: tuple[str, ...] = (),
        override: dict[str, pa.Array] | None = None,
    ) -> pa.Table:
        """Contract columns of `table` (minus `drop`), `rows` rows; `override` replaces or
        adds columns (any Arrow array of length `rows`)."""
        columns: dict[str, pa.Array] = {}
        for column in self.contract[table].columns:
            if column.name in drop:
                continue
            arrow_type, value = ARROW_SAMPLES[column.data_type]
            columns[column.name] = pa.array([value] * rows, type=arrow_type)
        columns.update(override or {})
        return pa.table(columns)

    def write(self, table: str, data: pa.Table, name: str = "part-0.parquet") -> Path:
        path = self.root / table / name
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(data, path)
        return path

    def write_valid(self) -> Path:
        """One file with two rows for every contract table; returns the raw folder."""
        for table in self.contract:
            self.write(table, self.arrow_table(table))
        return self.root


# csm build exports its paths into os.environ for dbt (dbt_runner.export_paths)
EXPORTED = ("CSM_RAW_DIR", "CSM_DUCKDB_PATH", "DBT_SEND_ANONYMOUS_USAGE_STATS")


@pytest.fixture(autouse=True)
def _keep_exported_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that runs `csm build` in-process must not leave its paths in the environment
    of the tests after it (the semantic layer's test reads CSM_DUCKDB_PATH)."""
    for name in EXPORTED:
        if name in os.environ:
            monkeypatch.setenv(name, os.environ[name])
        else:
            monkeypatch.setenv(name, "")
            monkeypatch.delenv(name)


@pytest.fixture
def raw_factory(tmp_path: Path) -> RawFactory:
    return RawFactory(tmp_path / "raw")


@pytest.fixture
def valid_raw(raw_factory: RawFactory) -> Path:
    return raw_factory.write_valid()


@pytest.fixture(scope="session")
def built_raw_dir() -> Path:
    """The raw folder the warehouse was built from (make test sets CSM_RAW_DIR)."""
    path = Path(os.environ.get("CSM_RAW_DIR", project_dir() / "data" / "raw"))
    if not (path / "_generation.json").is_file():
        pytest.fail(
            f"no generated extracts in {path}: run `make test` (or csm generate + csm build)"
        )
    return path


@pytest.fixture(scope="session")
def warehouse(built_raw_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the DuckDB file `csm build` produced from built_raw_dir."""
    path = Path(os.environ.get("CSM_DUCKDB_PATH", DEFAULT_DUCKDB))
    if not path.is_file():
        pytest.fail(f"no warehouse at {path}: run `make test` (or csm build) first")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def serving_db(warehouse: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the serving file that build published from `warehouse`."""
    path = Path(os.environ.get("CSM_SERVING_PATH", DEFAULT_SERVING))
    if not path.is_file():
        pytest.fail(f"no serving database at {path}: run `make test` (or csm build) first")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()
