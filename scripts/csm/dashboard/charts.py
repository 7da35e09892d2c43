"""Chart specs with Altair (Vega-Lite). Data arrives shaped and formatted by the pages; a chart
filters it in the browser through two Vega signals the page filters set: `segment` and
`month_i` (the chosen month as months since year 0, see context.month_index)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from csm.dashboard.components import Chart
from csm.dashboard.context import HISTORY_MONTHS, Context, month_index

SEGMENT = "datum.segment === segment"
AT_MONTH = "datum.mi === month_i"
AXIS_FORMATS = {"ratio": ".0%", "usd": "$,.3~s", "count": ",.0f", "score": ",.1~f"}
CONFIG: dict[str, Any] = {
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal"},
    "legend": {"orient": "bottom", "labelFontSize": 11, "titleFontSize": 11, "columns": 2},
    "font": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
}


def _short(value: Any) -> Any:
    return float(f"{value:.6g}") if isinstance(value, float) else value


def compact(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows as field names and value lists (dashboard.js expands them before drawing): a
    third of the bytes of Vega-Lite's row objects. Numbers keep 6 significant digits, which
    only place marks; the numbers a reader sees are the formatted `text` fields."""
    fields = list(rows[0]) if rows else []
    return {"fields": fields, "rows": [[_short(row.get(f)) for f in fields] for row in rows]}


def with_rows(chart: Chart, rows: list[dict[str, Any]]) -> Chart:
    """The same chart over other rows (one dataset): many alike charts (a CSM's book each)
    are built once with Altair and copied, which is 100x faster than building each."""
    (name,) = chart.spec["datasets"]
    spec = {**chart.spec, "datasets": {name: compact(rows)}}
    return Chart(chart.id, chart.title, spec, chart.params, chart.note, chart.tall)


def window(months: int) -> str:
    """Rows of the `months` months ending with the chosen month."""
    return f"datum.mi <= month_i && datum.mi > month_i - {months}"


def _finish(
    chart_id: str,
    title: str,
    chart: alt.TopLevelMixin,
    ctx: Context,
    segmented: bool,
    monthly: bool = True,
    note: str = "",
    tall: bool = False,
) -> Chart:
    params = []
    if segmented:
        params.append(alt.param(name="segment", value="all"))
    if monthly:
        params.append(alt.param(name="month_i", value=month_index(ctx.month)))
    if params:
        chart = chart.add_params(*params)
    with alt.data_transformers.disable_max_rows():  # pages bound their rows themselves
        spec = chart.configure(**CONFIG).to_dict()
    spec.pop("$schema", None)  # a URL: the page never fetches it
    spec["datasets"] = {name: compact(rows) for name, rows in spec.get("datasets", {}).items()}
    names = tuple(p.name for p in params)
    return Chart(id=chart_id, title=title, spec=spec, params=names, note=note, tall=tall)


def _frame(rows: Sequence[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    return rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))


def sparkline(
    chart_id: str,
    title: str,
    rows: list[dict[str, Any]],
    ctx: Context,
    months: int,
    segmented: bool,
) -> Chart:
    """The last `months` months of a KPI, ending with the chosen month."""
    data = _frame(rows) if rows else pd.DataFrame(columns=["mi", "month", "segment", "value"])
    base = alt.Chart(data).transform_filter(window(months))
    if segmented:
        base = base.transform_filter(SEGMENT)
    else:
        base = base.transform_filter("datum.segment === 'all'")
    chart = base.mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X("month:O", axis=None),
        y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("month:N", title="month"), alt.Tooltip("text:N", title=title)],
    )
    chart = chart.properties(width="container", height=36)
    return _finish(chart_id, f"{title}: last {months} months", chart, ctx, segmented)


def lines(
    chart_id: str,
    title: str,
    rows: list[dict[str, Any]] | pd.DataFrame,
    ctx: Context,
    *,
    unit: str,
    series_title: str,
    colors: dict[str, str] | None = None,
    segmented: bool = True,
    months: int = HISTORY_MONTHS,
    targets: list[dict[str, Any]] | None = None,
    note: str = "",
) -> Chart:
    """Series over the months ending with the chosen month (rows: mi, month, segment, series,
    value, text); `targets` (series, target, text) are drawn as dashed rules."""
    data = _frame(rows)
    domain = list(colors) if colors else sorted(data["series"].unique() if len(data) else [])
    color_range = list(colors.values()) if colors else ctx.theme.palette[: len(domain)]
    color = alt.Color(
        "series:N",
        title=series_title,
        scale=alt.Scale(domain=domain, range=color_range),
    )
    base = alt.Chart(data).transform_filter(window(months))
    if segmented:
        base = base.transform_filter(SEGMENT)
    layer = base.mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=2).encode(
        x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-45, labelOverlap="parity")),
        y=alt.Y(
            "value:Q",
            title=None,
            scale=alt.Scale(zero=False),
            axis=alt.Axis(format=AXIS_FORMATS.get(unit, ",.1f")),
        ),
        color=color,
        tooltip=[
            alt.Tooltip("month:N", title="month"),
            alt.Tooltip("series:N", title=series_title),
            alt.Tooltip("text:N", title="value"),
        ],
    )
    chart: alt.TopLevelMixin = layer
    if targets:
        rules = (
            alt.Chart(_frame(targets))
            .mark_rule(strokeDash=[5, 4], strokeWidth=1.5)
            .encode(
                y="target:Q",
                color=color,
                tooltip=[
                    alt.Tooltip("series:N", title="target of"),
                    alt.Tooltip("text:N", title="target"),
                ],
            )
        )
        chart = alt.layer(layer, rules)
    chart = chart.properties(width="container", height=240)
    return _finish(chart_id, title, chart, ctx, segmented, note=note)


def stacked_bars(
    chart_id: str,
    title: str,
    rows: list[dict[str, Any]] | pd.DataFrame,
    ctx: Context,
    *,
    unit: str,
    series_title: str,
    colors: dict[str, str],
    segmented: bool = True,
    months: int = HISTORY_MONTHS,
    normalize: bool = False,
    note: str = "",
) -> Chart:
    """Bars by month stacked by series (rows: mi, month, segment, series, order, value, text);
    negative values stack below zero."""
    base = alt.Chart(_frame(rows)).transform_filter(window(months))
    if segmented:
        base = base.transform_filter(SEGMENT)
    chart = base.mark_bar().encode(
        x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-45, labelOverlap="parity")),
        y=alt.Y(
            "value:Q",
            title=None,
            stack="normalize" if normalize else "zero",
            axis=alt.Axis(format=".0%" if normalize else AXIS_FORMATS.get(unit, ",.1f")),
        ),
        color=alt.Color(
            "series:N",
            title=series_title,
            scale=alt.Scale(domain=list(colors), range=list(colors.values())),
        ),
        order=alt.Order("order:Q"),
        tooltip=[
            alt.Tooltip("month:N", title="month"),
            alt.Tooltip("series:N", title=series_title),
            alt.Tooltip("text:N", title="value"),
        ],
    )
    chart = chart.properties(width="container", height=240)
    return _finish(chart_id, title, chart, ctx, segmented, note=note)


def bars_at_month(
    chart_id: str,
    title: str,
    rows: list[dict[str, Any]] | pd.DataFrame,
    ctx: Context,
    *,
    unit: str,
    category_title: str,
    series_title: str | None = None,
    colors: dict[str, str] | None = None,
    segmented: bool = False,
    monthly: bool = True,
    target_field: bool = False,
    note: str = "",
) -> Chart:
    """Horizontal bars of the chosen month (rows: mi, segment, category, value, text, and
    series/order for stacks, target/target_text for target ticks)."""
    data = _frame(rows)
    base = alt.Chart(data)
    if monthly:
        base = base.transform_filter(AT_MONTH)
    if segmented:
        base = base.transform_filter(SEGMENT)
    encoding: dict[str, Any] = {
        "y": alt.Y("category:N", title=category_title, sort=None),
        "x": alt.X("value:Q", title=None, axis=alt.Axis(format=AXIS_FORMATS.get(unit, ",.1f"))),
        "tooltip": [
            alt.Tooltip("category:N", title=category_title),
            *([alt.Tooltip("series:N", title=series_title)] if series_title else []),
            alt.Tooltip("text:N", title="value"),
        ],
    }
    if series_title and colors:
        encoding["color"] = alt.Color(
            "series:N",
            title=series_title,
            scale=alt.Scale(domain=list(colors), range=list(colors.values())),
        )
        encoding["order"] = alt.Order("order:Q")
    else:
        encoding["color"] = alt.value(ctx.theme.palette[0])
    bars = base.mark_bar().encode(**encoding)
    chart: alt.TopLevelMixin = bars
    if target_field:
        ticks = base.mark_tick(thickness=3, size=22, color="#111").encode(
            y=alt.Y("category:N", sort=None),
            x="target:Q",
            tooltip=[
                alt.Tooltip("category:N", title=category_title),
                alt.Tooltip("target_text:N", title="target"),
            ],
        )
        chart = alt.layer(bars, ticks)
    # a band per category shown (the filters choose which): the height follows the domain
    chart = chart.properties(width="container", height=alt.Step(24))
    return _finish(chart_id, title, chart, ctx, segmented, monthly=monthly, note=note)


def heatmap(
    chart_id: str,
    title: str,
    rows: list[dict[str, Any]] | pd.DataFrame,
    ctx: Context,
    *,
    cohorts: int = HISTORY_MONTHS,
    note: str = "",
) -> Chart:
    """Cohort x months since start, coloured by a rate (rows: cohort, cohort_mi, mi, k,
    value, text): the `cohorts` cohorts ending with the chosen month, as of that month."""
    chart = (
        alt.Chart(_frame(rows))
        .transform_filter(f"datum.cohort_mi <= month_i && datum.cohort_mi > month_i - {cohorts}")
        .transform_filter("datum.mi <= month_i")
        .mark_rect()
        .encode(
            x=alt.X(
                "k:O",
                title="months since start",
                axis=alt.Axis(labelAngle=0, labelOverlap="parity"),
            ),
            y=alt.Y("cohort:O", title="cohort"),
            color=alt.Color(
                "value:Q",
                title=None,
                scale=alt.Scale(scheme="blues", domain=[0, 1], clamp=True),
                legend=alt.Legend(format=".0%", orient="right"),
            ),
            tooltip=[
                alt.Tooltip("cohort:N", title="cohort"),
                alt.Tooltip("k:O", title="months since start"),
                alt.Tooltip("text:N", title="retention"),
            ],
        )
        .properties(width="container", height=360)
    )
    return _finish(chart_id, title, chart, ctx, segmented=False, note=note, tall=True)
