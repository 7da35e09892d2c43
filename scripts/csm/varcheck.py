"""Check `--vars` before dbt starts: valid YAML, a mapping, and each project var of the type
and range its default in dbt_project.yml implies, so that a typo fails in one line (exit 2)
instead of as binder errors in a dozen models.

Rules, from the defaults: a number var takes a number (not a boolean) and never a negative
one; a var in UPPER_BOUNDS at most that bound; a text, list or boolean var the same kind;
`as_of_timestamp` a timestamp (YYYY-MM-DD HH:MM:SS). Vars without a default (null) or unknown
to the project pass through untouched.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

# shares and rates: a value above 1 is a typo (5 for 5%), never a setting
UPPER_BOUNDS = {
    "gross_margin": 1,
    "core_adoption_share": 1,
}


class VarsError(ValueError):
    """--vars cannot be used (the message names the var and what it expects)."""


def project_defaults(project: Path) -> dict[str, Any]:
    data = yaml.safe_load((project / "dbt_project.yml").read_text()) or {}
    return dict(data.get("vars") or {})


def parse(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        at = f" (line {where.line + 1}, column {where.column + 1})" if where else ""
        problem = getattr(error, "problem", None) or "not YAML"
        raise VarsError(f"--vars is not valid YAML{at}: {problem}: {text}") from None
    if not isinstance(parsed, dict):
        raise VarsError(f"--vars must be a YAML mapping like '{{name: value}}', got: {text}")
    return parsed


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if _is_number(value):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "text"


def check(variables: dict[str, Any], defaults: dict[str, Any]) -> None:
    """Raise VarsError for the first var of the wrong kind or out of range."""
    for name, value in variables.items():
        if name == "as_of_timestamp" and value is not None:
            try:
                datetime.fromisoformat(str(value))
            except ValueError:
                raise VarsError(
                    f"var as_of_timestamp must be a timestamp like '2026-09-30 23:59:59', "
                    f"got {value!r}"
                ) from None
            continue
        default = defaults.get(name)
        if default is None:
            continue
        expected = _kind(default)
        if _kind(value) != expected:
            raise VarsError(
                f"var {name} must be {expected} (dbt_project.yml default: {default!r}), "
                f"got {value!r}"
            )
        if _is_number(value):
            if value < 0:
                raise VarsError(f"var {name} cannot be negative, got {value!r}")
            bound = UPPER_BOUNDS.get(name)
            if bound is not None and value > bound:
                raise VarsError(f"var {name} is a share between 0 and {bound}, got {value!r}")
