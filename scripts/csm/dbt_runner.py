"""Run `dbt build` in-process (dbt's programmatic API) and explain what failed."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

FAILED_STATUSES = frozenset({"error", "fail", "runtime error", "partial success"})
WARN_STATUSES = frozenset({"warn"})
SKIPPED_STATUSES = frozenset({"skipped"})
MESSAGE_LINES = 5
# On an incremental run the tests of the event-scale and daily models (config meta
# test_recent_by) read only their last days (macro get_where_subquery, var test_recent_days).
RECENT_TEST_DAYS = 7


@dataclass(frozen=True)
class BuildOptions:
    """What to pass through to `dbt build`."""

    select: Sequence[str] = ()
    exclude: Sequence[str] = ()
    full_refresh: bool = False
    vars: str | None = None
    # unit tests check the SQL logic, not the data: an incremental run of an unchanged
    # project can skip them (dbt's advice: run them in development and CI)
    skip_unit_tests: bool = False
    # the seed tables hold the current seed files, loaded and tested by the previous build
    # (buildstate.seeds_unchanged): the seeds and the tests that read only seeds are skipped
    # (a test that also reads a model still runs: cautious indirect selection)
    skip_seeds: bool = False


@dataclass(frozen=True)
class NodeOutcome:
    """One dbt node that did not simply succeed."""

    node: str
    status: str
    message: str
    sql: str | None = None  # a test's compiled query (what it returned can be read again)
    # what a test found, read again (read_findings): a policy test's findings, one line per
    # table or column; a failed test's first rows
    findings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The node's name: test.customer_success.<name>.<hash> -> <name>."""
        parts = self.node.split(".")
        return parts[2] if len(parts) >= 3 else self.node


@dataclass
class BuildOutcome:
    success: bool
    failed: list[NodeOutcome] = field(default_factory=list)
    warned: list[NodeOutcome] = field(default_factory=list)
    skipped: list[NodeOutcome] = field(default_factory=list)
    exception: BaseException | None = None

    @property
    def exit_code(self) -> int:
        return 0 if self.success else 1


def export_paths(raw: Path, duckdb_file: Path) -> None:
    """Expose the folders to profiles.yml and the sources (env_var) and silence telemetry."""
    os.environ["CSM_RAW_DIR"] = str(raw.resolve())
    os.environ["CSM_DUCKDB_PATH"] = str(duckdb_file.resolve())
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
    duckdb_file.parent.mkdir(parents=True, exist_ok=True)


def with_recent_tests(variables: str | None) -> str:
    """The --vars value plus test_recent_days (as JSON, which is YAML)."""
    import yaml

    parsed = yaml.safe_load(variables) if variables else {}
    if not isinstance(parsed, dict):
        raise ValueError(f"--vars must be a YAML mapping, got: {variables}")
    return json.dumps({**parsed, "test_recent_days": RECENT_TEST_DAYS})


def build_args(project: Path, options: BuildOptions) -> list[str]:
    """The `dbt build` command line."""
    args = [
        "build",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--no-send-anonymous-usage-stats",
    ]
    if not os.environ.get("DBT_LOG_LEVEL_FILE"):
        # logs/dbt.log at info (each node's result, every error and warning in full) unless
        # DBT_LOG_LEVEL_FILE says otherwise: dbt's default, debug, writes each statement and
        # its timing, about three lines a statement, and cost ~2 s of CPU in the 23 s `small`
        # daily run (py-spy; docs/benchmarks.md). DBT_LOG_LEVEL_FILE=debug brings it back.
        args += ["--log-level-file", "info"]
    if options.select:
        args += ["--select", *options.select]
    exclude = [*options.exclude, *(["resource_type:seed"] if options.skip_seeds else [])]
    if exclude:
        args += ["--exclude", *exclude]
    if options.skip_seeds:
        args += ["--indirect-selection", "cautious"]
    if options.full_refresh:
        args.append("--full-refresh")
    if options.skip_unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if options.vars:
        args += ["--vars", options.vars]
    return args


def _node_name(result: Any) -> str:
    node = getattr(result, "node", None)
    return str(getattr(node, "unique_id", None) or getattr(node, "name", None) or "<unknown node>")


def _outcome(result: Any) -> NodeOutcome:
    status = str(getattr(result, "status", "unknown"))
    message = str(getattr(result, "message", None) or "").strip() or "(dbt gave no message)"
    name = _node_name(result)
    sql = getattr(getattr(result, "node", None), "compiled_code", None)
    return NodeOutcome(name, status, message, sql if name.startswith("test.") else None)


def classify(dbt_result: Any, success: bool, exception: BaseException | None) -> BuildOutcome:
    """Sort the node results of a dbtRunnerResult into failed / warned / skipped."""
    outcome = BuildOutcome(success=success and exception is None, exception=exception)
    for result in getattr(dbt_result, "results", None) or []:
        node = _outcome(result)
        if node.status in FAILED_STATUSES:
            outcome.failed.append(node)
        elif node.status in WARN_STATUSES:
            outcome.warned.append(node)
        elif node.status in SKIPPED_STATUSES:
            outcome.skipped.append(node)
    return outcome


def release_duckdb() -> None:
    """Close dbt-duckdb's cached in-process connection so the file can be reopened read-only."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    env = DuckDBConnectionManager._ENV
    if env is not None:
        try:
            env.close()
        finally:
            DuckDBConnectionManager.close_all_connections()


def run_build(project: Path, options: BuildOptions) -> BuildOutcome:
    """Run `dbt build` on the project; the paths must already be exported (export_paths)."""
    from dbt.cli.main import dbtRunner

    try:
        res = dbtRunner().invoke(build_args(project, options))
    except Exception as error:  # dbt raising instead of returning is still a build failure
        return BuildOutcome(success=False, exception=error)
    finally:
        release_duckdb()
    return classify(res.result, res.success, res.exception)


CONTRACT_FAILED = "This model has an enforced contract that failed."


def contract_mismatches(message: str) -> list[str]:
    """The rows of dbt's contract mismatch table as sentences naming column and both types
    ([] when the message is not a contract failure)."""
    if CONTRACT_FAILED not in message:
        return []
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in message.splitlines()
        if line.strip().startswith("|")
    ]
    if not rows or rows[0][:3] != ["column_name", "definition_type", "contract_type"]:
        return []
    sentences = []
    for column, in_sql, in_contract, *reason in rows[2:]:
        why = reason[0] if reason else "mismatch"
        sentences.append(
            f"column {column}: the SQL gives {in_sql or '(none)'}, the contract says "
            f"{in_contract or '(none)'} ({why})"
        )
    return sentences


def _indent(message: str, log_file: Path) -> list[str]:
    mismatches = contract_mismatches(message)
    if mismatches:
        return ["      enforced contract failed:", *(f"        {line}" for line in mismatches)]
    lines = message.splitlines()
    shown = [f"      {line}" for line in lines[:MESSAGE_LINES]]
    if len(lines) > MESSAGE_LINES:
        shown.append(f"      ... ({len(lines) - MESSAGE_LINES} more lines, see {log_file})")
    return shown


def _block(title: str, nodes: list[NodeOutcome], log_file: Path) -> list[str]:
    lines = [title]
    for node in nodes:
        lines.append(f"  - {node.node} [{node.status}]")
        lines += [f"      {finding}" for finding in node.findings]
        lines += _indent(node.message, log_file)
    return lines


def warning_lines(node: NodeOutcome) -> list[str]:
    """One line per policy finding of a warned test (a test checking several tables or columns
    finds one each), else the first line of dbt's message."""
    found = node.findings or (node.message.splitlines()[0],)
    return [f"  - warn  {what}  [{node.name}]" for what in found]


# --- what a data-quality policy test found (macro policy_levels) ---------------------------

POLICY_COLUMNS = ("level", "check_family", "table_name", "column_name", "measure", "threshold")
HOURS_FAMILIES = frozenset({"event_lag_hours", "load_age_hours"})


def format_measure(check_family: str, value: float) -> str:
    """A policy measure as read: hours for the timeliness families, else a percentage."""
    return f"{value:,.1f} h" if check_family in HOURS_FAMILIES else f"{value:.2%}"


def describe_finding(row: dict[str, Any]) -> str:
    """'missing_rate of billing_subscription_periods.cancel_reason: 100.00% of 1,887 rows,
    warns above 95.00% (note)' from a row a policy test returned."""
    family = str(row["check_family"])
    where = str(row["table_name"])
    if row["column_name"] not in (None, "*"):
        where += f".{row['column_name']}"
    measure = format_measure(family, float(row["measure"]))
    limit = format_measure(family, float(row["threshold"]))
    verb = "fails" if row["level"] == "error" else "warns"
    checked = row.get("checked_rows")
    rows = f" of {int(checked):,} rows" if checked is not None else ""
    note = f" ({row['note']})" if row.get("note") else ""
    return f"{family} of {where}: {measure}{rows}, {verb} above {limit}{note}"


def worst_findings(rows: list[dict[str, Any]]) -> tuple[str, ...]:
    """One line per check a policy test returned rows for (a check above its error threshold
    returns a 'warn' and an 'error' row: the error is the one shown), in table and column
    order."""
    worst: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        check = (str(row["table_name"]), str(row["column_name"]), str(row["check_family"]))
        if check not in worst or row["level"] == "error":
            worst[check] = row
    return tuple(describe_finding(worst[check]) for check in sorted(worst))


FAILED_ROWS_SHOWN = 5


def describe_row(row: dict[str, Any]) -> str:
    """'source_table=crm_csms, raw_count=15, kept_count=14' from a row a failed test returned."""
    return ", ".join(f"{column}={value}" for column, value in row.items())


def first_rows(cursor: Any, columns: list[str]) -> tuple[str, ...]:
    """The first FAILED_ROWS_SHOWN rows of a failed test's result, one line each, and how many
    more there are: the rest is counted in batches, not held (a failed key test on the events
    can return millions of rows)."""
    shown = [
        describe_row(dict(zip(columns, row, strict=True)))
        for row in cursor.fetchmany(FAILED_ROWS_SHOWN)
    ]
    more = 0
    while batch := cursor.fetchmany(10_000):
        more += len(batch)
    if more:
        shown.append(f"... ({more:,} more rows)")
    return tuple(shown)


def read_findings(outcome: BuildOutcome, duckdb_file: Path) -> BuildOutcome:
    """The outcome with what each warned or failed test found, read again from the working
    database by the test's own query (dbt's message only says how many rows the test
    returned): a policy test's findings, one line per table or column; a failed test's first
    rows (a test that checks every raw table names the one that broke). A warned test that is
    not a policy test, and any read that fails, keep dbt's message alone."""
    nodes = [node for node in [*outcome.warned, *outcome.failed] if node.sql]
    if not nodes or not duckdb_file.is_file():
        return outcome
    import duckdb

    failed = {node.node for node in outcome.failed}
    found: dict[str, tuple[str, ...]] = {}
    try:
        with duckdb.connect(str(duckdb_file), read_only=True) as connection:
            for node in nodes:
                try:
                    cursor = connection.execute(f"select * from ({node.sql}) as findings")
                    columns = [column[0] for column in cursor.description]
                    if set(POLICY_COLUMNS) <= set(columns):
                        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
                        if rows:
                            found[node.node] = worst_findings(rows)
                    elif node.node in failed:
                        shown = first_rows(cursor, columns)
                        if shown:
                            found[node.node] = shown
                except duckdb.Error:
                    continue
    except duckdb.Error:
        return outcome

    def enrich(nodes: list[NodeOutcome]) -> list[NodeOutcome]:
        return [replace(node, findings=found.get(node.node, ())) for node in nodes]

    return replace(outcome, warned=enrich(outcome.warned), failed=enrich(outcome.failed))


def report(outcome: BuildOutcome, log_file: Path) -> str:
    """Failed nodes, warnings (one line each) and dbt's own exception as text ('' when
    nothing to say)."""
    lines: list[str] = []
    if outcome.warned:
        warnings = [line for node in outcome.warned for line in warning_lines(node)]
        lines.append(f"{len(warnings)} warning(s), not failing the build:")
        lines += warnings
    if outcome.failed:
        lines += _block("Failed nodes:", outcome.failed, log_file)
    if outcome.skipped and not outcome.success:
        lines.append(f"{len(outcome.skipped)} node(s) skipped because an upstream node failed")
    if outcome.exception is not None:
        lines.append(f"dbt raised {type(outcome.exception).__name__}: {outcome.exception}")
    if not outcome.success and not outcome.failed and outcome.exception is None:
        lines.append(f"dbt reported a failure without node results: see {log_file}")
    return "\n".join(lines)
