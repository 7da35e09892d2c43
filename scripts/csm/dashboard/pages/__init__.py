"""The dashboard pages. Each module defines PAGE; a new page is a module with a build function
and a template, added to all_pages()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from csm.dashboard.context import Context


@dataclass(frozen=True)
class Output:
    """One HTML file: its path in the site, its template and what the template shows."""

    path: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    summary: str
    build: Callable[[Context], list[Output]]
    in_nav: bool = True


def all_pages() -> list[Page]:
    from csm.dashboard.pages import (
        data_quality,
        executive,
        health,
        operations,
        satisfaction,
        support,
    )

    return [
        executive.PAGE,
        health.PAGE,
        operations.PAGE,
        support.PAGE,
        satisfaction.PAGE,
        data_quality.PAGE,
    ]
