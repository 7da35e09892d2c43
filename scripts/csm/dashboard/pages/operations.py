"""CS operations (seed 003's operational view): one row per CSM with their book, and one page per
CSM (csm/<csm_id>.html) that holds only that CSM's accounts, so a CSM can be sent their own
book and nothing else."""

from __future__ import annotations

from typing import Any

from csm.dashboard import charts
from csm.dashboard.components import DataTable, link
from csm.dashboard.context import Context, fmt, fmt_date, month_index, month_label
from csm.dashboard.pages import Output, Page
from csm.dashboard.pages.executive import tier_colors
from csm.dashboard.pages.health import ALERT_DAYS, tier_badge, trend_text

TIER_COLUMNS = {  # fct_csm_portfolio_monthly's tier mix columns
    "excellent": "excellent_accounts",
    "good": "good_accounts",
    "at_risk": "at_risk_accounts",
    "critical": "critical_accounts",
}


def csm_path(csm_id: str) -> str:
    return f"csm/{csm_id}.html"


def _portfolio(ctx: Context) -> list[dict[str, Any]]:
    return ctx.rows(
        "with names as (select csm_id, any_value(csm_name) as csm_name from dim_accounts "
        "  where csm_id is not null group by csm_id), "
        "alerts as (select date_trunc('month', triggered_on) as month, owner_csm_id as csm_id, "
        "  count(*) as alerts from fct_alerts group by 1, 2) "
        "select p.*, coalesce(n.csm_name, p.csm_id) as csm_name, coalesce(al.alerts, 0) as alerts "
        "from fct_csm_portfolio_monthly p left join names n on n.csm_id = p.csm_id "
        "left join alerts al on al.month = p.month and al.csm_id = p.csm_id "
        "where p.month >= ? and p.month <= ? order by p.month, n.csm_name, p.csm_id",
        [ctx.first_history_month, ctx.month],
    )


def _tier_mix(row: dict[str, Any]) -> str:
    return " / ".join(fmt(row[column], "count") for column in TIER_COLUMNS.values())


def _portfolio_cells(row: dict[str, Any], name_cell: Any) -> list[Any]:
    return [
        name_cell,
        fmt(row["accounts"], "count"),
        fmt(row["arr_managed"], "usd"),
        fmt(row["avg_health_score"], "score"),
        _tier_mix(row),
        fmt(row["at_risk_arr"], "usd"),
        fmt(row["alerts"], "count"),
        fmt(row["nrr_monthly"], "ratio"),
        fmt(row["expanded_arr"], "usd"),
        fmt(row["churned_arr"], "usd"),
    ]


PORTFOLIO_COLUMNS = [
    "CSM",
    "Accounts",
    "ARR managed",
    "Avg health",
    "Tiers E / G / R / C",
    "At-risk ARR",
    "Alerts in month",
    "NRR (month)",
    "Expanded ARR",
    "Churned ARR",
]


def _tier_chart(
    ctx: Context, rows: list[dict[str, Any]], colors: dict[str, str], chart_id: str, by_csm: bool
) -> charts.Chart:
    data = []
    for row in rows:
        for order, (tier, column) in enumerate(TIER_COLUMNS.items()):
            data.append(
                {
                    "mi": month_index(row["month"]),
                    "month": month_label(row["month"]),
                    "segment": "all",
                    "category": row["csm_name"],
                    "series": tier,
                    "order": order,
                    "value": int(row[column]),
                    "text": fmt(row[column], "count"),
                }
            )
    palette = {tier: colors.get(tier, "#999") for tier in TIER_COLUMNS}
    if by_csm:
        return charts.bars_at_month(
            chart_id,
            "Tier mix of each CSM's accounts (accounts, chosen month)",
            data,
            ctx,
            unit="count",
            category_title="CSM",
            series_title="tier",
            colors=palette,
        )
    return charts.stacked_bars(
        chart_id,
        "Tier mix of the book by month (accounts)",
        data,
        ctx,
        unit="count",
        series_title="tier",
        colors=palette,
        segmented=False,
    )


def _accounts(ctx: Context, csm_id: str, colors: dict[str, str]) -> DataTable:
    rows = ctx.rows(
        "select a.account_id, a.account_name, a.size_segment, a.current_arr, a.health_score, "
        "a.health_tier, a.lifecycle_stage, a.renewal_date, h.trend, h.score_change_7d, "
        "al.alerts, al.rules "
        "from dim_accounts a left join fct_account_health_daily h on h.account_id = a.account_id "
        "  and h.activity_date = (select max(activity_date) from fct_account_health_daily) "
        "left join (select account_id, count(*) as alerts, string_agg(distinct rule_key, ', ') "
        "  as rules from fct_alerts where triggered_on > cast(? as date) - ? "
        "  group by account_id) al on al.account_id = a.account_id "
        "where a.csm_id = ? order by a.current_arr desc nulls last, a.account_id",
        [ctx.as_of_date, ALERT_DAYS, csm_id],
    )
    return DataTable(
        id="accounts",
        columns=[
            "Account",
            "Segment",
            "ARR",
            "Score",
            "Tier",
            "Trend (7 d)",
            "Stage",
            "Renewal",
            f"Alerts ({ALERT_DAYS} d)",
        ],
        rows=[
            {
                "k": r["account_id"],
                "s": r["size_segment"],
                "c": [
                    f"{r['account_name']} ({r['account_id']})",
                    r["size_segment"].replace("_", " "),
                    fmt(r["current_arr"], "usd"),
                    fmt(r["health_score"], "score"),
                    tier_badge(ctx, r["health_tier"], colors),
                    trend_text(ctx, r["trend"], r["score_change_7d"]),
                    (r["lifecycle_stage"] or "not paying").replace("_", " "),
                    fmt_date(r["renewal_date"]),
                    f"{r['alerts'] or 0}" + (f": {r['rules']}" if r["rules"] else ""),
                ],
            }
            for r in rows
        ],
        numeric=(2, 3),
        note="Every account assigned to this CSM in dim_accounts (current ARR, health on the "
        "as-of day), by ARR.",
        empty="No accounts.",
    )


def _month_rows(ctx: Context, rows: list[dict[str, Any]], linked: bool) -> list[dict[str, Any]]:
    months = set(ctx.months)
    return [
        {
            "month": month_label(r["month"]),
            "segment": None,
            "cells": _portfolio_cells(
                r, link(r["csm_name"], csm_path(r["csm_id"])) if linked else r["csm_name"]
            ),
        }
        for r in rows
        if r["month"] in months
    ]


def build(ctx: Context) -> list[Output]:
    colors = tier_colors(ctx)
    portfolio = _portfolio(ctx)
    months = set(ctx.months)
    overview_chart = _tier_chart(
        ctx, [r for r in portfolio if r["month"] in months], colors, "csm-tiers", by_csm=True
    )
    csms = ctx.rows(
        "select csm_id, any_value(csm_name) as csm_name, count(*) as accounts "
        "from dim_accounts where csm_id is not null group by csm_id order by csm_name, csm_id"
    )
    unassigned = ctx.rows("select count(*) as n from dim_accounts where csm_id is null")[0]["n"]
    outputs = [
        Output(
            path="operations.html",
            template="operations.html",
            context={
                "segmented": False,
                "portfolio": {
                    "columns": PORTFOLIO_COLUMNS,
                    "rows": _month_rows(ctx, portfolio, linked=True),
                },
                "chart": overview_chart,
                "all_charts": [overview_chart],
                "csms": [dict(c, href=csm_path(c["csm_id"])) for c in csms],
                "unassigned": unassigned,
            },
        )
    ]
    for csm in csms:
        own = [r for r in portfolio if r["csm_id"] == csm["csm_id"]]
        chart = _tier_chart(ctx, own, colors, "book-tiers", by_csm=False)
        outputs.append(
            Output(
                path=csm_path(csm["csm_id"]),
                template="csm.html",
                context={
                    "title": f"Book of {csm['csm_name']}",
                    "csm_title": f"{csm['csm_name']} ({csm['accounts']} accounts)",
                    "nav_slug": "operations",
                    "csm": csm,
                    "portfolio": {
                        "columns": PORTFOLIO_COLUMNS[1:],
                        "rows": [
                            dict(row, cells=row["cells"][1:])
                            for row in _month_rows(ctx, own, linked=False)
                        ],
                    },
                    "tables": [_accounts(ctx, csm["csm_id"], colors)],
                    "chart": chart,
                    "all_charts": [chart],
                    "filter_note": "The month filter sets the book's figures and chart; the "
                    "accounts are as of the as-of day.",
                },
            )
        )
    return outputs


PAGE = Page(
    slug="operations",
    title="CS operations",
    summary="One row per CSM (accounts, ARR, tier mix, alerts, NRR) and a page per CSM with "
    "only that CSM's accounts.",
    build=build,
)
