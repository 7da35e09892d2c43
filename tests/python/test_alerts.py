"""Alert episodes (issue 18): fct_alerts equals a day-by-day loop over the rule days
(alerts_oracle), fct_alert_effectiveness equals a pandas recomputation with churn taken from the
raw Parquet (revenue_oracle), the tuned rules meet their goals on the `small` test data, and the
rules of the seed are the rules of the SQL."""

from __future__ import annotations

import csv
import re
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from alerts_oracle import episodes, rules_from
from csm.paths import project_dir
from revenue_oracle import account_months

MARTS = "main_marts"
RULE_DAYS = "main_intermediate.int_alerts__rule_days"
OUTCOME_DAYS = 90  # var alert_outcome_days
# Goals of issue 18 on `small` (seed 42), asserted a little below what the tuned seed reaches
# (0.17 risk and opportunity episodes per paying account-month, lift 2.73, coverage 0.81;
# docs/decisions.md): at most 0.5 episodes per account-month, lift 2.5, coverage 75%.
MAX_EPISODES_PER_ACCOUNT_MONTH = 0.25
MIN_RISK_LIFT = 2.6
MIN_RISK_COVERAGE = 0.78


def seed(warehouse, name: str) -> pd.DataFrame:
    return warehouse.execute(f"select * from main_reference.{name}").df()


def as_of(warehouse):
    return warehouse.execute(
        "select cast(as_of_timestamp as date) from main_staging.stg_meta__as_of"
    ).fetchone()[0]


@pytest.fixture(scope="module")
def alerts(warehouse) -> pd.DataFrame:
    frame = warehouse.execute(f"select * from {MARTS}.fct_alerts").df()
    for column in ("opened_on", "closed_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def test_episodes_equal_a_day_by_day_loop(warehouse, alerts) -> None:
    rule_days = warehouse.execute(f"select * from {RULE_DAYS}").df()
    snoozes = seed(warehouse, "alert_snoozes")
    for column in ("snoozed_on", "snoozed_until"):
        snoozes[column] = pd.to_datetime(snoozes[column]).dt.date
    rules = rules_from(seed(warehouse, "alert_rules"))
    expected = episodes(rule_days, rules, snoozes, as_of(warehouse))
    keys = ["account_id", "rule_key", "opened_on"]
    columns = [*keys, "closed_on", "close_reason", "opening_value", "threshold", "closing_value"]

    def normalized(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[columns].astype({"opening_value": float, "closing_value": float})
        for column in ("opened_on", "closed_on"):
            frame[column] = pd.to_datetime(frame[column])
        return frame.sort_values(keys).reset_index(drop=True)

    actual, expected = normalized(alerts), normalized(expected)
    assert len(actual) > 1000
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False)
    # the data exercises the ways an episode ends, snoozes included
    assert {"recovered", "expired", "snoozed"} <= set(alerts["close_reason"].dropna())
    assert alerts["closed_on"].isna().any()


def test_rule_measures_agree_with_the_health_and_usage_marts(warehouse) -> None:
    """Where a rule's window is the one a mart uses, the rule days measure what the mart shows:
    the health score, the 7-day score drop, the 90-day CSAT average, the days overdue, the
    30-day plan-feature share (the expansion rule's own window computation)."""
    rules = seed(warehouse, "alert_rules").set_index("rule_key")
    assert rules.loc["health_score_drop", "window_days"] == 7
    assert rules.loc["low_csat", "window_days"] == 90
    assert rules.loc["expansion_opportunity", "window_days"] == 30
    mismatches = warehouse.execute(
        f"""
        select rule_days.rule_key, count(*) as rows_differing
        from {RULE_DAYS} as rule_days
        inner join {MARTS}.fct_account_health_daily as health
            using (account_id, activity_date)
        inner join {MARTS}.fct_account_usage_daily as usage_days
            using (account_id, activity_date)
        where not coalesce(case rule_days.rule_key
            when 'health_below_60' then rule_days.observed_value = health.health_score
            when 'health_score_drop'
                then abs(rule_days.observed_value - (health.score_7d_ago - health.health_score))
                < 1e-9
            when 'low_csat' then abs(rule_days.observed_value - health.csat_value) < 1e-9
            when 'payment_overdue' then rule_days.observed_value = health.payment_timeliness_value
            when 'expansion_opportunity' then
                rule_days.threshold <> {rules.loc["expansion_opportunity", "threshold"]}
                or rule_days.observed_value = usage_days.plan_feature_adoption_breadth
            else true
        end, rule_days.observed_value is null)
        group by rule_days.rule_key
        """
    ).fetchall()
    assert not mismatches, mismatches


def test_owner_is_the_csm_of_the_opening_day(warehouse, alerts) -> None:
    health = warehouse.execute(
        "select account_id, activity_date as opened_on, csm_id "
        f"from {MARTS}.fct_account_health_daily"
    ).df()
    health["opened_on"] = pd.to_datetime(health["opened_on"]).dt.date
    merged = alerts.merge(health, on=["account_id", "opened_on"], how="left")
    assert merged["owner_csm_id"].equals(merged["csm_id"])


@pytest.fixture(scope="module")
def effectiveness(warehouse) -> pd.DataFrame:
    frame = warehouse.execute(f"select * from {MARTS}.fct_alert_effectiveness").df()
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


@pytest.fixture(scope="module")
def expected_effectiveness(built_raw_dir, warehouse, alerts) -> pd.DataFrame:
    """The counts of fct_alert_effectiveness from the episodes, the paid days of the health mart
    and the churn months of the raw Parquet."""
    horizon = timedelta(days=OUTCOME_DAYS)
    as_of_day = as_of(warehouse)
    paid = warehouse.execute(
        f"select account_id, activity_date from {MARTS}.fct_account_health_daily"
    ).df()
    paid["day"] = pd.to_datetime(paid["activity_date"]).dt.date
    first_day = paid["day"].min()
    months = account_months(built_raw_dir).account_months
    churns = months.loc[months["movement"] == "churn", ["account_id", "month"]]
    churns["month_end"] = (churns["month"] + pd.offsets.MonthEnd(0)).dt.date
    last_paid = churns.merge(paid, on="account_id")
    last_paid = last_paid[last_paid["day"] <= last_paid["month_end"]]
    churn_days = last_paid.groupby(["account_id", "month"], as_index=False)["day"].max()
    churn_days["churn_day"] = churn_days["day"] + timedelta(days=1)
    churn_days = churn_days[["account_id", "month", "churn_day"]]

    def churned_within(frame: pd.DataFrame, start: str) -> pd.Series:
        merged = frame.reset_index().merge(
            churn_days[["account_id", "churn_day"]], on="account_id", how="left"
        )
        churn_day = merged["churn_day"]
        hit = (churn_day > merged[start]) & (churn_day <= merged[start] + horizon)
        return hit.groupby(merged["index"]).any().reindex(frame.index, fill_value=False)

    rules = seed(warehouse, "alert_rules")
    rules = rules[rules["enabled"]]
    groups = pd.concat(
        [
            rules[["category", "rule_key"]].assign(member=rules["rule_key"]),
            rules[["category"]].assign(rule_key="all", member=rules["rule_key"]),
        ]
    )
    opened = alerts.assign(
        month=pd.to_datetime(alerts["opened_on"]).dt.to_period("M").dt.to_timestamp(),
        observed=alerts["opened_on"].map(lambda day: day + horizon <= as_of_day),
    )
    opened["followed"] = churned_within(opened, "opened_on") & opened["observed"]
    opened = opened.merge(groups, left_on="rule_key", right_on="member", suffixes=("_rule", ""))
    episode_counts = opened.groupby(["month", "category", "rule_key"]).agg(
        episodes_opened=("alert_id", "size"),
        accounts_alerted=("account_id", "nunique"),
        episodes_observed=("observed", "sum"),
        episodes_followed_by_churn=("followed", "sum"),
    )

    observed_churns = churn_days[churn_days["churn_day"] - horizon >= first_day]
    coverage = observed_churns.merge(groups, how="cross").merge(
        alerts[["account_id", "rule_key", "opened_on", "closed_on"]],
        left_on=["account_id", "member"],
        right_on=["account_id", "rule_key"],
        how="left",
        suffixes=("", "_alert"),
    )
    closed = coverage["closed_on"].fillna(pd.Timestamp.max.date())
    coverage["covered"] = (coverage["opened_on"] < coverage["churn_day"]) & (
        closed > coverage["churn_day"] - horizon
    )
    covered = coverage.groupby(["account_id", "month", "category", "rule_key"])["covered"].any()
    coverage_counts = (
        covered.reset_index()
        .groupby(["month", "category", "rule_key"])
        .agg(churn_events=("covered", "size"), churn_events_covered=("covered", "sum"))
    )

    firsts = paid[pd.to_datetime(paid["activity_date"]).dt.day == 1].copy()
    firsts["month"] = pd.to_datetime(firsts["activity_date"])
    firsts["observed"] = firsts["day"].map(lambda day: day + horizon <= as_of_day)
    firsts["churned"] = churned_within(firsts, "day") & firsts["observed"]
    base = firsts.groupby("month").agg(
        paying_accounts=("account_id", "size"),
        base_account_months=("observed", "sum"),
        base_account_months_churned=("churned", "sum"),
    )
    grid = base.reset_index()[["month"]].merge(
        groups[["category", "rule_key"]].drop_duplicates(), how="cross"
    )
    counts = episode_counts.join(coverage_counts, how="outer").reset_index()
    grid = grid.merge(counts, on=["month", "category", "rule_key"], how="left").fillna(0)
    return grid.merge(base.reset_index(), on="month", how="left")


COUNTS = [
    "paying_accounts",
    "episodes_opened",
    "accounts_alerted",
    "episodes_observed",
    "episodes_followed_by_churn",
    "churn_events",
    "churn_events_covered",
    "base_account_months",
    "base_account_months_churned",
]


def test_effectiveness_counts_equal_a_pandas_recomputation(effectiveness, expected_effectiveness):
    keys = ["month", "category", "rule_key"]
    merged = effectiveness.merge(expected_effectiveness, on=keys, how="outer", suffixes=("", "_x"))
    assert len(merged) == len(effectiveness) == len(expected_effectiveness)
    for column in COUNTS:
        mismatched = merged[merged[column] != merged[f"{column}_x"]]
        assert mismatched.empty, (column, mismatched[[*keys, column, f"{column}_x"]].head())


def test_rates_follow_the_counts(effectiveness) -> None:
    risk = effectiveness[effectiveness["category"] == "risk"]
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = risk["episodes_followed_by_churn"] / risk["episodes_observed"]
        base = risk["base_account_months_churned"] / risk["base_account_months"]
    assert np.allclose(risk["churn_precision"], precision, equal_nan=True)
    assert np.allclose(risk["lift"], precision / base.replace(0, np.nan), equal_nan=True)
    others = effectiveness[effectiveness["category"] != "risk"]
    assert others[["churn_precision", "churn_coverage", "lift"]].isna().all().all()


def pooled(effectiveness: pd.DataFrame, category: str) -> pd.Series:
    pool = (effectiveness["category"] == category) & (effectiveness["rule_key"] == "all")
    rows = effectiveness[pool]
    return rows[COUNTS].sum()


def test_goals_on_small(effectiveness) -> None:
    """Issue 18's goals: few episodes, and risk episodes that foresee churn and cover it."""
    risk, opportunity = pooled(effectiveness, "risk"), pooled(effectiveness, "opportunity")
    per_account_month = (risk.episodes_opened + opportunity.episodes_opened) / risk.paying_accounts
    precision = risk.episodes_followed_by_churn / risk.episodes_observed
    base_rate = risk.base_account_months_churned / risk.base_account_months
    coverage = risk.churn_events_covered / risk.churn_events
    summary = (per_account_month, precision / base_rate, coverage)
    assert per_account_month <= MAX_EPISODES_PER_ACCOUNT_MONTH, summary
    assert precision / base_rate >= MIN_RISK_LIFT, summary
    assert coverage >= MIN_RISK_COVERAGE, summary


def test_queue_holds_the_open_episodes_in_order(warehouse, alerts) -> None:
    queue = warehouse.execute(f"select * from {MARTS}.fct_alert_queue").df()
    assert set(queue["alert_id"]) == set(alerts.loc[alerts["closed_on"].isna(), "alert_id"])
    rank = {"critical": 1, "high": 2, "medium": 3, "low": 4}
    queue["severity_rank"] = queue["severity"].map(rank)
    for _, worklist in queue.groupby(queue["csm_id"].fillna("")):
        ordered = worklist.sort_values("queue_position")
        assert list(ordered["queue_position"]) == list(range(1, len(ordered) + 1))
        pairs = list(zip(ordered["severity_rank"], -ordered["arr"].astype(float), strict=True))
        assert pairs == sorted(pairs)


def model_rule_keys() -> set[str]:
    """The rules int_alerts__rule_days unions (`select * from <rule CTE>` in rule_days), each
    CTE reading its own row of the seed (`rules.rule_key = '<rule>'`)."""
    sql = (project_dir() / "models/intermediate/alerts/int_alerts__rule_days.sql").read_text()
    union = sql[sql.index("rule_days as (") :]
    union = union[: union.index("\n)")]
    ctes = set(re.findall(r"select \* from ([a-z0-9_]+)", union))
    literals = set(re.findall(r"rules\.rule_key = '([a-z0-9_]+)'", sql))
    assert ctes <= literals, ctes - literals
    return ctes


def test_the_seed_rules_are_the_rules_of_the_sql() -> None:
    """Every rule of alert_rules (enabled or not) has its CTE in int_alerts__rule_days, and every
    rule CTE has a row in the seed: a rule added on one side only would silently never fire."""
    with (project_dir() / "seeds/alert_rules.csv").open() as handle:
        seeded = {row["rule_key"] for row in csv.DictReader(handle)}
    ctes = model_rule_keys()
    assert len(seeded) >= 10
    assert ctes == seeded, {"seed only": seeded - ctes, "sql only": ctes - seeded}
