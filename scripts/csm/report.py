"""`csm report`: the executive summary of fct_kpi_monthly in the terminal, and `csm export`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

MARTS_SCHEMA = "main_marts"
KPI_TABLE = f"{MARTS_SCHEMA}.fct_kpi_monthly"

# The seed documents' grouping of the executive view.
GROUPS: dict[str, Sequence[str]] = {
    "Retention": (
        "mrr",
        "arr",
        "new_mrr",
        "expansion_mrr",
        "contraction_mrr",
        "churned_mrr",
        "reactivation_mrr",
        "nrr_monthly",
        "grr_monthly",
        "nrr_t12m",
        "grr_t12m",
        "revenue_churn_rate",
        "active_customers",
        "new_customers",
        "churned_customers",
        "logo_churn_rate",
        "logo_churn_rate_t12m",
        "arpa",
        "clv",
        "cac_payback_months",
        "ltv_to_cac",
        "expansion_pipeline_coverage",
    ),
    "Satisfaction": ("csat_pct", "csat_avg", "nps", "ces_avg", "survey_response_rate"),
    "Support": (
        "tickets_created",
        "tickets_resolved",
        "fcr_rate",
        "aht_minutes",
        "sla_compliance_rate",
        "median_first_response_minutes",
        "median_resolution_hours",
        "self_service_rate",
    ),
    "Health": (
        "avg_health_score",
        "pct_accounts_at_risk",
        "license_utilization",
        "median_time_to_value_days",
    ),
}
# ratios read as multiples (3.0x), not shares
MULTIPLES = frozenset({"ltv_to_cac", "expansion_pipeline_coverage"})
STATUS_MARK = {"on_target": "OK", "acceptable": "~", "below_minimum": "!!", "no_target": ""}


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "multiple":
        return f"{value:.2f}x"
    if unit == "ratio":
        return f"{value:.1%}"
    if unit == "usd":
        return f"${value:,.0f}"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def format_change(change: float | None, unit: str) -> str:
    if change is None:
        return "-"
    if unit == "multiple":
        return f"{change:+.2f}x"
    if unit == "ratio":
        return f"{change * 100:+.1f} pp"
    if unit == "usd":
        return f"{'+' if change >= 0 else '-'}${abs(change):,.0f}"
    return f"{change:+,.1f}"


def latest_complete_month(connection: duckdb.DuckDBPyConnection) -> str:
    row = connection.execute(
        f"select max(month) from {KPI_TABLE} where is_complete_month"
    ).fetchone()
    if row is None or row[0] is None:
        raise LookupError(f"{KPI_TABLE} has no complete month: run `csm build` first")
    return row[0].isoformat()[:7]


def render(connection: duckdb.DuckDBPyConnection, month: str | None, segment: str) -> str:
    """The report as text: one block per group, one line per KPI."""
    month = month or latest_complete_month(connection)
    rows = connection.execute(
        f"select kpi_key, value, unit, target, status, mom_change from {KPI_TABLE} "
        "where month = cast(? as date) and segment = ?",
        [f"{month}-01", segment],
    ).fetchall()
    if not rows:
        raise LookupError(f"no KPIs for month {month} and segment {segment} in {KPI_TABLE}")
    by_key = {row[0]: row for row in rows}
    lines = [f"Customer Success KPIs - {month} - segment {segment}", ""]
    header = f"  {'KPI':<31}{'value':>14}{'target':>12}  {'status':<14}{'vs last month':>15}"
    for group, keys in GROUPS.items():
        present = [by_key[key] for key in keys if key in by_key]
        if not present:
            continue
        lines += [group, header]
        for key, value, seed_unit, target, status, change in present:
            unit = "multiple" if key in MULTIPLES else seed_unit
            status_text = f"{STATUS_MARK.get(status or '', '')} {status or ''}".strip()
            lines.append(
                f"  {key:<31}{format_value(value, unit):>14}"
                f"{format_value(target, unit) if target is not None else '':>12}"
                f"  {status_text:<14}{format_change(change, unit):>15}"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def mart_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        row[0]
        for row in connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? order by table_name",
            [MARTS_SCHEMA],
        ).fetchall()
    ]


def export(
    connection: duckdb.DuckDBPyConnection,
    out_dir: Path,
    file_format: str,
    select: Sequence[str] = (),
) -> list[Path]:
    """One file per mart (all marts, or the named ones) in out_dir; returns the paths."""
    tables = mart_tables(connection)
    unknown = sorted(set(select) - set(tables) - {"marts"})
    if unknown:
        raise LookupError(f"not a mart: {', '.join(unknown)} (marts: {', '.join(tables)})")
    chosen = tables if not select or "marts" in select else [t for t in tables if t in select]
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table in chosen:
        path = out_dir / f"{table}.{file_format}"
        options = "(format parquet)" if file_format == "parquet" else "(format csv, header true)"
        connection.execute(f"copy {MARTS_SCHEMA}.{table} to '{path}' {options}")
        written.append(path)
    return written
