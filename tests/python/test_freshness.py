"""`csm freshness` and `csm build --check-freshness`: a feed that stopped is noticed against the
wall clock (the build's own checks compare with the data's latest load and cannot see it).
Fake raw folders with chosen `_loaded_at`s and an injected clock: no test depends on the time
it runs at."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from csm import cli, dbt_runner, freshness
from csm.paths import project_dir

NOW = datetime(2026, 10, 1, 12, 0)


def loaded(raw_factory, table: str, at: datetime) -> None:
    data = raw_factory.arrow_table(table)
    stamps = pa.array([at - timedelta(days=3), at], pa.timestamp("us"))
    raw_factory.write(
        table, data.set_column(data.schema.get_field_index("_loaded_at"), "_loaded_at", stamps)
    )


@pytest.fixture
def fresh_raw(raw_factory) -> Path:
    """Every table loaded 12 hours before NOW."""
    for table in raw_factory.contract:
        loaded(raw_factory, table, NOW - timedelta(hours=12))
    return raw_factory.root


def limits() -> dict[str, freshness.Limit]:
    return freshness.load_limits(project_dir())


def test_fresh_tables_pass(fresh_raw: Path, capsys) -> None:
    results = freshness.check(fresh_raw, limits(), NOW)
    assert {result.status for result in results} == {"ok"}
    assert {round(result.age_hours, 6) for result in results} == {12.0}
    assert cli.check_freshness(fresh_raw, NOW) == 0
    assert "stale" not in capsys.readouterr().out


def test_a_stopped_feed_exits_1_naming_the_table(fresh_raw: Path, raw_factory, capsys) -> None:
    loaded(raw_factory, "product_events", NOW - timedelta(hours=80))
    assert cli.check_freshness(fresh_raw, NOW) == 1
    err = capsys.readouterr().err
    expected = "no load for 80.0 h (latest 2026-09-28 04:00 UTC), above its limit of 72 h"
    assert f"stale: product_events: {expected}" in err
    assert err.splitlines()[-1].startswith("stale: product_events (a feed stopped")


def test_a_late_feed_warns_and_a_table_row_overrides_the_default(
    fresh_raw: Path, raw_factory, capsys
) -> None:
    loaded(raw_factory, "support_tickets", NOW - timedelta(hours=40))  # '*': warn 36, error 72
    loaded(raw_factory, "finance_acquisition_costs", NOW - timedelta(days=50))  # 1080 / 1440 h
    results = {result.table: result for result in freshness.check(fresh_raw, limits(), NOW)}
    assert results["support_tickets"].status == "warn"
    assert results["finance_acquisition_costs"].status == "warn"
    assert cli.check_freshness(fresh_raw, NOW) == 0
    out = capsys.readouterr().out
    assert "warning: support_tickets: no load for 40.0 h" in out
    assert "above its warning limit of 36 h" in out


def test_the_limits_are_the_policy_seeds(fresh_raw: Path, tmp_path: Path) -> None:
    """Editing the load_age_hours rows of data_quality_policy changes the verdict."""
    seeds = tmp_path / "project" / "seeds"
    seeds.mkdir(parents=True)
    original = (project_dir() / freshness.POLICY_SEED).read_text().splitlines()
    edited = [
        "load_age_hours,*,*,6,10,a feed that loads every few hours"
        if line.startswith("load_age_hours,*,")
        else line
        for line in original
    ]
    (seeds / "data_quality_policy.csv").write_text("\n".join(edited) + "\n")
    tight = freshness.load_limits(tmp_path / "project")
    statuses = {result.table: result.status for result in freshness.check(fresh_raw, tight, NOW)}
    assert statuses.pop("finance_acquisition_costs") == "ok"  # its own row still applies
    assert set(statuses.values()) == {"error"}


def test_a_table_without_any_load_is_stale(fresh_raw: Path) -> None:
    for path in (fresh_raw / "crm_csms").glob("*.parquet"):
        path.unlink()
    results = {result.table: result for result in freshness.check(fresh_raw, limits(), NOW)}
    assert results["crm_csms"].status == "error"
    assert (
        results["crm_csms"].sentence()
        == "crm_csms: no load found (no Parquet file with a _loaded_at)"
    )


def test_build_check_freshness_stops_before_dbt(
    valid_raw: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    """The fixture's loads are from 2024: against the wall clock every table is stale."""

    def no_dbt(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("dbt must not run")

    monkeypatch.setattr(dbt_runner, "run_build", no_dbt)
    args = ["build", "--raw-dir", str(valid_raw), "--duckdb-path", str(tmp_path / "w.duckdb")]
    args += ["--serving-path", str(tmp_path / "serving.duckdb")]
    assert cli.main([*args, "--check-freshness"]) == 1
    err = capsys.readouterr().err
    stale = next(line for line in err.splitlines() if "(a feed stopped" in line)
    assert stale.split(" (")[0].count(", ") == 13 and "product_events" in stale
    assert "not built: a raw table is stale; nothing has been published" in err
