"""The project's conventions, enforced over dbt's manifest: naming by layer, documentation,
primary-key tests, sources read only in staging, no wall clock, the marts public with enforced
and fully typed contracts (staging and intermediate never public), documented seeds, customer
PII stopping at staging (checked on the built relations in dbt's catalog)."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from csm.contract import load_contract
from csm.paths import project_dir, target_dir

NAMING = {
    "staging": re.compile(r"^(stg|base)_[a-z0-9]+__[a-z0-9_]+$"),
    "intermediate": re.compile(r"^int_[a-z0-9]+__[a-z0-9_]+$"),
    "marts": re.compile(r"^(fct|dim)_[a-z0-9_]+$"),
}
# Models without a primary key, and why.
NO_PRIMARY_KEY = {
    # one row per raw row: exact duplicates are identical rows by definition; the row
    # accounting (stg_quarantine__row_accounting, unique per table) and the
    # reconciliation tests account for them instead
    "base_",
    # a view over keyed tables that a key test would recompute in full (9.4M account-days
    # joined from six signal families at large), and the scores read from it: the signal
    # families (inner-joined on their keys) and fct_account_health_daily hold the keys
    "int_health__measures_daily",
    "int_health__scores_daily",
    # the same for the churn model's features (one row per account-day, the signal families'
    # keys joined) and its scores: fct_churn_risk_daily holds the key
    "int_churn__features_daily",
    "int_churn__scores_daily",
}
WALL_CLOCK = re.compile(
    r"\b(current_date|current_timestamp|now\s*\(|getdate\s*\(|sysdate|localtimestamp|today\s*\()",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A fresh `dbt parse` of the project (no warehouse needed)."""
    target = tmp_path_factory.mktemp("manifest")
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    env.setdefault("CSM_DUCKDB_PATH", str(target / "parse.duckdb"))
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [
            str(dbt),
            "parse",
            "--project-dir",
            str(project_dir()),
            "--profiles-dir",
            str(project_dir()),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
            "--quiet",
        ],
        check=True,
        env=env,
    )
    return json.loads((target / "manifest.json").read_text())


def models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def layer(node: dict[str, Any]) -> str:
    return node["original_file_path"].split("/")[1]


def test_models_are_named_by_layer(manifest) -> None:
    wrong = [
        (n["name"], layer(n))
        for n in models(manifest)
        if layer(n) not in NAMING or not NAMING[layer(n)].match(n["name"])
    ]
    assert not wrong, wrong


def test_every_model_and_column_is_documented(manifest) -> None:
    undocumented = [n["name"] for n in models(manifest) if not n["description"].strip()]
    assert not undocumented, undocumented
    missing = [
        f"{n['name']}.{c['name']}"
        for n in models(manifest)
        for c in n["columns"].values()
        if not c["description"].strip()
    ]
    assert not missing, missing


def test_every_model_lists_its_columns(manifest) -> None:
    bare = [n["name"] for n in models(manifest) if layer(n) != "staging" and not n["columns"]]
    assert not bare, bare


def test_every_model_has_a_primary_key_test(manifest) -> None:
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    unique_columns: dict[str, set[str]] = {}
    not_null_columns: dict[str, set[str]] = {}
    combined: set[str] = set()
    for test in tests:
        meta = test.get("test_metadata") or {}
        model = test.get("attached_node")
        if not model:
            continue
        name = meta.get("name")
        column = test.get("column_name")
        if name == "unique":
            unique_columns.setdefault(model, set()).add(column)
        elif name == "not_null":
            not_null_columns.setdefault(model, set()).add(column)
        elif name == "column_checks":
            kwargs = meta.get("kwargs", {})
            not_null_columns.setdefault(model, set()).update(kwargs.get("not_null") or [])
            # keys checked in the same pass (unique: [[column, ...], ...])
            for key in kwargs.get("unique") or []:
                if len(key) == 1:
                    unique_columns.setdefault(model, set()).add(key[0])
                else:
                    combined.add(model)
        elif name == "unique_combination_of_columns":
            combined.add(model)
    lacking = []
    for node in models(manifest):
        if any(node["name"].startswith(prefix) for prefix in NO_PRIMARY_KEY):
            continue
        uid = node["unique_id"]
        keyed = unique_columns.get(uid, set()) & not_null_columns.get(uid, set())
        if not keyed and uid not in combined:
            lacking.append(node["name"])
    assert not lacking, lacking


def test_column_checks_are_one_per_model_and_named_after_it(manifest) -> None:
    """One column_checks test per model or seed, named column_checks_<name>: the test lists
    and the logs then say which model's column rules failed."""
    names: dict[str, list[str]] = {}
    for node in manifest["nodes"].values():
        if (node.get("test_metadata") or {}).get("name") == "column_checks":
            names.setdefault(node["attached_node"], []).append(node["name"])
    assert names, "no column_checks test found"
    wrong = {
        uid: found
        for uid, found in names.items()
        if found != [f"column_checks_{manifest['nodes'][uid]['name']}"]
    }
    assert not wrong, wrong


def test_only_staging_reads_sources(manifest) -> None:
    readers = [
        n["name"]
        for n in models(manifest)
        if layer(n) != "staging"
        and any(dep.startswith("source.") for dep in n["depends_on"]["nodes"])
    ]
    assert not readers, readers


# The model layers each layer may read (README "Extending a model"); seeds are read anywhere.
READABLE_LAYERS = {
    "staging": {"staging"},
    "intermediate": {"staging", "intermediate"},
    "marts": {"staging", "intermediate", "marts"},
}


def test_models_read_their_own_layer_or_the_layers_below(manifest) -> None:
    """Staging reads staging, intermediate reads staging and intermediate, marts read any model:
    an intermediate model that reads a mart (mart -> intermediate -> mart) makes a published
    table an input of the logic behind other published tables."""
    nodes = manifest["nodes"]
    upward = [
        f"{node['name']} ({layer(node)}) reads {nodes[dep]['name']} ({layer(nodes[dep])})"
        for node in models(manifest)
        for dep in node["depends_on"]["nodes"]
        if nodes.get(dep, {}).get("resource_type") == "model"
        and layer(nodes[dep]) not in READABLE_LAYERS.get(layer(node), set())
    ]
    assert not upward, upward


def test_the_layer_rule_catches_an_intermediate_model_reading_a_mart(manifest) -> None:
    """The rule above is able to fail: a copy of an intermediate model made to read a mart."""
    nodes = manifest["nodes"]
    intermediate = next(n for n in models(manifest) if layer(n) == "intermediate")
    mart = next(n for n in models(manifest) if layer(n) == "marts")
    broken = {
        **intermediate,
        "unique_id": "model.customer_success.int_broken__reads_a_mart",
        "depends_on": {"nodes": [mart["unique_id"]]},
    }
    fake = {**manifest, "nodes": {**nodes, broken["unique_id"]: broken}}
    with pytest.raises(AssertionError, match="reads"):
        test_models_read_their_own_layer_or_the_layers_below(fake)


def test_no_model_or_macro_reads_the_wall_clock(manifest) -> None:
    code = [(n["name"], n["raw_code"]) for n in models(manifest)]
    code += [
        (m["name"], m["macro_sql"])
        for m in manifest["macros"].values()
        if m["package_name"] == "customer_success"
    ]
    offenders = [name for name, sql in code if WALL_CLOCK.search(strip_comments(sql))]
    assert not offenders, offenders


def strip_comments(sql: str) -> str:
    sql = re.sub(r"\{#.*?#\}", "", sql, flags=re.DOTALL)
    return re.sub(r"--[^\n]*", "", sql)


def public_models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in models(manifest) if n.get("access") == "public"]


def test_public_models_have_enforced_contracts(manifest) -> None:
    public = public_models(manifest)
    assert public, "no public model: the marts are what BI tools read"
    loose = [n["name"] for n in public if not n["config"]["contract"]["enforced"]]
    assert not loose, loose
    untyped = [
        f"{n['name']}.{c['name']}"
        for n in public
        for c in n["columns"].values()
        if not (c.get("data_type") or "").strip()
    ]
    assert not untyped, untyped


def test_every_mart_is_public(manifest) -> None:
    marts = [n for n in models(manifest) if layer(n) == "marts"]
    assert marts, "no mart model found"
    private = [n["name"] for n in marts if n.get("access") != "public"]
    assert not private, private


def test_staging_and_intermediate_are_not_public(manifest) -> None:
    inner = [n for n in models(manifest) if layer(n) in ("staging", "intermediate")]
    assert {layer(n) for n in inner} == {"staging", "intermediate"}, "a layer has no model"
    exposed = [n["name"] for n in inner if n.get("access") == "public"]
    assert not exposed, exposed


# Generic tests that always fail the build: a broken key, a lost row or a broken reference
# makes numbers downstream wrong, so they have no warn level and no row in the policy seed.
ALWAYS_ERROR = {
    "column_checks",  # also the keys of the models (unique)
    "unique",
    "unique_combination_of_columns",
    "relationships",
    "not_null",
}
# Singular tests that always fail the build: every raw row accounted for.
ALWAYS_ERROR_SINGULAR = {"assert_every_raw_row_is_accounted_for"}
# Tests whose warn and error thresholds are the data-quality policy seed's rows: the generic
# missing_rates (one per model) and the singular quarantine rates (every raw table).
POLICY_TESTS = {"missing_rates"}
POLICY_SINGULAR = {"assert_quarantine_rates_within_policy"}
POLICY_SEED = "seed.customer_success.data_quality_policy"
POLICY_FAIL_CALC = "coalesce(max(case when level = 'error' then 2 else 1 end), 0)"


def data_tests(
    manifest: dict[str, Any], names: set[str], singular: set[str] = frozenset()
) -> list[dict[str, Any]]:
    """The generic tests of the given kinds and the singular tests of the given names."""
    return [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test"
        and ((n.get("test_metadata") or {}).get("name") in names or n["name"] in singular)
    ]


def test_keys_references_and_reconciliation_always_fail_the_build(manifest) -> None:
    tests = data_tests(manifest, ALWAYS_ERROR, ALWAYS_ERROR_SINGULAR)
    assert len(tests) > 50
    assert {n["name"] for n in tests} >= ALWAYS_ERROR_SINGULAR
    soft = [
        n["name"]
        for n in tests
        if (n["config"]["severity"].lower(), n["config"]["warn_if"], n["config"]["error_if"])
        != ("error", "!= 0", "!= 0")
    ]
    assert not soft, soft


def test_policy_tests_take_their_thresholds_from_the_policy_seed(manifest) -> None:
    tests = data_tests(manifest, POLICY_TESTS, POLICY_SINGULAR)
    assert len(tests) > 10
    assert {n["name"] for n in tests} >= POLICY_SINGULAR
    wrong = [
        n["name"]
        for n in tests
        if POLICY_SEED not in n["depends_on"]["nodes"]
        or set((n.get("test_metadata") or {}).get("kwargs", {})) - {"model", "columns"}
        or (n["config"]["warn_if"], n["config"]["error_if"], n["config"]["fail_calc"])
        != (">0", ">1", POLICY_FAIL_CALC)
    ]
    assert not wrong, wrong


def pii_names() -> set[str]:
    """The contract's customer PII columns (column meta `pii: true`): email, comment."""
    return {c.name for t in load_contract().values() for c in t.columns if c.pii}


def named_like_pii(column: str, names: set[str]) -> bool:
    """A column that holds a PII value by its name: the name itself or a qualified one
    (email, user_email, comments), not a value derived from one (comment_count)."""
    last = column.lower().rsplit("_", 1)[-1]
    return last in names or last.removesuffix("s") in names


def pii_leaks(catalog: dict[str, Any], manifest: dict[str, Any]) -> list[str]:
    """schema.relation.column of every column named like a PII column in a relation the
    catalog lists outside staging (intermediate and mart models, seeds: what dbt built)."""
    names = pii_names()
    leaks = []
    for unique_id, relation in catalog["nodes"].items():
        node = manifest["nodes"].get(unique_id, {})
        if node.get("resource_type") == "model" and layer(node) == "staging":
            continue
        where = f"{relation['metadata']['schema']}.{relation['metadata']['name']}"
        leaks += [
            f"{where}.{column}" for column in relation["columns"] if named_like_pii(column, names)
        ]
    return sorted(leaks)


@pytest.fixture(scope="module")
def catalog_and_manifest() -> tuple[dict[str, Any], dict[str, Any]]:
    """dbt's catalog of the built warehouse and its manifest (`make docs`, which make test runs
    after the build: dbt docs generate)."""
    target = target_dir(project_dir())
    paths = [target / "catalog.json", target / "manifest.json"]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        pytest.fail(f"no {', '.join(missing)}: run `make docs` (dbt docs generate) first")
    catalog, manifest = (json.loads(path.read_text()) for path in paths)
    return catalog, manifest


def test_customer_pii_stops_at_staging(catalog_and_manifest) -> None:
    catalog, manifest = catalog_and_manifest
    outside = [
        uid
        for uid in catalog["nodes"]
        if manifest["nodes"].get(uid, {}).get("resource_type") != "model"
        or layer(manifest["nodes"][uid]) != "staging"
    ]
    assert len(outside) > 40, "the catalog lists too few built relations to check"
    staged = [
        f"{r['metadata']['name']}.{c}"
        for uid, r in catalog["nodes"].items()
        if uid not in outside
        for c in r["columns"]
        if named_like_pii(c, pii_names())
    ]
    assert staged, "no PII column in staging: the check would not see one anywhere"
    assert pii_leaks(catalog, manifest) == []


def test_the_pii_rule_fails_on_planted_pii(catalog_and_manifest) -> None:
    """A mart column and a new relation named like PII columns, planted in a copy of the real
    catalog, are both reported; a derived column (comment_count) is not."""
    catalog, manifest = (json.loads(json.dumps(item)) for item in catalog_and_manifest)
    mart = "model.customer_success.fct_survey_responses"
    catalog["nodes"][mart]["columns"]["respondent_email"] = {"name": "respondent_email"}
    catalog["nodes"][mart]["columns"]["comment_count"] = {"name": "comment_count"}
    catalog["nodes"]["model.customer_success.int_planted__comments"] = {
        "metadata": {"schema": "main_intermediate", "name": "int_planted__comments"},
        "columns": {"account_id": {}, "comments": {}},
    }
    assert pii_leaks(catalog, manifest) == [
        "main_intermediate.int_planted__comments.comments",
        "main_marts.fct_survey_responses.respondent_email",
    ]


def test_seeds_document_every_column(manifest) -> None:
    problems = []
    for seed in (n for n in manifest["nodes"].values() if n["resource_type"] == "seed"):
        path = project_dir() / seed["original_file_path"]
        with path.open() as handle:
            header = next(csv.reader(handle))
        documented = {c for c, v in seed["columns"].items() if v["description"].strip()}
        if not seed["description"].strip():
            problems.append(seed["name"])
        problems += [f"{seed['name']}.{c}" for c in header if c not in documented]
    assert not problems, problems
