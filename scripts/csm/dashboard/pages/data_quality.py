"""Data quality (seed 002's standards): the scorecard of each raw table (accuracy, completeness,
timeliness, consistency against the data_quality_policy seed), the rows quarantined by month and
the checks that warned or failed in the month."""

from __future__ import annotations

from typing import Any

from csm.dashboard import charts
from csm.dashboard.components import DataTable, badge
from csm.dashboard.context import Context, fmt, fmt_date, month_index, month_label
from csm.dashboard.pages import Output, Page

STANDARDS = ("accuracy", "completeness", "timeliness", "consistency")


def _status(ctx: Context, status: str | None) -> dict[str, str]:
    return badge(ctx.theme.dq_status(status))


def _scorecard(ctx: Context) -> DataTable:
    rows = ctx.rows("select * from fct_data_quality_summary order by source_table")
    return DataTable(
        id="dq-scorecard",
        columns=[
            "Table",
            "Status",
            "Rows received",
            "Kept",
            "Merged",
            "Superseded",
            "Quarantined",
            "Accuracy",
            "Accuracy status",
            "Columns incomplete",
            "Completeness",
            "Load age (h)",
            "Event lag (h)",
            "Timeliness",
            "Orphans",
            "Mismatches",
            "Consistency",
        ],
        rows=[
            {
                "k": r["source_table"],
                "c": [
                    r["source_table"],
                    _status(ctx, r["status"]),
                    fmt(r["rows_received"], "count"),
                    fmt(r["kept_rows"], "count"),
                    fmt(r["duplicate_rows"], "count"),
                    fmt(r["superseded_rows"], "count"),
                    fmt(r["quarantined_rows"], "count"),
                    f"{fmt(r['accuracy'], 'ratio')} (target {fmt(r['accuracy_target'], 'ratio')})",
                    _status(ctx, r["accuracy_status"]),
                    f"{fmt(r['columns_incomplete'], 'count')} of "
                    f"{fmt(r['columns_checked'], 'count')}",
                    _status(ctx, r["completeness_status"]),
                    f"{fmt(r['load_age_hours'], 'score')} (limit "
                    f"{fmt(r['load_age_warn_hours'], 'score')})",
                    fmt(r["latest_event_lag_hours"], "score"),
                    _status(ctx, r["timeliness_status"]),
                    fmt(r["orphan_rows"], "count"),
                    fmt(r["cross_source_mismatches"], "count"),
                    _status(ctx, r["consistency_status"]),
                ],
            }
            for r in rows
        ],
        numeric=(2, 3, 4, 5, 6, 7, 11, 12, 14, 15),
        note=f"fct_data_quality_summary: each raw table over all its loads, as of "
        f"{fmt_date(ctx.as_of)}. Accuracy is the valid share of the rows received; a column is "
        "incomplete when its missing share among kept rows is above its data_quality_policy "
        "threshold; timeliness is how far the latest load trails the as-of time and the median "
        "hours from event to first load on the latest load day; consistency counts orphans "
        "(unknown_account) and rows other sources contradict. Statuses are the policy's.",
        empty="No raw table has been built.",
    )


def _quarantined(ctx: Context) -> charts.Chart:
    found = ctx.rows(
        "select date_trunc('month', load_day) as month, source_table, "
        "sum(quarantined_rows) as quarantined from fct_data_quality_daily "
        "where load_day >= ? and load_day < cast(? as date) + interval 1 month "
        "group by 1, 2 having sum(quarantined_rows) > 0 order by 1, 2",
        [ctx.first_history_month, ctx.month],
    )
    tables = sorted({r["source_table"] for r in found})
    palette = ctx.theme.palette
    colors = {table: palette[i % len(palette)] for i, table in enumerate(tables)}
    rows = [
        {
            "mi": month_index(r["month"]),
            "month": month_label(r["month"]),
            "segment": "all",
            "series": r["source_table"],
            "order": tables.index(r["source_table"]),
            "value": int(r["quarantined"]),
            "text": fmt(r["quarantined"], "count"),
        }
        for r in found
    ]
    return charts.stacked_bars(
        "dq-quarantined",
        "Rows quarantined by load month and table",
        rows,
        ctx,
        unit="count",
        series_title="table",
        colors=colors,
        segmented=False,
        note="fct_data_quality_daily by the month of _loaded_at; the rules that rejected them are "
        "in the table below and in stg_quarantine__rejected_rows.",
    )


def _checks(ctx: Context) -> dict[str, Any]:
    """Checks that warned or failed on some load day of each filter month."""
    found = ctx.rows(
        "select date_trunc('month', load_day) as month, source_table, standard, check_name, "
        "count(*) filter (where status = 'warn') as warn_days, "
        "count(*) filter (where status = 'error') as error_days, "
        "max(measure) as worst_measure, max(warn_above) as warn_above, "
        "max(error_above) as error_above "
        "from fct_data_quality_checks_daily "
        "where status in ('warn', 'error') and load_day >= ? "
        "and load_day < cast(? as date) + interval 1 month "
        "group by 1, 2, 3, 4 order by 1, 6 desc, 5 desc, 2, 4",
        [ctx.months[-1], ctx.month],
    )
    return {
        "columns": [
            "Table",
            "Standard",
            "Check",
            "Days warned",
            "Days failed",
            "Worst measure",
            "Warn above",
            "Error above",
        ],
        "rows": [
            {
                "month": month_label(r["month"]),
                "segment": None,
                "cells": [
                    r["source_table"],
                    r["standard"],
                    r["check_name"],
                    fmt(r["warn_days"], "count"),
                    fmt(r["error_days"], "count"),
                    fmt(r["worst_measure"], "score" if r["standard"] == "timeliness" else "ratio"),
                    fmt(r["warn_above"], "score" if r["standard"] == "timeliness" else "ratio"),
                    fmt(r["error_above"], "score" if r["standard"] == "timeliness" else "ratio"),
                ],
            }
            for r in found
        ],
    }


def build(ctx: Context) -> list[Output]:
    scorecard = _scorecard(ctx)
    quarantined = _quarantined(ctx)
    return [
        Output(
            path="data_quality.html",
            template="data_quality.html",
            context={
                "tables": [scorecard],
                "quarantined": quarantined,
                "checks": _checks(ctx),
                "all_charts": [quarantined],
                "segmented": False,
                "filter_note": "The scorecard is the latest state; the month filter sets the "
                "chart's last month and the checks table.",
            },
        )
    ]


PAGE = Page(
    slug="data_quality",
    title="Data quality",
    summary="Each raw table against seed 002's standards (accuracy, completeness, timeliness, "
    "consistency), the rows quarantined by month and the checks that warned or failed.",
    build=build,
)
