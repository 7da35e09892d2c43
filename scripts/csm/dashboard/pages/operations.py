"""CS operations (seed 003's operational view): one row per CSM with their book, and one page per
CSM (csm/<csm_id>.html) that holds only that CSM's accounts, so a CSM can be sent their own
book and nothing else."""

from __future__ import annotations

from typing import Any

from csm.dashboard import charts
from csm.dashboard.components import DataTable
from csm.dashboard.context import Context, fmt, fmt_date, month_index, month_label
from csm.dashboard.pages import Output, Page
from csm.dashboard.pages.executive import tier_colors
from csm.dashboard.pages.health import churn_risk_text, tier_badge, trend_text

CHART_CSMS = 20  # the tier-mix chart shows the CSMs with the most at-risk ARR
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
        "alerts as (select date_trunc('month', opened_on) as month, owner_csm_id as csm_id, "
        "  count(*) as alerts from fct_alerts group by 1, 2) "
        "select p.*, coalesce(n.csm_name, p.csm_id) as csm_name, coalesce(al.alerts, 0) as alerts "
        "from fct_csm_portfolio_monthly p left join names n on n.csm_id = p.csm_id "
        "left join alerts al on al.month = p.month and al.csm_id = p.csm_id "
        "where p.month >= ? and p.month <= ? order by p.month, n.csm_name, p.csm_id",
        [ctx.first_history_month, ctx.month],
    )


def _most_at_risk(ctx: Context, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The CHART_CSMS CSMs with the most at-risk ARR in each filter month."""
    months = set(ctx.months)
    ranked = sorted(
        (r for r in rows if r["month"] in months),
        key=lambda r: (r["month"], -(r["at_risk_arr"] or 0), r["csm_id"]),
    )
    kept: list[dict[str, Any]] = []
    for month in ctx.months:
        kept += [r for r in ranked if r["month"] == month][:CHART_CSMS]
    return kept


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
    "Alerts opened",
    "NRR (month)",
    "Expanded ARR",
    "Churned ARR",
]


def _tier_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
    return data


def _tier_chart(
    ctx: Context, rows: list[dict[str, Any]], colors: dict[str, str], chart_id: str, by_csm: bool
) -> charts.Chart:
    data = _tier_rows(rows)
    palette = {tier: colors.get(tier, "#999") for tier in TIER_COLUMNS}
    if by_csm:
        return charts.bars_at_month(
            chart_id,
            f"Tier mix of the {CHART_CSMS} CSMs with the most at-risk ARR (accounts, chosen month)",
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


def _books(ctx: Context) -> dict[str, list[dict[str, Any]]]:
    """Every assigned account with its health on the as-of day and its open alerts
    (fct_alert_queue), by CSM (one query for all the books)."""
    rows = ctx.rows(
        "select a.csm_id, a.account_id, a.account_name, a.size_segment, a.current_arr, "
        "a.health_score, a.health_tier, a.lifecycle_stage, a.renewal_date, h.trend, "
        "h.score_change_7d, al.alerts, al.rules, c.churn_probability_90d, c.risk_band, "
        "c.top_risk_driver "
        "from dim_accounts a left join fct_account_health_daily h on h.account_id = a.account_id "
        "  and h.activity_date = (select max(activity_date) from fct_account_health_daily) "
        "left join (select account_id, count(*) as alerts, string_agg(rule_key, ', ' "
        "  order by rule_key) as rules from fct_alert_queue group by account_id) al "
        "  on al.account_id = a.account_id "
        "left join fct_churn_risk_daily c on c.account_id = a.account_id "
        "  and c.activity_date = h.activity_date "
        "where a.csm_id is not null order by a.csm_id, a.current_arr desc nulls last, a.account_id",
    )
    books: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        books.setdefault(row["csm_id"], []).append(row)
    return books


def _accounts(ctx: Context, rows: list[dict[str, Any]], colors: dict[str, str]) -> DataTable:
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
            "Churn risk (90 d)",
            "Open alerts",
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
                    churn_risk_text(r),
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


def _portfolio_table(
    ctx: Context, rows: list[dict[str, Any]], table_id: str, linked: bool
) -> DataTable:
    """One row per CSM and filter month, paged and searched in the browser."""
    months = set(ctx.months)
    columns = PORTFOLIO_COLUMNS if linked else PORTFOLIO_COLUMNS[1:]
    return DataTable(
        id=table_id,
        columns=columns,
        rows=[
            {
                "k": r["csm_id"],
                "m": month_label(r["month"]),
                "c": _portfolio_cells(r, r["csm_name"])
                if linked
                else _portfolio_cells(r, None)[1:],
            }
            for r in sorted(rows, key=lambda r: (r["month"], -(r["arr_managed"] or 0)))
            if r["month"] in months
        ],
        numeric=tuple(range(1 if linked else 0, len(columns))),
        note="From fct_csm_portfolio_monthly (accounts scored on the month's measurement day; "
        "tiers excellent / good / at risk / critical; by ARR managed) and the alert episodes of "
        "fct_alerts opened in the month for the CSM. NRR is the monthly NRR of the CSM's "
        "accounts.",
        empty="No portfolio figures for this month.",
        link=(0, csm_path("{k}")) if linked else None,
    )


def build(ctx: Context) -> list[Output]:
    colors = tier_colors(ctx)
    portfolio = _portfolio(ctx)
    overview_chart = _tier_chart(ctx, _most_at_risk(ctx, portfolio), colors, "csm-tiers", True)
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
                "tables": [_portfolio_table(ctx, portfolio, "portfolios", linked=True)],
                "chart": overview_chart,
                "all_charts": [overview_chart],
                "unassigned": unassigned,
            },
        )
    ]
    books = _books(ctx)
    by_csm: dict[str, list[dict[str, Any]]] = {}
    for row in portfolio:
        by_csm.setdefault(row["csm_id"], []).append(row)
    book_chart = _tier_chart(ctx, portfolio[:1], colors, "book-tiers", by_csm=False)
    for csm in csms:
        own = by_csm.get(csm["csm_id"], [])
        chart = charts.with_rows(book_chart, _tier_rows(own))
        outputs.append(
            Output(
                path=csm_path(csm["csm_id"]),
                template="csm.html",
                context={
                    "title": f"Book of {csm['csm_name']}",
                    "csm_title": f"{csm['csm_name']} ({csm['accounts']} accounts)",
                    "nav_slug": "operations",
                    "csm": csm,
                    "tables": [
                        _portfolio_table(ctx, own, "book", linked=False),
                        _accounts(ctx, books.get(csm["csm_id"], []), colors),
                    ],
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
