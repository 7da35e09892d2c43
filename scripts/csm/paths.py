"""Where the project, the raw extracts and the DuckDB file live."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_RAW_DIR = "data/raw"
DEFAULT_DUCKDB_PATH = "data/warehouse/customer_success.duckdb"


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


def raw_dir(override: str | Path | None = None) -> Path:
    """The raw extracts folder: the flag, else CSM_RAW_DIR, else data/raw in the project."""
    value = override or os.environ.get("CSM_RAW_DIR") or DEFAULT_RAW_DIR
    path = Path(value)
    return (path if path.is_absolute() else project_dir() / path).resolve()


def duckdb_path(override: str | Path | None = None) -> Path:
    """The DuckDB file: the flag, else CSM_DUCKDB_PATH, else data/warehouse in the project."""
    value = override or os.environ.get("CSM_DUCKDB_PATH") or DEFAULT_DUCKDB_PATH
    path = Path(value)
    return (path if path.is_absolute() else project_dir() / path).resolve()
