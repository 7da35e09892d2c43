"""Support queue and performance (seed 002): the current queue by priority with breach risk and
breached tickets, SLA compliance by priority and FCR by category against their targets, the
support KPIs, and the agent table."""

from __future__ import annotations

from typing import Any

from csm.dashboard import charts
from csm.dashboard.components import DataTable, badge, kpi_slots
from csm.dashboard.context import Context, fmt, fmt_date, month_index, month_label
from csm.dashboard.pages import Output, Page

SUPPORT_KPIS = [
    "tickets_created",
    "tickets_resolved",
    "sla_compliance_rate",
    "fcr_rate",
    "median_first_response_minutes",
    "median_resolution_hours",
    "aht_minutes",
    "self_service_rate",
]
QUEUE_ROWS = 500  # the open tickets closest to (or past) their deadline


def _queue_state(row: dict[str, Any]) -> str:
    if row["is_breached"]:
        return "breached"
    return "breach_risk" if row["is_breach_risk"] else "open"


def _queue(ctx: Context) -> tuple[charts.Chart | None, DataTable]:
    found = ctx.rows(
        "select q.*, coalesce(a.size_segment, 'unknown') as segment from fct_support_queue q "
        "left join dim_accounts a on a.account_id = q.account_id "
        "order by q.minutes_to_deadline, q.ticket_id"
    )
    states = ctx.theme.queue
    priorities = [
        r["priority"] for r in ctx.rows("select priority from fct_support_tickets group by 1")
    ]
    order = ["critical", "high", "medium", "low"]
    priorities = sorted(priorities, key=lambda p: order.index(p) if p in order else 99)
    counts: dict[tuple[str, str, str], int] = {}
    for row in found:
        for segment in ("all", row["segment"]):
            key = (segment, row["priority"], _queue_state(row))
            counts[key] = counts.get(key, 0) + 1
    data = [
        {
            "segment": segment,
            "category": priority,
            "series": states[state].word,
            "order": n,
            "value": count,
            "text": fmt(count, "count"),
        }
        for (segment, priority, state), count in counts.items()
        for n in [list(states).index(state)]
    ]
    data.sort(key=lambda r: priorities.index(r["category"]) if r["category"] in priorities else 9)
    chart = (
        None
        if not data
        else charts.bars_at_month(
            "queue",
            f"Open tickets by priority at {fmt_date(ctx.as_of)}",
            data,
            ctx,
            unit="count",
            category_title="priority",
            series_title="state",
            colors={b.word: b.color for b in states.values()},
            segmented=True,
            monthly=False,
            note="Breach risk: the resolution deadline passes within the breach-risk window after "
            "the as-of time (fct_support_queue, seed 002: 15 minutes); the segment is the "
            "ticket's account's.",
        )
    )
    table = DataTable(
        id="queue",
        columns=[
            "State",
            "Ticket",
            "Priority",
            "Category",
            "Age (hours)",
            "Minutes to deadline",
            "Agent",
            "Status",
            "Segment",
        ],
        rows=[
            {
                "k": r["ticket_id"],
                "s": r["segment"],
                "c": [
                    badge(states[_queue_state(r)]),
                    r["ticket_id"],
                    r["priority"],
                    r["category"],
                    fmt(r["age_hours"], "hours"),
                    fmt(r["minutes_to_deadline"], "minutes"),
                    r["agent_name"] or "unassigned",
                    r["status"],
                    r["segment"].replace("_", " "),
                ],
            }
            for r in found[:QUEUE_ROWS]
        ],
        numeric=(4, 5),
        note=f"{len(found):,} open tickets, breached first, then by time to their deadline"
        + (f" (the first {QUEUE_ROWS})" if len(found) > QUEUE_ROWS else "")
        + ".",
        empty="The queue is empty.",
    )
    return chart, table


def _sla_chart(ctx: Context) -> charts.Chart:
    rows = ctx.rows(
        "select month, priority, sla_compliance_rate from fct_support_performance_monthly "
        "where category = 'all' and priority <> 'all' and month >= ? and month <= ? "
        "and sla_compliance_rate is not null",
        [ctx.first_history_month, ctx.month],
    )
    target = ctx.rows(
        "select target from fct_kpi_monthly where kpi_key = 'sla_compliance_rate' "
        "and segment = 'all' and month = ?",
        [ctx.month],
    )
    targets = [
        {"series": "target", "target": float(t["target"]), "text": fmt(t["target"], "ratio")}
        for t in target
        if t["target"] is not None
    ]
    palette = dict(
        zip(["critical", "high", "medium", "low", "target"], ctx.theme.palette, strict=False)
    )
    return charts.lines(
        "sla",
        "SLA compliance by priority",
        [
            {
                "mi": month_index(r["month"]),
                "month": month_label(r["month"]),
                "series": r["priority"],
                "value": float(r["sla_compliance_rate"]),
                "text": fmt(r["sla_compliance_rate"], "ratio"),
            }
            for r in rows
        ],
        ctx,
        unit="ratio",
        series_title="priority",
        colors=palette,
        segmented=False,
        months=12,
        targets=targets,
        note="Dashed: the SLA compliance target of fct_kpi_monthly (seed 002).",
    )


def _fcr(ctx: Context) -> tuple[charts.Chart, dict[str, Any]]:
    rows = ctx.rows(
        "select month, category, fcr_rate, fcr_target, tickets_resolved "
        "from fct_support_performance_monthly where priority = 'all' and category <> 'all' "
        "and month in (select unnest(?)) order by month, category",
        [ctx.months],
    )
    chart = charts.bars_at_month(
        "fcr",
        "First contact resolution by category (bars) and target (ticks)",
        [
            {
                "mi": month_index(r["month"]),
                "category": r["category"],
                "value": float(r["fcr_rate"] or 0),
                "text": fmt(r["fcr_rate"], "ratio"),
                "target": float(r["fcr_target"]),
                "target_text": fmt(r["fcr_target"], "ratio"),
            }
            for r in rows
        ],
        ctx,
        unit="ratio",
        category_title="category",
        target_field=True,
    )
    table = {
        "columns": ["Category", "FCR", "Target", "Resolved tickets"],
        "rows": [
            {
                "month": month_label(r["month"]),
                "segment": None,
                "cells": [
                    r["category"],
                    fmt(r["fcr_rate"], "ratio"),
                    fmt(r["fcr_target"], "ratio"),
                    fmt(r["tickets_resolved"], "count"),
                ],
            }
            for r in rows
        ],
    }
    return chart, table


def _agents(ctx: Context) -> DataTable:
    rows = ctx.rows(
        "select * from fct_support_agent_monthly where month in (select unnest(?)) "
        "order by month, tickets_handled desc, agent_id",
        [ctx.months],
    )
    return DataTable(
        id="agents",
        columns=[
            "Agent",
            "Team",
            "Tier",
            "Handled",
            "FCR",
            "AHT (min)",
            "SLA compliance",
            "CSAT %",
            "CSAT avg",
        ],
        rows=[
            {
                "k": r["agent_id"],
                "m": month_label(r["month"]),
                "c": [
                    r["agent_name"] or r["agent_id"],
                    r["agent_team"] or "-",
                    fmt(r["agent_tier"], "count"),
                    fmt(r["tickets_handled"], "count"),
                    fmt(r["fcr_rate"], "ratio"),
                    fmt(r["aht_minutes"], "minutes"),
                    fmt(r["sla_compliance_rate"], "ratio"),
                    fmt(r["csat_pct"], "ratio"),
                    fmt(r["csat_avg"], "score"),
                ],
            }
            for r in rows
        ],
        numeric=(2, 3, 4, 5, 6, 7, 8),
        note="fct_support_agent_monthly for the chosen month, most tickets handled first.",
        empty="No agent activity in this month.",
    )


def _sla_table(ctx: Context) -> dict[str, Any]:
    rows = ctx.rows(
        "select month, priority, sla_compliance_rate, sla_met_tickets, sla_breached_tickets "
        "from fct_support_performance_monthly where category = 'all' "
        "and month in (select unnest(?)) order by month, priority",
        [ctx.months],
    )
    return {
        "columns": ["Priority", "SLA compliance", "Met", "Breached"],
        "rows": [
            {
                "month": month_label(r["month"]),
                "segment": None,
                "cells": [
                    r["priority"],
                    fmt(r["sla_compliance_rate"], "ratio"),
                    fmt(r["sla_met_tickets"], "count"),
                    fmt(r["sla_breached_tickets"], "count"),
                ],
            }
            for r in rows
        ],
    }


def build(ctx: Context) -> list[Output]:
    slots = kpi_slots(ctx, SUPPORT_KPIS, "spark")
    queue_chart, queue_table = _queue(ctx)
    sla_chart = _sla_chart(ctx)
    fcr_chart, fcr_table = _fcr(ctx)
    chart_list = [c for c in (queue_chart, sla_chart, fcr_chart) if c is not None]
    return [
        Output(
            path="support.html",
            template="support.html",
            context={
                "slots": slots,
                "charts": {c.id: c for c in chart_list},
                "all_charts": [*chart_list, *(s.chart for s in slots if s.chart)],
                "tables": [queue_table, _agents(ctx)],
                "fcr_table": fcr_table,
                "sla_table": _sla_table(ctx),
                "filter_note": "Support KPIs are not split by segment; the segment filter sets "
                "the queue.",
            },
        )
    ]


PAGE = Page(
    slug="support",
    title="Support queue and performance",
    summary="The open queue by priority with breach risk, SLA compliance by priority, FCR by "
    "category against targets, response and resolution times, AHT, self-service and agents.",
    build=build,
)
