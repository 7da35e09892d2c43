"""Publish: the public marts of a green build, copied into a new serving DuckDB file that is
renamed over the serving path in one step.

Readers (BI tools, `csm report`, `csm export`, the dashboards) open the serving file
read-only. A reader that has the old file open keeps reading that snapshot (the rename leaves
its open file in place) until it reconnects; a new connection sees the new one. The build
never waits for a reader and a reader never waits for the build. A build that fails, or a
process killed while publishing, leaves the serving file as it was: the new file only takes
the serving path once it is complete, checkpointed and closed.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from csm import paths

PUBLISH_INFO = "publish_info"
TEMP_MARK = ".publishing-"
FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})
AS_OF_MODEL = "stg_meta__as_of"


class PublishError(Exception):
    """Publishing is refused or impossible; the serving file is unchanged."""


@dataclass(frozen=True)
class Mart:
    """A public model of the manifest: its name, where dbt built it, its documentation."""

    name: str
    schema: str
    identifier: str
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RunResults:
    """What dbt's run_results.json says about the last invocation."""

    invocation_id: str
    started_at: datetime
    generated_at: datetime
    dbt_version: str
    variables: dict[str, Any]
    failures: list[tuple[str, str]]  # (unique_id, status)


@dataclass(frozen=True)
class Published:
    where: str  # the serving file, or the serving schema
    as_of: datetime
    row_counts: dict[str, int]
    seconds: float
    size_bytes: int | None = None

    def line(self) -> str:
        size = f" ({self.size_bytes / 1024**2:,.1f} MB)" if self.size_bytes is not None else ""
        return (
            f"published {len(self.row_counts)} marts ({sum(self.row_counts.values()):,} rows, "
            f"data as of {self.as_of:%Y-%m-%d %H:%M}) to {self.where}{size} "
            f"in {self.seconds:.1f}s"
        )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise PublishError(f"no {what} at {path}: run `csm build` (or dbt build) first") from None
    except (OSError, ValueError) as error:
        raise PublishError(f"cannot read {what} {path}: {error}") from None
    if not isinstance(data, dict):
        raise PublishError(f"{what} {path} is not a JSON object")
    return data


def public_marts(target: Path) -> tuple[list[Mart], Mart]:
    """The public models of target/manifest.json, and the as-of model (stg_meta__as_of)."""
    manifest = _read_json(target / "manifest.json", "dbt manifest")
    marts: list[Mart] = []
    as_of: Mart | None = None
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "model":
            continue
        mart = Mart(
            name=node["name"],
            schema=node["schema"],
            identifier=node.get("alias") or node["name"],
            description=node.get("description") or "",
            columns={
                name: column.get("description") or ""
                for name, column in (node.get("columns") or {}).items()
            },
        )
        if node.get("access") == "public":
            marts.append(mart)
        elif node["name"] == AS_OF_MODEL:
            as_of = mart
    if not marts or as_of is None:
        raise PublishError(
            f"the manifest in {target} has no public marts or no {AS_OF_MODEL}: "
            "is it this project's?"
        )
    return sorted(marts, key=lambda mart: mart.name), as_of


def read_run_results(target: Path) -> RunResults:
    data = _read_json(target / "run_results.json", "dbt run results")
    metadata = data.get("metadata") or {}
    generated = _utc(metadata["generated_at"])
    started = metadata.get("invocation_started_at")
    return RunResults(
        invocation_id=str(metadata.get("invocation_id") or ""),
        started_at=_utc(started) if started else generated,
        generated_at=generated,
        dbt_version=str(metadata.get("dbt_version") or ""),
        variables=dict((data.get("args") or {}).get("vars") or {}),
        failures=[
            (str(result.get("unique_id")), str(result.get("status")))
            for result in data.get("results") or []
            if str(result.get("status")) in FAILED_STATUSES
        ],
    )


def describe_failures(failures: list[tuple[str, str]]) -> str:
    """'2 tests failed, 1 model errored' from (unique_id, status) pairs."""
    counts: dict[str, int] = {}
    for unique_id, status in failures:
        kind = unique_id.split(".", 1)[0].replace("_", " ")
        verb = "failed" if status == "fail" else "errored"
        counts[f"{kind} {verb}"] = counts.get(f"{kind} {verb}", 0) + 1
    parts = []
    for what, count in counts.items():
        kind, verb = what.rsplit(" ", 1)
        parts.append(f"{count} {kind}{'' if count == 1 else 's'} {verb}")
    return ", ".join(parts) or "dbt failed"


def serving_state(serving: Path) -> str:
    """What the serving file holds, for the 'not published' line."""
    if not serving.is_file():
        return f"nothing has been published to {serving} yet"
    try:
        with duckdb.connect(str(serving), read_only=True) as connection:
            row = connection.execute(
                f"select as_of_timestamp, published_at from {PUBLISH_INFO}"
            ).fetchone()
    except duckdb.Error as error:
        return f"the serving database {serving} could not be read: {error}"
    if row is None:
        return f"the serving database {serving} has no {PUBLISH_INFO} row"
    return (
        f"the serving database still holds the data as of {row[0]:%Y-%m-%d %H:%M} "
        f"(published {row[1]:%Y-%m-%d %H:%M} UTC)"
    )


def _project_version(project: Path) -> str | None:
    try:
        return str(yaml.safe_load((project / "dbt_project.yml").read_text()).get("version"))
    except (OSError, yaml.YAMLError, AttributeError):
        return None


def git_commit(project: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(project), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else None


# publish_info: its columns and their types (the same on DuckDB and PostgreSQL)
INFO_COLUMNS = (
    ("as_of_timestamp", "timestamp"),  # the data's "now" (stg_meta__as_of or the var)
    ("build_started_at", "timestamp"),  # when dbt started the build, UTC
    ("published_at", "timestamp"),  # when this snapshot was written, UTC
    ("project_version", "varchar"),  # dbt_project.yml version
    ("git_commit", "varchar"),  # the checkout's commit, null outside git
    ("dbt_invocation_id", "varchar"),
    ("dbt_version", "varchar"),
    ("mart_count", "integer"),
    ("mart_row_counts", "json"),  # {"mart": rows, ...}
)


def publish_info(
    project: Path, run: RunResults, as_of: datetime, counts: dict[str, int]
) -> dict[str, object]:
    """The publish_info row of a snapshot (see INFO_COLUMNS)."""
    return {
        "as_of_timestamp": as_of,
        "build_started_at": run.started_at,
        "published_at": datetime.now(UTC).replace(tzinfo=None),
        "project_version": _project_version(project),
        "git_commit": git_commit(project),
        "dbt_invocation_id": run.invocation_id,
        "dbt_version": run.dbt_version,
        "mart_count": len(counts),
        "mart_row_counts": json.dumps(counts),
    }


def refusal(run: RunResults) -> str | None:
    """Why the last dbt run must not be published (failed or errored nodes), or None."""
    if not run.failures:
        return None
    names = ", ".join(node for node, _status in run.failures[:10])
    more = f" and {len(run.failures) - 10} more" if len(run.failures) > 10 else ""
    return (
        f"the last dbt run ({run.invocation_id}, {run.generated_at:%Y-%m-%d %H:%M} UTC) has "
        f"{describe_failures(run.failures)}: {names}{more}"
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_temporaries(serving: Path) -> None:
    """Files a killed publish left beside the serving path (their process is gone)."""
    for path in serving.parent.glob(f".{serving.name}{TEMP_MARK}*"):
        pid_text = path.name.split(TEMP_MARK, 1)[1].split(".", 1)[0]
        if not pid_text.isdigit() or not _pid_alive(int(pid_text)):
            path.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_not_open_for_writing(serving: Path) -> None:
    """A leftover serving WAL means a process opened the serving file read-write: refuse if
    it still holds it; otherwise the WAL is stale (that process crashed) and goes."""
    wal = serving.with_name(serving.name + ".wal")
    if not wal.exists():
        return
    try:
        duckdb.connect(str(serving), read_only=True).close()
    except duckdb.IOException as error:
        raise PublishError(
            f"the serving database {serving} is open for writing in another process ({error}); "
            "readers must open it read-only"
        ) from None
    wal.unlink(missing_ok=True)


def _copy_marts(
    connection: duckdb.DuckDBPyConnection,
    marts: list[Mart],
    progress: Callable[[str], None],
) -> dict[str, int]:
    counts = {}
    for number, mart in enumerate(marts, start=1):
        table = f"main.{_quote(mart.name)}"
        connection.execute(
            f"create table {table} as select * from "
            f"working.{_quote(mart.schema)}.{_quote(mart.identifier)}"
        )
        if mart.description:
            connection.execute(f"comment on table {table} is {_literal(mart.description)}")
        for column, description in mart.columns.items():
            if description:
                connection.execute(
                    f"comment on column {table}.{_quote(column)} is {_literal(description)}"
                )
        row = connection.execute(f"select count(*) from {table}").fetchone()
        counts[mart.name] = int(row[0]) if row else 0
        progress(f"  {number}/{len(marts)} {mart.name}: {counts[mart.name]:,} rows")
    return counts


def _as_of(connection: duckdb.DuckDBPyConnection, run: RunResults, as_of_model: Mart) -> datetime:
    fixed = run.variables.get("as_of_timestamp")
    if fixed:
        row = connection.execute("select cast(? as timestamp)", [str(fixed)]).fetchone()
    else:
        row = connection.execute(
            f"select max(as_of_timestamp) from "
            f"working.{_quote(as_of_model.schema)}.{_quote(as_of_model.identifier)}"
        ).fetchone()
    if row is None or row[0] is None:
        raise PublishError("the working database has no as-of timestamp (stg_meta__as_of)")
    return row[0]


def publish(
    working: Path,
    serving: Path,
    project: Path,
    target: Path,
    progress: Callable[[str], None] = lambda _line: None,
) -> Published:
    """Copy the public marts of `working` into a new file and rename it over `serving`."""
    started = time.monotonic()
    run = read_run_results(target)
    marts, as_of_model = public_marts(target)
    try:
        serving.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PublishError(f"cannot create the serving folder {serving.parent}: {error}") from None
    _remove_stale_temporaries(serving)
    temporary = serving.with_name(f".{serving.name}{TEMP_MARK}{os.getpid()}")
    temporary.unlink(missing_ok=True)
    progress(f"publishing {len(marts)} marts to {serving}")
    try:
        # the build's memory cap: without it DuckDB takes 80% of RAM, and the copy of the
        # `large` marts peaked at 6.5 GiB against 4.9 GiB capped (docs/benchmarks.md)
        memory_limit = paths.duckdb_memory_limit()
        try:
            connection = duckdb.connect(str(temporary), config={"memory_limit": memory_limit})
        except duckdb.Error as error:
            raise PublishError(
                f"CSM_DUCKDB_MEMORY_LIMIT={memory_limit!r} is not a size DuckDB reads "
                f"(e.g. 5GB): {error}"
            ) from None
        try:
            connection.execute(f"attach {_literal(str(working))} as working (read_only)")
            as_of = _as_of(connection, run, as_of_model)
            counts = _copy_marts(connection, marts, progress)
            info = publish_info(project, run, as_of, counts)
            columns = ", ".join(f"cast(? as {kind}) as {name}" for name, kind in INFO_COLUMNS)
            connection.execute(
                f"create table {PUBLISH_INFO} as select {columns}",
                [info[name] for name, _kind in INFO_COLUMNS],
            )
            connection.execute("detach working")
            connection.execute("checkpoint")
        finally:
            connection.close()
        if temporary.with_name(temporary.name + ".wal").exists():
            raise PublishError(f"{temporary} kept a WAL after its checkpoint; not published")
        _fsync(temporary)
        _check_not_open_for_writing(serving)
        os.replace(temporary, serving)
        _fsync(serving.parent)
    except duckdb.Error as error:
        raise PublishError(f"publishing failed, the serving file is unchanged: {error}") from None
    finally:
        temporary.unlink(missing_ok=True)
        temporary.with_name(temporary.name + ".wal").unlink(missing_ok=True)
    seconds = time.monotonic() - started
    return Published(str(serving), as_of, counts, seconds, serving.stat().st_size)


def read_publish_info(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The publish_info row of a serving connection as a dict."""
    cursor = connection.execute(f"select * from {PUBLISH_INFO}")
    columns = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    if row is None:
        raise LookupError(f"{PUBLISH_INFO} is empty")
    return dict(zip(columns, row, strict=True))


def mart_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """The marts of a serving database (every table in main but publish_info)."""
    return [
        row[0]
        for row in connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'main' and table_catalog = current_database() "
            "and table_name <> ? order by table_name",
            [PUBLISH_INFO],
        ).fetchall()
    ]
