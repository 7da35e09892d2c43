"""Contract-shaped Arrow tables and Parquet output.

Builders hand over columns as numpy arrays or Arrow arrays; time columns are int64 day
numbers (date) or microseconds (timestamp) where `NEVER` means null; other columns take
null from a `(values, null_mask)` pair or from the Arrow array itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from csm.contract import Table, load_contract
from csm.generator.timeline import NEVER

ARROW_TYPES: dict[str, pa.DataType] = {
    "varchar": pa.string(),
    "bigint": pa.int64(),
    "integer": pa.int32(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}
COMPRESSION = "zstd"


def contract() -> dict[str, Table]:
    return load_contract()


def schema(table: str) -> pa.Schema:
    spec = contract()[table]
    return pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.data_type], nullable=not c.required) for c in spec.columns]
    )


def _array(values: Any, arrow_type: pa.DataType) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == arrow_type else values.cast(arrow_type)
    mask = None
    if isinstance(values, tuple):
        values, mask = values
    values = np.asarray(values)
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        never = values == NEVER
        mask = never if mask is None else (mask | never)
        values = np.where(never, 0, values)
        storage = pa.int64() if pa.types.is_timestamp(arrow_type) else pa.int32()
        return pa.array(values.astype(storage.to_pandas_dtype()), storage, mask=mask).cast(
            arrow_type
        )
    return pa.array(values, arrow_type, mask=mask)


def build(table: str, columns: dict[str, Any]) -> pa.Table:
    """An Arrow table with exactly the contract's columns, order and types."""
    target = schema(table)
    missing = set(target.names) - set(columns)
    extra = set(columns) - set(target.names)
    if missing or extra:
        raise ValueError(f"{table}: missing columns {sorted(missing)}, unknown {sorted(extra)}")
    arrays = [_array(columns[f.name], f.type) for f in target]
    return pa.Table.from_arrays(arrays, schema=target)


def fresh_folder(out_dir: Path, table: str) -> Path:
    """Empty `out_dir/table`, removing files of an earlier run."""
    folder = out_dir / table
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def write(data: pa.Table, path: Path) -> None:
    pq.write_table(data, path, compression=COMPRESSION, row_group_size=1 << 20)
