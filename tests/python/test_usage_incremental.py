"""The incremental event, usage, health and alert models give the same rows built day batch by day
batch as built at once.

On a generated `tiny` data set: a full refresh as of the last day (D) against a full refresh as
of D-4 followed by one incremental run per day to D, where the var as_of_timestamp replays
what the extracts held at the end of each day (late-arriving and re-delivered events
included: base_product__events reads only the rows loaded by then). A control run
with no look-back must miss late events, so the comparison is known to be able to fail.

The incremental CDC base tables (base_product__users, base_support__tickets,
base_survey__responses, base_support__kb_sessions, base_billing__invoices, base_crm__activities)
are replayed the same way on their own, and every row (versions, duplicates, quarantined rows)
compared.

The data-quality tables that count every base row by load day (int_quality__load_days, event
lag, missing values) are incremental too: each replay builds them, and they must count what a
build at once counts, the days whose base rows a run classified again included.

Within the batch days one account moves to another CSM and another to another size segment
(CRM versions planted in a new extract file, as a daily CDC extract delivers them): the
health and alert marts give every day the CSM and segment of that day, so the incremental
runs, which built the earlier days before the change was loaded, agree with the build at once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from csm.paths import project_dir

END = date(2026, 9, 30)
BATCHES = 4  # incremental runs after the first full refresh
MODELS = {
    "main_staging.base_product__events": ["event_id", "_loaded_at", "dq_copy_number"],
    "main_intermediate.int_usage__user_daily": ["account_id", "user_id", "activity_date"],
    "main_intermediate.int_usage__account_feature_daily": [
        "account_id",
        "feature_key",
        "activity_date",
    ],
    "main_intermediate.int_usage__account_daily": ["account_id", "activity_date"],
    "main_intermediate.int_usage__account_windows_daily": ["account_id", "activity_date"],
    "main_marts.fct_account_usage_daily": ["account_id", "activity_date"],
    "main_marts.fct_account_onboarding": ["account_id"],
    "main_intermediate.int_health__usage_signals_daily": ["account_id", "activity_date"],
    "main_intermediate.int_health__ticket_signals_daily": ["account_id", "activity_date"],
    "main_intermediate.int_health__survey_signals_daily": ["account_id", "activity_date"],
    "main_intermediate.int_health__billing_signals_daily": ["account_id", "activity_date"],
    "main_intermediate.int_health__onboarding_signals_daily": ["account_id", "activity_date"],
    "main_intermediate.int_health__relationship_signals_daily": ["account_id", "activity_date"],
    "main_intermediate.int_health__scores_daily": ["account_id", "activity_date"],
    "main_marts.fct_account_health_daily": ["account_id", "activity_date"],
    "main_intermediate.int_alerts__rule_days": ["account_id", "activity_date", "rule_key"],
    "main_intermediate.int_alerts__rule_day_states": ["account_id", "rule_key", "activity_date"],
    "main_intermediate.int_alerts__episode_candidates": ["account_id", "rule_key", "opened_on"],
    "main_marts.fct_alerts": ["alert_id"],
    "main_marts.fct_alert_queue": ["alert_id"],
    "main_intermediate.int_churn__usage_volatility_daily": ["account_id", "activity_date"],
    "main_intermediate.int_churn__scores_daily": ["account_id", "activity_date"],
    "main_marts.fct_churn_risk_daily": ["account_id", "activity_date"],
}
# the data-quality tables that count every base row by load day, incremental on dq_run: built
# with each replay (the usage one for the events, the CDC one for the CDC tables), so the days
# each run counts again must give what a build at once counts
QUALITY = {
    "main_intermediate.int_quality__load_days": ["source_table", "load_day"],
    "main_intermediate.int_quality__event_lag_daily": ["source_table", "load_day"],
    "main_intermediate.int_quality__missing_values_daily": [
        "source_table",
        "load_day",
        "column_name",
    ],
}
QUALITY_MODELS = [model.split(".")[1] for model in QUALITY]
# build numbers (dq_run) differ between a build at once and day batches by design
BUILD_NUMBERS = ["dq_run", "source_dq_run"]
MODELS.update(QUALITY)
USAGE = [
    "--select",
    "base_product__events",
    "tag:usage",
    "tag:health",
    "tag:churn",
    *QUALITY_MODELS,
]
# the incremental CDC base tables, replayed day by day on their own (their downstream models
# read the tickets' latest versions, which a replay of past days cannot know): every column
# of every row compared, duplicates and quarantined rows included
CDC_MODELS = {
    "main_staging.base_product__users": ["all"],
    "main_staging.base_support__tickets": ["all"],
    "main_staging.base_survey__responses": ["all"],
    "main_staging.base_support__kb_sessions": ["all"],
    "main_staging.base_billing__invoices": ["all"],
    "main_staging.base_crm__activities": ["all"],
}
CDC = ["--select", *(model.split(".")[1] for model in CDC_MODELS), *QUALITY_MODELS]
CDC_MODELS.update(QUALITY)
CONTROL_START = END - timedelta(days=3)  # the control run: full refresh as of this day
REASSIGNED_ON = END - timedelta(days=2)  # a planted CRM version: another CSM from this day
RESIZED_ON = END - timedelta(days=1)  # a planted CRM version: another size segment from this day


def build_all(raw_dir: Path, work: Path) -> None:
    """Every dbt invocation of the comparison, in-process with one parsed manifest (a var change
    would otherwise re-parse the project each time). Run in a subprocess: dbt keeps its DuckDB
    connection open until the process ends. Each warehouse is `<work>/<build>/cs.duckdb`: the
    manifest records the database name, which DuckDB takes from the file name."""
    from dbt.cli.main import dbtRunner

    os.environ.update(
        CSM_RAW_DIR=str(raw_dir),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
    )
    project = ["--project-dir", str(project_dir()), "--profiles-dir", str(project_dir())]

    def warehouse(build: str) -> Path:
        return work / build / "cs.duckdb"

    os.environ["CSM_DUCKDB_PATH"] = str(warehouse("at_once"))
    warehouse("at_once").parent.mkdir()
    runner = dbtRunner(manifest=dbtRunner().invoke(["parse", *project]).result)

    def dbt(build: str, args: Sequence[str], as_of: date | None = None, **variables) -> None:
        if as_of is not None:
            variables["as_of_timestamp"] = f"{as_of.isoformat()} 23:59:59"
        os.environ["CSM_DUCKDB_PATH"] = str(warehouse(build))
        command = [*args, *project, "--vars", json.dumps(variables)]
        result = runner.invoke(command)
        if not result.success:
            raise SystemExit(f"dbt {' '.join(command)} failed in {build}: {result.exception}")

    dbt("at_once", ["seed"])
    at_once = ["+tag:usage", "+tag:health", "+tag:churn", *(f"+{m}" for m in QUALITY_MODELS)]
    dbt("at_once", ["run", "--select", *at_once])
    for build in ("batches", "no_look_back"):
        warehouse(build).parent.mkdir()
        shutil.copyfile(warehouse("at_once"), warehouse(build))

    dbt("batches", ["run", *USAGE, "--full-refresh"], as_of=END - timedelta(days=BATCHES))
    for back in range(BATCHES - 1, -1, -1):
        # the last batch reads "now" from the data, like the build at once
        dbt("batches", ["run", *USAGE], as_of=END - timedelta(days=back) if back else None)

    dbt("no_look_back", ["run", *USAGE, "--full-refresh"], as_of=CONTROL_START)
    dbt("no_look_back", ["run", *USAGE], usage_lookback_days=0)

    warehouse("cdc_batches").parent.mkdir()
    shutil.copyfile(warehouse("at_once"), warehouse("cdc_batches"))
    dbt("cdc_batches", ["run", *CDC, "--full-refresh"], as_of=END - timedelta(days=BATCHES))
    for back in range(BATCHES - 1, -1, -1):
        dbt("cdc_batches", ["run", *CDC], as_of=END - timedelta(days=back) if back else None)


def plant_crm_changes(raw_dir: Path) -> dict[str, str]:
    """Append one extract file to crm_accounts with two new versions of accounts paying at the
    end: the first moves to another CSM on REASSIGNED_ON, the second grows from its size band
    into the next on RESIZED_ON. Each is loaded at that day's 23:30 extract. Returns the two
    account ids by change."""
    accounts = pq.read_table(raw_dir / "crm_accounts").to_pandas()
    periods = pq.read_table(raw_dir / "billing_subscription_periods").to_pandas()
    paying = periods[
        (periods.mrr_cents > 0)
        & (pd.to_datetime(periods.period_start) <= pd.Timestamp(END - timedelta(days=60)))
        & periods.period_end.isna()
    ].account_id
    latest = (
        accounts.sort_values(["updated_at", "_loaded_at"])
        .groupby("account_id")
        .tail(1)
        .query("~is_deleted and csm_id.notna() and employee_count.notna()")
    )
    latest = latest[latest.account_id.isin(paying)].sort_values("account_id")
    reassigned, resized = latest.iloc[0].copy(), latest.iloc[1].copy()
    others = sorted(set(accounts.csm_id.dropna()) - {reassigned.csm_id})
    reassigned["csm_id"] = others[0]
    # segment_bands: smb below 200 employees, mid_market below 1000, enterprise from 1000
    count = int(resized.employee_count)
    resized["employee_count"] = 500 if count < 200 else 1500 if count < 1000 else 999
    for version, day in ((reassigned, REASSIGNED_ON), (resized, RESIZED_ON)):
        version["updated_at"] = pd.Timestamp(day) + pd.Timedelta(hours=10)
        version["_loaded_at"] = pd.Timestamp(day) + pd.Timedelta(hours=23, minutes=30)
    planted = pd.DataFrame([reassigned, resized])[list(accounts.columns)]
    schema = pq.read_schema(next((raw_dir / "crm_accounts").glob("*.parquet")))
    table = pa.Table.from_pandas(planted, preserve_index=False).select(schema.names).cast(schema)
    pq.write_table(table, raw_dir / "crm_accounts" / "planted-changes.parquet")
    return {"reassigned": reassigned.account_id, "resized": resized.account_id}


def read_models(duckdb_file: Path, models: dict[str, list[str]]) -> dict[str, pd.DataFrame]:
    connection = duckdb.connect(str(duckdb_file), read_only=True)
    try:
        frames = {
            model: connection.execute(f"select * from {model} order by {', '.join(keys)}").df()
            for model, keys in models.items()
        }
        return {
            model: frame.drop(columns=[c for c in BUILD_NUMBERS if c in frame.columns])
            for model, frame in frames.items()
        }
    finally:
        connection.close()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The tiny extracts with the planted CRM changes, and the changed accounts."""
    work = tmp_path_factory.mktemp("usage_incremental")
    raw_dir = work / "raw"
    bin_dir = Path(sys.executable).parent
    generate = ["generate", "--scale", "tiny", "--seed", "7", "--end-date", END.isoformat()]
    subprocess.run([str(bin_dir / "csm"), *generate, "--out", str(raw_dir)], check=True)
    return work, plant_crm_changes(raw_dir)


@pytest.fixture(scope="module")
def builds(workspace) -> dict[str, dict[str, pd.DataFrame]]:
    work, _ = workspace
    raw_dir = work / "raw"
    result = subprocess.run(
        [sys.executable, __file__, str(raw_dir), str(work)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]

    late = duckdb.sql(
        f"select count(*) as n from read_parquet('{raw_dir}/product_events/**/*.parquet') "
        f"where cast(occurred_at as date) < date '{CONTROL_START.isoformat()}' "
        f"and _loaded_at > timestamp '{CONTROL_START.isoformat()} 23:59:59'"
    ).df()
    assert late["n"].iloc[0] > 0, "the tiny data set has no late events for the control run"
    builds = {
        build: read_models(work / build / "cs.duckdb", MODELS)
        for build in ("at_once", "batches", "no_look_back")
    }
    builds["cdc_at_once"] = read_models(work / "at_once" / "cs.duckdb", CDC_MODELS)
    builds["cdc_batches"] = read_models(work / "cdc_batches" / "cs.duckdb", CDC_MODELS)
    return builds


@pytest.mark.parametrize("model", list(MODELS))
def test_day_batches_equal_a_build_at_once(builds, model) -> None:
    at_once, batches = builds["at_once"][model], builds["batches"][model]
    assert len(at_once) > 0
    pd.testing.assert_frame_equal(batches, at_once, check_exact=True)


@pytest.mark.parametrize("model", list(CDC_MODELS))
def test_cdc_base_tables_day_by_day_equal_a_build_at_once(builds, model) -> None:
    at_once, batches = builds["cdc_at_once"][model], builds["cdc_batches"][model]
    assert len(at_once) > 0
    if "dq_status" in at_once.columns:
        assert (at_once["dq_status"] != "kept").any()
    pd.testing.assert_frame_equal(batches, at_once, check_exact=True)


def test_the_batch_days_change_an_accounts_csm_and_segment(builds, workspace) -> None:
    """The comparison covers history: the planted CRM versions change the CSM and the size
    segment of two accounts in the middle of the batch days, and the build at once shows each
    day with the value of that day."""
    _, planted = workspace
    health = builds["at_once"]["main_marts.fct_account_health_daily"]
    health = health.assign(day=pd.to_datetime(health.activity_date).dt.date)
    for change, column, day in (
        ("reassigned", "csm_id", REASSIGNED_ON),
        ("resized", "size_segment", RESIZED_ON),
    ):
        rows = health[health.account_id == planted[change]].set_index("day")[column]
        assert rows[day - timedelta(days=1)] != rows[day], (change, rows.tail(BATCHES + 2))
        assert (rows[rows.index >= day] == rows[day]).all(), (change, rows.tail(BATCHES + 2))


def models_calling(work: Path, macro: str) -> list[str]:
    """The models (schema.name) whose SQL calls the project's macro, from the manifest."""
    manifest = json.loads((work / "target" / "manifest.json").read_text())
    return sorted(
        f"{node['schema']}.{node['name']}"
        for node in manifest["nodes"].values()
        if f"macro.customer_success.{macro}" in node.get("depends_on", {}).get("macros", [])
    )


def test_a_full_build_writes_the_daily_tables_in_day_order(builds, workspace) -> None:
    """The daily models that end with in_day_order() are written by a full build in day order
    (DuckDB's rowid is the storage order), so that an incremental run's reads, deletes and tests
    of the recent days skip the other row groups by their min/max."""
    work, _ = workspace
    models = models_calling(work, "in_day_order")
    assert "main_marts.fct_account_health_daily" in models and len(models) >= 10, models
    connection = duckdb.connect(str(work / "at_once" / "cs.duckdb"), read_only=True)
    try:
        for model in models:
            days = connection.execute(f"select activity_date from {model} order by rowid").df()
            assert len(days) > 0 and days.activity_date.is_monotonic_increasing, model
    finally:
        connection.close()


def test_a_full_build_writes_the_rule_days_clustered_by_day(builds, workspace) -> None:
    """The models whose input CTE ends with days_clustered() (the alert rule days: one select
    per rule over the sorted rule inputs) are written by a full build as runs of ascending days,
    one run per rule and thread: read in storage order (rowid), a day follows a later day only
    where a run ends. In the order the joins produce, the days go back and forth throughout."""
    work, _ = workspace
    models = models_calling(work, "days_clustered")
    assert models == ["main_intermediate.int_alerts__rule_days"], models
    connection = duckdb.connect(str(work / "at_once" / "cs.duckdb"), read_only=True)
    try:
        for model in models:
            rows, steps_back, rules = connection.execute(
                f"""
                select count(*), count(*) filter (where activity_date < previous_day),
                    count(distinct rule_key)
                from (
                    select rule_key, activity_date,
                        lag(activity_date) over (order by rowid) as previous_day
                    from {model}
                )
                """
            ).fetchone()
            assert rows > 10_000 and steps_back <= 4 * rules, (model, rows, steps_back, rules)
    finally:
        connection.close()


def test_without_look_back_late_events_are_missed(builds) -> None:
    model = "main_intermediate.int_usage__account_daily"
    at_once, control = builds["at_once"][model], builds["no_look_back"][model]
    assert control["events"].sum() < at_once["events"].sum()


if __name__ == "__main__":
    build_all(Path(sys.argv[1]), Path(sys.argv[2]))
