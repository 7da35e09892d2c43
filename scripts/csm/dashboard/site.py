"""Render the dashboards into a static site: index.html, one page per dashboard, one page per
CSM (csm/<csm_id>.html), and assets/ with the stylesheet, the page script and the chart
library (Vega, Vega-Lite and Vega-Embed in one file, written once for every page). The site is
written beside the output folder and put in its place in one step, as `csm export` does."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from csm import report
from csm.dashboard.components import kpi_payload, script_json
from csm.dashboard.context import Context, fmt_date, month_label, open_context
from csm.dashboard.pages import Output, Page, all_pages
from csm.dashboard.theme import load_theme

MARKER = ".csm-dashboards"  # marks a folder this module wrote (and may replace)
TEMP_MARK = ".rendering-"
ASSETS = ("dashboard.css", "dashboard.js")


@dataclass(frozen=True)
class SiteResult:
    out_dir: Path
    pages: dict[str, int]  # path in the site -> bytes
    assets: dict[str, int]
    chart_library: str
    seconds: float
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        html = sum(self.pages.values())
        library = self.assets.get(self.chart_library, 0)
        return (
            f"dashboards: {len(self.pages)} pages ({html / 1024:,.0f} KB of HTML, chart library "
            f"{library / 1024:,.0f} KB once) written to {self.out_dir / 'index.html'} "
            f"in {self.seconds:.1f}s"
        )


def chart_library_name() -> str:
    return f"vega-bundle-{metadata.version('vl-convert-python')}.js"


def _chart_library(previous: Path, staged: Path) -> str:
    """The bundle of Vega, Vega-Lite and Vega-Embed that vl-convert ships (no download):
    copied from the previous site when it has the same version, else bundled anew (~3 s)."""
    name = chart_library_name()
    target = staged / "assets" / name
    earlier = previous / "assets" / name
    if earlier.is_file() and earlier.stat().st_size > 0:
        shutil.copyfile(earlier, target)
    else:
        import vl_convert

        target.write_text(vl_convert.javascript_bundle(), encoding="utf-8")
    return name


def _check_replaceable(out_dir: Path) -> None:
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise LookupError(f"dashboard folder {out_dir} is a file")
    if any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise LookupError(
            f"dashboard folder {out_dir} holds files that csm dashboard did not write: "
            "choose an empty folder or an earlier site's"
        )


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("csm.dashboard", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["dict"] = dict
    return env


def _site_context(ctx: Context, pages: list[Page], library: str) -> dict[str, Any]:
    return {
        "pages": [page for page in pages if page.in_nav],
        "month": month_label(ctx.month),
        "months": ctx.month_labels,
        "segments": ctx.segments,
        "as_of": fmt_date(ctx.as_of),
        "published_at": fmt_date(ctx.info.get("published_at")),
        "dbt_version": ctx.info.get("dbt_version") or "-",
        "commit": (ctx.info.get("git_commit") or "-")[:12],
        "chart_library": library,
    }


def _render(
    env: Environment, ctx: Context, output: Output, page: Page, site: dict[str, Any]
) -> str:
    values = dict(output.context)
    charts = values.pop("all_charts", [])
    tables = values.get("tables", [])
    depth = output.path.count("/")
    values.setdefault("title", page.title)
    values.setdefault("segmented", True)
    values.setdefault("monthly", True)
    values.setdefault("filter_note", "")
    slots = values.get("slots", [])
    values.update(
        theme=ctx.theme,
        kpi_specs=script_json(kpi_payload(ctx, slots) if slots else {}),
        slug=page.slug,
        nav_slug=values.get("nav_slug", page.slug),
        root="../" * depth,
        site=site,
        chart_specs=script_json({chart.id: chart.spec for chart in charts}),
        table_specs=script_json({table.id: table.payload() for table in tables}),
    )
    return env.get_template(output.template).render(**values)


def render_site(
    connection: duckdb.DuckDBPyConnection, out_dir: Path, pages: list[Page] | None = None
) -> SiteResult:
    """Write the dashboards of the serving connection's marts to out_dir."""
    started = time.monotonic()
    pages = pages if pages is not None else all_pages()
    out_dir = out_dir.resolve()
    _check_replaceable(out_dir)
    ctx = open_context(connection, load_theme())
    env = _environment()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staged = out_dir.with_name(f".{out_dir.name}{TEMP_MARK}{os.getpid()}")
    shutil.rmtree(staged, ignore_errors=True)
    (staged / "assets").mkdir(parents=True)
    try:
        assets = {}
        static = resources.files(__package__).joinpath("static")
        for name in ASSETS:
            (staged / "assets" / name).write_bytes(static.joinpath(name).read_bytes())
        library = _chart_library(out_dir, staged)
        for path in (staged / "assets").iterdir():
            assets[path.name] = path.stat().st_size
        site = _site_context(ctx, pages, library)
        written: dict[str, int] = {}
        outputs: list[tuple[Output, Page]] = []
        for page in pages:
            outputs += [(output, page) for output in page.build(ctx)]
        index = Page(slug="index", title="Dashboards", summary="", build=lambda _ctx: [])
        csm_pages = [o for o, p in outputs if o.path.startswith("csm/")]
        outputs.append(
            (
                Output(
                    path="index.html",
                    template="index.html",
                    context={
                        "segmented": False,
                        "monthly": False,
                        "csm_links": [
                            {"href": o.path, "title": o.context["csm_title"]} for o in csm_pages
                        ],
                    },
                ),
                index,
            )
        )
        for output, page in outputs:
            target = staged / output.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_render(env, ctx, output, page, site), encoding="utf-8")
            written[output.path] = target.stat().st_size
        (staged / MARKER).write_text("written by csm dashboard; replaced on each render\n")
        report.move_into_place(staged, out_dir)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return SiteResult(
        out_dir=out_dir,
        pages=written,
        assets=assets,
        chart_library=library,
        seconds=time.monotonic() - started,
        notes=list(ctx.notes.values()),
    )
