"""`csm`: generate raw extracts, check them, and build the warehouse with dbt.

Exit codes: 0 success, 1 the dbt build failed, 2 bad input (raw folder, arguments, setup).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from csm import (
    buildstate,
    dbt_runner,
    freshness,
    load,
    paths,
    report,
    serving,
    summary,
    validate,
    varcheck,
)

if TYPE_CHECKING:
    from csm.dashboard import SiteResult

SCALE_NAMES = ("tiny", "small", "medium", "large")
GENERATION_FILE = "_generation.json"


class UsageError(Exception):
    """A problem the user fixes by changing arguments, environment or setup (exit 2)."""


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def _path_flags(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--raw-dir",
        default=default,
        help="raw Parquet extracts folder (default: $CSM_RAW_DIR, else data/raw)",
    )
    parser.add_argument(
        "--duckdb-path",
        default=default,
        help="working DuckDB file dbt builds and tests in (default: $CSM_DUCKDB_PATH, else "
        "data/warehouse/customer_success.duckdb)",
    )
    parser.add_argument(
        "--serving-path",
        default=default,
        help="serving DuckDB file readers open, written by publish (default: "
        "$CSM_SERVING_PATH, else data/serving/customer_success.duckdb)",
    )


def _generation_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", choices=SCALE_NAMES, default="small")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--end-date", type=_iso_date, default=None, help="last day of data (default: yesterday)"
    )
    parser.add_argument("--months", type=_positive_int, default=36, help="months of history")


def build_parser() -> argparse.ArgumentParser:
    # Path flags work before or after the subcommand; SUPPRESS keeps a subcommand from
    # overwriting a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    _path_flags(common, argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="csm", description=__doc__.splitlines()[0])
    _path_flags(parser, None)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gen = commands.add_parser("generate", parents=[common], help="write synthetic raw extracts")
    _generation_flags(gen)
    gen.add_argument(
        "--out",
        default=None,
        help="output folder, relative paths resolved like --raw-dir (default: the raw folder)",
    )
    gen.add_argument(
        "--if-missing",
        action="store_true",
        help=f"skip when OUT/{GENERATION_FILE} records the same scale, seed, end date, months",
    )
    gen.set_defaults(func=cmd_generate)

    val = commands.add_parser("validate", parents=[common], help="check the raw folder")
    val.set_defaults(func=cmd_validate)

    fresh = commands.add_parser(
        "freshness",
        parents=[common],
        help="each raw table's latest load against the wall clock (exit 1 naming a stale table)",
    )
    fresh.set_defaults(func=cmd_freshness)

    build = commands.add_parser(
        "build", parents=[common], help="check the raw folder, dbt build, publish if green"
    )
    _build_flags(build)
    build.set_defaults(func=cmd_build)

    pub = commands.add_parser(
        "publish",
        parents=[common],
        help="publish the working database's marts (after a green dbt build)",
    )
    pub.add_argument(
        "--target",
        choices=("duckdb", "postgres"),
        default="duckdb",
        help="duckdb: the working file into the serving file (default); postgres: the "
        "postgres target's marts schema into its serving schema",
    )
    _site_flag(pub)
    pub.set_defaults(func=cmd_publish)

    demo = commands.add_parser(
        "demo", parents=[common], help="generate (if missing) and build the demo warehouse"
    )
    _generation_flags(demo)
    _site_flag(demo)
    demo.set_defaults(func=cmd_demo)

    loader = commands.add_parser(
        "load",
        parents=[common],
        help="copy the raw folder into the raw schema of a Spark or PostgreSQL target",
    )
    loader.add_argument(
        "--target",
        required=True,
        choices=load.LOAD_TARGETS,
        help="profiles.yml target whose schema `raw` receives the tables",
    )
    loader.set_defaults(func=cmd_load)

    rep = commands.add_parser(
        "report", parents=[common], help="the executive KPI summary of a month (fct_kpi_monthly)"
    )
    rep.add_argument("--month", default=None, help="YYYY-MM (default: latest complete month)")
    rep.add_argument("--segment", default="all", help="all, smb, mid_market, enterprise, unknown")
    rep.set_defaults(func=cmd_report)

    exp = commands.add_parser("export", parents=[common], help="write the marts to files for BI")
    exp.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    exp.add_argument("--out", required=True, help="folder to write one file per mart into")
    exp.add_argument(
        "--select", nargs="+", default=["marts"], metavar="MART", help="marts (default: all)"
    )
    exp.set_defaults(func=cmd_export)

    train = commands.add_parser(
        "train",
        parents=[common],
        help="fit the churn model on the built warehouse and write it to its seeds",
    )
    train.add_argument(
        "--evaluation-months",
        type=_positive_int,
        default=9,
        help="the last months with a full 90-day outcome held out for evaluation (default 9)",
    )
    train.add_argument(
        "--regularization",
        type=float,
        default=1.0,
        help="inverse L2 strength C of the logistic regression (default 1.0)",
    )
    train.set_defaults(func=cmd_train)

    dash = commands.add_parser(
        "dashboard",
        parents=[common],
        help="render the dashboards of the serving database into a static site",
    )
    _site_flag(dash)
    dash.set_defaults(func=cmd_dashboard)
    return parser


def _site_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        default=None,
        help="site folder (default: $CSM_SITE_DIR, else data/site); replaced on each render",
    )


def _build_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--select",
        "-s",
        nargs="+",
        action="extend",
        default=[],
        metavar="SEL",
        help="dbt node selection, passed to dbt build",
    )
    parser.add_argument(
        "--exclude",
        nargs="+",
        action="extend",
        default=[],
        metavar="SEL",
        help="dbt nodes to leave out, passed to dbt build",
    )
    parser.add_argument(
        "--full-refresh", action="store_true", help="rebuild incremental models from scratch"
    )
    parser.add_argument("--vars", default=None, metavar="YAML", help="dbt vars, e.g. '{k: v}'")
    parser.add_argument(
        "--test-all-rows",
        action="store_true",
        help="on an incremental run, test every row of the event-scale and daily models "
        f"(default: their last {dbt_runner.RECENT_TEST_DAYS} days) and run the unit tests "
        "(default: skipped); a first or full build does both",
    )
    parser.add_argument(
        "--no-publish",
        action="store_true",
        help="do not publish the marts to the serving database after a green build",
    )
    _site_flag(parser)
    parser.add_argument(
        "--check-freshness",
        action="store_true",
        help="first compare each raw table's latest load with the wall clock (csm freshness): "
        "a table past its limit stops the build (exit 1), nothing is published",
    )


# --- generate -------------------------------------------------------------------------


def generation_params(scale: str, seed: int, end_date: date, months: int) -> dict[str, object]:
    return {"scale": scale, "seed": seed, "end_date": end_date.isoformat(), "months": months}


def generation_matches(out_dir: Path, params: dict[str, object]) -> bool:
    """Whether out_dir already holds data generated with exactly these parameters."""
    try:
        recorded = json.loads((out_dir / GENERATION_FILE).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(recorded, dict) and all(recorded.get(k) == v for k, v in params.items())


def generate_data(
    out_dir: Path, scale: str, seed: int, end_date: date, months: int, if_missing: bool
) -> None:
    params = generation_params(scale, seed, end_date, months)
    described = ", ".join(f"{k}={v}" for k, v in params.items())
    if if_missing and generation_matches(out_dir, params):
        print(f"raw data already generated in {out_dir} ({described}): skipping")
        return
    try:
        from csm.generator import SCALES, generate
    except ImportError as error:
        raise UsageError(
            f"the data generator (csm.generator) cannot be imported: {error}"
        ) from error
    if scale not in SCALES:
        raise UsageError(f"unknown scale {scale!r}: the generator knows {', '.join(SCALES)}")
    print(f"generating raw extracts into {out_dir} ({described})")
    started = time.monotonic()
    rows = generate(
        out_dir, scale=scale, seed=seed, end_date=end_date, months=months, progress=print
    )
    elapsed = time.monotonic() - started
    print(summary.format_table(["table", "rows"], sorted(rows.items())))
    print(f"generated {sum(rows.values()):,} rows in {len(rows)} tables in {elapsed:.1f}s")


def _end_date(value: date | None) -> date:
    return value or date.today() - timedelta(days=1)


def cmd_generate(args: argparse.Namespace) -> int:
    out = paths.raw_dir(args.out or args.raw_dir)
    generate_data(
        out, args.scale, args.seed, _end_date(args.end_date), args.months, args.if_missing
    )
    return 0


# --- validate / build -----------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    raw = paths.raw_dir(args.raw_dir)
    problems = validate.validate_raw(raw)
    print(validate.report(problems, raw), file=sys.stderr if problems else sys.stdout)
    return 2 if problems else 0


def check_freshness(raw: Path, now: datetime | None = None) -> int:
    """Print each raw table's latest load against its limit; 1 when a table is stale."""
    if not raw.is_dir():
        raise UsageError(f"raw folder not found: {raw} (set --raw-dir or CSM_RAW_DIR)")
    now = now or datetime.now(UTC).replace(tzinfo=None)
    try:
        limits = freshness.load_limits(paths.project_dir())
    except (OSError, ValueError, KeyError) as error:
        raise UsageError(f"cannot read the freshness limits: {error}") from None
    results = freshness.check(raw, limits, now)
    stale = freshness.stale(results)
    print(freshness.report(results, now), file=sys.stderr if stale else sys.stdout)
    if stale:
        names = ", ".join(result.table for result in stale)
        print(
            f"stale: {names} (a feed stopped, or its limit in data_quality_policy is too tight)",
            file=sys.stderr,
        )
    return 1 if stale else 0


def cmd_freshness(args: argparse.Namespace) -> int:
    return check_freshness(paths.raw_dir(args.raw_dir))


@dataclass(frozen=True)
class BuildRequest:
    """What the user asked `csm build` for (the runner decides the rest)."""

    select: Sequence[str] = ()
    exclude: Sequence[str] = ()
    full_refresh: bool = False
    vars: str | None = None
    test_all_rows: bool = False
    publish: bool = True
    site: Path | None = None  # where to render the dashboards after publishing
    check_freshness: bool = False


def _build_options(request: BuildRequest, begun: buildstate.BuildStart) -> dbt_runner.BuildOptions:
    recent_only = not (begun.full_refresh or request.test_all_rows) and begun.was_built
    if recent_only:
        print(
            f"incremental run: the event-scale and daily models are tested on their last "
            f"{dbt_runner.RECENT_TEST_DAYS} days and the unit tests are skipped "
            "(--test-all-rows tests every row and runs the unit tests)",
            flush=True,
        )
    if recent_only and begun.seeds_unchanged:
        print(
            "seeds unchanged since the last build: not reloaded, and the tests that read only "
            "seeds are skipped (an edited seed, macro or singular test reloads them)",
            flush=True,
        )
    return dbt_runner.BuildOptions(
        select=request.select,
        exclude=request.exclude,
        full_refresh=begun.full_refresh,
        vars=_recent_test_vars(request.vars) if recent_only else request.vars,
        skip_unit_tests=recent_only,
        skip_seeds=recent_only and begun.seeds_unchanged,
    )


def _invocation_id(target: Path) -> str | None:
    try:
        return serving.read_run_results(target).invocation_id
    except (serving.PublishError, KeyError, ValueError):
        return None


def build(raw: Path, working: Path, serving_file: Path, request: BuildRequest) -> int:
    """Validate the raw folder, run dbt build, print failures or the summary, publish."""
    problems = validate.validate_raw(raw)
    if problems:
        print(validate.report(problems, raw), file=sys.stderr)
        return 2
    if request.check_freshness and check_freshness(raw) != 0:
        print(
            f"not built: a raw table is stale; {serving.serving_state(serving_file)}",
            file=sys.stderr,
        )
        return 1
    project = paths.project_dir()
    target = paths.target_dir(project)
    try:
        dbt_runner.export_paths(raw, working)
    except OSError as error:
        files = [parent for parent in working.parents if parent.is_file()]
        reason = f"{files[0]} is a file, not a folder" if files else error.strerror or error
        raise UsageError(
            f"cannot create the folder of the working database {working}: {reason}"
        ) from None
    with buildstate.exclusive(working, "build"):
        selection = " ".join([*request.select, *(f"--exclude {e}" for e in request.exclude)])
        seeds = buildstate.seed_fingerprint(project)
        begun = buildstate.start(working, request.full_refresh, selection, seeds)
        if begun.reason:
            print(begun.reason, flush=True)
        options = _build_options(request, begun)
        print(f"building against {working} from {raw}", flush=True)
        outcome = dbt_runner.run_build(project, options)
        buildstate.finish(working, begun.build_id, outcome.success, _invocation_id(target))
        outcome = dbt_runner.read_findings(outcome, working)
        text = dbt_runner.report(outcome, project / "logs" / "dbt.log")
        if text:
            print(text, file=sys.stdout if outcome.success else sys.stderr)
        if not outcome.success:
            print(f"build failed: {len(outcome.failed)} failed node(s)", file=sys.stderr)
            failures = [(node.node, node.status) for node in outcome.failed]
            print(
                f"not published: {serving.describe_failures(failures)}; "
                f"{serving.serving_state(serving_file)}",
                file=sys.stderr,
            )
            return outcome.exit_code
        print(summary.summarize(working))
        if not request.publish:
            print(f"not published (--no-publish); {serving.serving_state(serving_file)}")
        elif request.select or request.exclude:
            print(
                "not published: a build with --select or --exclude refreshes only part of the "
                f"marts (run `csm publish` to publish anyway); "
                f"{serving.serving_state(serving_file)}"
            )
        else:
            _publish(working, serving_file, project, target)
            if request.site is not None:
                print(render_dashboards(serving_file, request.site).line(), flush=True)
    return 0


def _publish(working: Path, serving_file: Path, project: Path, target: Path) -> None:
    try:
        published = serving.publish(
            working, serving_file, project, target, progress=lambda line: print(line, flush=True)
        )
    except serving.PublishError as error:
        raise UsageError(f"{error}; {serving.serving_state(serving_file)}") from None
    print(published.line())


def render_dashboards(serving_file: Path, out: Path) -> SiteResult:
    """The dashboards of the serving database as a static site in `out`."""
    from csm.dashboard import render_site  # Altair and Jinja load only when drawing

    connection = _open_serving(serving_file)
    try:
        return render_site(connection, out)
    except (LookupError, duckdb.Error, OSError) as error:
        raise UsageError(f"the dashboards could not be rendered into {out}: {error}") from error
    finally:
        connection.close()


def _recent_test_vars(variables: str | None) -> str:
    try:
        return dbt_runner.with_recent_tests(variables)
    except ValueError as error:
        raise UsageError(str(error)) from error


def _check_vars(text: str | None) -> None:
    try:
        varcheck.check(varcheck.parse(text), varcheck.project_defaults(paths.project_dir()))
    except varcheck.VarsError as error:
        raise UsageError(str(error)) from None


def cmd_build(args: argparse.Namespace) -> int:
    _check_vars(args.vars)
    request = BuildRequest(
        select=args.select,
        exclude=args.exclude,
        full_refresh=args.full_refresh,
        vars=args.vars,
        test_all_rows=args.test_all_rows,
        publish=not args.no_publish,
        site=paths.site_dir(args.out),
        check_freshness=args.check_freshness,
    )
    return build(
        paths.raw_dir(args.raw_dir),
        paths.duckdb_path(args.duckdb_path),
        paths.serving_path(args.serving_path),
        request,
    )


def cmd_publish(args: argparse.Namespace) -> int:
    """Publish the working database after a manual dbt build, unless its last run failed or
    the last csm build on it did not finish."""
    project = paths.project_dir()
    target = paths.target_dir(project)
    if args.target == "postgres":
        return _publish_postgres(project, target)
    working = paths.duckdb_path(args.duckdb_path)
    serving_file = paths.serving_path(args.serving_path)
    if not working.is_file():
        raise UsageError(f"no working database at {working}: run `csm build` first")
    with buildstate.exclusive(working, "publish"):
        try:
            run = serving.read_run_results(target)
        except serving.PublishError as error:
            raise UsageError(str(error)) from None
        last = buildstate.last_build(working)
        refusal = serving.refusal(run)
        unfinished = last and last.status == buildstate.STARTED
        if refusal is None and unfinished and last.started_at > run.started_at:
            refusal = (
                f"the csm build started {last.started_at} UTC (pid {last.pid}) did not "
                "finish, so the working database may hold half of it: run `csm build`"
            )
        if refusal:
            state = serving.serving_state(serving_file)
            print(f"not published: {refusal}; {state}", file=sys.stderr)
            return 1
        _publish(working, serving_file, project, target)
    print(render_dashboards(serving_file, paths.site_dir(args.out)).line())
    return 0


def _publish_postgres(project: Path, target: Path) -> int:
    from csm import serving_postgres

    try:
        published = serving_postgres.publish(
            project, target, progress=lambda line: print(line, flush=True)
        )
    except serving.PublishError as error:
        print(str(error), file=sys.stderr)
        return 1
    except load.LoadError as error:
        raise UsageError(str(error)) from None
    print(published.line())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    raw = paths.raw_dir(args.raw_dir)
    generate_data(
        raw, args.scale, args.seed, _end_date(args.end_date), args.months, if_missing=True
    )
    serving_file = paths.serving_path(args.serving_path)
    site = paths.site_dir(args.out)
    request = BuildRequest(site=site)
    code = build(raw, paths.duckdb_path(args.duckdb_path), serving_file, request)
    if code == 0:
        print(_report_text(serving_file, month=None, segment="all"))
        print(f"open the dashboards: {site / 'index.html'}")
    return code


# --- report and export ---------------------------------------------------------------


def _open_serving(serving_file: Path) -> duckdb.DuckDBPyConnection:
    if not serving_file.is_file():
        raise UsageError(
            f"no serving database at {serving_file}: run `csm build` "
            "(or `csm publish` after dbt build) first"
        )
    try:
        return duckdb.connect(str(serving_file), read_only=True)
    except duckdb.Error as error:
        raise UsageError(f"cannot open the serving database {serving_file}: {error}") from None


def _report_text(serving_file: Path, month: str | None, segment: str) -> str:
    connection = _open_serving(serving_file)
    try:
        return report.render(connection, month, segment)
    except (LookupError, duckdb.Error) as error:
        raise UsageError(str(error)) from error
    finally:
        connection.close()


def cmd_report(args: argparse.Namespace) -> int:
    print(_report_text(paths.serving_path(args.serving_path), args.month, args.segment))
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    result = render_dashboards(paths.serving_path(args.serving_path), paths.site_dir(args.out))
    print(result.line())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    connection = _open_serving(paths.serving_path(args.serving_path))
    try:
        written = report.export(connection, Path(args.out), args.format, args.select)
    except (LookupError, duckdb.Error) as error:
        raise UsageError(str(error)) from error
    finally:
        connection.close()
    for path in written:
        print(f"wrote {path}")
    print(f"{len(written)} marts exported as {args.format} to {args.out}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Fit the churn model on the working database, write the seeds, print the weights."""
    from csm import churn_model  # pandas loads only here: 0.5 s off every other command

    database = paths.duckdb_path(args.duckdb_path)
    if not database.is_file():
        raise UsageError(f"no warehouse at {database}: run `csm build` first")
    project = paths.project_dir()
    try:
        specs = churn_model.read_specs(project)
        frame = churn_model.read_training_frame(database, specs)
        trained = churn_model.fit(frame, specs, args.evaluation_months, args.regularization)
    except ImportError as error:
        raise UsageError(
            f"{error}: csm train needs scikit-learn (pip install -c constraints.txt -e '.[train]')"
        ) from error
    except (churn_model.TrainingError, duckdb.Error) as error:
        raise UsageError(str(error)) from error
    churn_model.write_seeds(project, trained)
    print(churn_model.summary(trained))
    print(
        f"wrote {churn_model.COEFFICIENTS_SEED} and {churn_model.MODEL_SEED}; run "
        "`csm build --full-refresh` to score every day with the new model"
    )
    return 0


# --- load (other engines) ------------------------------------------------------------


def cmd_load(args: argparse.Namespace) -> int:
    """Validate the raw folder, then replace the target's raw.<table> tables with it."""
    raw = paths.raw_dir(args.raw_dir)
    problems = validate.validate_raw(raw)
    if problems:
        print(validate.report(problems, raw), file=sys.stderr)
        return 2
    print(f"loading {raw} into the raw schema of target {args.target}", flush=True)
    started = time.monotonic()
    try:
        rows = load.load(args.target, raw, progress=lambda line: print(line, flush=True))
    except load.LoadError as error:
        raise UsageError(str(error)) from error
    elapsed = time.monotonic() - started
    print(f"loaded {sum(rows.values()):,} rows in {len(rows)} tables in {elapsed:.1f}s")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (UsageError, buildstate.SetupError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def entry() -> None:
    """The `csm` command: main(), the exit handlers (atexit: dbt's and logging's), then exit
    without finalizing the interpreter. Its final garbage collection walks every object dbt
    made (the manifest, the compiled nodes, the Jinja templates) only to free memory the
    process hands back anyway: ~0.7 s of a ~17 s daily run at `small` (py-spy,
    docs/benchmarks.md). Every connection is closed by then (dbt's by run_build)."""
    code = main()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
