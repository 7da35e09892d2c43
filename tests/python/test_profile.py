"""The dev profile's DuckDB options (profiles.yml) reach the connection dbt builds on: the
buffer cap from CSM_DUCKDB_MEMORY_LIMIT and the insertion order (database-wide, given when the
file is opened), and the UTC session time zone (set on each cursor)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from csm.paths import project_dir

DBT = str(Path(sys.executable).parent / "dbt")
SETTINGS = (
    "select current_setting('memory_limit') as memory_limit, "
    "current_setting('preserve_insertion_order') as preserve_insertion_order, "
    "current_setting('TimeZone') as time_zone"
)


def test_the_build_connection_has_the_profile_options(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CSM_DUCKDB_PATH": str(tmp_path / "cs.duckdb"),
        # a cap no machine defaults to (DuckDB's own is 80% of the memory)
        "CSM_DUCKDB_MEMORY_LIMIT": "1GB",
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    project = str(project_dir())
    show = ["show", "--quiet", "--output", "json", "--inline", SETTINGS]
    result = subprocess.run(
        [DBT, *show, "--project-dir", project, "--profiles-dir", project],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (row,) = json.loads(result.stdout)["show"]
    # DuckDB reads 1GB as 10^9 bytes and shows it in binary units
    assert row == {
        "memory_limit": "953.6 MiB",
        "preserve_insertion_order": False,
        "time_zone": "UTC",
    }
