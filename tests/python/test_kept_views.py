"""Views kept when their SQL is unchanged (macros/materializations/view.sql): a rebuild keeps
every view whose compiled SQL equals the SQL it was created from (its comment holds that
SQL's md5), recreates an edited one, and a full refresh recreates them all; a kept view reads
the rebuilt tables under it, so the marts are the same as with views recreated.

Real builds of generated `tiny` data, run as a user runs them (`csm build` in a subprocess),
the edited view in a copy of the project (builds.project_copy).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import duckdb
import pytest

from builds import CSM, Site, ok, project_copy

KEPT = "OK (view unchanged: kept)"
EDITED = "stg_support__agents"


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("views") / "raw"
    generate = ["generate", "--scale", "tiny", "--seed", "7", "--end-date", "2026-09-30"]
    subprocess.run([CSM, *generate, "--out", str(folder)], check=True, capture_output=True)
    return folder


@pytest.fixture(scope="module")
def site(raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Site:
    built = Site(tmp_path_factory.mktemp("views_site"))
    ok(built.csm(raw, "build", "--no-publish"))
    return built


def view_results(site: Site, target: str = "target") -> dict[str, str]:
    """Each view model's message in the last build's run_results.json."""
    folder = site.root / target
    manifest = json.loads((folder / "manifest.json").read_text())
    views = {
        node_id
        for node_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "view"
    }
    results = json.loads((folder / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1]: r["message"] for r in results if r["unique_id"] in views}


def view_comments(site: Site) -> dict[str, str | None]:
    with duckdb.connect(str(site.working), read_only=True) as connection:
        rows = connection.execute(
            "select view_name, comment from duckdb_views() where not internal"
        ).fetchall()
    return dict(rows)


def compiled_md5(site: Site, name: str, target: str = "target") -> str:
    manifest = json.loads((site.root / target / "manifest.json").read_text())
    (node,) = [
        n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["name"] == name
    ]
    return "csm sql md5 " + hashlib.md5(node["compiled_code"].encode()).hexdigest()


def test_a_rebuild_keeps_each_unchanged_view_and_the_marts_are_the_same(
    site: Site, raw: Path
) -> None:
    first = view_results(site)
    assert len(first) >= 20 and set(first.values()) == {"OK"}  # created by the first build
    comments = view_comments(site)
    assert {name: comments[name] for name in first} == {
        name: compiled_md5(site, name) for name in first
    }
    marts = site.working_marts()
    ok(site.csm(raw, "build", "--no-publish"))
    assert set(view_results(site).values()) == {KEPT}
    assert site.working_marts() == marts


def test_an_edited_view_is_recreated_and_a_full_refresh_recreates_all(
    site: Site, raw: Path, tmp_path: Path
) -> None:
    project = project_copy(tmp_path / "edited_view")
    model = next((project / "models").rglob(f"{EDITED}.sql"))
    model.write_text(model.read_text() + "\n-- edited: the compiled SQL differs\n")
    edited = site.with_project(project)
    ok(edited.csm(raw, "build", "--no-publish"))
    target = f"target-{project.name}"
    results = view_results(site, target)
    assert results.pop(EDITED) == "OK"
    assert set(results.values()) == {KEPT}
    assert view_comments(site)[EDITED] == compiled_md5(site, EDITED, target)
    ok(edited.csm(raw, "build", "--no-publish", "--full-refresh"))
    assert set(view_results(site, target).values()) == {"OK"}
