"""Nothing lost: inputs real extract pipelines deliver are either handled or rejected by name.

Planted into generated `tiny` extracts as the named tool writes them (pandas DataFrames with
its default int64 and nanosecond timestamps, Arrow tables with time zones), then built as a
user builds them (`csm build` in a subprocess): integer widths, overflowing amounts, time
zones, events after their load, a valid re-delivery after an invalid one, and a backfill of
an earlier load day arriving after later days were built. Every case checks that raw = kept
+ merged + superseded + quarantined, counted in the files themselves.
"""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from builds import CSM, Site, ok
from csm import cli, dbt_runner, varcheck
from csm.contract import load_contract
from raw_oracle import classify

NEW_YORK = ZoneInfo("America/New_York")
ACCOUNT, USER = "acc_000001", "usr_00000001"
REDELIVERED = "evt_planted_redelivered"


def events_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"account_id": ACCOUNT, "user_id": USER, "feature_key": None, **row} for row in rows]
    )[
        [
            "event_id",
            "account_id",
            "user_id",
            "event_type",
            "feature_key",
            "occurred_at",
            "_loaded_at",
        ]
    ]


def plant_first_delivery(raw: Path) -> None:
    """The files of the first build: pandas integers, an overflowing amount, time zones, an
    event after its load, and an invalid first delivery of an event."""
    accounts = pq.read_table(raw / "crm_accounts").to_pandas()
    latest = accounts.sort_values("_loaded_at").iloc[-1].to_dict()
    fits = {**latest, "account_id": "acc_planted_int64", "employee_count": 120}
    too_big = {**latest, "account_id": "acc_planted_too_big", "employee_count": 3_000_000_000}
    # records of Python ints: pandas writes int64 where the contract says integer
    pd.DataFrame([fits, too_big]).to_parquet(raw / "crm_accounts" / "pandas_accounts.parquet")

    periods = pq.read_table(raw / "billing_subscription_periods").to_pandas()
    overflow = {**periods.iloc[-1].to_dict(), "period_id": "per_planted_overflow"}
    overflow["mrr_cents"] = 9 * 10**18
    overflow["cancel_reason"] = "voluntary"  # a string: a lone None would be a double column
    pd.DataFrame([overflow]).to_parquet(raw / "billing_subscription_periods" / "overflow.parquet")

    zoned = {  # one file in UTC, one in New York (13:00 UTC in summer)
        "UTC": (datetime(2026, 9, 15, 13, 0, tzinfo=ZoneInfo("UTC")), "evt_planted_utc"),
        NEW_YORK.key: (datetime(2026, 9, 15, 9, 0, tzinfo=NEW_YORK), "evt_planted_new_york"),
    }
    for zone, (occurred, event_id) in zoned.items():
        stamp = pa.timestamp("us", tz=zone)
        table = pa.table(
            {
                "event_id": [event_id],
                "account_id": [ACCOUNT],
                "user_id": [USER],
                "event_type": ["session_start"],
                "feature_key": pa.array([None], pa.string()),
                "occurred_at": pa.array([occurred], stamp),
                "_loaded_at": pa.array([occurred.replace(hour=occurred.hour + 8)], stamp),
            }
        )
        pq.write_table(table, raw / "product_events" / f"zoned_{event_id}.parquet")

    planted = events_frame(
        [
            {  # an event that "happened" after the extract that delivered it
                "event_id": "evt_planted_future",
                "event_type": "session_start",
                "occurred_at": datetime(2026, 9, 20, 12, 0),
                "_loaded_at": datetime(2026, 9, 20, 6, 0),
            },
            {  # the first delivery of an event, invalid
                "event_id": REDELIVERED,
                "event_type": "not_an_event",
                "occurred_at": datetime(2026, 9, 9, 12, 0),
                "_loaded_at": datetime(2026, 9, 10, 6, 0),
            },
        ]
    )
    planted.to_parquet(raw / "product_events" / "planted.parquet")


BACKFILL_DAY = datetime(2026, 9, 20, 7, 0)


def plant_backfill(raw: Path) -> None:
    """A re-run of an earlier day's extract, after later days were built: new events of
    2026-09-20, the valid re-delivery of the invalid event, and an event without an id."""
    rows = [
        {
            "event_id": f"evt_planted_backfill_{number}",
            "event_type": "feature_used",
            "feature_key": "user_management",
            "occurred_at": datetime(2026, 9, 19, 10, number),
            "_loaded_at": BACKFILL_DAY,
        }
        for number in range(5)
    ]
    rows.append(
        {
            "event_id": REDELIVERED,
            "event_type": "session_start",
            "occurred_at": datetime(2026, 9, 9, 12, 0),
            "_loaded_at": BACKFILL_DAY,
        }
    )
    rows.append(
        {
            "event_id": None,
            "event_type": "session_start",
            "occurred_at": datetime(2026, 9, 19, 11, 0),
            "_loaded_at": BACKFILL_DAY,
        }
    )
    events_frame(rows).to_parquet(raw / "product_events" / "backfill_2026_09_20.parquet")


def file_rows(raw: Path) -> dict[str, int]:
    """Rows per raw table, counted in the Parquet files."""
    return {
        table: sum(
            pq.ParquetFile(path).metadata.num_rows for path in (raw / table).rglob("*.parquet")
        )
        for table in load_contract()
    }


def rows_loaded_by(folder: Path, as_of: datetime) -> int:
    """Rows of a raw table folder whose _loaded_at is at or before as_of."""
    bound = pa.scalar(as_of, pa.timestamp("us"))
    total = 0
    for path in folder.rglob("*.parquet"):
        loaded = pq.read_table(path, columns=["_loaded_at"])["_loaded_at"]
        total += pc.sum(pc.less_equal(loaded, bound)).as_py() or 0
    return total


def accounting(site: Site) -> pd.DataFrame:
    with duckdb.connect(str(site.working), read_only=True) as connection:
        return (
            connection.execute("select * from main_staging.stg_quarantine__row_accounting")
            .df()
            .set_index("source_table")
        )


def assert_nothing_lost(site: Site, raw: Path) -> None:
    table = accounting(site)
    files = file_rows(raw)
    assert table["raw_rows"].to_dict() == files
    parts = ["kept_rows", "duplicate_rows", "superseded_rows", "quarantined_rows"]
    assert (table[parts].sum(axis=1) == table["raw_rows"]).all()
    assert (table["unaccounted_rows"] == 0).all()


def statuses(site: Site, relation: str, key: str, value: str) -> list[tuple]:
    with duckdb.connect(str(site.working), read_only=True) as connection:
        return connection.execute(
            f"select dq_status, dq_rule, _loaded_at from main_staging.{relation} "
            f"where {key} = ? order by _loaded_at",
            [value],
        ).fetchall()


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Path]:
    root = tmp_path_factory.mktemp("nothing_lost")
    raw = root / "raw"
    generate = ["generate", "--scale", "tiny", "--seed", "42", "--end-date", "2026-09-30"]
    subprocess.run([CSM, *generate, "--out", str(raw)], check=True, capture_output=True)
    plant_first_delivery(raw)
    site = Site(root / "site")
    ok(site.csm(raw, "build"))
    return site, raw


def test_integer_widths_overflows_time_zones_and_future_events(planted) -> None:
    site, raw = planted
    assert statuses(site, "base_crm__accounts", "account_id", "acc_planted_int64")[0][0] == "kept"
    assert statuses(site, "base_crm__accounts", "account_id", "acc_planted_too_big")[0][:2] == (
        "quarantined",
        "out_of_range_employee_count",
    )
    overflow = statuses(
        site, "base_billing__subscription_periods", "period_id", "per_planted_overflow"
    )
    assert overflow[0][:2] == ("quarantined", "out_of_range_mrr_cents")
    future = statuses(site, "base_product__events", "event_id", "evt_planted_future")
    assert future[0][:2] == ("quarantined", "occurred_at_after_loaded_at")
    with duckdb.connect(str(site.working), read_only=True) as connection:
        employees = connection.execute(
            "select employee_count from main_staging.stg_crm__accounts "
            "where account_id = 'acc_planted_int64'"
        ).fetchone()
        assert employees == (120,)
        kind = connection.execute(
            "select data_type from information_schema.columns where table_schema = 'main_marts' "
            "and table_name = 'dim_accounts' and column_name = 'employee_count'"
        ).fetchone()
        assert kind == ("INTEGER",)
        zoned = connection.execute(
            "select event_id, occurred_at, _loaded_at from main_staging.stg_product__events "
            "where event_id in ('evt_planted_utc', 'evt_planted_new_york') order by event_id"
        ).fetchall()
    utc = (datetime(2026, 9, 15, 13, 0), datetime(2026, 9, 15, 21, 0))
    assert zoned == [("evt_planted_new_york", *utc), ("evt_planted_utc", *utc)]
    quarantined = statuses(site, "base_product__events", "event_id", REDELIVERED)
    assert [row[:2] for row in quarantined] == [("quarantined", "invalid_event_type")]
    assert_nothing_lost(site, raw)


def share_event_key(site: Site, event_id: str, count: int) -> list[str]:
    """Give `count` other kept events the stored event_key of `event_id`, as if their event_ids
    hashed alike (key_hash): an incremental run finds and replaces stored rows by event_key."""
    relation = "main_staging.base_product__events"
    with duckdb.connect(str(site.working)) as connection:
        sharing = [
            row[0]
            for row in connection.execute(
                f"select event_id from {relation} where dq_status = 'kept' and event_id <> ? "
                "order by event_id limit ?",
                [event_id, count],
            ).fetchall()
        ]
        connection.execute(
            f"update {relation} set event_key = (select max(event_key) from {relation} "
            f"where event_id = ?) where event_id in (select unnest(?))",
            [event_id, sharing],
        )
    return sharing


def test_a_backfill_and_a_valid_redelivery_are_picked_up_incrementally(planted) -> None:
    site, raw = planted
    plant_backfill(raw)
    # three events share the re-delivered event's hash: the run reads, classifies and writes
    # their rows again with its rows, and loses or repeats none of them
    sharing = share_event_key(site, REDELIVERED, 3)
    ok(site.csm(raw, "build"))
    for event_id in sharing:
        assert [
            row[:2] for row in statuses(site, "base_product__events", "event_id", event_id)
        ] == [("kept", None)]
    for number in range(5):
        found = statuses(site, "base_product__events", "event_id", f"evt_planted_backfill_{number}")
        assert [row[0] for row in found] == ["kept"]
    redelivered = statuses(site, "base_product__events", "event_id", REDELIVERED)
    assert [row[:2] for row in redelivered] == [
        ("quarantined", "invalid_event_type"),  # the first delivery, loaded 2026-09-10
        ("kept", None),  # the valid re-delivery, loaded later (2026-09-20)
    ]
    assert_nothing_lost(site, raw)

    # the incremental table equals an independent classification of the files
    oracle = classify(raw, "product_events")
    with duckdb.connect(str(site.working), read_only=True) as connection:
        built = connection.execute(
            "select dq_status, count(*) from main_staging.base_product__events group by 1"
        ).fetchall()
    assert dict(built) == oracle["dq_status"].value_counts().to_dict()
    deliveries = oracle[oracle["event_id"] == REDELIVERED].sort_values("_loaded_at")
    assert deliveries["dq_status"].tolist() == [
        "quarantined",
        "kept",
    ]


def test_a_replay_builds_and_reconciles_with_the_rows_loaded_by_its_as_of(tmp_path) -> None:
    raw = tmp_path / "raw"
    generate = ["generate", "--scale", "tiny", "--seed", "11", "--end-date", "2025-03-31"]
    subprocess.run([CSM, *generate, "--out", str(raw)], check=True, capture_output=True)
    site = Site(tmp_path / "site")
    as_of = "2025-03-15 23:59:59"
    ok(site.csm(raw, "build", "--vars", f"{{as_of_timestamp: '{as_of}'}}"))
    bound, files = datetime.fromisoformat(as_of), file_rows(raw)
    loaded = {  # a snapshot table (the rosters) has no earlier copy: read whole
        name: files[name] if table.snapshot else rows_loaded_by(raw / name, bound)
        for name, table in load_contract().items()
    }
    table = accounting(site)
    assert table["raw_rows"].to_dict() == loaded
    assert (table["unaccounted_rows"] == 0).all()
    assert str(site.snapshot()["publish_info"]["as_of_timestamp"]) == as_of


# --- clear exits: one line, exit 2, no traceback, before dbt ---------------------------------


@pytest.fixture(autouse=True)
def _restore_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """`csm build` in this process exports the paths into os.environ (for dbt's profile):
    give the session's values back after each test."""
    for name in ("CSM_RAW_DIR", "CSM_DUCKDB_PATH", "DBT_SEND_ANONYMOUS_USAGE_STATS"):
        monkeypatch.setenv(name, os.environ.get(name, ""))
        if not os.environ[name]:
            monkeypatch.delenv(name)


def _no_dbt(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("dbt must not run")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ("{gross_margin: [1", "--vars is not valid YAML (line 1, column"),
        ("[1, 2]", "--vars must be a YAML mapping"),
        ("{gross_margin: abc}", "var gross_margin must be a number"),
        ("{usage_lookback_days: -1}", "var usage_lookback_days cannot be negative, got -1"),
        ("{gross_margin: 5}", "var gross_margin is a share between 0 and 1"),
        ("{usage_plan_tiers: starter}", "var usage_plan_tiers must be a list"),
        ("{as_of_timestamp: yesterday}", "var as_of_timestamp must be a timestamp"),
    ],
)
def test_bad_vars_exit_2_in_one_line(
    valid_raw: Path, tmp_path: Path, monkeypatch, capsys, variables: str, message: str
) -> None:
    monkeypatch.setattr(dbt_runner, "run_build", _no_dbt)
    args = ["build", "--raw-dir", str(valid_raw), "--duckdb-path", str(tmp_path / "w.duckdb")]
    assert cli.main([*args, "--vars", variables]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err, err


def test_var_defaults_come_from_the_project() -> None:
    defaults = varcheck.project_defaults(Path(cli.paths.project_dir()))
    assert defaults["usage_lookback_days"] == 3
    varcheck.check({"usage_lookback_days": 5, "raw_dir": "/x", "unknown": "y"}, defaults)


def test_unusable_warehouse_paths_exit_2_in_one_line(
    valid_raw: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setattr(dbt_runner, "run_build", _no_dbt)
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    read_only = tmp_path / "read_only"
    read_only.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(read_only)],
        capture_output=True,
        check=False,
    )
    # without mount rights, a folder of /proc stands in for a file system that takes no files
    unwritable = read_only if mounted.returncode == 0 else Path("/proc/csm-test")
    try:
        for path, message in (
            (a_file / "w.duckdb", f"{a_file} is a file, not a folder"),
            (unwritable / "w.duckdb", "cannot create"),
        ):
            code = cli.main(["build", "--raw-dir", str(valid_raw), "--duckdb-path", str(path)])
            err = capsys.readouterr().err
            assert code == 2
            assert err.count("\n") == 1 and str(path) in err and message in err, err
    finally:
        if mounted.returncode == 0:
            subprocess.run(["umount", str(read_only)], check=False)


def test_a_load_from_the_future_stops_the_build_before_dbt(
    raw_factory, valid_raw: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setattr(dbt_runner, "run_build", _no_dbt)
    data = raw_factory.arrow_table("product_events")
    later = pa.array([datetime(2030, 1, 1)] * 2, pa.timestamp("us"))
    data = data.set_column(data.schema.get_field_index("_loaded_at"), "_loaded_at", later)
    path = raw_factory.write("product_events", data, "from_2030.parquet")
    args = ["build", "--raw-dir", str(valid_raw), "--duckdb-path", str(tmp_path / "w.duckdb")]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert f"product_events._loaded_at in the future in {path}: 2030-01-01 00:00:00" in err


CONTRACT_MESSAGE = "\n".join(
    [
        "Compilation Error in model m (models/m.sql)",
        "  This model has an enforced contract that failed.",
        "  Please ensure the name, data_type, and number of columns in your contract match the "
        "columns in your model's definition.",
        "  ",
        "  | column_name    | definition_type | contract_type | mismatch_reason    |",
        "  | -------------- | --------------- | ------------- | ------------------ |",
        "  | employee_count | BIGINT          | INTEGER       | data type mismatch |",
        "  | region         |                 | TEXT          | missing in definition |",
        "  ",
        "  > in macro assert_columns_equivalent (macros/relations/column/columns_spec_ddl.sql)",
        "  > called by macro get_assert_columns_equivalent "
        "(macros/relations/column/columns_spec_ddl.sql)",
        "  > called by model m (models/m.sql)",
    ]
)


def test_a_failing_contract_names_each_column_and_both_types() -> None:
    outcome = dbt_runner.BuildOutcome(
        success=False, failed=[dbt_runner.NodeOutcome("model.x.m", "error", CONTRACT_MESSAGE)]
    )
    text = dbt_runner.report(outcome, Path("logs/dbt.log"))
    assert "column employee_count: the SQL gives BIGINT, the contract says INTEGER" in text
    assert (
        "column region: the SQL gives (none), the contract says TEXT (missing in definition)"
        in (text)
    )
    assert "more lines" not in text
