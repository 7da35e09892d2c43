"""Where the project, the raw extracts, the working DuckDB file and the serving file live."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_RAW_DIR = "data/raw"
DEFAULT_DUCKDB_PATH = "data/warehouse/customer_success.duckdb"
DEFAULT_SERVING_PATH = "data/serving/customer_success.duckdb"
DEFAULT_SITE_DIR = "data/site"
# the dev profile's DuckDB buffer cap (profiles.yml), which CSM_DUCKDB_MEMORY_LIMIT overrides
DEFAULT_DUCKDB_MEMORY_LIMIT = "5GB"


def project_dir() -> Path:
    """The dbt project folder: CSM_PROJECT_DIR, else the nearest parent of cwd with
    dbt_project.yml, else the checkout this package was installed from."""
    env = os.environ.get("CSM_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "dbt_project.yml").is_file():
        return checkout
    raise FileNotFoundError(
        "cannot find dbt_project.yml: run csm inside the customer_success checkout "
        "or set CSM_PROJECT_DIR"
    )


def _resolve(override: str | Path | None, env: str, default: str) -> Path:
    """The flag, else the environment variable, else the default; relative paths are
    resolved against the project folder."""
    path = Path(override or os.environ.get(env) or default)
    return (path if path.is_absolute() else project_dir() / path).resolve()


def raw_dir(override: str | Path | None = None) -> Path:
    """The raw extracts folder: the flag, else CSM_RAW_DIR, else data/raw in the project."""
    return _resolve(override, "CSM_RAW_DIR", DEFAULT_RAW_DIR)


def duckdb_path(override: str | Path | None = None) -> Path:
    """The working DuckDB file dbt builds and tests in: the flag, else CSM_DUCKDB_PATH, else
    data/warehouse in the project."""
    return _resolve(override, "CSM_DUCKDB_PATH", DEFAULT_DUCKDB_PATH)


def serving_path(override: str | Path | None = None) -> Path:
    """The serving DuckDB file readers open (the published marts): the flag, else
    CSM_SERVING_PATH, else data/serving in the project."""
    return _resolve(override, "CSM_SERVING_PATH", DEFAULT_SERVING_PATH)


def site_dir(override: str | Path | None = None) -> Path:
    """The dashboards' static site folder (csm dashboard): the flag, else CSM_SITE_DIR, else
    data/site in the project."""
    return _resolve(override, "CSM_SITE_DIR", DEFAULT_SITE_DIR)


def target_dir(project: Path) -> Path:
    """dbt's target folder (manifest.json, run_results.json): DBT_TARGET_PATH, else
    `target` in the project."""
    value = os.environ.get("DBT_TARGET_PATH")
    if not value:
        return project / "target"
    path = Path(value)
    return path if path.is_absolute() else project / path


def duckdb_memory_limit() -> str:
    """DuckDB's buffer cap outside dbt (the publish copy, the floor benchmark), the same as the
    build's: CSM_DUCKDB_MEMORY_LIMIT, else the profile's 5GB."""
    return os.environ.get("CSM_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT)
