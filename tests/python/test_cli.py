"""The `csm` command: argument handling, the input gate before dbt, the generate cache, and
`csm build` on a tiny fake dbt project (one failing and one passing build)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import types
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from csm import buildstate, cli, dbt_runner


@pytest.fixture(autouse=True)
def _restore_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """`csm build` exports these into os.environ; give them back after each test."""
    for name in ("CSM_RAW_DIR", "CSM_DUCKDB_PATH", "DBT_SEND_ANONYMOUS_USAGE_STATS"):
        monkeypatch.setenv(name, "unset-by-test")
        monkeypatch.delenv(name)


def _no_dbt(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("dbt must not run when the raw folder is invalid")


def test_build_with_bad_raw_folder_exits_2_before_dbt(
    valid_raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr(dbt_runner, "run_build", _no_dbt)
    shutil.rmtree(valid_raw / "support_tickets")
    code = cli.main(
        ["build", "--raw-dir", str(valid_raw), "--duckdb-path", str(tmp_path / "w.duckdb")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "input error: missing table folder" in err
    assert "support_tickets" in err
    assert "csm generate" in err


def test_entry_runs_the_exit_handlers_and_exits_with_mains_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The command runs the atexit handlers itself, then leaves without finalizing the
    interpreter (whose final garbage collection walks dbt's objects), with main()'s code."""
    calls: list[str] = []
    monkeypatch.setattr(cli, "main", lambda: calls.append("main") or 3)
    monkeypatch.setattr(cli.atexit, "_run_exitfuncs", lambda: calls.append("atexit"))
    monkeypatch.setattr(cli.os, "_exit", lambda code: calls.append(f"exit {code}"))
    cli.entry()
    assert calls == ["main", "atexit", "exit 3"]


def test_validate_command(valid_raw: Path, capsys) -> None:
    assert cli.main(["--raw-dir", str(valid_raw), "validate"]) == 0
    assert capsys.readouterr().out.startswith("OK")
    (valid_raw / "crm_csms" / "part-0.parquet").write_bytes(b"garbage")
    assert cli.main(["validate", "--raw-dir", str(valid_raw)]) == 2
    assert "unreadable Parquet file" in capsys.readouterr().err


def test_path_flag_before_subcommand_is_kept() -> None:
    args = cli.build_parser().parse_args(["--raw-dir", "a", "build", "--select", "x", "y"])
    assert args.raw_dir == "a"
    assert args.select == ["x", "y"]
    args = cli.build_parser().parse_args(["build", "--raw-dir", "b"])
    assert args.raw_dir == "b"


@pytest.fixture
def fake_generator(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Replace csm.generator with a stub that records its calls and writes _generation.json."""
    calls: list[dict] = []

    def generate(out_dir: Path, scale: str, seed: int, end_date: date, months: int, progress):
        calls.append({"scale": scale, "seed": seed, "end_date": end_date, "months": months})
        out_dir.mkdir(parents=True, exist_ok=True)
        params = cli.generation_params(scale, seed, end_date, months)
        (out_dir / cli.GENERATION_FILE).write_text(json.dumps(params))
        return {"crm_accounts": 10, "product_events": 1000}

    module = types.ModuleType("csm.generator")
    module.generate = generate  # type: ignore[attr-defined]
    module.SCALES = {"tiny": {}, "small": {}}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "csm.generator", module)
    return calls


GEN_ARGS = ["--scale", "tiny", "--seed", "7", "--end-date", "2024-06-30", "--months", "3"]


def test_generate_if_missing_skips_when_generation_matches(
    tmp_path: Path, fake_generator: list[dict], capsys
) -> None:
    out = tmp_path / "raw"
    out.mkdir()
    recorded = {"scale": "tiny", "seed": 7, "end_date": "2024-06-30", "months": 3, "rows": {}}
    (out / "_generation.json").write_text(json.dumps(recorded))
    assert cli.main(["generate", *GEN_ARGS, "--out", str(out), "--if-missing"]) == 0
    assert fake_generator == []
    assert "skipping" in capsys.readouterr().out


def test_generate_if_missing_runs_when_arguments_differ(
    tmp_path: Path, fake_generator: list[dict], capsys
) -> None:
    out = tmp_path / "raw"
    out.mkdir()
    recorded = {"scale": "tiny", "seed": 8, "end_date": "2024-06-30", "months": 3}
    (out / "_generation.json").write_text(json.dumps(recorded))
    assert cli.main(["generate", *GEN_ARGS, "--out", str(out), "--if-missing"]) == 0
    assert fake_generator == [
        {"scale": "tiny", "seed": 7, "end_date": date(2024, 6, 30), "months": 3}
    ]
    out_text = capsys.readouterr().out
    assert "product_events" in out_text
    assert "1,010 rows" in out_text


def test_generate_without_if_missing_always_runs(
    tmp_path: Path, fake_generator: list[dict]
) -> None:
    out = tmp_path / "raw"
    assert cli.main(["generate", *GEN_ARGS, "--out", str(out)]) == 0
    assert cli.main(["generate", *GEN_ARGS, "--out", str(out)]) == 0
    assert len(fake_generator) == 2


def test_generate_reports_a_missing_generator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setitem(sys.modules, "csm.generator", None)
    assert cli.main(["generate", *GEN_ARGS, "--out", str(tmp_path / "raw")]) == 2
    assert "csm.generator" in capsys.readouterr().err


def test_demo_generates_once_then_validates_before_dbt(
    tmp_path: Path, fake_generator: list[dict], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr(dbt_runner, "run_build", _no_dbt)
    args = ["demo", *GEN_ARGS, "--raw-dir", str(tmp_path / "raw")]
    args += ["--duckdb-path", str(tmp_path / "w.duckdb")]
    assert cli.main(args) == 2  # the stub generator writes no tables
    assert cli.main(args) == 2
    assert len(fake_generator) == 1
    assert "missing table folder" in capsys.readouterr().err


def test_bad_end_date_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["generate", "--end-date", "30/06/2024"])
    assert exit_info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


# --- csm build on a fake dbt project -----------------------------------------------------

FAKE_FILES = {
    "dbt_project.yml": """
name: fake
version: "0.1.0"
config-version: 2
profile: fake
models:
  fake:
    marts:
      +schema: marts
      +materialized: table
""",
    "profiles.yml": """
fake:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('CSM_DUCKDB_PATH') }}"
      threads: 1
""",
    "models/staging/things/_things__sources.yml": """
version: 2
sources:
  - name: things
    tables:
      - name: things
        config: {meta: {key: [id], latest_by: [id]}}
        columns:
          - name: id
            data_type: varchar
            config: {meta: {required: true}}
""",
    "models/staging/stg_quarantine__row_accounting.sql": (
        "select 'things' as source_table, 3 as raw_rows, 2 as kept_rows, "
        "0.01::double as quarantine_rate"
    ),
    "models/marts/ok_mart.sql": "select 1 as id union all select 2",
    "models/marts/broken.sql": "select * from no_such_table",
    "tests/ok_mart_is_empty.sql": "select * from {{ ref('ok_mart') }}",
}


@pytest.fixture(scope="module")
def fake_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fake_project")
    for name, text in FAKE_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text.lstrip())
    (root / "raw" / "things").mkdir(parents=True)
    pq.write_table(pa.table({"id": ["a", "b"]}), root / "raw" / "things" / "p.parquet")
    return root


def _build(project: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    monkeypatch.setenv("CSM_PROJECT_DIR", str(project))
    raw, warehouse = project / "raw", project / "warehouse" / "fake.duckdb"
    return cli.main(["build", "--raw-dir", str(raw), "--duckdb-path", str(warehouse), *extra])


def test_build_failure_names_failing_nodes(
    fake_project: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    code = _build(fake_project, monkeypatch)
    captured = capsys.readouterr()
    assert code == 1
    assert "building against" in captured.out
    assert "Failed nodes:" in captured.err
    assert "model.fake.broken [error]" in captured.err
    assert "no_such_table" in captured.err
    assert "test.fake.ok_mart_is_empty [fail]" in captured.err


def test_build_success_prints_summary(
    fake_project: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    code = _build(fake_project, monkeypatch, "--exclude", "broken", "ok_mart_is_empty")
    out = capsys.readouterr().out
    assert code == 0
    assert "Warehouse:" in out
    assert "Raw row accounting:" in out
    assert "1.00%" in out
    assert "main_marts.ok_mart" in out
    assert "Failed nodes:" not in out
    # the runner released every connection: another process can open the file for writing
    warehouse = fake_project / "warehouse" / "fake.duckdb"
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; duckdb.connect(sys.argv[1]).close()",
            str(warehouse),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert other.returncode == 0, other.stderr


# --- incremental runs test recent rows ---------------------------------------------------


def test_recent_tests_var_is_added_to_the_users_vars() -> None:
    days = dbt_runner.RECENT_TEST_DAYS
    assert json.loads(dbt_runner.with_recent_tests(None)) == {"test_recent_days": days}
    merged = json.loads(dbt_runner.with_recent_tests("{usage_lookback_days: 5}"))
    assert merged == {"usage_lookback_days": 5, "test_recent_days": days}
    with pytest.raises(ValueError, match="YAML mapping"):
        dbt_runner.with_recent_tests("[1, 2]")


def test_a_warehouse_counts_as_built_once_it_holds_the_event_table(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    for statement, built in (
        ("create schema main_staging", False),
        ("create table main_staging.base_product__events (event_id varchar)", True),
    ):
        connection = duckdb.connect(str(warehouse))
        connection.execute(statement)
        connection.close()
        begun = buildstate.start(warehouse, full_refresh=False, selection="")
        assert begun.was_built is built
        buildstate.finish(warehouse, begun.build_id, succeeded=True, invocation_id=None)


def test_a_failed_full_refresh_is_repeated_and_says_why(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    first = buildstate.start(warehouse, full_refresh=True, selection="")
    assert (first.build_id, first.full_refresh, first.reason) == (1, True, None)
    interrupted = buildstate.start(warehouse, full_refresh=False, selection="")
    assert interrupted.full_refresh
    assert "the full refresh of build 1" in (interrupted.reason or "")
    assert "was interrupted" in (interrupted.reason or "")
    buildstate.finish(warehouse, interrupted.build_id, succeeded=False, invocation_id=None)
    failed = buildstate.start(warehouse, full_refresh=False, selection="")
    assert failed.full_refresh and "failed" in (failed.reason or "")
    buildstate.finish(warehouse, failed.build_id, succeeded=True, invocation_id="x")
    plain = buildstate.start(warehouse, full_refresh=False, selection="")
    assert (plain.full_refresh, plain.reason) == (False, None)
    last = buildstate.last_build(warehouse)
    assert last is not None and (last.build_id, last.status) == (4, buildstate.STARTED)


def test_a_second_lock_holder_is_named(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with buildstate.exclusive(warehouse, "build"):
        holder = subprocess.run(
            [sys.executable, "-c", LOCK_AGAIN, str(warehouse)],
            capture_output=True,
            text=True,
            check=False,
        )
    assert f"another csm build or publish (pid {os.getpid()}, started" in holder.stdout
    with buildstate.exclusive(warehouse, "build"):  # released: free again
        pass


LOCK_AGAIN = (
    "import sys; from pathlib import Path; from csm import buildstate\n"
    "try:\n"
    "    with buildstate.exclusive(Path(sys.argv[1]), 'build'): pass\n"
    "except buildstate.SetupError as error: print(error)\n"
)


def test_unit_tests_are_excluded_only_when_asked() -> None:
    project = Path("/p")
    assert "--exclude-resource-type" not in dbt_runner.build_args(
        project, dbt_runner.BuildOptions()
    )
    args = dbt_runner.build_args(project, dbt_runner.BuildOptions(skip_unit_tests=True))
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"


def _built_warehouse(path: Path) -> Path:
    connection = duckdb.connect(str(path))
    connection.execute("create schema main_staging")
    connection.execute("create table main_staging.base_product__events (event_id varchar)")
    connection.close()
    return path


def test_seeds_are_skipped_only_after_a_successful_build_of_the_same_seeds(
    tmp_path: Path,
) -> None:
    warehouse = _built_warehouse(tmp_path / "w.duckdb")

    def build(
        seeds: str, succeeded: bool = True, full_refresh: bool = False, selection: str = ""
    ) -> bool:
        begun = buildstate.start(warehouse, full_refresh, selection, seeds)
        buildstate.finish(warehouse, begun.build_id, succeeded, invocation_id=None)
        return begun.seeds_unchanged

    assert not build("a")  # no build before
    assert build("a")
    assert not build("a", full_refresh=True)  # a full refresh reloads them
    assert build("a", succeeded=False)  # the previous build succeeded: skipped, then failed
    assert not build("a")  # the previous build failed: it may have loaded other files
    assert not build("b")  # edited since the previous build
    assert not build("b", selection="--select fct_alerts")  # a selection records no seeds
    assert not build("b")  # ... so the next build reloads them
    assert build("b")


def test_the_seed_fingerprint_follows_the_seeds_macros_singular_tests_and_project(
    tmp_path: Path,
) -> None:
    project = tmp_path / "p"
    for path, text in (
        ("dbt_project.yml", "name: x\n"),
        ("seeds/a.csv", "k\n1\n"),
        ("macros/m.sql", "{% macro m() %}1{% endmacro %}"),
        ("tests/t.sql", "select 1 where false"),
        ("tests/python/test_x.py", "x = 1\n"),
        ("models/m.sql", "select 1"),
    ):
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text)
    fingerprints = {buildstate.seed_fingerprint(project)}
    for path, text in (
        ("seeds/a.csv", "k\n2\n"),
        ("seeds/b.csv", "k\n2\n"),
        ("macros/m.sql", "{% macro m() %}2{% endmacro %}"),
        ("tests/t.sql", "select 2 where false"),
        ("dbt_project.yml", "name: y\n"),
    ):
        (project / path).write_text(text)
        fingerprints.add(buildstate.seed_fingerprint(project))
    assert len(fingerprints) == 6  # each edit changed it
    (project / "tests/python/test_x.py").write_text("x = 2\n")
    (project / "models/m.sql").write_text("select 2")
    assert buildstate.seed_fingerprint(project) in fingerprints  # models and Python: not


def test_dbt_log_file_at_info_unless_the_environment_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DBT_LOG_LEVEL_FILE", raising=False)
    args = dbt_runner.build_args(Path("/p"), dbt_runner.BuildOptions())
    assert args[args.index("--log-level-file") + 1] == "info"
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")  # dbt reads it: no flag to override it
    assert "--log-level-file" not in dbt_runner.build_args(Path("/p"), dbt_runner.BuildOptions())


def test_skipped_seeds_exclude_the_seeds_and_only_their_own_tests() -> None:
    project = Path("/p")
    plain = dbt_runner.build_args(project, dbt_runner.BuildOptions())
    assert "--indirect-selection" not in plain and "--exclude" not in plain
    args = dbt_runner.build_args(
        project, dbt_runner.BuildOptions(exclude=("fct_alerts",), skip_seeds=True)
    )
    assert args[args.index("--exclude") + 1 : args.index("--exclude") + 3] == [
        "fct_alerts",
        "resource_type:seed",
    ]
    assert args[args.index("--indirect-selection") + 1] == "cautious"
