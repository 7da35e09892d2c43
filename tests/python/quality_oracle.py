"""Independent pandas reading of the raw extracts for the data-quality scorecard
(fct_data_quality_checks_daily, _daily, _summary): written from the marts' documentation, the
source contract and the policy seed's CSV, on top of raw_oracle's classification of every raw
row, not from the SQL."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from csm.contract import Table, load_contract
from csm.paths import project_dir
from raw_oracle import classify

STATUS_RANK = {"ok": 0, "warn": 1, "error": 2}
RANK_STATUS = {rank: status for status, rank in STATUS_RANK.items()}
CROSS_SOURCE = {
    "paying_account_missing_from_crm": "billing_subscription_periods",
    "ticket_from_account_that_never_paid": "support_tickets",
}


@dataclass(frozen=True)
class Limits:
    warn_above: float | None
    error_above: float | None


def read_policy(path: Path | None = None) -> list[dict[str, str]]:
    with (path or project_dir() / "seeds" / "data_quality_policy.csv").open() as handle:
        return list(csv.DictReader(handle))


def limits(policy: list[dict[str, str]], family: str, table: str, column: str = "*") -> Limits:
    """The most specific row: the table's own before '*', then the column's own before '*'."""
    rows = [
        row
        for row in policy
        if row["check_family"] == family
        and row["table_name"] in (table, "*")
        and row["column_name"] in (column, "*")
    ]
    row = min(rows, key=lambda r: (r["table_name"] == "*", r["column_name"] == "*"))
    number = lambda text: float(text) if text else None  # noqa: E731
    return Limits(number(row["warn_above"]), number(row["error_above"]))


def status(measure: float | None, limit: Limits) -> str | None:
    if measure is None or pd.isna(measure):
        return None
    if limit.error_above is not None and measure > limit.error_above:
        return "error"
    warn = limit.warn_above if limit.warn_above is not None else limit.error_above
    if warn is not None and measure > warn:
        return "warn"
    return "ok"


def worst(statuses: list[str | None]) -> str | None:
    ranks = [STATUS_RANK[s] for s in statuses if s is not None]
    return RANK_STATUS[max(ranks)] if ranks else None


def share(failed: float, checked: float) -> float | None:
    return failed / checked if checked else None


class Scorecard:
    """The three scorecard marts recomputed from a raw folder."""

    def __init__(self, raw: Path, policy: list[dict[str, str]] | None = None) -> None:
        self.contract = load_contract()
        self.policy = policy or read_policy()
        self.frames = {name: classify(raw, name) for name in self.contract}
        for frame in self.frames.values():
            frame["load_day"] = frame["_loaded_at"].dt.normalize()
        self.as_of = max(frame["_loaded_at"].max() for frame in self.frames.values())

    # --- the checks --------------------------------------------------------------------

    def load_days(self, name: str) -> pd.DataFrame:
        frame = self.frames[name]
        counts = pd.crosstab(frame["load_day"], frame["dq_status"])
        for column in ("kept", "duplicate", "superseded", "quarantined"):
            if column not in counts:
                counts[column] = 0
        days = pd.DataFrame(
            {
                "rows_received": frame.groupby("load_day").size(),
                "kept_rows": counts["kept"],
                "duplicate_rows": counts["duplicate"],
                "superseded_rows": counts["superseded"],
                "quarantined_rows": counts["quarantined"],
                "orphan_rows": frame.assign(o=frame["dq_rule"] == "unknown_account")
                .groupby("load_day")["o"]
                .sum(),
                "latest_loaded_at": frame.groupby("load_day")["_loaded_at"].max(),
            }
        )
        return days.reset_index()

    def first_load_lags(self, table: Table) -> pd.DataFrame:
        """Hours from event time to first load of each key (valid rows; the first valid
        delivery of a re-delivered key, the first version of a CDC key)."""
        frame = self.frames[table.name]
        if table.redelivered:
            first = frame[frame["dq_status"] == "kept"]
        else:
            valid = frame[frame["dq_status"].isin(["kept", "superseded"])]
            earliest = valid.groupby(list(table.key))["_loaded_at"].transform("min")
            first = valid[valid["_loaded_at"] == earliest]
        first = first[first[table.event_time].notna()]
        event = pd.to_datetime(first[table.event_time])
        hours = (first["_loaded_at"] - event).dt.total_seconds() / 3600
        return pd.DataFrame({"load_day": first["load_day"], "lag_hours": hours})

    def mismatches(self) -> dict[str, pd.Series]:
        """Rows per load day that the other sources contradict as of the as-of date."""
        as_of_date = self.as_of.normalize()
        accounts = self.frames["crm_accounts"]
        accounts = accounts[accounts["dq_status"] == "kept"].set_index("account_id")
        periods = self.frames["billing_subscription_periods"]
        periods = periods[periods["dq_status"] == "kept"]
        start = pd.to_datetime(periods["period_start"])
        end = pd.to_datetime(periods["period_end"])
        running = (
            (periods["mrr_cents"] > 0) & (start <= as_of_date) & (end.isna() | (end > as_of_date))
        )
        deleted = periods["account_id"].map(accounts["is_deleted"])
        missing = running & (deleted.isna() | (deleted == True))  # noqa: E712
        paying = set(periods.loc[periods["mrr_cents"] > 0, "account_id"])
        tickets = self.frames["support_tickets"]
        tickets = tickets[tickets["dq_status"] == "kept"]
        never_paid = ~tickets["account_id"].isin(paying)
        return {
            "paying_account_missing_from_crm": periods[missing].groupby("load_day").size(),
            "ticket_from_account_that_never_paid": tickets[never_paid].groupby("load_day").size(),
        }

    def checks_daily(self) -> pd.DataFrame:
        rows: list[dict] = []
        mismatches = self.mismatches()
        for name, table in self.contract.items():
            frame = self.frames[name]
            days = self.load_days(name).set_index("load_day")
            accuracy = limits(self.policy, "quarantine_rate", name)
            consistency = limits(self.policy, "mismatch_rate", name)

            def add(day, standard, check, family, checked, failed, measure, limit, name=name):
                rows.append(
                    {
                        "source_table": name,
                        "load_day": day,
                        "standard": standard,
                        "check_name": check,
                        "check_family": family,
                        "rows_checked": int(checked),
                        "rows_failed": int(failed),
                        "measure": measure,
                        "warn_above": limit.warn_above,
                        "error_above": limit.error_above,
                        "status": status(measure, limit),
                    }
                )

            rejected = frame[frame["dq_status"] == "quarantined"]
            for (day, rule), count in rejected.groupby(["load_day", "dq_rule"]).size().items():
                received = days.loc[day, "rows_received"]
                add(
                    day,
                    "accuracy",
                    rule,
                    "quarantine_rate",
                    received,
                    count,
                    count / received,
                    accuracy,
                )
            kept = frame[frame["dq_status"] == "kept"]
            for column in (c.name for c in table.columns if not c.required):
                limit = limits(self.policy, "missing_rate", name, column)
                per_day = kept.groupby("load_day")[column].agg(lambda v: v.isna().sum())
                sizes = kept.groupby("load_day").size()
                for day, missing in per_day.items():
                    add(
                        day,
                        "completeness",
                        column,
                        "missing_rate",
                        sizes[day],
                        missing,
                        missing / sizes[day],
                        limit,
                    )
            if table.event_time:
                limit = limits(self.policy, "event_lag_hours", name)
                threshold = limit.warn_above if limit.warn_above is not None else limit.error_above
                for day, lags in self.first_load_lags(table).groupby("load_day")["lag_hours"]:
                    late = int((lags > threshold).sum())
                    add(
                        day,
                        "timeliness",
                        "event_lag_hours",
                        "event_lag_hours",
                        len(lags),
                        late,
                        float(np.median(lags)),
                        limit,
                    )
            for day, row in days.iterrows():
                add(
                    day,
                    "consistency",
                    "orphan_rows",
                    "mismatch_rate",
                    row["rows_received"],
                    row["orphan_rows"],
                    share(row["orphan_rows"], row["rows_received"]),
                    consistency,
                )
            for check, table_name in CROSS_SOURCE.items():
                if table_name != name:
                    continue
                found = mismatches[check]
                for day, row in days.iterrows():
                    failed = int(found.get(day, 0))
                    add(
                        day,
                        "consistency",
                        check,
                        "mismatch_rate",
                        row["kept_rows"],
                        failed,
                        share(failed, row["kept_rows"]),
                        consistency,
                    )
        return pd.DataFrame(rows)

    # --- the daily scorecard and the summary ----------------------------------------------

    def daily(self, checks: pd.DataFrame) -> pd.DataFrame:
        rows = []
        for name in self.contract:
            accuracy = limits(self.policy, "quarantine_rate", name)
            consistency = limits(self.policy, "mismatch_rate", name)
            own = checks[checks["source_table"] == name]
            for day in self.load_days(name).itertuples():
                today = own[own["load_day"] == day.load_day]
                columns = today[today["standard"] == "completeness"]
                lag = today[today["standard"] == "timeliness"]
                cross = int(
                    today.loc[today["check_name"].isin(list(CROSS_SOURCE)), "rows_failed"].sum()
                )
                statuses = {
                    "accuracy_status": status(day.quarantined_rows / day.rows_received, accuracy),
                    "completeness_status": worst(list(columns["status"])),
                    "timeliness_status": lag["status"].iloc[0] if len(lag) else None,
                    "consistency_status": status(
                        (day.orphan_rows + cross) / day.rows_received, consistency
                    ),
                }
                rows.append(
                    {
                        "source_table": name,
                        "load_day": day.load_day,
                        "rows_received": day.rows_received,
                        "kept_rows": day.kept_rows,
                        "duplicate_rows": day.duplicate_rows,
                        "superseded_rows": day.superseded_rows,
                        "quarantined_rows": day.quarantined_rows,
                        "accuracy": 1 - day.quarantined_rows / day.rows_received,
                        "columns_checked": len(columns),
                        "columns_incomplete": int(columns["status"].isin(["warn", "error"]).sum()),
                        "median_event_lag_hours": lag["measure"].iloc[0] if len(lag) else None,
                        "orphan_rows": day.orphan_rows,
                        "cross_source_mismatches": cross,
                        **statuses,
                        "status": worst(list(statuses.values())),
                    }
                )
        return pd.DataFrame(rows)

    def summary(self, checks: pd.DataFrame) -> pd.DataFrame:
        rows = []
        for name in self.contract:
            days = self.load_days(name)
            totals = days.drop(columns=["load_day", "latest_loaded_at"]).sum()
            own = checks[checks["source_table"] == name]
            columns = own[own["standard"] == "completeness"].groupby("check_name")
            column_statuses = [
                status(
                    group["rows_failed"].sum() / group["rows_checked"].sum(),
                    limits(self.policy, "missing_rate", name, column),
                )
                for column, group in columns
            ]
            lags = own[own["standard"] == "timeliness"].sort_values("load_day")
            latest = days["latest_loaded_at"].max()
            age = max((self.as_of - latest).total_seconds() / 3600, 0.0)
            age_limit = limits(self.policy, "load_age_hours", name)
            cross = int(own.loc[own["check_name"].isin(list(CROSS_SOURCE)), "rows_failed"].sum())
            statuses = {
                "accuracy_status": status(
                    totals["quarantined_rows"] / totals["rows_received"],
                    limits(self.policy, "quarantine_rate", name),
                ),
                "completeness_status": worst(column_statuses),
                "event_lag_status": lags["status"].iloc[-1] if len(lags) else None,
                "load_age_status": status(age, age_limit),
                "consistency_status": status(
                    (totals["orphan_rows"] + cross) / totals["rows_received"],
                    limits(self.policy, "mismatch_rate", name),
                ),
            }
            rows.append(
                {
                    "source_table": name,
                    "as_of_timestamp": self.as_of,
                    "latest_loaded_at": latest,
                    "load_age_hours": age,
                    **{key: int(value) for key, value in totals.items()},
                    "accuracy": 1 - totals["quarantined_rows"] / totals["rows_received"],
                    "columns_checked": len(column_statuses),
                    "columns_incomplete": sum(s in ("warn", "error") for s in column_statuses),
                    "latest_event_lag_hours": lags["measure"].iloc[-1] if len(lags) else None,
                    "cross_source_mismatches": cross,
                    **statuses,
                    "timeliness_status": worst(
                        [statuses["load_age_status"], statuses["event_lag_status"]]
                    ),
                    "status": worst(list(statuses.values())),
                }
            )
        return pd.DataFrame(rows)
