"""What every page reads: the serving connection, publish_info, the months and segments of the
filters, the theme, and the formatting of `csm report`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from csm import report, serving
from csm.dashboard.theme import Theme

# the order of the segment filter (fct_kpi_monthly.segment values present are shown)
SEGMENT_ORDER = ("all", "smb", "mid_market", "enterprise", "unknown")
FILTER_MONTHS = 12  # complete months offered by the month filter
HISTORY_MONTHS = 24  # months a time-series chart shows, ending with the chosen month


def month_index(month: date) -> int:
    """Months since year 0: the charts filter on it (`mi`)."""
    return month.year * 12 + month.month - 1


def month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def months_before(month: date, count: int) -> date:
    index = month_index(month) - count
    return date(index // 12, index % 12 + 1, 1)


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def fmt(value: Any, unit: str) -> str:
    """A mart value as `csm report` prints it ('-' when missing)."""
    if is_missing(value):
        return "-"
    return report.format_value(value, unit)


def fmt_change(value: Any, unit: str) -> str:
    if is_missing(value):
        return "-"
    return report.format_change(value, unit)


def raw_number(value: Any) -> str:
    """The unformatted value for data-value attributes: repr of the double, '' when missing."""
    if is_missing(value):
        return ""
    return repr(float(value)) if isinstance(value, float | int | Decimal) else str(value)


def fmt_date(value: Any) -> str:
    if is_missing(value):
        return "-"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return value.isoformat() if isinstance(value, date) else str(value)


@dataclass
class Context:
    connection: duckdb.DuckDBPyConnection
    theme: Theme
    info: dict[str, Any]
    months: list[date]  # the month filter's months, latest first
    segments: list[str]
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def as_of(self) -> datetime:
        return self.info["as_of_timestamp"]

    @property
    def as_of_date(self) -> date:
        return self.as_of.date()

    @property
    def month(self) -> date:
        """The default month: the latest complete month (as `csm report`)."""
        return self.months[0]

    @property
    def first_history_month(self) -> date:
        return months_before(self.months[-1], HISTORY_MONTHS - 1)

    @property
    def month_labels(self) -> list[str]:
        return [month_label(m) for m in self.months]

    def df(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        return self.connection.execute(sql, params or []).df()

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cursor = self.connection.execute(sql, params or [])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def open_context(connection: duckdb.DuckDBPyConnection, theme: Theme) -> Context:
    info = serving.read_publish_info(connection)
    months = [
        row[0]
        for row in connection.execute(
            f"select distinct month from {report.KPI_TABLE} where is_complete_month "
            "order by month desc limit ?",
            [FILTER_MONTHS],
        ).fetchall()
    ]
    if not months:
        raise LookupError(f"{report.KPI_TABLE} has no complete month: run `csm build` first")
    present = {
        row[0]
        for row in connection.execute(f"select distinct segment from {report.KPI_TABLE}").fetchall()
    }
    segments = [s for s in SEGMENT_ORDER if s in present] + sorted(present - set(SEGMENT_ORDER))
    return Context(connection=connection, theme=theme, info=info, months=months, segments=segments)
