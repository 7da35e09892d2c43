"""Executive overview (seeds 000, 001, 003): the headline KPI cards, MRR movements, NRR and GRR
against targets, the health tier mix over time, the segment table and cohort retention."""

from __future__ import annotations

from typing import Any

from csm.dashboard import charts
from csm.dashboard.components import kpi_slots
from csm.dashboard.context import (
    Context,
    fmt,
    is_missing,
    month_index,
    month_label,
    months_before,
)
from csm.dashboard.pages import Output, Page

HEADLINE_KPIS = [
    "arr",
    "nrr_t12m",
    "grr_t12m",
    "logo_churn_rate_t12m",
    "logo_churn_rate",
    "clv",
    "cac_payback_months",
    "ltv_to_cac",
    "expansion_pipeline_coverage",
    "avg_health_score",
    "pct_accounts_at_risk",
    "csat_avg",
    "nps",
    "median_time_to_value_days",
]
# seed 000's and 001's segment table: size segment x health, NRR, GRR, logo churn, CLV, NPS
SEGMENT_TABLE_KPIS = [
    "avg_health_score",
    "nrr_t12m",
    "grr_t12m",
    "logo_churn_rate_t12m",
    "clv",
    "nps",
]
MOVEMENTS = [  # (column of fct_revenue_retention_monthly, movement, sign on the chart)
    ("new_mrr", "new", 1),
    ("expansion_mrr", "expansion", 1),
    ("reactivation_mrr", "reactivation", 1),
    ("contraction_mrr", "contraction", -1),
    ("churned_mrr", "churn", -1),
]
RETENTION_KPIS = ["nrr_monthly", "grr_monthly", "nrr_t12m", "grr_t12m"]
COHORT_MONTHS = 24


def _movement_chart(ctx: Context) -> charts.Chart:
    frame = ctx.rows(
        "select month, segment, "
        + ", ".join(column for column, _, _ in MOVEMENTS)
        + " from fct_revenue_retention_monthly where month >= ? and month <= ?",
        [ctx.first_history_month, ctx.month],
    )
    rows = []
    for record in frame:
        for order, (column, movement, sign) in enumerate(MOVEMENTS):
            amount = record[column]
            if is_missing(amount):
                continue
            rows.append(
                {
                    "mi": month_index(record["month"]),
                    "month": month_label(record["month"]),
                    "segment": record["segment"],
                    "series": movement,
                    "order": order,
                    "value": sign * float(amount),
                    "text": fmt(amount, "usd"),
                }
            )
    return charts.stacked_bars(
        "mrr-movements",
        "MRR movements by month",
        rows,
        ctx,
        unit="usd",
        series_title="movement",
        colors=ctx.theme.movements,
        note="Contraction and churn are drawn below zero (fct_revenue_retention_monthly).",
    )


def _retention_chart(ctx: Context) -> charts.Chart:
    frame = ctx.rows(
        "select month, kpi_key, segment, value, display_unit, target from fct_kpi_monthly "
        "where kpi_key in (select unnest(?)) and month >= ? and month <= ? "
        "and value is not null",
        [RETENTION_KPIS, ctx.first_history_month, ctx.month],
    )
    labels = {key: ctx.theme.kpi_label(key) for key in RETENTION_KPIS}
    rows = [
        {
            "mi": month_index(r["month"]),
            "month": month_label(r["month"]),
            "segment": r["segment"],
            "series": labels[r["kpi_key"]],
            "value": float(r["value"]),
            "text": fmt(r["value"], r["display_unit"]),
        }
        for r in frame
    ]
    targets = {
        (r["kpi_key"], r["target"]): r for r in frame if not is_missing(r["target"])
    }.values()
    return charts.lines(
        "retention",
        "NRR and GRR, monthly and trailing 12 months",
        rows,
        ctx,
        unit="ratio",
        series_title="rate",
        colors=dict(zip(labels.values(), ctx.theme.palette, strict=False)),
        targets=[
            {
                "series": labels[t["kpi_key"]],
                "target": float(t["target"]),
                "text": fmt(t["target"], t["display_unit"]),
            }
            for t in targets
        ],
        note="Dashed lines: the targets of fct_kpi_monthly (NRR and GRR, trailing 12 months).",
    )


def tier_colors(ctx: Context) -> dict[str, str]:
    """Tiers best first with the colour of their tier_color (fct_account_health_daily)."""
    rows = ctx.rows(
        "select tier, any_value(tier_color) as color, max(health_score) as top "
        "from fct_account_health_daily "
        "where activity_date > (select max(activity_date) from fct_account_health_daily) - 90 "
        "group by tier order by top desc"
    )
    return {r["tier"]: ctx.theme.tier_colors.get(r["color"], r["color"]) for r in rows}


def _tier_chart(ctx: Context) -> charts.Chart:
    colors = tier_colors(ctx)
    frame = ctx.rows(
        "with days as ( "
        "  select date_trunc('month', activity_date) as month, max(activity_date) as day "
        "  from fct_health_distribution_daily group by 1) "
        "select days.month, days.day, d.segment, d.tier, d.accounts, d.account_share "
        "from fct_health_distribution_daily d inner join days on d.activity_date = days.day "
        "where days.month >= ? and days.month <= ?",
        [ctx.first_history_month, ctx.month],
    )
    order = {tier: n for n, tier in enumerate(colors)}
    rows = [
        {
            "mi": month_index(r["month"]),
            "month": month_label(r["month"]),
            "segment": r["segment"],
            "series": r["tier"],
            "order": order.get(r["tier"], 99),
            "value": float(r["account_share"]),
            "text": f"{fmt(r['account_share'], 'ratio')} ({fmt(r['accounts'], 'count')} accounts)",
        }
        for r in frame
    ]
    return charts.stacked_bars(
        "health-tiers",
        "Health tier distribution (share of scored accounts, last day of each month)",
        rows,
        ctx,
        unit="ratio",
        series_title="tier",
        colors=colors,
        normalize=True,
    )


def _cohort_charts(ctx: Context) -> list[charts.Chart]:
    first = months_before(ctx.months[-1], COHORT_MONTHS - 1)
    frame = ctx.rows(
        "select cohort_month, months_since_start, month, logo_retention_rate, "
        "revenue_retention_rate from fct_cohort_retention "
        "where cohort_month >= ? and months_since_start < ? and month <= ?",
        [first, COHORT_MONTHS, ctx.month],
    )
    found = []
    for column, slug, title in (
        ("logo_retention_rate", "cohort-logo", "Logo retention by cohort"),
        ("revenue_retention_rate", "cohort-revenue", "Revenue retention by cohort"),
    ):
        rows = [
            {
                "cohort": month_label(r["cohort_month"]),
                "cohort_mi": month_index(r["cohort_month"]),
                "mi": month_index(r["month"]),
                "k": int(r["months_since_start"]),
                "value": float(r[column]),
                "text": fmt(r[column], "ratio"),
            }
            for r in frame
            if not is_missing(r[column])
        ]
        found.append(
            charts.heatmap(
                slug,
                title,
                rows,
                ctx,
                cohorts=COHORT_MONTHS,
                note=f"The {COHORT_MONTHS} cohorts up to the chosen month, all segments "
                "(fct_cohort_retention has no segment).",
            )
        )
    return found


def segment_table(ctx: Context) -> dict[str, Any]:
    """Rows per filter month and size segment (and all) of seed 000's segment table."""
    frame = ctx.rows(
        "select month, kpi_key, segment, value, display_unit from fct_kpi_monthly "
        "where kpi_key in (select unnest(?)) and month in (select unnest(?))",
        [SEGMENT_TABLE_KPIS, ctx.months],
    )
    values = {
        (r["month"], r["segment"], r["kpi_key"]): fmt(r["value"], r["display_unit"]) for r in frame
    }
    rows = [
        {
            "month": month_label(month),
            "segment": segment,
            "cells": [
                segment.replace("_", " "),
                *(values.get((month, segment, key), "-") for key in SEGMENT_TABLE_KPIS),
            ],
        }
        for month in ctx.months
        for segment in ctx.segments
    ]
    return {
        "columns": ["Segment", *(ctx.theme.kpi_label(key) for key in SEGMENT_TABLE_KPIS)],
        "rows": rows,
    }


def build(ctx: Context) -> list[Output]:
    slots = kpi_slots(ctx, HEADLINE_KPIS, "spark")
    chart_list = [
        _movement_chart(ctx),
        _retention_chart(ctx),
        _tier_chart(ctx),
        *_cohort_charts(ctx),
    ]
    return [
        Output(
            path="executive.html",
            template="executive.html",
            context={
                "slots": slots,
                "charts": {c.id: c for c in chart_list},
                "all_charts": [*chart_list, *(s.chart for s in slots if s.chart)],
                "segment_table": segment_table(ctx),
            },
        )
    ]


PAGE = Page(
    slug="executive",
    title="Executive overview",
    summary="Headline KPIs against the seed documents' targets, MRR movements, NRR and GRR, "
    "the health tier mix, the segment table and cohort retention.",
    build=build,
)
