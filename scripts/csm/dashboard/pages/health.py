"""Customer health and alerts (seeds 003, 004): accounts at risk by ARR with what pulls their
score down, renewals in the renewal window with their tier, and alerts by rule."""

from __future__ import annotations

from typing import Any

from csm.dashboard import charts
from csm.dashboard.components import DataTable, badge, kpi_slots
from csm.dashboard.context import (
    Context,
    fmt,
    fmt_change,
    fmt_date,
    is_missing,
    month_index,
    month_label,
)
from csm.dashboard.pages import Output, Page
from csm.dashboard.pages.executive import tier_colors
from csm.dashboard.theme import Badge

HEALTH_KPIS = ["avg_health_score", "pct_accounts_at_risk", "license_utilization"]
RISK_TIERS = ("at_risk", "critical")  # pct_accounts_at_risk's tiers (metrics.md)
COMPONENTS = {
    "product_usage": "product usage",
    "business_outcomes": "business outcomes",
    "relationship_quality": "relationship",
    "account_growth": "account growth",
}
ROWS_PER_SEGMENT = 100  # account tables hold the top rows of each segment, paged
QUEUE_ROWS = 500  # the alert queue table holds its first rows, paged


def tier_badge(ctx: Context, tier: str | None, colors: dict[str, str]) -> dict[str, str] | str:
    if not tier:
        return "-"
    return badge(Badge(word=tier.replace("_", " "), icon="●"), colors.get(tier, "#999"))


def trend_text(ctx: Context, trend: str | None, change: Any) -> str:
    item = ctx.theme.trend(trend)
    change_text = "" if change is None else f" ({fmt_change(change, 'score')})"
    return f"{item.icon} {item.word}{change_text}".strip()


def pulling_down(row: dict[str, Any]) -> str:
    """The two components that cost the score most points: weight used x 100 minus the
    recorded contribution, shown with their component scores."""
    lost = []
    for key, label in COMPONENTS.items():
        weight = row[f"{key}_weight_used"]
        contribution = row[f"{key}_contribution"]
        if weight and contribution is not None:
            lost.append((weight * 100 - contribution, label, row[f"{key}_score"]))
    lost.sort(reverse=True)
    return ", ".join(f"{label} {fmt(score, 'score')}" for _, label, score in lost[:2]) or "-"


def churn_risk_text(row: dict[str, Any]) -> str:
    """The churn model's probability, band and strongest driver: '34.2% medium: usage trend'."""
    if is_missing(row.get("churn_probability_90d")):
        return "-"
    text = f"{fmt(row['churn_probability_90d'], 'ratio')} {row['risk_band']}"
    driver = row.get("top_risk_driver")
    return f"{text}: {driver.replace('_', ' ')}" if driver else text


def _latest_health_sql(columns: str, where: str) -> str:
    return (
        f"select {columns} from fct_account_health_daily h "
        "inner join dim_accounts a on a.account_id = h.account_id "
        "left join (select account_id, count(*) as alerts, string_agg(rule_key, ', ' "
        "  order by rule_key) as rules from fct_alert_queue group by account_id) al "
        "  on al.account_id = h.account_id "
        "left join fct_churn_risk_daily c on c.account_id = h.account_id "
        "  and c.activity_date = h.activity_date "
        "where h.activity_date = (select max(activity_date) from fct_account_health_daily) "
        f"and {where} "
        "qualify row_number() over (partition by a.size_segment order by {order}) <= ? "
    )


def _at_risk(ctx: Context, colors: dict[str, str]) -> DataTable:
    components = ", ".join(
        f"h.{key}_score, h.{key}_weight_used, h.{key}_contribution" for key in COMPONENTS
    )
    sql = _latest_health_sql(
        "a.account_id, a.account_name, a.size_segment, a.csm_name, h.arr, h.health_score, "
        "h.tier, h.trend, h.score_change_7d, h.renewal_date, al.alerts, al.rules, "
        f"c.churn_probability_90d, c.risk_band, c.top_risk_driver, {components}",
        "h.tier in (select unnest(?))",
    ).format(order="h.arr desc, a.account_id")
    rows = ctx.rows(
        sql + "order by h.arr desc, a.account_id",
        [list(RISK_TIERS), ROWS_PER_SEGMENT],
    )
    total = ctx.rows(
        "select count(*) as n from fct_account_health_daily where activity_date = "
        "(select max(activity_date) from fct_account_health_daily) and tier in (select unnest(?))",
        [list(RISK_TIERS)],
    )[0]["n"]
    return DataTable(
        id="at-risk",
        columns=[
            "Account",
            "Segment",
            "ARR",
            "Score",
            "Tier",
            "Trend (7 d)",
            "Pulling the score down",
            "Churn risk (90 d)",
            "Renewal",
            "CSM",
            "Open alerts",
        ],
        rows=[
            {
                "k": r["account_id"],
                "s": r["size_segment"],
                "c": [
                    f"{r['account_name']} ({r['account_id']})",
                    r["size_segment"].replace("_", " "),
                    fmt(r["arr"], "usd"),
                    fmt(r["health_score"], "score"),
                    tier_badge(ctx, r["tier"], colors),
                    trend_text(ctx, r["trend"], r["score_change_7d"]),
                    pulling_down(r),
                    churn_risk_text(r),
                    fmt_date(r["renewal_date"]),
                    r["csm_name"] or "unassigned",
                    f"{r['alerts'] or 0}" + (f": {r['rules']}" if r["rules"] else ""),
                ],
            }
            for r in rows
        ],
        numeric=(2, 3),
        note=f"{total:,} accounts are at risk or critical on {fmt_date(ctx.as_of_date)}; the "
        f"table holds the {ROWS_PER_SEGMENT} with the most ARR in each segment (search or page "
        "through them; `csm export` has every row). Pulling the score down: the two components "
        "that lose the most points (weight used x 100 - contribution), with their scores. Churn "
        "risk: the churn model's probability of churning within 90 days, its band and the feature "
        "that raises it most (fct_churn_risk_daily).",
        empty="No account is at risk.",
    )


def _renewals(ctx: Context, colors: dict[str, str]) -> DataTable:
    sql = _latest_health_sql(
        "a.account_id, a.account_name, a.size_segment, a.csm_name, a.renewal_date, h.arr, "
        "h.health_score, h.tier, h.trend, h.score_change_7d, al.alerts, al.rules",
        "h.lifecycle_stage = 'renewal'",
    ).format(order="a.renewal_date, a.account_id")
    rows = ctx.rows(
        sql + "order by a.renewal_date, h.arr desc, a.account_id",
        [ROWS_PER_SEGMENT],
    )
    return DataTable(
        id="renewals",
        columns=["Renewal", "Account", "Segment", "ARR", "Score", "Tier", "Trend (7 d)", "CSM"],
        rows=[
            {
                "k": r["account_id"],
                "s": r["size_segment"],
                "c": [
                    fmt_date(r["renewal_date"]),
                    f"{r['account_name']} ({r['account_id']})",
                    r["size_segment"].replace("_", " "),
                    fmt(r["arr"], "usd"),
                    fmt(r["health_score"], "score"),
                    tier_badge(ctx, r["tier"], colors),
                    trend_text(ctx, r["trend"], r["score_change_7d"]),
                    r["csm_name"] or "unassigned",
                ],
            }
            for r in rows
        ],
        numeric=(3, 4),
        note="Accounts in the renewal lifecycle stage (renewal within the renewal window of "
        "fct_account_health_daily), soonest first; the first "
        f"{ROWS_PER_SEGMENT} of each segment.",
        empty="No renewal in the window.",
    )


def _alerts(ctx: Context) -> tuple[charts.Chart, dict[str, Any]]:
    """Alert episodes opened in each month by rule (fct_alerts), and how many are still open."""
    found = ctx.rows(
        "with f as (select date_trunc('month', opened_on) as month, account_id, rule_key, "
        "  category, severity, recommended_action, owner_role, closed_on from fct_alerts "
        "  where opened_on >= ? and opened_on < cast(? as date) + interval 1 month) "
        "select f.month, case when grouping(a.size_segment) = 1 then 'all' "
        "  else coalesce(a.size_segment, 'unknown') end as segment, f.rule_key, f.category, "
        "f.severity, f.recommended_action, f.owner_role, count(*) as alerts, "
        "count(*) filter (where f.closed_on is null) as still_open "
        "from f left join dim_accounts a on a.account_id = f.account_id "
        "group by grouping sets ("
        "  (f.month, f.rule_key, f.category, f.severity, f.recommended_action, f.owner_role), "
        "  (f.month, a.size_segment, f.rule_key, f.category, f.severity, f.recommended_action, "
        "   f.owner_role)) "
        "order by f.month, f.rule_key",
        [ctx.months[-1], ctx.month],
    )
    rows = [
        {
            "mi": month_index(r["month"]),
            "segment": r["segment"],
            "category": r["rule_key"],
            "value": int(r["alerts"]),
            "text": fmt(r["alerts"], "count"),
        }
        for r in found
    ]
    chart = charts.bars_at_month(
        "alerts-by-rule",
        "Alert episodes opened in the month, by rule",
        rows,
        ctx,
        unit="count",
        category_title="rule",
        segmented=True,
    )
    table = {
        "columns": ["Rule", "Category", "Severity", "Action", "Opened", "Still open"],
        "rows": [
            {
                "month": month_label(r["month"]),
                "segment": None,
                "cells": [
                    r["rule_key"],
                    r["category"],
                    r["severity"],
                    f"{r['recommended_action']} ({r['owner_role']})".replace("_", " "),
                    fmt(r["alerts"], "count"),
                    fmt(r["still_open"], "count"),
                ],
            }
            for r in found
            if r["segment"] == "all"
        ],
    }
    return chart, table


def _queue(ctx: Context) -> DataTable:
    """The open alert episodes on the as-of day (fct_alert_queue): each CSM's worklist."""
    rows = ctx.rows(
        "select q.*, a.account_name, a.size_segment, coalesce(a.csm_name, q.csm_id) as csm_name "
        "from fct_alert_queue q left join dim_accounts a on a.account_id = q.account_id "
        "order by q.csm_id nulls last, q.queue_position limit ?",
        [QUEUE_ROWS],
    )
    total = ctx.rows("select count(*) as n from fct_alert_queue")[0]["n"]
    return DataTable(
        id="alert-queue",
        columns=[
            "CSM",
            "#",
            "Account",
            "ARR",
            "Rule",
            "Severity",
            "Opened",
            "Days open",
            "At opening",
            "Threshold",
            "Now",
            "Action",
        ],
        rows=[
            {
                "k": r["account_id"],
                "s": r["size_segment"],
                "c": [
                    r["csm_name"] or "unassigned",
                    fmt(r["queue_position"], "count"),
                    f"{r['account_name']} ({r['account_id']})",
                    fmt(r["arr"], "usd"),
                    r["rule_key"],
                    r["severity"],
                    fmt_date(r["opened_on"]),
                    fmt(r["days_open"], "count"),
                    fmt(r["opening_value"], "score"),
                    fmt(r["threshold"], "score"),
                    fmt(r["current_value"], "score"),
                    f"{r['recommended_action']} ({r['owner_role']})".replace("_", " "),
                ],
            }
            for r in rows
        ],
        numeric=(1, 3, 7, 8, 9, 10),
        note=f"{total:,} alert episodes are open on {fmt_date(ctx.as_of_date)}; each CSM's "
        "queue is ordered by severity, then ARR (fct_alert_queue). An episode closes when its "
        f"rule's exit threshold holds. The table holds the first {QUEUE_ROWS:,} rows.",
        empty="No alert is open.",
    )


def build(ctx: Context) -> list[Output]:
    colors = tier_colors(ctx)
    slots = kpi_slots(ctx, HEALTH_KPIS, "spark")
    alert_chart, alert_table = _alerts(ctx)
    tables = [_at_risk(ctx, colors), _renewals(ctx, colors), _queue(ctx)]
    return [
        Output(
            path="health.html",
            template="health.html",
            context={
                "slots": slots,
                "tables": tables,
                "alert_chart": alert_chart,
                "alert_table": alert_table,
                "all_charts": [alert_chart, *(s.chart for s in slots if s.chart)],
                "filter_note": "Account tables show the as-of day; the month filter sets the "
                "KPI cards and alerts.",
            },
        )
    ]


PAGE = Page(
    slug="health",
    title="Customer health and alerts",
    summary="Accounts at risk by ARR with what pulls their score down, renewals coming up with "
    "their tier, the open alerts in each CSM's queue and the alert episodes opened by rule.",
    build=build,
)
