"""Alert episodes computed day by day with a plain loop (metrics.md Alert episodes): the oracle
for fct_alerts, which computes them with window functions and a recursive chain.

Per account and rule, in day order: a missing paid day expires an open episode (closed the day
after the last paid day) and breaks the run of met days; an open episode closes on a
recovered day, on a day the superseding rule is armed, or on a snoozed day; a closed rule opens
when the condition has held min_days consecutive days, the superseding rule is not armed, no
snooze covers the day and cooldown_days have passed since the last close. An episode still open
after the last paid day expires the day after it when that day is not after the as-of date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    rule_key: str
    min_days: int
    cooldown_days: int
    superseded_by: str | None


def rules_from(seed: pd.DataFrame) -> dict[str, Rule]:
    enabled = seed[seed["enabled"]]
    return {
        row.rule_key: Rule(
            row.rule_key,
            int(row.min_days),
            int(row.cooldown_days),
            row.superseded_by if isinstance(row.superseded_by, str) else None,
        )
        for row in enabled.itertuples()
    }


def armed_days(days: pd.DataFrame, min_days: int) -> set[date]:
    """Days the rule's condition has held min_days days and not recovered since (no gap)."""
    armed: set[date] = set()
    state, previous, streak = False, None, 0
    for day, met, recovered in days[["day", "is_met", "is_recovered"]].itertuples(index=False):
        if previous is None or day != previous + ONE_DAY:
            state, streak = False, 0
        streak = streak + 1 if met else 0
        if recovered:
            state = False
        if met and streak >= min_days:
            state = True
        if state:
            armed.add(day)
        previous = day
    return armed


def rule_episodes(
    days: pd.DataFrame, rule: Rule, as_of: date, snoozed: set[date], superseded: set[date]
) -> list[dict]:
    """The episodes of one account and rule; days sorted by day."""
    out: list[dict] = []
    current: dict | None = None
    last_close: date | None = None
    previous: date | None = None
    streak = 0
    columns = ["day", "observed_value", "threshold", "is_met", "is_recovered"]
    for day, observed, threshold, met, recovered in days[columns].itertuples(index=False):
        gap = previous is not None and day != previous + ONE_DAY
        if current is not None and gap:
            current.update(closed_on=previous + ONE_DAY, close_reason="expired")
            out.append(current)
            current, last_close = None, previous + ONE_DAY
        if previous is None or gap:
            streak = 0
        streak = streak + 1 if met else 0
        if current is not None:
            reason = (
                "recovered"
                if recovered
                else "superseded"
                if day in superseded
                else "snoozed"
                if day in snoozed
                else None
            )
            if reason:
                current.update(closed_on=day, close_reason=reason, closing_value=observed)
                out.append(current)
                current, last_close = None, day
        cooled = last_close is None or day >= last_close + timedelta(days=rule.cooldown_days)
        ready = met and streak >= rule.min_days and day not in snoozed and day not in superseded
        if current is None and ready and cooled:
            current = {
                "rule_key": rule.rule_key,
                "opened_on": day,
                "opening_value": observed,
                "threshold": threshold,
                "closed_on": None,
                "close_reason": None,
                "closing_value": None,
            }
        previous = day
    if current is not None:
        if previous < as_of:
            current.update(closed_on=previous + ONE_DAY, close_reason="expired")
        out.append(current)
    return out


def snoozed_days(snoozes: pd.DataFrame) -> dict[tuple[str, str], set[date]]:
    days: dict[tuple[str, str], set[date]] = {}
    for snooze in snoozes.itertuples():
        day = snooze.snoozed_on
        while day <= snooze.snoozed_until:
            days.setdefault((snooze.account_id, snooze.rule_key), set()).add(day)
            day += ONE_DAY
    return days


def episodes(
    rule_days: pd.DataFrame, rules: dict[str, Rule], snoozes: pd.DataFrame, as_of: date
) -> pd.DataFrame:
    """rule_days: account_id, activity_date, rule_key, observed_value, threshold, is_met,
    is_recovered (every paid day of every enabled rule)."""
    rule_days = rule_days.assign(day=pd.to_datetime(rule_days["activity_date"]).dt.date)
    rule_days = rule_days.sort_values(["account_id", "rule_key", "day"])
    groups = dict(tuple(rule_days.groupby(["account_id", "rule_key"], sort=False)))
    superseders = {r.superseded_by for r in rules.values() if r.superseded_by in rules}
    armed = {
        key: armed_days(days, rules[key[1]].min_days)
        for key, days in groups.items()
        if key[1] in superseders
    }
    snoozed = snoozed_days(snoozes)
    found = []
    for (account, key), days in groups.items():
        rule = rules[key]
        superseded = armed.get((account, rule.superseded_by), set())
        for episode in rule_episodes(
            days, rule, as_of, snoozed.get((account, key), set()), superseded
        ):
            found.append({"account_id": account, **episode})
    return pd.DataFrame(found)
