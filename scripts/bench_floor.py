"""The floor of a full build: a lower bound on the time any design of this project needs.

Usage: python scripts/bench_floor.py [--scale large] [--out bench/floor.json]

Run `make bench` (or `SCALES=<scale> make bench`) first: this reads the raw extracts of
data/bench/<scale>/raw with the bench's two appended days (the data of the bench's last
build, so that the windows can be compared with its mart) and copies the marts it made.
It times, one statement at a time on the profile's DuckDB settings (2 threads, 5 GB cap,
insertion order not kept), the work that any full build of this project must do, each in
its simplest single statement:

  1. the events numbered by copy (the duplicates of an event_id found) and stored, as the
     incremental daily runs need them to classify the next day's rows;
  2. the user-days and the account-feature-days (the usage grains) from the kept events;
  3. each account-day's distinct active users over 7 and 30 days (the mart's wau and mau),
     from the user-days, entering and leaving windows instead of counting per day;
  4. the three account-day public marts written (copies of the bench build's marts: their
     rows and columns are the contract);
  5. the key of each of those tables checked on every row, as a full build's tests do;
  6. dbt's own cost for the project's nodes: `dbt build --full-refresh --empty` on an empty
     database (no row read; start-up, compilation, materialization per node).

Everything else a full build does (the health signals and scores, the churn model, the alert
rules and episodes, the other marts and their tests) comes on top of the sum. Not a test: it
measures. Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from csm import paths

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # the bench's folders, environment and measured runs

# the dev profile's (profiles.yml), with the same override of the memory cap
SETTINGS = {
    "threads": 2,
    "memory_limit": paths.duckdb_memory_limit(),
    "preserve_insertion_order": False,
}
MARTS = ("fct_account_health_daily", "fct_churn_risk_daily", "fct_account_usage_daily")


def steps(raw: Path) -> list[tuple[str, str]]:
    """(what, SQL) in order; each statement reads what the ones before it stored."""
    events = f"read_parquet('{raw}/product_events/**/*.parquet', union_by_name = true)"
    copy = "select * from built.main_marts."
    marts = [(f"the mart {mart} written", f"create table {mart} as {copy}{mart}") for mart in MARTS]
    keys = [
        (
            f"the key of {mart} on every row",
            f"select count(*) from (select account_id, activity_date from {mart} "
            "group by all having count(*) > 1)",
        )
        for mart in MARTS
    ]
    return [
        (
            "the events numbered by copy and stored",
            f"""create table events as
            select
                *,
                row_number() over (partition by event_id order by _loaded_at) as copy_number
            from {events}""",
        ),
        (
            "the user-days",
            """create table user_days as
            select
                account_id, user_id, cast(occurred_at as date) as activity_date, count(*) as events
            from events where copy_number = 1
            group by all""",
        ),
        (
            "the account-feature-days",
            """create table feature_days as
            select
                account_id,
                feature_key,
                cast(occurred_at as date) as activity_date,
                count(*) as events
            from events where copy_number = 1 and feature_key is not null
            group by all""",
        ),
        (
            "the distinct active users over 7 and 30 days",
            """create table active_users as
            with uses as (
                select
                    account_id,
                    activity_date,
                    lag(activity_date) over user_history as previous_day,
                    lead(activity_date) over user_history as next_day
                from user_days
                window user_history as (partition by account_id, user_id order by activity_date)
            ),
            changes as (
                -- a user enters a window on a day the days before do not cover, and leaves it
                -- window days after a day that no later day extends
                select
                    account_id,
                    activity_date as change_date,
                    cast(coalesce(previous_day <= activity_date - 7, true) as integer) as wau,
                    cast(coalesce(previous_day <= activity_date - 30, true) as integer) as mau
                from uses
                union all
                select account_id, activity_date + 7, -1, 0 from uses
                where next_day is null or next_day >= activity_date + 7
                union all
                select account_id, activity_date + 30, 0, -1 from uses
                where next_day is null or next_day >= activity_date + 30
            )
            select
                account_id,
                change_date as activity_date,
                sum(sum(wau)) over days_so_far as wau,
                sum(sum(mau)) over days_so_far as mau
            from changes
            group by account_id, change_date
            window days_so_far as (partition by account_id order by change_date)""",
        ),
        *marts,
        (
            "the key of the events on every row",
            "select count(*) from (select event_id, copy_number from events "
            "group by all having count(*) > 1)",
        ),
        (
            "the key of the user-days on every row",
            "select count(*) from (select account_id, user_id, activity_date from user_days "
            "group by all having count(*) > 1)",
        ),
        *keys,
    ]


def agreement(connection: duckdb.DuckDBPyConnection) -> str:
    """How the floor's wau and mau compare with the mart's on the last day of the extracts
    (each account's running count as of its last change up to that day; the floor counts
    every first copy of an event, the project only the valid rows of known accounts)."""
    row = connection.execute(
        """with last_day as (
            select max(activity_date) as activity_date from user_days
        ),
        floor_counts as (
            select
                active_users.account_id,
                arg_max(active_users.wau, active_users.activity_date) as wau,
                arg_max(active_users.mau, active_users.activity_date) as mau
            from active_users
            inner join last_day on active_users.activity_date <= last_day.activity_date
            group by active_users.account_id
        )
        select
            count(*),
            count(*) filter (where mart.wau = floor_counts.wau and mart.mau = floor_counts.mau)
        from built.main_marts.fct_account_usage_daily as mart
        inner join last_day on mart.activity_date = last_day.activity_date
        inner join floor_counts on mart.account_id = floor_counts.account_id"""
    ).fetchall()[0]
    return f"wau and mau equal the mart's on {row[1]:,} of {row[0]:,} account-days of the last day"


def cpu_seconds() -> float:
    """CPU time of this process so far (DuckDB's threads included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def empty_full_build(folder: Path) -> dict[str, Any]:
    """`dbt build --full-refresh --empty` on a new database: dbt's own cost per node."""
    from csm import dbt_runner

    database = folder / "floor-empty" / "customer_success.duckdb"
    options = dbt_runner.BuildOptions(full_refresh=True)
    return bench.empty_build(folder, options, database, folder / "target-floor-full")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large")
    parser.add_argument("--out", type=Path, default=bench.ROOT / "bench" / "floor.json")
    args = parser.parse_args()
    folder = bench.ROOT / "data" / "bench" / args.scale
    built = folder / "customer_success.duckdb"
    if not built.exists():
        raise SystemExit(f"{built} not found: run `SCALES={args.scale} make bench` first")
    bench.remove_day(folder)
    for day in bench.NEW_DAYS:  # the extracts of the bench's last build
        bench.append_day(folder, day)
    work = folder / "floor-work.duckdb"
    work.unlink(missing_ok=True)
    connection = duckdb.connect(str(work), config=SETTINGS)
    connection.execute(f"attach '{built}' as built (read_only)")
    figures: list[dict[str, Any]] = []
    total = total_cpu = 0.0
    try:
        for what, sql in steps(folder / "raw"):
            start, cpu_start = time.perf_counter(), cpu_seconds()
            connection.execute(sql).fetchall()
            seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
            total += seconds
            total_cpu += cpu
            figures.append(
                {"step": what, "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1)}
            )
            print(f"{what:<55}{seconds:>7.1f} s{cpu:>7.1f} CPU-s{total:>8.1f} s so far", flush=True)
        check = agreement(connection)
        print(check, flush=True)
    finally:
        connection.close()
        work.unlink(missing_ok=True)
        bench.remove_day(folder)
    empty = empty_full_build(folder)
    print(
        f"{'dbt build --full-refresh --empty (' + str(empty['nodes']) + ' nodes)':<55}"
        f"{empty['seconds']:>8.1f} s{total + empty['seconds']:>9.1f} s in all",
        flush=True,
    )
    result = {
        "scale": args.scale,
        "steps": figures,
        "windows_check": check,
        "data_seconds": round(total, 1),
        "data_cpu_seconds": round(total_cpu, 1),
        "empty_full_build": empty,
        "floor_seconds": round(total + empty["seconds"], 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
