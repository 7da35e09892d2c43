"""The pieces pages are made of: KPI cards, tables paged in the browser, charts (Vega-Lite
specs from Altair) and the JSON they travel in."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from csm import report
from csm.dashboard.context import (
    Context,
    fmt,
    fmt_change,
    is_missing,
    month_index,
    month_label,
    months_before,
    raw_number,
)
from csm.dashboard.theme import Badge

SPARK_MONTHS = 12


def script_json(data: Any) -> Markup:
    """JSON safe inside a <script type="application/json"> element."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
    return Markup(text.replace("</", "<\\/"))


@dataclass(frozen=True)
class Chart:
    """One chart: a Vega-Lite spec and the page filters (Vega signals) it listens to."""

    id: str
    title: str
    spec: dict[str, Any]
    params: tuple[str, ...] = ()
    note: str = ""
    tall: bool = False


@dataclass(frozen=True)
class KpiCard:
    """One KPI of one segment and month, formatted: value, status, target, change."""

    kpi_key: str
    segment: str
    month: str
    value: str  # unformatted, for data-value
    value_text: str
    status_key: str
    target_text: str
    change_text: str

    def detail(self) -> str:
        target = f"target {self.target_text} · " if self.target_text != "-" else ""
        return f"{target}{self.change_text} vs last month"

    def variant(self) -> list[str]:
        return [self.value, self.value_text, self.status_key, self.detail()]


@dataclass
class KpiSlot:
    """The place of one KPI on a page: the card the filters choose (the page script swaps in
    the segment's and month's values from `variants`) and a sparkline of 12 months."""

    kpi_key: str
    label: str
    default: KpiCard | None = None
    variants: dict[str, list[str]] = field(default_factory=dict)
    chart: Chart | None = None
    segmented: bool = True


def kpi_payload(ctx: Context, slots: list[KpiSlot]) -> dict[str, Any]:
    """What the page script needs to show any segment's and month's card."""
    return {
        "cards": {slot.kpi_key: slot.variants for slot in slots},
        "statuses": {
            key: [badge.icon, badge.word, badge.color] for key, badge in ctx.theme.statuses.items()
        },
    }


@dataclass
class DataTable:
    """Rows rendered and paged in the browser: each row's cells are already formatted; `s`
    is its segment and `m` its month (YYYY-MM) when the page filters apply to it."""

    id: str
    columns: list[str]
    rows: list[dict[str, Any]]
    page_size: int = 25
    note: str = ""
    empty: str = "No rows."
    numeric: tuple[int, ...] = ()  # right-aligned columns
    link: tuple[int, str] | None = None  # (column, href with {k} for the row's key)

    def payload(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "rows": self.rows,
            "pageSize": self.page_size,
            "empty": self.empty,
            "numeric": list(self.numeric),
            "link": list(self.link) if self.link else None,
        }


def badge(item: Badge, color: str | None = None) -> dict[str, str]:
    """A table cell drawn as a coloured badge with its icon and word."""
    return {"t": f"{item.icon} {item.word}".strip(), "c": color or item.color}


def kpi_slots(ctx: Context, keys: list[str], spark_id: str) -> list[KpiSlot]:
    """Cards for each KPI, segment and filter month from fct_kpi_monthly, each with its
    status, target and change as `csm report` prints them, and one sparkline per KPI."""
    from csm.dashboard import charts  # charts imports this module's Chart

    found = ctx.rows(
        f"select month, kpi_key, segment, value, display_unit, target, status, mom_change "
        f"from {report.KPI_TABLE} where kpi_key in (select unnest(?)) and month >= ? "
        "and month <= ? order by kpi_key, segment, month",
        [keys, ctx.first_history_month, ctx.months[0]],
    )
    filter_months = set(ctx.months)
    spark_from = months_before(ctx.months[-1], SPARK_MONTHS - 1)
    slots = []
    for key in keys:
        rows = [row for row in found if row["kpi_key"] == key]
        slot = KpiSlot(kpi_key=key, label=ctx.theme.kpi_label(key))
        slot.segmented = any(row["segment"] != "all" for row in rows)
        for row in rows:
            if row["month"] not in filter_months:
                continue
            unit = row["display_unit"]
            card = KpiCard(
                kpi_key=key,
                segment=row["segment"],
                month=month_label(row["month"]),
                value=raw_number(row["value"]),
                value_text=fmt(row["value"], unit),
                status_key=row["status"] or "no_target",
                target_text=fmt(row["target"], unit),
                change_text=fmt_change(row["mom_change"], unit),
            )
            slot.variants[f"{card.segment}|{card.month}"] = card.variant()
            if card.segment == "all" and row["month"] == ctx.month:
                slot.default = card
        spark = [
            {
                "mi": month_index(row["month"]),
                "month": month_label(row["month"]),
                "segment": row["segment"],
                "value": float(row["value"]),
                "text": fmt(row["value"], row["display_unit"]),
            }
            for row in rows
            if not is_missing(row["value"]) and row["month"] >= spark_from
        ]
        slot.chart = charts.sparkline(
            f"{spark_id}-{key}", slot.label, spark, ctx, SPARK_MONTHS, segmented=slot.segmented
        )
        slots.append(slot)
    return slots
