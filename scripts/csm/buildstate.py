"""One writer at a time per working database, and a record of every build in it.

`csm build` and `csm publish` take an exclusive lock on `<working file>.build.lock` (flock:
the kernel drops it when the process ends, killed or not) and write who holds it into the
file, so a second one fails at once naming the first. Each build is a row of
`csm_runner.builds` in the working database: started, then succeeded or failed; a killed
build stays `started`. A build after a full refresh that did not succeed repeats the full
refresh: the incremental models may still hold the old history.

Each build also records the fingerprint of the seed files and of what loads and tests them
(seed_fingerprint). An incremental build whose previous build succeeded with the same
fingerprint, and was not limited by --select or --exclude, leaves the seed tables as they are
and skips the tests that read only seeds (`seeds_unchanged`): their files and tables are those
of that build, checked then.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

LOCK_SUFFIX = ".build.lock"
STATE_SCHEMA = "csm_runner"
STATE_TABLE = f"{STATE_SCHEMA}.builds"
# A working database holding this table has been built before: the next build is incremental.
BUILT_MARKER = ("main_staging", "base_product__events")
STARTED, SUCCEEDED, FAILED = "started", "succeeded", "failed"


class SetupError(Exception):
    """The working database cannot be used now (held by another process, not writable)."""


def utc_now() -> datetime:
    """The wall clock in UTC without a zone (how the runner stores its timestamps)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def lock_path(working: Path) -> Path:
    return working.with_name(working.name + LOCK_SUFFIX)


def _holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text())
        return f"pid {holder['pid']}, started {holder['started_at']} UTC"
    except (OSError, ValueError, KeyError, TypeError):
        return "pid unknown"


@contextmanager
def exclusive(working: Path, command: str) -> Iterator[None]:
    """Hold the working database's build lock; SetupError naming the holder if taken."""
    path = lock_path(working)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise SetupError(
            f"cannot create the lock file {path} beside the working database: "
            f"{error.strerror or error}"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SetupError(
                f"another csm build or publish ({_holder(path)}) is using the working "
                f"database {working}: wait for it to finish, then run `csm {command}` again"
            ) from None
        os.ftruncate(fd, 0)
        started = utc_now().isoformat(sep=" ")
        holder = {"pid": os.getpid(), "started_at": started, "command": command}
        os.write(fd, json.dumps(holder).encode())
        yield
    finally:
        os.close(fd)  # also releases the flock


def lock_message(working: Path, error: duckdb.Error) -> str:
    """One line for DuckDB's 'Could not set lock' (another process has the file open)."""
    match = re.search(r"held in (\S+) \(PID (\d+)\)", str(error))
    who = f"{Path(match.group(1)).name}, PID {match.group(2)}" if match else "another process"
    return (
        f"the working database {working} is open in another process ({who}): close that "
        "connection (readers open the serving database, see `csm publish`), then run again"
    )


def connect(working: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the working database; SetupError in one line when another process
    holds it or the file cannot be written."""
    try:
        return duckdb.connect(str(working), read_only=read_only)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise SetupError(lock_message(working, error)) from None
        raise SetupError(f"cannot open the working database {working}: {error}") from None


@dataclass(frozen=True)
class BuildRecord:
    build_id: int
    pid: int
    started_at: datetime
    full_refresh: bool
    status: str
    selection: str
    seed_fingerprint: str | None = None


@dataclass(frozen=True)
class BuildStart:
    build_id: int
    full_refresh: bool
    was_built: bool
    reason: str | None  # why a full refresh is repeated
    # the seed files are those the previous build loaded and tested, and it succeeded
    seeds_unchanged: bool = False


def seed_fingerprint(project: Path) -> str:
    """A digest of what loads and tests the seeds: every file under seeds/ and macros/ (the
    seed loading and test macros), the singular tests (tests/**/*.sql) and dbt_project.yml
    (the seeds' column types), names and contents."""
    files = [
        *(project / "seeds").rglob("*"),
        *(project / "macros").rglob("*"),
        *(project / "tests").rglob("*.sql"),
        project / "dbt_project.yml",
    ]
    digest = hashlib.sha256()
    for path in sorted(files):
        if path.is_file():
            digest.update(str(path.relative_to(project)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _previous(connection: duckdb.DuckDBPyConnection) -> BuildRecord | None:
    row = connection.execute(
        f"select build_id, pid, started_at, full_refresh, status, selection, seed_fingerprint "
        f"from {STATE_TABLE} order by build_id desc limit 1"
    ).fetchone()
    return BuildRecord(*row) if row else None


def _has_table(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def start(
    working: Path, full_refresh: bool, selection: str, seeds: str | None = None
) -> BuildStart:
    """Record a build as started; repeat an unfinished full refresh. `seeds` is the seed
    fingerprint (seed_fingerprint); it is recorded for builds of the whole project only."""
    connection = connect(working)
    try:
        connection.execute(f"create schema if not exists {STATE_SCHEMA}")
        connection.execute(
            f"create table if not exists {STATE_TABLE} (build_id integer primary key, "
            "pid integer, started_at timestamp, finished_at timestamp, full_refresh boolean, "
            "status varchar, selection varchar, dbt_invocation_id varchar)"
        )
        # working databases built before the seed fingerprint was recorded
        connection.execute(
            f"alter table {STATE_TABLE} add column if not exists seed_fingerprint varchar"
        )
        previous = _previous(connection)
        reason = None
        if previous and previous.full_refresh and previous.status != SUCCEEDED and not full_refresh:
            how = "was interrupted" if previous.status == STARTED else "failed"
            reason = (
                f"repeating the full refresh: the full refresh of build {previous.build_id} "
                f"(started {previous.started_at} UTC) {how}, so the incremental models may "
                "still hold the old history"
            )
            full_refresh = True
        build_id = (previous.build_id + 1) if previous else 1
        recorded = seeds if not selection else None
        connection.execute(
            f"insert into {STATE_TABLE} (build_id, pid, started_at, finished_at, full_refresh, "
            "status, selection, dbt_invocation_id, seed_fingerprint) "
            "values (?, ?, ?, null, ?, ?, ?, null, ?)",
            [build_id, os.getpid(), utc_now(), full_refresh, STARTED, selection, recorded],
        )
        was_built = _has_table(connection, *BUILT_MARKER)
    finally:
        connection.close()
    seeds_unchanged = bool(
        recorded
        and was_built
        and not full_refresh
        and previous is not None
        and previous.status == SUCCEEDED
        and previous.seed_fingerprint == recorded
    )
    return BuildStart(build_id, full_refresh, was_built, reason, seeds_unchanged)


def finish(working: Path, build_id: int, succeeded: bool, invocation_id: str | None) -> None:
    connection = connect(working)
    try:
        connection.execute(
            f"update {STATE_TABLE} set status = ?, finished_at = ?, dbt_invocation_id = ? "
            "where build_id = ?",
            [SUCCEEDED if succeeded else FAILED, utc_now(), invocation_id, build_id],
        )
    finally:
        connection.close()


def last_build(working: Path) -> BuildRecord | None:
    """The latest build the runner recorded in the working database (None if none)."""
    connection = connect(working, read_only=True)
    try:
        if not _has_table(connection, STATE_SCHEMA, "builds"):
            return None
        return _previous(connection)
    finally:
        connection.close()
