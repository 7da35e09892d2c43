"""Independent pandas computation of the support and satisfaction metrics in shared/metrics.md,
from the raw Parquet (the rows raw_oracle.classify keeps), never from the dbt models.

The seed numbers are written here from metrics.md (the SLA clocks from issue 20: critical on the
calendar clock, the other priorities on business hours; the schedules are read from the seeds),
and the month each measure counts in follows docs/decisions.md: tickets created and first
response by created month; resolved volume, FCR, AHT, resolution time, escalation and reopen
rates by resolved month; SLA outcomes by resolved month, or by the month the deadline passed for
an unresolved breached ticket; survey scores by responded month; surveys sent and response rate
by sent month.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from csm.contract import load_contract
from csm.paths import project_dir
from raw_oracle import classify

# metrics.md, Support: resolution limit / target hours by priority
SLA_HOURS = {"critical": (4, 2), "high": (24, 12), "medium": (72, 48), "low": (168, 120)}
SLA_CLOCK = {"critical": "calendar", "high": "business", "medium": "business", "low": "business"}
US_PER_MINUTE = 60_000_000
FCR_CATEGORY_TARGETS = {"technical": 0.65, "billing": 0.85, "product": 0.70, "general": 0.80}
FCR_RATE_TARGET = 0.75
BREACH_RISK = pd.Timedelta(minutes=15)
# metrics.md, Satisfaction: CSAT satisfied 4-5, NPS promoters 9-10 / detractors 0-6, CES easy 6-7
CSAT_SATISFIED_MIN = 4
NPS_PROMOTER_MIN = 9
NPS_DETRACTOR_MAX = 6
CES_EASY_MIN = 6
TOLERANCE = 1e-9  # rates, averages and medians: mart vs oracle
EMPLOYEE_BANDS = [("smb", 1, 200), ("mid_market", 200, 1000), ("enterprise", 1000, None)]


def kept(raw_dir: Path, table: str) -> pd.DataFrame:
    frame = classify(raw_dir, table)
    return frame[frame["dq_status"] == "kept"].drop(columns=["dq_rule", "dq_status"])


def as_of_timestamp(raw_dir: Path) -> pd.Timestamp:
    """The latest _loaded_at of any raw row (read column-wise: product_events is large)."""
    latest = max(
        pq.read_table(path, columns=["_loaded_at"], partitioning=None)["_loaded_at"]
        .to_pandas()
        .max()
        for table in load_contract()
        for path in (raw_dir / table).rglob("*.parquet")
    )
    return pd.Timestamp(latest)


def month_of(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.to_period("M").dt.to_timestamp()


def size_segments(raw_dir: Path) -> pd.Series:
    accounts = kept(raw_dir, "crm_accounts").set_index("account_id")
    segment = pd.Series("unknown", index=accounts.index)
    for name, low, high in EMPLOYEE_BANDS:
        inside = accounts["employee_count"] >= low
        if high is not None:
            inside &= accounts["employee_count"] < high
        segment[inside.fillna(False).astype(bool)] = name
    return segment


# ---------------------------------------------------------------------------------------------
# Support


@dataclass
class Support:
    tickets: pd.DataFrame  # one row per kept ticket with the derived ticket-level measures
    kb_sessions: pd.DataFrame
    months: pd.DatetimeIndex
    as_of: pd.Timestamp


def ticket_measures(
    tickets: pd.DataFrame,
    responses: pd.DataFrame,
    as_of: pd.Timestamp,
    business: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """`business`: business_time() of the same tickets; without it every clock is calendar."""
    frame = tickets.copy()
    for column in ["created_at", "first_response_at", "resolved_at"]:
        frame[column] = pd.to_datetime(frame[column])
    limit = frame["priority"].map(lambda p: SLA_HOURS[p][0])
    target = frame["priority"].map(lambda p: SLA_HOURS[p][1])
    frame["sla_limit_hours"] = limit.astype(float)
    frame["sla_target_hours"] = target.astype(float)
    frame["calendar_deadline"] = frame["created_at"] + pd.to_timedelta(limit, unit="h")
    frame["deadline"] = frame["calendar_deadline"]
    frame["sla_clock"] = "calendar"
    if business is not None:
        frame = frame.merge(business, on="ticket_id", how="left", validate="one_to_one")
        frame["sla_clock"] = frame["priority"].map(SLA_CLOCK)
        on_business = frame["sla_clock"] == "business"
        frame.loc[on_business, "deadline"] = frame.loc[on_business, "business_deadline"]
    resolved = frame["resolved_at"].notna()
    overdue = ~resolved & (frame["deadline"] < as_of)
    frame["is_resolved"] = resolved
    # True / False / None (undecided while the clock runs)
    frame["is_sla_met"] = np.where(
        resolved, frame["resolved_at"] <= frame["deadline"], np.where(overdue, False, None)
    )
    frame["sla_month"] = month_of(frame["resolved_at"].where(resolved, frame["deadline"]))
    frame.loc[~resolved & ~overdue, "sla_month"] = pd.NaT
    frame["is_fcr"] = np.where(
        resolved,
        (frame["customer_contacts"] == 1) & ~frame["escalated"] & (frame["reopened_count"] == 0),
        None,
    )
    responding = frame["first_response_at"] - frame["created_at"]
    resolving = frame["resolved_at"] - frame["created_at"]
    frame["first_response_minutes"] = responding.dt.total_seconds() / 60
    frame["resolution_hours"] = resolving.dt.total_seconds() / 3600
    frame["created_month"] = month_of(frame["created_at"])
    frame["resolved_month"] = month_of(frame["resolved_at"])
    frame["handle_time_seconds"] = frame["handle_time_seconds"].astype(float)
    # the latest answered support CSAT of each ticket
    csat = responses[
        (responses["survey_type"] == "csat")
        & (responses["touchpoint"] == "support")
        & responses["ticket_id"].notna()
        & responses["score"].notna()
    ].sort_values(["ticket_id", "responded_at", "response_id"])
    latest = csat.drop_duplicates("ticket_id", keep="last").set_index("ticket_id")["score"]
    frame["csat_score"] = frame["ticket_id"].map(latest)
    return frame


def load_support(raw_dir: Path) -> Support:
    as_of = as_of_timestamp(raw_dir)
    responses = kept(raw_dir, "survey_responses")
    raw_tickets = kept(raw_dir, "support_tickets")
    regions = kept(raw_dir, "crm_accounts").set_index("account_id")["region"]
    business = business_time(raw_tickets, regions, as_of)
    tickets = ticket_measures(raw_tickets, responses, as_of, business)
    kb = kept(raw_dir, "support_kb_sessions")
    kb["month"] = month_of(kb["started_at"])
    first = min(tickets["created_month"].min(), kb["month"].min())
    months = pd.date_range(first, as_of.to_period("M").to_timestamp(), freq="MS")
    return Support(tickets, kb, months, as_of)


def support_monthly(support: Support, category: str = "all", priority: str = "all") -> pd.DataFrame:
    """One row per month of the spine for a (category, priority) cell, `all` = every value."""
    frame = support.tickets
    if category != "all":
        frame = frame[frame["category"] == category]
    if priority != "all":
        frame = frame[frame["priority"] == priority]
    out = pd.DataFrame(index=support.months)
    created = frame.groupby("created_month")
    out["tickets_created"] = created.size()
    out["median_first_response_minutes"] = created["first_response_minutes"].median()
    resolved = frame[frame["is_resolved"]]
    by_resolved = resolved.groupby("resolved_month")
    out["tickets_resolved"] = by_resolved.size()
    out["fcr_tickets"] = by_resolved["is_fcr"].sum()
    out["escalated_tickets"] = by_resolved["escalated"].sum()
    out["reopened_tickets"] = (
        resolved.assign(r=resolved["reopened_count"] > 0).groupby("resolved_month")["r"].sum()
    )
    out["handle_time_tickets"] = by_resolved["handle_time_seconds"].count()
    out["handle_time_seconds"] = by_resolved["handle_time_seconds"].sum()
    out["median_resolution_hours"] = by_resolved["resolution_hours"].median()
    decided = frame[frame["is_sla_met"].notna()]
    met = decided["is_sla_met"].astype(bool)
    out["sla_met_tickets"] = met.groupby(decided["sla_month"]).sum()
    out["sla_breached_tickets"] = (~met).groupby(decided["sla_month"]).sum()
    counts = [
        "tickets_created",
        "tickets_resolved",
        "fcr_tickets",
        "escalated_tickets",
        "reopened_tickets",
        "handle_time_tickets",
        "handle_time_seconds",
        "sla_met_tickets",
        "sla_breached_tickets",
    ]
    out[counts] = out[counts].fillna(0)
    resolved_count = out["tickets_resolved"].replace(0, np.nan)
    out["fcr_rate"] = out["fcr_tickets"] / resolved_count
    out["escalation_rate"] = out["escalated_tickets"] / resolved_count
    out["reopen_rate"] = out["reopened_tickets"] / resolved_count
    out["aht_minutes"] = out["handle_time_seconds"] / (
        60.0 * out["handle_time_tickets"].replace(0, np.nan)
    )
    decided_count = (out["sla_met_tickets"] + out["sla_breached_tickets"]).replace(0, np.nan)
    out["sla_compliance_rate"] = out["sla_met_tickets"] / decided_count
    out["fcr_target"] = FCR_RATE_TARGET if category == "all" else FCR_CATEGORY_TARGETS[category]
    if category == "all" and priority == "all":
        kb = support.kb_sessions
        solved = kb[kb["resolved_without_ticket"]].groupby("month").size()
        out["self_service_resolutions"] = solved.reindex(out.index).fillna(0)
        total = (out["self_service_resolutions"] + out["tickets_created"]).replace(0, np.nan)
        out["self_service_rate"] = out["self_service_resolutions"] / total
    else:
        out["self_service_resolutions"] = np.nan
        out["self_service_rate"] = np.nan
    return out


def agent_monthly(support: Support) -> pd.DataFrame:
    """(agent_id, month) rows where the agent had a ticket created, resolved or SLA-decided."""
    frame = support.tickets[support.tickets["agent_id"].notna()]
    assigned = frame.groupby(["agent_id", "created_month"]).size().rename("tickets_assigned")
    assigned.index.names = ["agent_id", "month"]
    resolved = frame[frame["is_resolved"]].assign(
        satisfied=lambda f: f["csat_score"] >= CSAT_SATISFIED_MIN
    )
    by_resolved = resolved.groupby(["agent_id", "resolved_month"])
    handled = pd.DataFrame(
        {
            "tickets_handled": by_resolved.size(),
            "fcr_tickets": by_resolved["is_fcr"].sum(),
            "handle_time_tickets": by_resolved["handle_time_seconds"].count(),
            "handle_time_seconds": by_resolved["handle_time_seconds"].sum(),
            "csat_responses": by_resolved["csat_score"].count(),
            "csat_score_total": by_resolved["csat_score"].sum(),
            "csat_satisfied": by_resolved["satisfied"].sum(),
        }
    )
    handled.index.names = ["agent_id", "month"]
    decided = frame[frame["is_sla_met"].notna()]
    met = decided["is_sla_met"].astype(bool)
    keys = [decided["agent_id"], decided["sla_month"]]
    sla = pd.DataFrame(
        {"sla_met_tickets": met.groupby(keys).sum(), "sla_breached": (~met).groupby(keys).sum()}
    )
    sla.index.names = ["agent_id", "month"]
    out = pd.concat([assigned, handled, sla], axis=1).fillna(0)
    out = out[out.index.get_level_values("month") <= support.months.max()]
    handled_count = out["tickets_handled"].replace(0, np.nan)
    out["fcr_rate"] = out["fcr_tickets"] / handled_count
    out["aht_minutes"] = out["handle_time_seconds"] / (
        60.0 * out["handle_time_tickets"].replace(0, np.nan)
    )
    decided_count = (out["sla_met_tickets"] + out["sla_breached"]).replace(0, np.nan)
    out["sla_compliance_rate"] = out["sla_met_tickets"] / decided_count
    csat_count = out["csat_responses"].replace(0, np.nan)
    out["csat_pct"] = out["csat_satisfied"] / csat_count
    out["csat_avg"] = out["csat_score_total"] / csat_count
    return out.sort_index()


def queue(support: Support) -> pd.DataFrame:
    frame = support.tickets
    frame = frame[~frame["is_resolved"] & (frame["created_at"] <= support.as_of)].copy()
    frame["age_hours"] = (support.as_of - frame["created_at"]).dt.total_seconds() / 3600
    frame["is_breached"] = frame["deadline"] < support.as_of
    frame["is_breach_risk"] = (frame["deadline"] >= support.as_of) & (
        frame["deadline"] <= support.as_of + BREACH_RISK
    )
    return frame.set_index("ticket_id").sort_index()


# ---------------------------------------------------------------------------------------------
# Business hours (metrics.md): the schedules from the seeds, local hours turned into UTC with
# zoneinfo day by day, and each ticket's business time summed interval by interval (the model
# uses running totals instead)


def seed_rows(name: str) -> list[dict[str, str]]:
    with (project_dir() / "seeds" / f"{name}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def _utc_us(day: date, hh_mm: str, zone: ZoneInfo) -> int:
    hours, minutes = (int(part) for part in hh_mm.split(":"))
    local = datetime.combine(day, time(0), zone) + timedelta(hours=hours, minutes=minutes)
    # wall-clock arithmetic: rebuild the local time so that its own offset applies
    local = datetime.combine(local.date(), local.time(), zone)
    return int((local - datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))) / timedelta(microseconds=1))


def open_intervals(schedule_id: str, first: date, last: date) -> tuple[np.ndarray, np.ndarray]:
    """(openings, closings) in UTC microseconds of a schedule's open intervals on local days
    first..last: the version valid on each day, holidays closed."""
    rows = [r for r in seed_rows("support_schedules") if r["schedule_id"] == schedule_id]
    holidays = {
        date.fromisoformat(h["holiday_date"])
        for h in seed_rows("support_holidays")
        if h["schedule_id"] == schedule_id
    }
    zone = ZoneInfo(rows[0]["timezone"])
    spans = []
    day = first
    while day <= last:
        for row in rows:
            valid_to = row["valid_to"]
            if (
                day not in holidays
                and int(row["weekday"]) == day.isoweekday()
                and date.fromisoformat(row["valid_from"]) <= day
                and (not valid_to or day < date.fromisoformat(valid_to))
            ):
                spans.append(
                    (_utc_us(day, row["start_time"], zone), _utc_us(day, row["end_time"], zone))
                )
        day += timedelta(days=1)
    spans.sort()
    return np.array([s for s, _ in spans], np.int64), np.array([e for _, e in spans], np.int64)


def business_us(opens: np.ndarray, closes: np.ndarray, start: int, end: int) -> int:
    """Total overlap of [start, end) with the intervals."""
    first = np.searchsorted(closes, start, side="right")
    last = np.searchsorted(opens, end, side="left")
    overlap = np.minimum(closes[first:last], end) - np.maximum(opens[first:last], start)
    return int(np.clip(overlap, 0, None).sum())


def reached_at(opens: np.ndarray, closes: np.ndarray, start: int, amount: int) -> int | None:
    """The instant the business time since start reaches amount (a closing time when it is
    reached exactly then), walking the intervals one by one."""
    for j in range(np.searchsorted(closes, start, side="right"), len(opens)):
        begin = max(start, int(opens[j]))
        available = int(closes[j]) - begin
        if available >= amount:
            return begin + amount
        amount -= available
    return None


def _us(stamp: pd.Timestamp) -> int:
    return stamp.value // 1_000  # nanoseconds to microseconds (the data has microseconds)


def business_time(tickets: pd.DataFrame, regions: pd.Series, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per ticket: schedule_id (the account region's; `default` when missing or unlisted),
    business minutes to first response and to resolution, and the business deadline of the
    priority's limit."""
    by_region = {r["region"]: r["schedule_id"] for r in seed_rows("support_schedule_regions")}
    schedules = [by_region.get(r, by_region["default"]) for r in tickets["account_id"].map(regions)]
    created, responded, resolved = (
        pd.to_datetime(tickets[c]) for c in ["created_at", "first_response_at", "resolved_at"]
    )
    first = created.min().date() - timedelta(days=2)
    last = as_of.date() + timedelta(days=400)
    calendars = {s: open_intervals(s, first, last) for s in set(schedules)}
    rows = []
    for i, ticket in enumerate(tickets["ticket_id"]):
        opens, closes = calendars[schedules[i]]
        start = _us(created.iloc[i])

        def minutes(end: pd.Timestamp) -> float | None:
            if pd.isna(end):
                return None
            return business_us(opens, closes, start, _us(end)) / US_PER_MINUTE  # noqa: B023

        limit = SLA_HOURS[tickets["priority"].iloc[i]][0] * 3_600_000_000
        rows.append(
            {
                "ticket_id": ticket,
                "schedule_id": schedules[i],
                "business_minutes_to_first_response": minutes(responded.iloc[i]),
                "business_minutes_to_resolution": minutes(resolved.iloc[i]),
                "business_deadline": pd.Timestamp(
                    reached_at(opens, closes, start, limit), unit="us"
                ),
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Satisfaction


@dataclass
class Satisfaction:
    responses: pd.DataFrame  # one row per kept survey with segment, months and category
    as_of: pd.Timestamp


def score_category(survey_type: str, score: float) -> str | None:
    if pd.isna(score):
        return None
    if survey_type == "nps":
        if score >= NPS_PROMOTER_MIN:
            return "promoter"
        return "detractor" if score <= NPS_DETRACTOR_MAX else "passive"
    if survey_type == "csat":
        return "satisfied" if score >= CSAT_SATISFIED_MIN else "not_satisfied"
    return "easy" if score >= CES_EASY_MIN else "not_easy"


def load_satisfaction(raw_dir: Path) -> Satisfaction:
    responses = kept(raw_dir, "survey_responses")
    responses = responses.drop(columns=["comment"])
    responses["segment"] = responses["account_id"].map(size_segments(raw_dir)).fillna("unknown")
    responses["is_answered"] = responses["score"].notna()
    responses["sent_month"] = month_of(responses["sent_at"])
    responses["response_month"] = month_of(responses["responded_at"]).where(
        responses["is_answered"]
    )
    responses["score_category"] = [
        score_category(kind, score)
        for kind, score in zip(responses["survey_type"], responses["score"], strict=True)
    ]
    return Satisfaction(responses, as_of_timestamp(raw_dir))


def satisfaction_monthly(
    satisfaction: Satisfaction,
    survey_type: str = "all",
    touchpoint: str = "all",
    segment: str = "all",
) -> pd.DataFrame:
    """Rows for the months in which the cell had a survey sent or answered."""
    frame = satisfaction.responses
    for column, value in [
        ("survey_type", survey_type),
        ("touchpoint", touchpoint),
        ("segment", segment),
    ]:
        if value != "all":
            frame = frame[frame[column] == value]
    sent = frame.groupby("sent_month").agg(
        surveys_sent=("response_id", "size"), surveys_answered=("is_answered", "sum")
    )
    answered = frame[frame["is_answered"]]
    kind = answered["survey_type"]
    category = answered["score_category"]
    by_month = answered.assign(
        csat=kind == "csat",
        satisfied=category == "satisfied",
        csat_score=answered["score"].where(kind == "csat", 0),
        nps=kind == "nps",
        promoter=category == "promoter",
        passive=category == "passive",
        detractor=category == "detractor",
        ces=kind == "ces",
        ces_score=answered["score"].where(kind == "ces", 0),
    ).groupby("response_month")
    scores = pd.DataFrame(
        {
            "responses": by_month.size(),
            "csat_responses": by_month["csat"].sum(),
            "csat_satisfied_responses": by_month["satisfied"].sum(),
            "csat_score_total": by_month["csat_score"].sum(),
            "nps_responses": by_month["nps"].sum(),
            "promoters": by_month["promoter"].sum(),
            "passives": by_month["passive"].sum(),
            "detractors": by_month["detractor"].sum(),
            "ces_responses": by_month["ces"].sum(),
            "ces_score_total": by_month["ces_score"].sum(),
        }
    )
    out = pd.concat([sent, scores], axis=1).fillna(0).sort_index()
    out = out[out.index <= satisfaction.as_of.to_period("M").to_timestamp()]
    out["response_rate"] = out["surveys_answered"] / out["surveys_sent"].replace(0, np.nan)
    csat = out["csat_responses"].replace(0, np.nan)
    out["csat_pct"] = out["csat_satisfied_responses"] / csat
    out["csat_avg"] = out["csat_score_total"] / csat
    nps = out["nps_responses"].replace(0, np.nan)
    out["nps"] = 100.0 * (out["promoters"] - out["detractors"]) / nps
    out["ces_avg"] = out["ces_score_total"] / out["ces_responses"].replace(0, np.nan)
    return out


# ---------------------------------------------------------------------------------------------
# Comparison


def assert_close(actual: pd.Series, expected: pd.Series, name: str) -> None:
    actual, expected = actual.astype(float), expected.astype(float)
    assert (actual.isna().to_numpy() == expected.isna().to_numpy()).all(), (
        f"{name}: null pattern differs"
    )
    both = actual.notna().to_numpy()
    difference = np.abs(actual.to_numpy()[both] - expected.to_numpy()[both])
    worst = difference.max() if both.any() else 0.0
    assert worst <= TOLERANCE, f"{name}: off by {worst}"


def assert_counts_equal(actual: pd.Series, expected: pd.Series, name: str) -> None:
    assert (actual.to_numpy().astype("int64") == expected.to_numpy().astype("int64")).all(), name
