"""The incremental event, usage, health and alert models give the same rows built day batch by day
batch as built at once.

On a generated `tiny` data set: a full refresh as of the last day (D) against a full refresh as
of D-4 followed by one incremental run per day to D, where the var as_of_timestamp replays
what the extracts held at the end of each day (late-arriving and re-delivered events
included: base_product__events reads only the rows loaded by then). A control run
with no look-back must miss late events, so the comparison is known to be able to fail.
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
    "main_marts.fct_account_health_daily": ["account_id", "activity_date"],
    "main_marts.fct_alerts": ["alert_id"],
}
USAGE = ["--select", "base_product__events", "tag:usage", "tag:health"]
CONTROL_START = END - timedelta(days=3)  # the control run: full refresh as of this day


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
    dbt("at_once", ["run", "--select", "+tag:usage", "+tag:health"])
    for build in ("batches", "no_look_back"):
        warehouse(build).parent.mkdir()
        shutil.copyfile(warehouse("at_once"), warehouse(build))

    dbt("batches", ["run", *USAGE, "--full-refresh"], as_of=END - timedelta(days=BATCHES))
    for back in range(BATCHES - 1, -1, -1):
        # the last batch reads "now" from the data, like the build at once
        dbt("batches", ["run", *USAGE], as_of=END - timedelta(days=back) if back else None)

    dbt("no_look_back", ["run", *USAGE, "--full-refresh"], as_of=CONTROL_START)
    dbt("no_look_back", ["run", *USAGE], usage_lookback_days=0)


def read_models(duckdb_file: Path) -> dict[str, pd.DataFrame]:
    connection = duckdb.connect(str(duckdb_file), read_only=True)
    try:
        return {
            model: connection.execute(f"select * from {model} order by {', '.join(keys)}").df()
            for model, keys in MODELS.items()
        }
    finally:
        connection.close()


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, dict[str, pd.DataFrame]]:
    work = tmp_path_factory.mktemp("usage_incremental")
    raw_dir = work / "raw"
    bin_dir = Path(sys.executable).parent
    generate = ["generate", "--scale", "tiny", "--seed", "7", "--end-date", END.isoformat()]
    subprocess.run([str(bin_dir / "csm"), *generate, "--out", str(raw_dir)], check=True)
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
    return {
        build: read_models(work / build / "cs.duckdb")
        for build in ("at_once", "batches", "no_look_back")
    }


@pytest.mark.parametrize("model", list(MODELS))
def test_day_batches_equal_a_build_at_once(builds, model) -> None:
    at_once, batches = builds["at_once"][model], builds["batches"][model]
    assert len(at_once) > 0
    pd.testing.assert_frame_equal(batches, at_once, check_exact=True)


def test_without_look_back_late_events_are_missed(builds) -> None:
    model = "main_intermediate.int_usage__account_daily"
    at_once, control = builds["at_once"][model], builds["no_look_back"][model]
    assert control["events"].sum() < at_once["events"].sum()


if __name__ == "__main__":
    build_all(Path(sys.argv[1]), Path(sys.argv[2]))
