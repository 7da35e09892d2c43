"""Benchmark: generation, full build, one-day incremental build, memory and size per scale.

Usage: python scripts/bench.py [--scales small,medium,large] [--out bench/results.json]

For each scale it generates the extracts once (cached under data/bench/<scale>/, seed 42,
ending --end-date), splits off the last two days' rows (by _loaded_at) as two "new days",
then:
  1. floor: the time DuckDB needs to read every raw Parquet column once;
  2. full: `csm build --full-refresh` on the extracts without the last two days;
  3. first incremental: the day before the last appended as a new Parquet file in every
     table folder, then `csm build` (no full refresh). dbt re-parses the project here: the
     vars differ from the full build's (csm build limits tests to recent days);
  4. incremental (the daily run): the last day appended the same way, then `csm build`; the
     same command as the day before, as a daily schedule runs it, so dbt parses partially;
  5. publish: `csm publish` of the daily run's marts into the serving file (the builds run
     with --no-publish so that their times stay comparable with earlier figures);
  6. at `small` only, the floor of the daily run: the same `dbt build` (same nodes, vars and
     exclusions) with --empty, on a copy of the working database: every ref and source
     reads no rows, so what remains is dbt's start-up and per-node cost and DuckDB's
     planning, whatever the data;
and prints and writes the figures: times, CPU time and the load average around each build,
the ten slowest models and every model's time (from dbt's run_results.json), peak RSS of each
build, the DuckDB file size, the publish time and the serving file's size; the results are
written after each scale. Not a test: it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from csm import dbt_runner

ROOT = Path(__file__).resolve().parents[1]
APPENDED = "bench_appended"
NEW_DAYS = ("day1", "day2")
RUNS = ("full_build", "first_incremental_build", "incremental_build")


def run_measured(
    command: list[str], env: dict[str, str], check: bool = True
) -> tuple[float, float, float]:
    """Run a command; return (seconds, peak RSS in MiB of that process tree's largest child,
    CPU seconds of the process and its children). With check=False a failure is printed,
    not raised (the publish step ends by rendering the dashboards, which a bench need not)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        if check:
            raise SystemExit(f"command failed: {' '.join(command)}")
        print(f"(ignored) command failed: {' '.join(command)}", flush=True)
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def csm(*args: str) -> list[str]:
    return [sys.executable, "-m", "csm", *args]


def generate(scale: str, folder: Path, end_date: date) -> float | None:
    """Generate the full extracts (ending end_date) unless cached; returns seconds or None."""
    marker = folder / "full" / "_generation.json"
    if marker.is_file():
        return json.loads(marker.read_text()).get("bench_seconds")
    seconds, _, _ = run_measured(
        csm(
            "generate",
            "--scale",
            scale,
            "--seed",
            "42",
            "--end-date",
            end_date.isoformat(),
            "--out",
            str(folder / "full"),
        ),
        dict(os.environ),
    )
    meta = json.loads(marker.read_text())
    meta["bench_seconds"] = seconds
    marker.write_text(json.dumps(meta, indent=2))
    return seconds


def split_last_days(folder: Path, last_day: date) -> None:
    """raw/ = every row loaded before the day before last_day; day1/ = the rows loaded on the
    day before last_day; day2/ = the rows loaded on last_day."""
    if (folder / "raw" / ".split-2-done").is_file():
        return
    cutoffs = [
        pa.scalar(datetime.combine(day, datetime.min.time()), pa.timestamp("us"))
        for day in (last_day - timedelta(days=1), last_day)
    ]
    for table_dir in sorted(p for p in (folder / "full").iterdir() if p.is_dir()):
        for name in ("raw", *NEW_DAYS):
            shutil.rmtree(folder / name / table_dir.name, ignore_errors=True)
            (folder / name / table_dir.name).mkdir(parents=True)
        for number, path in enumerate(sorted(table_dir.rglob("*.parquet"))):
            table = pq.read_table(path)  # one file at a time: bounded memory at large scale
            before = pc.less(table["_loaded_at"], cutoffs[0])
            if not pc.any(before).as_py():
                # a snapshot table reloaded in full every day: the days before had it too
                pq.write_table(
                    snapshot_of_day_before(table, cutoffs[0]),
                    folder / "raw" / table_dir.name / path.name,
                )
                continue
            on_day1 = pc.and_(pc.invert(before), pc.less(table["_loaded_at"], cutoffs[1]))
            on_day2 = pc.greater_equal(table["_loaded_at"], cutoffs[1])
            pq.write_table(table.filter(before), folder / "raw" / table_dir.name / path.name)
            for name, rows in zip(NEW_DAYS, (on_day1, on_day2), strict=True):
                new = table.filter(rows)
                if new.num_rows:
                    pq.write_table(new, folder / name / table_dir.name / f"part-{number}.parquet")
    (folder / "raw" / ".split-2-done").touch()


def snapshot_of_day_before(table: pa.Table, cutoff: pa.TimestampScalar) -> pa.Table:
    loaded = pa.array([cutoff.as_py() - timedelta(minutes=30)] * table.num_rows, pa.timestamp("us"))
    return table.set_column(table.schema.get_field_index("_loaded_at"), "_loaded_at", loaded)


def read_floor(raw: Path) -> float:
    """Seconds for DuckDB to read every column of every raw table once."""
    connection = duckdb.connect()
    start = time.perf_counter()
    for table_dir in sorted(p for p in raw.iterdir() if p.is_dir()):
        source = f"read_parquet('{table_dir}/**/*.parquet', union_by_name = true)"
        columns = [
            row[0] for row in connection.execute(f"describe select * from {source}").fetchall()
        ]
        # hash every value: count() alone is answered from the Parquet statistics
        hashes = ", ".join(f'sum(hash("{c}"))' for c in columns)
        connection.execute(f"select {hashes} from {source}").fetchall()
    return time.perf_counter() - start


def slowest(results: list[dict[str, Any]], kind: str, count: int) -> list[dict[str, Any]]:
    nodes = [r for r in results if r["unique_id"].startswith(f"{kind}.")]
    nodes.sort(key=lambda r: r["execution_time"], reverse=True)
    return [
        {"node": r["unique_id"].split(".")[-1][:80], "seconds": round(r["execution_time"], 2)}
        for r in nodes[:count]
    ]


def profile(target: Path) -> dict[str, Any]:
    """From dbt's run_results.json: dbt's own elapsed time, the summed time of models and of
    tests (2 threads run them side by side, so the sums exceed the elapsed time), the ten
    slowest models and the five slowest data tests."""
    run = json.loads((target / "run_results.json").read_text())
    results = run["results"]

    def total(kind: str) -> float:
        return round(
            sum(r["execution_time"] for r in results if r["unique_id"].startswith(f"{kind}.")), 1
        )

    return {
        "dbt_elapsed_seconds": round(run["elapsed_time"], 1),
        "models_seconds": total("model"),
        "tests_seconds": total("test"),
        "tests": sum(1 for r in results if r["unique_id"].startswith("test.")),
        "slowest": slowest(results, "model", 10),
        "slowest_tests": slowest(results, "test", 5),
        # every model's time, for the growth of each model from one scale to the next
        "model_seconds": {
            r["unique_id"].split(".")[-1]: round(r["execution_time"], 2)
            for r in results
            if r["unique_id"].startswith("model.")
        },
    }


def empty_build(
    folder: Path,
    options: dbt_runner.BuildOptions,
    database: Path,
    target: Path,
    runs: int = 1,
    copy_of: Path | None = None,
) -> dict[str, Any]:
    """`dbt build --empty` with these options on `database`, in a new folder of its own that
    is removed after (empty, or holding a copy of `copy_of`: the build overwrites its tables
    with empty ones), dbt's target in `target`: the last of `runs` runs' wall time, CPU time,
    dbt's own elapsed time and nodes. With --empty every ref and source reads no rows: what
    remains is dbt's per-node cost."""
    from csm import dbt_runner

    shutil.rmtree(database.parent, ignore_errors=True)
    database.parent.mkdir(parents=True)
    if copy_of is not None:
        shutil.copy(copy_of, database)
    command = [
        str(Path(sys.executable).parent / "dbt"),
        *dbt_runner.build_args(ROOT, options),
        "--empty",
    ]
    env = {
        **bench_env(folder),
        "CSM_DUCKDB_PATH": str(database),
        "DBT_TARGET_PATH": str(target),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    for _ in range(runs):
        seconds, _, cpu = run_measured(command, env)
    run = json.loads((target / "run_results.json").read_text())
    shutil.rmtree(database.parent)
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "dbt_elapsed_seconds": round(run["elapsed_time"], 1),
        "nodes": len(run["results"]),
    }


def empty_floor(folder: Path) -> dict[str, Any]:
    """The daily run's `dbt build` with --empty on a copy of the working database: run twice,
    as the first run in a new target folder parses in full and the daily run partially."""
    from csm import dbt_runner

    options = dbt_runner.BuildOptions(
        skip_unit_tests=True, skip_seeds=True, vars=dbt_runner.with_recent_tests(None)
    )
    return empty_build(
        folder,
        options,
        folder / "floor" / "customer_success.duckdb",
        folder / "target-floor",
        runs=2,
        copy_of=folder / "customer_success.duckdb",
    )


def bench_env(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CSM_RAW_DIR": str(folder / "raw"),
        "CSM_DUCKDB_PATH": str(folder / "customer_success.duckdb"),
        "CSM_SERVING_PATH": str(folder / "serving" / "customer_success.duckdb"),
        "DBT_TARGET_PATH": str(folder / "target"),
        "DBT_LOG_PATH": str(folder / "logs"),
        "CSM_SITE_DIR": str(folder / "site"),
    }


def build(folder: Path, full_refresh: bool, label: str) -> dict[str, Any]:
    """One `csm build`. The builds of a scale share one dbt target folder, as the runs of a
    schedule do, so that dbt can parse partially; each run's run_results.json is kept as
    run_results-<label>.json."""
    target = folder / "target"
    args = csm("build", "--no-publish", *(["--full-refresh"] if full_refresh else []))
    load = os.getloadavg()[0]
    seconds, rss, cpu = run_measured(args, bench_env(folder))
    shutil.copy(target / "run_results.json", folder / f"run_results-{label}.json")
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "load_average_before": round(load, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "peak_rss_mib": round(rss),
        **profile(target),
    }


def append_day(folder: Path, day: str) -> None:
    """A day arrives as new files in each table folder (as a daily extract would)."""
    for day_file in (folder / day).glob("*/*.parquet"):
        target = folder / "raw" / day_file.parent.name / f"{APPENDED}-{day}-{day_file.name}"
        shutil.copy(day_file, target)


def remove_day(folder: Path) -> None:
    for appended in (folder / "raw").glob(f"*/{APPENDED}-*"):
        appended.unlink()


def events(folder: Path) -> int:
    files = list((folder / "raw" / "product_events").rglob("*.parquet"))
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def bench_scale(scale: str, end_date: date) -> dict[str, Any]:
    folder = ROOT / "data" / "bench" / scale
    print(f"==> {scale}: generating (cached when present)", flush=True)
    generation = generate(scale, folder, end_date)
    split_last_days(folder, end_date)
    remove_day(folder)
    (folder / "customer_success.duckdb").unlink(missing_ok=True)
    floor = read_floor(folder / "raw")
    print(f"==> {scale}: full build", flush=True)
    full = build(folder, full_refresh=True, label="full")
    try:
        print(
            f"==> {scale}: first incremental build after appending {end_date - timedelta(days=1)}",
            flush=True,
        )
        append_day(folder, NEW_DAYS[0])
        first = build(folder, full_refresh=False, label="first-incremental")
        print(
            f"==> {scale}: incremental build (the daily run) after appending {end_date}", flush=True
        )
        append_day(folder, NEW_DAYS[1])
        incremental = build(folder, full_refresh=False, label="incremental")
        print(f"==> {scale}: publish", flush=True)
        publish_seconds, publish_rss, _ = run_measured(
            csm("publish"), bench_env(folder), check=False
        )
        floor_run = None
        if scale == "small":
            print(f"==> {scale}: the daily run's dbt build with --empty (its floor)", flush=True)
            floor_run = empty_floor(folder)
    finally:
        remove_day(folder)
    size = (folder / "customer_success.duckdb").stat().st_size
    serving_size = (folder / "serving" / "customer_success.duckdb").stat().st_size
    return {
        "scale": scale,
        "raw_events": events(folder),
        "generation_seconds": None if generation is None else round(generation, 1),
        "read_floor_seconds": round(floor, 2),
        "full_build": full,
        "full_build_floor_multiple": round(full["seconds"] / floor, 1),
        "first_incremental_build": first,
        "incremental_build": incremental,
        "duckdb_mib": round(size / 2**20),
        "publish_seconds": round(publish_seconds, 1),
        "publish_peak_rss_mib": round(publish_rss),
        "serving_mib": round(serving_size / 2**20),
        "empty_daily_run": floor_run,
    }


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        f"{'scale':<8}{'events':>12}{'generate s':>12}{'floor s':>9}{'full s':>9}{'x floor':>9}"
        f"{'incr1 s':>9}{'incr s':>9}{'RSS MiB':>9}{'DB MiB':>8}{'publish s':>11}"
        f"{'serving MiB':>13}"
    ]
    for r in results:
        generation = "-" if r["generation_seconds"] is None else f"{r['generation_seconds']:.1f}"
        rss = max(r[run]["peak_rss_mib"] for run in RUNS)
        lines.append(
            f"{r['scale']:<8}{r['raw_events']:>12,}{generation:>12}{r['read_floor_seconds']:>9.2f}"
            f"{r['full_build']['seconds']:>9.1f}{r['full_build_floor_multiple']:>9.1f}"
            f"{r['first_incremental_build']['seconds']:>9.1f}"
            f"{r['incremental_build']['seconds']:>9.1f}{rss:>9}{r['duckdb_mib']:>8}"
            f"{r['publish_seconds']:>11.1f}{r['serving_mib']:>13}"
        )
    by_scale = {r["scale"]: r for r in results}
    if "medium" in by_scale and "large" in by_scale:
        medium, large = by_scale["medium"], by_scale["large"]
        growth = large["full_build"]["seconds"] / medium["full_build"]["seconds"]
        rows = large["raw_events"] / medium["raw_events"]
        incremental = large["incremental_build"]["seconds"] / medium["incremental_build"]["seconds"]
        lines.append(
            f"medium -> large: events x{rows:.1f}, full build time x{growth:.1f}, "
            f"incremental time x{incremental:.1f}"
        )
    for r in results:
        empty = r.get("empty_daily_run")
        if empty:
            lines.append(
                f"{r['scale']} daily run with --empty (no rows read): {empty['seconds']:.1f} s "
                f"wall, {empty['cpu_seconds']:.1f} s CPU, dbt {empty['dbt_elapsed_seconds']:.1f} s "
                f"for {empty['nodes']} nodes"
            )
    for r in results:
        for run in RUNS:
            b = r[run]
            lines.append(
                f"{r['scale']} {run.replace('_', ' ')}: {b['seconds']:.1f} s wall, "
                f"{b['cpu_seconds']:.1f} s CPU, load {b['load_average_before']:.1f}/"
                f"{b['load_average_after']:.1f}, dbt "
                f"{b['dbt_elapsed_seconds']:.1f} s (models {b['models_seconds']:.1f} s, "
                f"{b['tests']} tests {b['tests_seconds']:.1f} s, summed over 2 threads)"
            )
            lines += [f"  {m['seconds']:>7.2f}s  {m['node']}" for m in b["slowest"]]
            lines += [f"  {m['seconds']:>7.2f}s  test {m['node']}" for m in b["slowest_tests"]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="small,medium,large")
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 9, 30))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    results = []
    for scale in args.scales.split(","):
        results.append(bench_scale(scale, args.end_date))
        args.out.write_text(json.dumps(results, indent=2))  # kept if a later scale fails
    print(report(results))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
