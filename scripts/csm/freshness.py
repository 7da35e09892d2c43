"""`csm freshness`: a stopped feed is noticed.

The build's recency tests and the scorecard compare each table with the data's own latest
load (the as-of time), so a pipeline that stopped altogether still looks fresh. This check
compares each raw table's latest `_loaded_at` (from the Parquet statistics, as `csm validate`
reads it) with the wall clock, against the limits of the data-quality policy seed (family
`load_age_hours`: the table's row, else the `*` row): above `warn_above` hours it warns, above
`error_above` it fails, naming the table. Tests on fixed data never run it; `now` is a
parameter so tests can set the clock.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from csm import summary
from csm.contract import Table, load_contract
from csm.validate import latest_load, parquet_files

POLICY_SEED = Path("seeds") / "data_quality_policy.csv"
FAMILY = "load_age_hours"


@dataclass(frozen=True)
class Limit:
    """Hours without a load after which a table warns / fails (None = never)."""

    warn_hours: float | None
    error_hours: float | None


@dataclass(frozen=True)
class Freshness:
    """One table's latest load against its limit."""

    table: str
    latest_load: datetime | None  # None: no file, or no _loaded_at in any
    age_hours: float | None
    limit: Limit

    @property
    def status(self) -> str:
        if self.age_hours is None:
            return "error"
        if self.limit.error_hours is not None and self.age_hours > self.limit.error_hours:
            return "error"
        warn = (
            self.limit.warn_hours if self.limit.warn_hours is not None else self.limit.error_hours
        )
        if warn is not None and self.age_hours > warn:
            return "warn"
        return "ok"

    def sentence(self) -> str:
        """'product_events: no load for 80.5 h (latest 2026-09-30 23:30 UTC), above its limit
        of 72 h' for a stale table."""
        if self.latest_load is None:
            return f"{self.table}: no load found (no Parquet file with a _loaded_at)"
        if self.status == "error":
            limit, what = self.limit.error_hours, "limit"
        else:
            limit = self.limit.warn_hours if self.limit.warn_hours is not None else 0.0
            what = "warning limit"
        return (
            f"{self.table}: no load for {self.age_hours:,.1f} h (latest "
            f"{self.latest_load:%Y-%m-%d %H:%M} UTC), above its {what} of {limit:,.0f} h"
        )


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def load_limits(project: Path) -> dict[str, Limit]:
    """The load_age_hours rows of the policy seed: '*' and each table that has its own row."""
    with (project / POLICY_SEED).open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["check_family"] == FAMILY]
    limits = {
        row["table_name"]: Limit(_number(row["warn_above"]), _number(row["error_above"]))
        for row in rows
    }
    if "*" not in limits:
        raise ValueError(f"{project / POLICY_SEED} has no {FAMILY} row for table '*'")
    return limits


def latest_table_load(folder: Path) -> datetime | None:
    """The latest _loaded_at (UTC) over every Parquet file of a table folder."""
    found: list[datetime] = []
    for path in parquet_files(folder) if folder.is_dir() else []:
        try:
            parquet = pq.ParquetFile(path)
        except (OSError, pa.ArrowException):
            continue  # csm validate names unreadable files
        try:
            latest = latest_load(parquet)
        finally:
            parquet.close()
        if latest is not None:
            found.append(latest)
    return max(found, default=None)


def check(
    raw: Path,
    limits: dict[str, Limit],
    now: datetime | None = None,
    tables: Iterable[Table] | None = None,
) -> list[Freshness]:
    """Each contract table's latest load against its limit; `now` is UTC without a zone
    (default: the wall clock)."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    results = []
    for table in tables if tables is not None else load_contract().values():
        latest = latest_table_load(raw / table.name)
        age = (now - latest).total_seconds() / 3600 if latest is not None else None
        results.append(Freshness(table.name, latest, age, limits.get(table.name, limits["*"])))
    return results


def report(results: list[Freshness], now: datetime) -> str:
    """A table of every raw table's latest load, then one line per stale table."""
    rows = [
        (
            result.table,
            f"{result.latest_load:%Y-%m-%d %H:%M}" if result.latest_load else "-",
            round(result.age_hours, 1) if result.age_hours is not None else None,
            result.limit.warn_hours,
            result.limit.error_hours,
            result.status,
        )
        for result in results
    ]
    columns = ["table", "latest load (UTC)", "hours ago", "warn after", "error after", "status"]
    lines = [
        f"Raw tables' latest loads at {now:%Y-%m-%d %H:%M} UTC (limits: seed "
        f"data_quality_policy, {FAMILY}):",
        summary.format_table(columns, rows),
    ]
    for result in results:
        if result.status != "ok":
            lines.append(
                f"{'stale' if result.status == 'error' else 'warning'}: {result.sentence()}"
            )
    return "\n".join(lines)


def stale(results: list[Freshness]) -> list[Freshness]:
    """The tables past their error limit (or without any load)."""
    return [result for result in results if result.status == "error"]
