"""Running `csm` as a user runs it, in a subprocess, against a folder of its own: the working
database, the serving file and dbt's target folder of one "site" (test_serving.py,
test_nothing_lost.py)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from csm.paths import project_dir
from serving_reader import fingerprint, publish_snapshot

CSM = str(Path(sys.executable).parent / "csm")


def project_copy(dest: Path) -> Path:
    """A copy of the dbt project (models, macros, seeds, tests, analyses, settings) to edit a
    seed or a model in and build from (Site.project); no data, build output or Python."""
    ignored = shutil.ignore_patterns(
        ".*", "data", "target", "logs", "bench", "scripts", "docs", "python", "__pycache__"
    )
    shutil.copytree(project_dir(), dest, ignore=ignored)
    return dest


@dataclass(frozen=True)
class Site:
    """One working database, its serving file and dbt target folder; builds run the checkout's
    project, or `project` (a project_copy)."""

    root: Path
    project: Path | None = None

    @property
    def working(self) -> Path:
        return self.root / "warehouse" / "cs.duckdb"

    @property
    def serving(self) -> Path:
        return self.root / "serving" / "cs.duckdb"

    @property
    def project_dir(self) -> Path:
        return self.project or project_dir()

    def env(self, raw: Path) -> dict[str, str]:
        # a project copy parses into its own target folder (dbt's partial parsing)
        target = "target" if self.project is None else f"target-{self.project.name}"
        return {
            **os.environ,
            "CSM_PROJECT_DIR": str(self.project_dir),
            "CSM_RAW_DIR": str(raw),
            "CSM_DUCKDB_PATH": str(self.working),
            "CSM_SERVING_PATH": str(self.serving),
            "CSM_SITE_DIR": str(self.root / "site"),
            "DBT_TARGET_PATH": str(self.root / target),
            "DBT_LOG_PATH": str(self.root / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "PYTHONUNBUFFERED": "1",
        }

    def with_project(self, project: Path) -> Site:
        """The same working database and serving file, built from another project folder."""
        return Site(self.root, project)

    def csm(self, raw: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CSM, *args],
            env=self.env(raw),
            cwd=self.project_dir,
            capture_output=True,
            text=True,
            check=False,
        )

    def start(self, raw: Path, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [CSM, *args],
            env=self.env(raw),
            cwd=self.project_dir,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def snapshot(self) -> dict[str, object]:
        with duckdb.connect(str(self.serving), read_only=True) as connection:
            return publish_snapshot(connection)

    def working_marts(self) -> dict[str, list]:
        with duckdb.connect(str(self.working), read_only=True) as connection:
            return fingerprint(connection, "main_marts")


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return result.stdout


def read_until(process: subprocess.Popen[str], marker: str) -> list[str]:
    """Lines of the process's output up to the first one holding marker (fails at its end)."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if marker in line:
            return lines
    process.wait()
    raise AssertionError(f"{marker!r} never printed:\n{''.join(lines[-40:])}")


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()
    if process.stdout is not None:
        process.stdout.close()
