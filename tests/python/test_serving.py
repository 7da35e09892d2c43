"""Write, audit, publish: `csm build` publishes a green build's marts into the serving file in
one rename; readers keep the snapshot they opened; failed, killed and concurrent builds
publish nothing; an interrupted full refresh is repeated. Real builds of `tiny` data, run as a
user runs them (the `csm` command in a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from builds import CSM, Site, kill, ok, project_copy, read_until

OLD_END, NEW_END = "2026-09-29", "2026-09-30"
PUBLIC_MARTS = 29  # the public models: what a build publishes
READER = Path(__file__).with_name("serving_reader.py")


@pytest.fixture(scope="module")
def raws(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two deliveries of tiny data: the older ends a day before the newer."""
    root = tmp_path_factory.mktemp("serving_raw")
    found = {}
    for name, end in (("old", OLD_END), ("new", NEW_END)):
        generate = ["generate", "--scale", "tiny", "--seed", "42", "--end-date", end]
        subprocess.run(
            [CSM, *generate, "--out", str(root / name)], check=True, text=True, capture_output=True
        )
        found[name] = root / name
    return found


@pytest.fixture(scope="module")
def clean_new(raws: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A warehouse built once, from scratch, on the newer data."""
    site = Site(tmp_path_factory.mktemp("clean_new"))
    ok(site.csm(raws["new"], "build"))
    return site


@pytest.fixture(scope="module")
def site(raws: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A warehouse built and published on the older data."""
    site = Site(tmp_path_factory.mktemp("site"))
    out = ok(site.csm(raws["old"], "build"))
    assert f"published {PUBLIC_MARTS} marts" in out
    return site


def test_a_held_reader_keeps_its_snapshot_while_a_build_publishes(
    site: Site, raws: dict[str, Path], clean_new: Site
) -> None:
    reader = subprocess.Popen(
        [sys.executable, str(READER), str(site.serving)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdin is not None and reader.stdout is not None
    try:
        before = json.loads(reader.stdout.readline())
        assert before["publish_info"]["as_of_timestamp"] == f"{OLD_END} 23:30:00"

        out = ok(site.csm(raws["new"], "build", "--full-refresh"))  # the reader stays open
        assert f"published {PUBLIC_MARTS} marts" in out

        reader.stdin.write("again\n")
        reader.stdin.flush()
        held = json.loads(reader.stdout.readline())
    finally:
        reader.stdin.close()
        reader.wait(timeout=60)
    assert held == before  # every mart, as the held connection first read it

    after = site.snapshot()  # a new connection: the new data
    info = after["publish_info"]
    assert info["as_of_timestamp"] == f"{NEW_END} 23:30:00"
    assert after["marts"] == site.working_marts()  # the marts, row for row
    assert after["marts"] == clean_new.snapshot()["marts"]
    assert json.loads(info["mart_row_counts"]) == {k: v[0] for k, v in after["marts"].items()}
    assert info["mart_count"] == str(PUBLIC_MARTS)
    assert len(info["git_commit"]) == 40 and info["project_version"] == "0.1.0"
    assert info["dbt_invocation_id"] != before["publish_info"]["dbt_invocation_id"]
    assert sorted(p.name for p in site.serving.parent.iterdir()) == ["cs.duckdb"]  # no .wal


def test_a_second_build_fails_fast_and_a_killed_build_publishes_nothing(
    site: Site, raws: dict[str, Path]
) -> None:
    published = site.snapshot()
    first = site.start(raws["new"], "build")
    try:
        read_until(first, "building against")
        second = site.csm(raws["new"], "build")
        assert second.returncode == 2
        assert second.stderr.strip().count("\n") == 0, second.stderr
        assert f"another csm build or publish (pid {first.pid}, started" in second.stderr
        read_until(first, "OK created sql table model main_marts.")
    finally:
        kill(first)
    assert site.snapshot() == published

    refused = site.csm(raws["new"], "publish")
    assert refused.returncode == 1
    assert f"(pid {first.pid}) did not finish" in refused.stderr
    assert f"still holds the data as of {NEW_END} 23:30" in refused.stderr
    assert site.snapshot() == published

    out = ok(site.csm(raws["new"], "build"))  # the next build recovers and publishes
    assert f"published {PUBLIC_MARTS} marts" in out
    recovered = site.snapshot()
    assert recovered["marts"] == published["marts"]  # same data as the last good build
    assert (
        recovered["publish_info"]["dbt_invocation_id"]
        != (published["publish_info"]["dbt_invocation_id"])
    )


KILL_WHILE_PUBLISHING = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from csm import serving
    from csm.paths import project_dir, target_dir

    def progress(line):
        print(line, flush=True)
        if line.startswith("  3/"):
            print("PAUSED", flush=True)
            time.sleep(600)

    working, serving_file = Path(sys.argv[1]), Path(sys.argv[2])
    serving.publish(working, serving_file, project_dir(), target_dir(project_dir()), progress)
    """
)


def test_a_publish_killed_midway_leaves_the_last_snapshot(
    site: Site, raws: dict[str, Path]
) -> None:
    published = site.snapshot()
    process = subprocess.Popen(
        [sys.executable, "-c", KILL_WHILE_PUBLISHING, str(site.working), str(site.serving)],
        env=site.env(raws["new"]),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        read_until(process, "PAUSED")
    finally:
        kill(process)
    leftovers = [p.name for p in site.serving.parent.iterdir() if p.name != "cs.duckdb"]
    assert leftovers and all(".publishing-" in name for name in leftovers)
    assert site.snapshot() == published

    ok(site.csm(raws["new"], "publish"))  # publishes again and removes the dead temporary
    assert sorted(p.name for p in site.serving.parent.iterdir()) == ["cs.duckdb"]
    assert site.snapshot()["marts"] == published["marts"]


def test_publish_copies_under_the_builds_memory_cap(site: Site, raws: dict[str, Path]) -> None:
    """The publish copy runs under CSM_DUCKDB_MEMORY_LIMIT, as the build does: a value DuckDB
    cannot read stops it with the setting named, and the published snapshot stays."""
    published = site.snapshot()
    env = {**site.env(raws["new"]), "CSM_DUCKDB_MEMORY_LIMIT": "a lot"}
    result = subprocess.run(
        [CSM, "publish"], env=env, cwd=site.project_dir, text=True, capture_output=True
    )
    assert result.returncode != 0
    assert "CSM_DUCKDB_MEMORY_LIMIT='a lot' is not a size" in result.stderr
    assert site.snapshot() == published


def test_a_failing_test_publishes_nothing_and_publish_refuses(
    site: Site, raws: dict[str, Path], tmp_path: Path
) -> None:
    published = site.snapshot()
    # a policy that fails every quarantined row: the quarantine rates test fails
    strict = project_copy(tmp_path / "strict")
    policy = strict / "seeds" / "data_quality_policy.csv"
    lines = policy.read_text().splitlines()
    lines[1:] = [
        "quarantine_rate,*,*,,0,no quarantined row allowed"
        if line.startswith("quarantine_rate,*,*")
        else line
        for line in lines[1:]
    ]
    policy.write_text("\n".join(lines) + "\n")
    failed = site.with_project(strict).csm(raws["new"], "build")
    assert failed.returncode == 1
    line = next(x for x in failed.stderr.splitlines() if x.startswith("not published"))
    assert line.startswith("not published: ")
    assert " test failed; " in line
    assert line.endswith(
        f"the serving database still holds the data as of {NEW_END} 23:30 "
        f"(published {published['publish_info']['published_at'][:16]} UTC)"
    )
    assert site.snapshot() == published

    refused = site.with_project(strict).csm(raws["new"], "publish")  # its run results
    assert refused.returncode == 1
    assert "not published: the last dbt run" in refused.stderr
    assert "test.customer_success.assert_quarantine_rates_within_policy" in refused.stderr
    assert site.snapshot() == published

    skipped = ok(site.csm(raws["new"], "build", "--no-publish"))
    assert "not published (--no-publish)" in skipped
    assert site.snapshot() == published


def test_a_reader_of_the_working_file_stops_the_build_in_one_line(
    site: Site, raws: dict[str, Path]
) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print('open', flush=True); sys.stdin.read()",
            str(site.working),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        result = site.csm(raws["new"], "build")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: the working database {site.working} is open in")
    assert f"PID {holder.pid}" in result.stderr


def test_an_interrupted_full_refresh_is_repeated(
    raws: dict[str, Path], clean_new: Site, tmp_path: Path
) -> None:
    site = Site(tmp_path)
    ok(site.csm(raws["old"], "build"))
    refresh = site.start(raws["new"], "build", "--full-refresh")
    try:
        read_until(refresh, "OK created sql incremental model main_staging.base_product__events")
    finally:
        kill(refresh)
    out = ok(site.csm(raws["new"], "build"))
    assert "repeating the full refresh: the full refresh of build 2" in out
    assert "was interrupted" in out
    assert site.snapshot()["marts"] == clean_new.snapshot()["marts"]
