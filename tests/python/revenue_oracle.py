"""Independent pandas computation of the revenue metrics in shared/metrics.md, from the raw
Parquet (through raw_oracle's reading of the contract), in integer cents."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from csm.contract import load_contract
from raw_oracle import classify, read_raw

EMPLOYEE_BANDS = [("smb", 1, 200), ("mid_market", 200, 1000), ("enterprise", 1000, None)]


@dataclass
class Revenue:
    account_months: pd.DataFrame  # account_id, month, mrr_cents, previous, movement, amounts
    as_of_date: pd.Timestamp
    segments: pd.Series  # account_id -> size_segment


def as_of_date(raw_dir: Path) -> pd.Timestamp:
    latest = max(read_raw(raw_dir, table)["_loaded_at"].max() for table in load_contract())
    return pd.Timestamp(latest).normalize()


def size_segments(raw_dir: Path) -> pd.Series:
    accounts = classify(raw_dir, "crm_accounts")
    current = accounts[accounts["dq_status"] == "kept"].set_index("account_id")
    segment = pd.Series("unknown", index=current.index)
    for name, low, high in EMPLOYEE_BANDS:
        inside = current["employee_count"] >= low
        if high is not None:
            inside &= current["employee_count"] < high
        segment[inside.fillna(False).astype(bool)] = name
    return segment


def account_months(raw_dir: Path) -> Revenue:
    periods = classify(raw_dir, "billing_subscription_periods")
    periods = periods[periods["dq_status"] == "kept"].copy()
    periods["period_start"] = pd.to_datetime(periods["period_start"])
    periods["period_end"] = pd.to_datetime(periods["period_end"])
    as_of = as_of_date(raw_dir)
    months = pd.date_range(
        periods["period_start"].min().to_period("M").to_timestamp(),
        as_of.to_period("M").to_timestamp(),
        freq="MS",
    )
    rows = []
    for month in months:
        day = min(month + pd.offsets.MonthEnd(0), as_of)
        active = periods[
            (periods["period_start"] <= day)
            & (periods["period_end"].isna() | (periods["period_end"] > day))
        ]
        sums = active.groupby("account_id")["mrr_cents"].sum()
        rows.append(pd.DataFrame({"account_id": sums.index, "month": month, "mrr_cents": sums}))
    active_mrr = pd.concat(rows, ignore_index=True)
    first = active_mrr[active_mrr["mrr_cents"] > 0].groupby("account_id")["month"].min()
    spine = pd.DataFrame(
        [
            (account, month)
            for account, start in first.items()
            for month in months
            if month >= start
        ],
        columns=["account_id", "month"],
    )
    frame = spine.merge(active_mrr, on=["account_id", "month"], how="left").fillna({"mrr_cents": 0})
    frame["mrr_cents"] = frame["mrr_cents"].astype("int64")
    frame = frame.sort_values(["account_id", "month"]).reset_index(drop=True)
    by_account = frame.groupby("account_id")["mrr_cents"]
    frame["previous"] = by_account.shift(1).fillna(0).astype("int64")
    frame["twelve_ago"] = by_account.shift(12).fillna(0).astype("int64")
    paid_before = (frame["mrr_cents"] > 0).astype(int).groupby(frame["account_id"]).cumsum()
    frame["had_earlier"] = (paid_before - (frame["mrr_cents"] > 0).astype(int)) > 0
    current, previous = frame["mrr_cents"], frame["previous"]
    frame["movement"] = np.select(
        [
            (previous == 0) & (current == 0),
            (previous == 0) & ~frame["had_earlier"],
            previous == 0,
            current == 0,
            current > previous,
            current < previous,
        ],
        ["inactive", "new", "reactivation", "churn", "expansion", "contraction"],
        default="retained",
    )
    movement = frame["movement"]
    frame["new"] = np.where(movement == "new", current, 0)
    frame["reactivation"] = np.where(movement == "reactivation", current, 0)
    frame["expansion"] = np.where(movement == "expansion", current - previous, 0)
    frame["contraction"] = np.where(movement == "contraction", previous - current, 0)
    frame["churned"] = np.where(movement == "churn", previous, 0)
    frame["first_month"] = frame["account_id"].map(first)
    return Revenue(frame, as_of, size_segments(raw_dir))


def retention(revenue: Revenue, segment: str = "all") -> pd.DataFrame:
    """Month-level retention metrics for a segment."""
    frame = revenue.account_months
    if segment != "all":
        frame = frame[frame["account_id"].map(revenue.segments) == segment]
    grouped = frame.assign(
        t12_current=np.where(frame["twelve_ago"] > 0, frame["mrr_cents"], 0),
        t12_retained=np.where(
            frame["twelve_ago"] > 0, np.minimum(frame["mrr_cents"], frame["twelve_ago"]), 0
        ),
        start_customer=frame["previous"] > 0,
        end_customer=frame["mrr_cents"] > 0,
        churn_customer=frame["movement"] == "churn",
        t12_base_customer=frame["twelve_ago"] > 0,
        t12_lost=(frame["twelve_ago"] > 0) & (frame["mrr_cents"] == 0),
    ).groupby("month")
    out = grouped[
        [
            "previous",
            "new",
            "reactivation",
            "expansion",
            "contraction",
            "churned",
            "mrr_cents",
            "t12_current",
            "t12_retained",
            "twelve_ago",
            "start_customer",
            "end_customer",
            "churn_customer",
            "t12_base_customer",
            "t12_lost",
        ]
    ].sum()
    start = out["previous"].replace(0, np.nan)
    out["nrr_monthly"] = (
        out["previous"] + out["expansion"] - out["contraction"] - out["churned"]
    ) / start
    out["grr_monthly"] = (out["previous"] - out["contraction"] - out["churned"]) / start
    has_history = out.index >= frame["month"].min() + pd.DateOffset(months=12)
    base = out["twelve_ago"].replace(0, np.nan)
    out["nrr_t12m"] = np.where(has_history, out["t12_current"] / base, np.nan)
    out["grr_t12m"] = np.where(has_history, out["t12_retained"] / base, np.nan)
    out["logo_churn_rate"] = out["churn_customer"] / out["start_customer"].replace(0, np.nan)
    out["logo_churn_rate_t12m"] = np.where(
        has_history, out["t12_lost"] / out["t12_base_customer"].replace(0, np.nan), np.nan
    )
    return out


def cohorts(revenue: Revenue) -> pd.DataFrame:
    frame = revenue.account_months.copy()
    frame["k"] = (
        (frame["month"].dt.year - frame["first_month"].dt.year) * 12
        + frame["month"].dt.month
        - frame["first_month"].dt.month
    )
    size = (
        frame[frame["k"] == 0]
        .groupby("first_month")
        .agg(cohort_size=("account_id", "count"), starting=("mrr_cents", "sum"))
    )
    out = (
        frame.assign(active=frame["mrr_cents"] > 0)
        .groupby(["first_month", "k"])
        .agg(active=("active", "sum"), mrr=("mrr_cents", "sum"))
        .reset_index()
        .join(size, on="first_month")
    )
    out["logo_retention_rate"] = out["active"] / out["cohort_size"]
    out["revenue_retention_rate"] = out["mrr"] / out["starting"].replace(0, np.nan)
    return out


GROSS_MARGIN = 0.80  # metrics.md default
MAX_LIFETIME_YEARS = 10
CAC_WINDOW_MONTHS = 12


def measurement_day(month: pd.Timestamp, as_of: pd.Timestamp) -> pd.Timestamp:
    return min(month + pd.offsets.MonthEnd(0), as_of)


def churn_events(raw_dir: Path, revenue: Revenue) -> pd.DataFrame:
    """One row per churn with churn type (involuntary wins over voluntary, else unknown),
    paying months before the churn, and whether the account paid again later."""
    periods = classify(raw_dir, "billing_subscription_periods")
    periods = periods[periods["dq_status"] == "kept"].copy()
    periods["period_start"] = pd.to_datetime(periods["period_start"])
    periods["period_end"] = pd.to_datetime(periods["period_end"])
    frame = revenue.account_months.copy()
    frame["paid"] = (frame["mrr_cents"] > 0).astype(int)
    frame["tenure"] = frame.groupby("account_id")["paid"].cumsum() - frame["paid"]
    reactivations = frame[frame["movement"] == "reactivation"].groupby("account_id")["month"].max()
    churns = frame[frame["movement"] == "churn"].copy()
    types = []
    for row in churns.itertuples():
        day = measurement_day(row.month, revenue.as_of_date)
        previous_day = measurement_day(row.month - pd.DateOffset(months=1), revenue.as_of_date)
        own = periods[periods["account_id"] == row.account_id]
        ended = own[
            (own["period_start"] <= previous_day)
            & (own["period_end"] > previous_day)
            & (own["period_end"] <= day)
        ]
        reasons = set(ended["cancel_reason"].dropna())
        types.append(
            "involuntary"
            if "involuntary" in reasons
            else "voluntary"
            if "voluntary" in reasons
            else "unknown"
        )
    churns["churn_type"] = types
    churns["is_later_reactivated"] = churns["account_id"].map(reactivations) > churns["month"]
    return churns[
        ["account_id", "month", "churned", "churn_type", "tenure", "is_later_reactivated"]
    ]


def current_accounts(raw_dir: Path, revenue: Revenue) -> pd.DataFrame:
    """dim_accounts' revenue columns: accounts whose current CRM version is not deleted."""
    accounts = classify(raw_dir, "crm_accounts")
    current = accounts[(accounts["dq_status"] == "kept") & ~accounts["is_deleted"]]
    frame = revenue.account_months
    last_month = frame["month"].max()
    current_mrr = frame[frame["month"] == last_month].set_index("account_id")["mrr_cents"]
    tenure = frame.assign(paid=frame["mrr_cents"] > 0).groupby("account_id")["paid"].sum()
    out = pd.DataFrame({"account_id": current["account_id"].to_numpy()})
    out["current_mrr_cents"] = out["account_id"].map(current_mrr).fillna(0).astype("int64")
    out["tenure_months"] = out["account_id"].map(tenure).fillna(0).astype("int64")
    out["first_paid_month"] = out["account_id"].map(
        frame.groupby("account_id")["first_month"].min()
    )
    return out


def lifetime_value(raw_dir: Path, revenue: Revenue, segment: str = "all") -> pd.DataFrame:
    rates = retention(revenue, segment)
    arpa = (rates["mrr_cents"] / 100) / rates["end_customer"].replace(0, np.nan)
    churn = pd.Series(rates["logo_churn_rate_t12m"], index=rates.index)
    lifetime = np.where(
        churn.isna(),
        np.nan,
        np.where(
            churn == 0,
            MAX_LIFETIME_YEARS,
            np.minimum(1 / churn.replace(0, np.nan), MAX_LIFETIME_YEARS),
        ),
    )
    costs = classify(raw_dir, "finance_acquisition_costs")
    costs = costs[costs["dq_status"] == "kept"].copy()
    costs["acquired_month"] = pd.to_datetime(costs["acquired_month"])
    if segment != "all":
        costs = costs[costs["account_id"].map(revenue.segments) == segment]
    avg_cac = pd.Series(
        [
            costs.loc[
                (costs["acquired_month"] <= month)
                & (costs["acquired_month"] > month - pd.DateOffset(months=CAC_WINDOW_MONTHS)),
                "cac_cents",
            ].mean()
            / 100
            for month in rates.index
        ],
        index=rates.index,
    )
    out = pd.DataFrame({"arpa": arpa, "expected_lifetime_years": lifetime, "avg_cac": avg_cac})
    out["clv"] = out["arpa"] * 12 * GROSS_MARGIN * out["expected_lifetime_years"]
    out["cac_payback_months"] = out["avg_cac"] / (out["arpa"] * GROSS_MARGIN)
    out["ltv_to_cac"] = out["clv"] / out["avg_cac"]
    return out


def expansion_pipeline(raw_dir: Path, revenue: Revenue) -> pd.DataFrame:
    """Segment `all`: open expansion ARR on each measurement day, won and lost in the month."""
    opportunities = classify(raw_dir, "crm_opportunities")
    opportunities = opportunities[
        (opportunities["dq_status"] == "kept") & (opportunities["opportunity_type"] == "expansion")
    ].copy()
    opportunities["created_day"] = pd.to_datetime(opportunities["created_at"]).dt.normalize()
    opportunities["close_date"] = pd.to_datetime(opportunities["close_date"])
    close_month = opportunities["close_date"].dt.to_period("M").dt.to_timestamp()
    rows = []
    for month in retention(revenue).index:
        day = measurement_day(month, revenue.as_of_date)
        open_now = (opportunities["created_day"] <= day) & (
            (opportunities["stage"] == "open") | (opportunities["close_date"] > day)
        )
        in_month = close_month == month
        rows.append(
            {
                "month": month,
                "open_cents": int(opportunities.loc[open_now, "amount_cents"].sum()),
                "won": int((in_month & (opportunities["stage"] == "closed_won")).sum()),
                "lost": int((in_month & (opportunities["stage"] == "closed_lost")).sum()),
            }
        )
    return pd.DataFrame(rows).set_index("month")
