"""Satisfaction (seed 002): CSAT %, NPS and CES by touchpoint and segment over time, against
their targets, and the month's touchpoint table."""

from __future__ import annotations

from typing import Any

from csm.dashboard import charts
from csm.dashboard.components import kpi_slots
from csm.dashboard.context import Context, fmt, is_missing, month_index, month_label
from csm.dashboard.pages import Output, Page

SATISFACTION_KPIS = ["csat_pct", "csat_avg", "nps", "ces_avg", "survey_response_rate"]
# (fct_satisfaction_monthly column, the KPI whose target applies, unit, chart title)
SCORES = [
    ("csat_pct", "csat_pct", "ratio", "CSAT % satisfied by touchpoint"),
    ("nps", "nps", "score", "NPS by touchpoint"),
    ("ces_avg", "ces_avg", "score", "CES average (1-7) by touchpoint"),
]


def _rows(ctx: Context) -> list[dict[str, Any]]:
    return ctx.rows(
        "select month, touchpoint, segment, responses, csat_pct, csat_avg, nps, ces_avg, "
        "response_rate from fct_satisfaction_monthly where survey_type = 'all' "
        "and month >= ? and month <= ? order by month, touchpoint, segment",
        [ctx.first_history_month, ctx.month],
    )


def _targets(ctx: Context) -> dict[str, Any]:
    found = ctx.rows(
        "select kpi_key, target from fct_kpi_monthly where segment = 'all' and month = ? "
        "and kpi_key in (select unnest(?))",
        [ctx.month, [kpi for _, kpi, _, _ in SCORES]],
    )
    return {r["kpi_key"]: r["target"] for r in found}


def _charts(ctx: Context, rows: list[dict[str, Any]]) -> list[charts.Chart]:
    targets = _targets(ctx)
    touchpoints = sorted({r["touchpoint"] for r in rows if r["touchpoint"] != "all"})
    colors = dict(zip(["all", *touchpoints], ctx.theme.palette, strict=False))
    found = []
    for column, kpi, unit, title in SCORES:
        target = targets.get(kpi)
        found.append(
            charts.lines(
                f"sat-{column}",
                title,
                [
                    {
                        "mi": month_index(r["month"]),
                        "month": month_label(r["month"]),
                        "segment": r["segment"],
                        "series": r["touchpoint"],
                        "value": float(r[column]),
                        "text": f"{fmt(r[column], unit)} ({fmt(r['responses'], 'count')} "
                        "responses)",
                    }
                    for r in rows
                    if not is_missing(r[column])
                ],
                ctx,
                unit=unit,
                series_title="touchpoint",
                colors=colors,
                targets=(
                    [{"series": "all", "target": float(target), "text": fmt(target, unit)}]
                    if target is not None
                    else None
                ),
                note="Dashed: the target of fct_kpi_monthly. Touchpoint all is every survey.",
            )
        )
    return found


def _table(ctx: Context, rows: list[dict[str, Any]]) -> dict[str, Any]:
    months = set(ctx.months)
    return {
        "columns": [
            "Touchpoint",
            "Responses",
            "CSAT %",
            "CSAT avg",
            "NPS",
            "CES avg",
            "Response rate",
        ],
        "rows": [
            {
                "month": month_label(r["month"]),
                "segment": r["segment"],
                "cells": [
                    r["touchpoint"].replace("_", " "),
                    fmt(r["responses"], "count"),
                    fmt(r["csat_pct"], "ratio"),
                    fmt(r["csat_avg"], "score"),
                    fmt(r["nps"], "score"),
                    fmt(r["ces_avg"], "score"),
                    fmt(r["response_rate"], "ratio"),
                ],
            }
            for r in rows
            if r["month"] in months
        ],
    }


def build(ctx: Context) -> list[Output]:
    slots = kpi_slots(ctx, SATISFACTION_KPIS, "spark")
    rows = _rows(ctx)
    chart_list = _charts(ctx, rows)
    return [
        Output(
            path="satisfaction.html",
            template="satisfaction.html",
            context={
                "slots": slots,
                "chart_list": chart_list,
                "all_charts": [*chart_list, *(s.chart for s in slots if s.chart)],
                "touchpoints": _table(ctx, rows),
            },
        )
    ]


PAGE = Page(
    slug="satisfaction",
    title="Satisfaction",
    summary="CSAT %, NPS and CES by touchpoint and segment over time against their targets.",
    build=build,
)
