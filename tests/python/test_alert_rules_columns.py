"""Every column of alert_rules changes the alerts (issue 18): each threshold, exit threshold,
window, min_days, cooldown and supersede link, the switch and the texts, changed in a copy of
the test warehouse, changes what the alert models compute for that rule.

The alert models are compiled once (full refresh) and run on the copy with DuckDB after each
change of the seed table. Thresholds and windows shape the rule days, which depend on their
own rule's row only, so one run per column changes every rule at once; min_days, cooldown_days
and superseded_by shape the episodes, where a superseding rule reaches into another rule's
episodes, so those are changed one rule at a time. The shipped seed switches a rule off; here
every rule starts enabled, so each can show its effect."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from csm.paths import project_dir

MODELS = {
    "rule_days": ("intermediate/alerts", "int_alerts__rule_days", "main_intermediate"),
    "day_states": ("intermediate/alerts", "int_alerts__rule_day_states", "main_intermediate"),
    "candidates": ("intermediate/alerts", "int_alerts__episode_candidates", "main_intermediate"),
    "alerts": ("marts/health", "fct_alerts", "main_marts"),
    "queue": ("marts/health", "fct_alert_queue", "main_marts"),
}
SEED = "main_reference.alert_rules"


class AlertModels:
    """The compiled alert models run on a copy of the warehouse."""

    def __init__(self, database: Path, compiled: dict[str, str]) -> None:
        self.connection = duckdb.connect(str(database))
        self.compiled = compiled
        self.connection.execute(f"create table original_rules as select * from {SEED}")

    def run(self, *names: str) -> None:
        for name in names:
            _, model, schema = MODELS[name]
            self.connection.execute(
                f"create or replace table {schema}.{model} as {self.compiled[name]}"
            )

    def reset_seed(self) -> None:
        self.connection.execute(f"create or replace table {SEED} as select * from original_rules")
        self.connection.execute(f"update {SEED} set enabled = true")

    def update(self, column: str, expression: str, rule_key: str | None = None) -> None:
        where = f" where rule_key = '{rule_key}'" if rule_key else ""
        self.connection.execute(f"update {SEED} set {column} = {expression}{where}")

    def rows(self, name: str, rule_key: str) -> pd.DataFrame:
        _, model, schema = MODELS[name]
        frame = self.connection.execute(
            f"select * from {schema}.{model} where rule_key = ?", [rule_key]
        ).df()
        return frame.sort_values(list(frame.columns)).reset_index(drop=True)

    def rules(self) -> pd.DataFrame:
        return self.connection.execute("select * from original_rules").df()


def differs(before: pd.DataFrame, after: pd.DataFrame) -> bool:
    if len(before) != len(after):
        return True
    try:
        pd.testing.assert_frame_equal(before, after, check_dtype=False)
    except AssertionError:
        return True
    return False


@pytest.fixture(scope="module")
def models(tmp_path_factory, warehouse) -> AlertModels:
    work = tmp_path_factory.mktemp("alert_rules_columns")
    source = Path(os.environ.get("CSM_DUCKDB_PATH", ""))
    if not source.is_file():
        pytest.fail("no test warehouse: run `make test` (CSM_DUCKDB_PATH)")
    database = work / source.name  # the same file name: compiled SQL names the database by it
    shutil.copyfile(source, database)
    env = {
        **os.environ,
        "CSM_DUCKDB_PATH": str(database),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    names = [model for _, model, _ in MODELS.values()]
    dbt = Path(sys.executable).parent / "dbt"
    project = ["--project-dir", str(project_dir()), "--profiles-dir", str(project_dir())]
    command = [str(dbt), "compile", *project, "--full-refresh", "--quiet", "--select", *names]
    subprocess.run(command, check=True, env=env)
    compiled_root = work / "target" / "compiled" / "customer_success" / "models"
    compiled = {
        name: (compiled_root / folder / f"{model}.sql").read_text()
        for name, (folder, model, _) in MODELS.items()
    }
    # the rule days read the health and churn scores, which the build stores
    # (int_health__scores_daily, int_churn__scores_daily)
    opened = AlertModels(database, compiled)
    yield opened
    opened.connection.close()


def baseline(models: AlertModels) -> None:
    models.reset_seed()
    models.run("rule_days", "day_states", "candidates", "alerts", "queue")


def test_thresholds_windows_and_the_switch_change_the_rule_days(models) -> None:
    baseline(models)
    rules = models.rules()
    before = {key: models.rows("rule_days", key) for key in rules["rule_key"]}
    changes = {
        # closer to the data: 10% lower
        "threshold": "threshold * 0.9",
        # further from the threshold (a tier rule's threshold is its tier's bound: 5 points)
        "exit_threshold": "coalesce(exit_threshold + (exit_threshold - threshold) * 0.5, "
        "exit_threshold + 5)",
        "secondary_threshold": "secondary_threshold * 0.9",
        "secondary_exit_threshold": "secondary_exit_threshold * 0.9",
        "window_days": "window_days * 2",
    }
    switched_off = rules.loc[rules["window_days"].isna(), "rule_key"].iloc[0]
    unchanged = []
    for column, expression in changes.items():
        models.reset_seed()
        models.update(column, expression)
        if column == "window_days":  # the same run switches off a rule without a window
            models.update("enabled", "false", switched_off)
        models.run("rule_days")
        for key in rules.loc[rules[column].notna(), "rule_key"]:
            if not differs(before[key], models.rows("rule_days", key)):
                unchanged.append((column, key))
    assert models.rows("rule_days", switched_off).empty
    assert not unchanged, unchanged
    # every rule has a threshold, an exit threshold or a window that shape its days
    shaped = rules[list(changes)].notna().any(axis=1)
    assert shaped.all(), rules.loc[~shaped, "rule_key"]


def test_min_days_cooldown_and_supersede_change_the_episodes(models) -> None:
    """A superseding rule's min_days moves the episodes of the rules it supersedes, so those
    rules get a run of their own for min_days; cooldown_days and superseded_by reach no other
    rule's episodes."""
    baseline(models)
    rules = models.rules()
    before = {key: models.rows("alerts", key) for key in rules["rule_key"]}
    superseded = rules["superseded_by"].notna()
    runs = [
        ("min_days", "min_days + 7", rules.loc[~superseded, "rule_key"]),
        ("min_days", "min_days + 7", rules.loc[superseded, "rule_key"]),
        # a year more: renewal_at_risk opens at most once a year
        ("cooldown_days", "cooldown_days + 365", rules["rule_key"]),
        ("superseded_by", "null", rules.loc[superseded, "rule_key"]),
    ]
    unchanged = []
    for column, expression, keys in runs:
        models.reset_seed()
        for key in keys:
            models.update(column, expression, key)
        models.run("day_states", "candidates", "alerts")
        unchanged += [
            (column, key) for key in keys if not differs(before[key], models.rows("alerts", key))
        ]
    assert not unchanged, unchanged
    assert superseded.any()


def test_texts_reach_the_marts(models) -> None:
    baseline(models)
    open_rule = models.connection.execute(
        "select min(rule_key) from main_marts.fct_alert_queue"
    ).fetchone()[0]
    texts = {
        "category": ("alerts", "category", "opportunity"),
        "severity": ("alerts", "severity", "low"),
        "action": ("alerts", "recommended_action", "changed_action"),
        "owner_role": ("alerts", "owner_role", "changed_role"),
        "description": ("queue", "rule_description", "changed description"),
    }
    models.reset_seed()
    for column, (_, _, value) in texts.items():
        models.update(column, f"'{value}'", open_rule)
    models.run("alerts", "queue")
    for column, (model, output, value) in texts.items():
        assert set(models.rows(model, open_rule)[output]) == {value}, column
