"""The MetricFlow semantic layer (models/marts/semantic/) passes `mf validate-configs` and
answers like fct_kpi_monthly: `mf query` by month, and by month and size segment, returns each
KPI's value for every month and segment the KPI table has (money to the cent, everything else
to 1e-9), and nothing the table lacks."""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pandas as pd
import pytest
import yaml

from csm.paths import duckdb_path, project_dir

MARTS = "main_marts"
# A throwaway profile that attaches the warehouse read-only (the session's `warehouse`
# connection holds it open too). Relation names in the semantic manifest are
# "<database>"."main_marts"."<model>", so dbt parse and mf use this same profile.
DATABASE = "warehouse"
PROFILE = """\
customer_success:
  target: semantic_layer
  outputs:
    semantic_layer:
      type: duckdb
      path: ":memory:"
      database: {database}
      attach:
        - {{path: "{path}", alias: {database}, read_only: true}}
      threads: 1
"""

REVENUE = [
    "mrr",
    "arr",
    "new_mrr",
    "expansion_mrr",
    "contraction_mrr",
    "churned_mrr",
    "reactivation_mrr",
    "nrr_monthly",
    "grr_monthly",
    "revenue_churn_rate",
    "active_customers",
    "new_customers",
    "churned_customers",
    "logo_churn_rate",
]
HEALTH = ["avg_health_score", "pct_accounts_at_risk"]
SATISFACTION = ["csat_pct", "csat_avg", "nps", "ces_avg", "survey_response_rate"]
# fct_kpi_monthly has support KPIs for segment `all` only
SUPPORT = ["tickets_created", "tickets_resolved", "fcr_rate", "aht_minutes", "sla_compliance_rate"]


class Query(NamedTuple):
    """Metrics grouped by month and, when given, a semantic model's segment dimension."""

    metrics: list[str]
    segment: str | None


QUERIES = {
    # the `all` rows: metrics of the four semantic models joined on metric_time
    "all": Query(REVENUE + HEALTH + SATISFACTION + SUPPORT, None),
    "revenue_by_segment": Query(REVENUE, "account_month__size_segment"),
    "health_by_segment": Query(HEALTH, "account_day__size_segment"),
    "satisfaction_by_segment": Query(SATISFACTION, "survey_response__size_segment"),
}
METRICS = sorted({metric for query in QUERIES.values() for metric in query.metrics})


def run(command: list[str], env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(
            f"dbt parse / mf query failed ({done.returncode}):\n"
            f"{done.stdout[:3000]}\n{done.stderr[-3000:]}"
        )


def mf_query_arguments(query: Query, csv: Path) -> list[str]:
    group_by = ["metric_time__month", *([query.segment] if query.segment else [])]
    return [
        "query",
        *("--metrics", ",".join(query.metrics)),
        *("--group-by", ",".join(group_by)),
        *("--csv", str(csv)),
        "--quiet",
    ]


def read_answer(csv: Path, query: Query) -> pd.DataFrame:
    """An `mf query --csv` file, long: month, segment, kpi_key, value."""
    frame = pd.read_csv(csv)
    # unanswered surveys and open tickets have no month to count in
    frame = frame.dropna(subset=["metric_time__month"])
    frame["month"] = pd.to_datetime(frame["metric_time__month"])
    frame["segment"] = frame[query.segment] if query.segment else "all"
    return frame.melt(id_vars=["month", "segment"], value_vars=query.metrics, var_name="kpi_key")


@pytest.fixture(scope="module")
def answers(
    tmp_path_factory: pytest.TempPathFactory, warehouse: duckdb.DuckDBPyConnection
) -> pd.DataFrame:
    """Every query's answer from `mf query` on a fresh `dbt parse` of the project, against the
    warehouse the `warehouse` fixture found.

    mf reads <project>/target/semantic_manifest.json, so it runs in a shadow project folder
    (dbt_project.yml and that target only) and never touches the checkout's target/ or logs/.
    """
    if importlib.util.find_spec("dbt_metricflow") is None:
        pytest.fail("no dbt-metricflow (mf): pip install -c constraints.txt -e '.[dev]'")
    root = tmp_path_factory.mktemp("semantic_layer")
    shadow = root / "project"
    (shadow / "target").mkdir(parents=True)
    shutil.copy(project_dir() / "dbt_project.yml", shadow / "dbt_project.yml")
    (root / "profiles.yml").write_text(PROFILE.format(database=DATABASE, path=duckdb_path()))
    env = {
        **os.environ,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_PROFILES_DIR": str(root),
        "DBT_PROJECT_DIR": str(shadow),
        "DBT_TARGET_PATH": str(shadow / "target"),  # mf's own dbt debug
        "DBT_LOG_PATH": str(root / "logs"),
    }
    csvs = {name: root / f"{name}.csv" for name in QUERIES}
    target = str(shadow / "target")
    plan = {
        "parse": ["parse", "--project-dir", str(project_dir()), "--target-path", target],
        # mf validate-configs first (semantic checks; the queries below exercise the warehouse)
        "queries": [
            ["validate-configs", "--skip-dw"],
            *(mf_query_arguments(query, csvs[name]) for name, query in QUERIES.items()),
        ],
    }
    run([sys.executable, __file__, json.dumps(plan)], env=env, cwd=shadow)
    return pd.concat(
        [read_answer(csvs[name], query) for name, query in QUERIES.items()], ignore_index=True
    )


@pytest.fixture(scope="module")
def kpis(warehouse: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    keys = ", ".join(f"'{metric}'" for metric in METRICS)
    frame = warehouse.execute(
        f"select month, segment, kpi_key, value, unit from {MARTS}.fct_kpi_monthly "
        f"where kpi_key in ({keys})"
    ).df()
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


def close(expected: float, actual: float, unit: str) -> bool:
    if unit == "usd":
        return abs(expected - actual) < 0.005
    return math.isclose(expected, actual, rel_tol=1e-12, abs_tol=1e-9)


def test_every_kpi_metric_is_checked_against_the_kpi_list() -> None:
    """The semantic layer's metrics named after a kpi_key are the KPIs this file compares with
    fct_kpi_monthly, and each is a row of kpi_targets (the one KPI list)."""
    with (project_dir() / "seeds" / "kpi_targets.csv").open() as handle:
        seed = {row["kpi_key"] for row in csv.DictReader(handle)}
    metrics_file = project_dir() / "models" / "marts" / "semantic" / "_semantic__metrics.yml"
    defined = {metric["name"] for metric in yaml.safe_load(metrics_file.read_text())["metrics"]}
    assert set(METRICS) <= seed, sorted(set(METRICS) - seed)
    assert defined & seed == set(METRICS), sorted((defined & seed) ^ set(METRICS))


def test_every_metric_is_a_kpi_of_the_kpi_table(kpis: pd.DataFrame) -> None:
    assert set(kpis["kpi_key"]) == set(METRICS)
    segmented = {metric for query in QUERIES.values() if query.segment for metric in query.metrics}
    assert set(kpis.loc[kpis["segment"] != "all", "kpi_key"]) == segmented


def test_metrics_equal_the_kpi_table(kpis: pd.DataFrame, answers: pd.DataFrame) -> None:
    rows = kpis.merge(answers, on=["month", "segment", "kpi_key"], how="left", suffixes=("", "_mf"))
    expected = rows[rows["value"].notna()]
    assert len(expected) > 1000, "too few KPI values to compare"
    missing = expected[expected["value_mf"].isna()]
    assert missing.empty, missing.head(20).to_string()
    wrong = expected[
        [
            not close(float(row.value), float(row.value_mf), str(row.unit))
            for row in expected.itertuples()
        ]
    ]
    assert wrong.empty, wrong.head(20).to_string()
    # a KPI without a value (no starting MRR, no responses) has none in MetricFlow either
    undefined = rows[rows["value"].isna() & rows["value_mf"].notna()]
    assert undefined.empty, undefined.head(20).to_string()
    # every metric was compared for `all`, and by segment where the KPI table has segments
    segments = expected.groupby("kpi_key")["segment"].agg(set).to_dict()
    assert set(segments) == set(METRICS)
    for metric, compared in segments.items():
        assert "all" in compared, metric
        assert (len(compared) > 1) == (metric not in SUPPORT), (metric, compared)


def test_metricflow_has_no_value_the_kpi_table_lacks(
    kpis: pd.DataFrame, answers: pd.DataFrame
) -> None:
    rows = answers.dropna(subset=["value"]).merge(
        kpis, on=["month", "segment", "kpi_key"], how="left", indicator=True
    )
    extra = rows[rows["_merge"] == "left_only"]
    assert extra.empty, extra.head(20).to_string()


def parse_and_query(plan: dict[str, list[Any]]) -> None:
    """`dbt parse`, then each `mf` command line (validate-configs, then the queries), in this
    one process: start-up (imports, dbt debug) is most of an mf query's time, so the test pays
    it once instead of once per query. A command with a non-zero status fails the test."""
    from dbt.cli.main import dbtRunner
    from dbt_metricflow.cli.main import cli

    parsed = dbtRunner().invoke([*plan["parse"], "--quiet"])
    if not parsed.success:
        raise SystemExit(f"dbt parse failed: {parsed.exception}")
    for command in plan["queries"]:
        status = cli.main(command, prog_name="mf", standalone_mode=False)
        if status:
            raise SystemExit(status)


if __name__ == "__main__":
    parse_and_query(json.loads(sys.argv[1]))
