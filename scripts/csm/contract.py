"""The raw source contract, read from the dbt sources YAML (the single place it is written).

Each `models/staging/<source>/_<source>__sources.yml` declares its tables, their columns,
`data_type`, and in column `config.meta`: `required` (never null in valid data), `enum`
(normalized accepted values), `max_abs` (the largest magnitude a valid value has) and `pii`;
in table `config.meta`: `key`, `latest_by`, `event_time` (the column telling when the row's
event happened, never after its `_loaded_at`) and `snapshot` (a full copy of the table comes
with every extract).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from csm.paths import project_dir


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    required: bool
    enum: tuple[str, ...] | None
    pii: bool
    max_abs: int | None = None


@dataclass(frozen=True)
class Table:
    name: str
    source: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    latest_by: tuple[str, ...]
    event_time: str | None = None
    redelivered: bool = False
    snapshot: bool = False  # a full copy with every extract (a replay reads it whole)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _meta(node: dict) -> dict:
    return (node.get("config") or {}).get("meta") or {}


def _read(path: Path) -> list[Table]:
    tables: list[Table] = []
    for source in yaml.safe_load(path.read_text())["sources"]:
        for table in source["tables"]:
            meta = _meta(table)
            columns = tuple(
                Column(
                    name=col["name"],
                    data_type=col["data_type"].lower(),
                    required=bool(_meta(col).get("required", False)),
                    enum=tuple(_meta(col)["enum"]) if "enum" in _meta(col) else None,
                    pii=bool(_meta(col).get("pii", False)),
                    max_abs=_meta(col).get("max_abs"),
                )
                for col in table["columns"]
            )
            tables.append(
                Table(
                    name=table["name"],
                    source=source["name"],
                    columns=columns,
                    key=tuple(meta["key"]),
                    latest_by=tuple(meta["latest_by"]),
                    event_time=meta.get("event_time"),
                    redelivered=bool(meta.get("redelivered", False)),
                    snapshot=bool(meta.get("snapshot", False)),
                )
            )
    return tables


@cache
def load_contract(root: Path | None = None) -> dict[str, Table]:
    """All contract tables by name, in declaration order."""
    base = (root or project_dir()) / "models" / "staging"
    files = sorted(base.glob("*/_*__sources.yml"))
    if not files:
        raise FileNotFoundError(f"no sources YAML under {base}")
    return {table.name: table for path in files for table in _read(path)}
