"""Independent pandas computation of the product usage and onboarding metrics in
shared/metrics.md, from the raw Parquet (through raw_oracle's reading of the contract).

Written from the definitions, not from the dbt models: distinct users and features are counted
directly over each window (no open/close changes, no running sums), one account-day at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from pathlib import Path

import numpy as np
import pandas as pd

from csm.contract import load_contract
from csm.paths import project_dir
from raw_oracle import classify, read_raw

CORE_PLANS = ("starter", "growth", "enterprise")  # add-on periods repeat the core plan's seats
MAU_DAYS, WAU_DAYS, TREND_DAYS = 30, 7, 14
CORE_ADOPTION_SHARE = 0.6  # dbt var core_adoption_share (dbt_project.yml)


@dataclass
class Usage:
    events: pd.DataFrame  # kept events loaded by the as-of time: account_id, user_id, ..., day
    periods: pd.DataFrame  # kept subscription periods
    core_features: frozenset[str]
    as_of: pd.Timestamp  # the as-of date (midnight)


def _kept(raw_dir: Path, table: str) -> pd.DataFrame:
    frame = classify(raw_dir, table)
    return frame[frame["dq_status"] == "kept"].copy()


def as_of_timestamp(raw_dir: Path) -> pd.Timestamp:
    """The latest _loaded_at across every raw row (quarantined ones included)."""
    return pd.Timestamp(
        max(read_raw(raw_dir, table)["_loaded_at"].max() for table in load_contract())
    )


def feature_catalog() -> pd.DataFrame:
    catalog = pd.read_csv(project_dir() / "seeds" / "feature_catalog.csv")
    catalog["is_core"] = catalog["is_core"].astype(str).str.lower() == "true"
    return catalog


def load_usage(raw_dir: Path) -> Usage:
    as_of = as_of_timestamp(raw_dir)
    events = _kept(raw_dir, "product_events")
    events = events[events["_loaded_at"] <= as_of].copy()
    events["day"] = pd.to_datetime(events["occurred_at"]).dt.normalize()
    events = events[events["day"] <= as_of.normalize()]
    periods = _kept(raw_dir, "billing_subscription_periods")
    periods["period_start"] = pd.to_datetime(periods["period_start"])
    periods["period_end"] = pd.to_datetime(periods["period_end"])
    catalog = feature_catalog()
    core = frozenset(catalog.loc[catalog["is_core"], "feature_key"])
    return Usage(events.reset_index(drop=True), periods, core, as_of.normalize())


def paid_days(usage: Usage) -> pd.DataFrame:
    """Every (account_id, day) from the first event day to the as-of date on which the periods
    covering the day (end exclusive) sum to mrr > 0, with the seats of the core-plan periods."""
    first_day = usage.events["day"].min()
    rows = []
    for period in usage.periods.itertuples(index=False):
        start = max(period.period_start, first_day)
        end = (
            usage.as_of if pd.isna(period.period_end) else period.period_end - pd.Timedelta(days=1)
        )
        end = min(end, usage.as_of)
        if start > end:
            continue
        days = pd.date_range(start, end, freq="D")
        rows.append(
            pd.DataFrame(
                {
                    "account_id": period.account_id,
                    "day": days,
                    "mrr_cents": period.mrr_cents,
                    "seats": period.seats if period.plan_code in CORE_PLANS else 0,
                }
            )
        )
    covered = pd.concat(rows, ignore_index=True)
    days = covered.groupby(["account_id", "day"], as_index=False)[["mrr_cents", "seats"]].sum()
    return days[days["mrr_cents"] > 0].reset_index(drop=True)


def sample_days(paid: pd.DataFrame, size: int = 200, seed: int = 20260930) -> pd.DataFrame:
    """A deterministic sample of paid account-days plus each account's latest paid day."""
    sampled = paid.sample(n=min(size, len(paid)), random_state=seed)
    latest = paid.sort_values("day").groupby("account_id").tail(1)
    keys = pd.concat([sampled, latest]).drop_duplicates(["account_id", "day"])
    return keys.sort_values(["account_id", "day"]).reset_index(drop=True)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else np.nan


def account_day_measures(usage: Usage, keys: pd.DataFrame) -> pd.DataFrame:
    """dau, wau, mau, seats, license_utilization, stickiness, core breadth and the 14-day trend
    of each (account_id, day, seats) in keys, counted directly over the raw events."""
    by_account = dict(tuple(usage.events.groupby("account_id")))
    empty = usage.events.iloc[0:0]
    n_core = len(usage.core_features)
    out = []
    for key in keys.itertuples(index=False):
        events = by_account.get(key.account_id, empty)
        age = (key.day - events["day"]).dt.days

        def users(days: int, events: pd.DataFrame = events, age: pd.Series = age) -> int:
            return events.loc[(age >= 0) & (age < days), "user_id"].nunique()

        dau, wau, mau = users(1), users(WAU_DAYS), users(MAU_DAYS)
        in_month = events[(age >= 0) & (age < MAU_DAYS)]
        core_used = in_month.loc[
            (in_month["event_type"] == "feature_used")
            & in_month["feature_key"].isin(usage.core_features),
            "feature_key",
        ].nunique()
        events_14d = int(((age >= 0) & (age < TREND_DAYS)).sum())
        events_prev_14d = int(((age >= TREND_DAYS) & (age < 2 * TREND_DAYS)).sum())
        out.append(
            {
                "account_id": key.account_id,
                "day": key.day,
                "seats": key.seats,
                "dau": dau,
                "wau": wau,
                "mau": mau,
                "license_utilization": min(mau / key.seats, 1.0) if key.seats else np.nan,
                "stickiness": _ratio(dau, mau),
                "core_features_used_30d": core_used,
                "core_feature_adoption_breadth": _ratio(core_used, n_core),
                "events_14d": events_14d,
                "events_prev_14d": events_prev_14d,
                "usage_change_14d": (
                    events_14d / events_prev_14d - 1 if events_prev_14d else np.nan
                ),
            }
        )
    return pd.DataFrame(out)


def onboarding(usage: Usage, raw_dir: Path, first_paid_month: pd.Series) -> pd.DataFrame:
    """Per account with milestones or a first paid month: time to first value (first paid
    month's first day -> first_value completion date) and the core adoption date (the first day
    the distinct core features used since the first paid month reach the adoption share)."""
    milestones = _kept(raw_dir, "onboarding_milestones")
    first_value = (
        milestones[(milestones["milestone"] == "first_value") & milestones["completed_at"].notna()]
        .set_index("account_id")["completed_at"]
        .pipe(pd.to_datetime)
        .dt.normalize()
    )
    accounts = sorted(set(milestones["account_id"]) | set(first_paid_month.index))
    frame = pd.DataFrame({"account_id": accounts})
    frame["first_paid_month"] = frame["account_id"].map(first_paid_month)
    frame["first_value_date"] = frame["account_id"].map(first_value)
    frame["time_to_first_value_days"] = (
        frame["first_value_date"] - frame["first_paid_month"]
    ).dt.days

    core = usage.events[
        (usage.events["event_type"] == "feature_used")
        & usage.events["feature_key"].isin(usage.core_features)
    ]
    core = core[core["day"] >= core["account_id"].map(first_paid_month)]
    first_use = core.groupby(["account_id", "feature_key"])["day"].min().reset_index()
    needed = ceil(CORE_ADOPTION_SHARE * len(usage.core_features) - 1e-12)
    adoption = (
        first_use.sort_values("day")
        .groupby("account_id")["day"]
        .apply(lambda days: days.iloc[needed - 1] if len(days) >= needed else pd.NaT)
    )
    frame["core_adoption_date"] = frame["account_id"].map(adoption)
    return frame
