"""The dashboards' display data (theme.toml): words, icons and colours of statuses, tiers,
trends and series, and the KPI labels."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Badge:
    """How one state is drawn: a word and an icon beside the colour, never the colour alone."""

    word: str
    icon: str
    color: str = ""


@dataclass(frozen=True)
class Theme:
    statuses: dict[str, Badge]
    tier_colors: dict[str, str]
    trends: dict[str, Badge]
    queue: dict[str, Badge]
    dq_statuses: dict[str, Badge]
    movements: dict[str, str]
    palette: list[str]
    kpi_labels: dict[str, str]

    def status(self, status: str | None) -> Badge:
        return self.statuses.get(status or "no_target", self.statuses["no_target"])

    def dq_status(self, status: str | None) -> Badge:
        """A data-quality status (ok, warn, error; null when nothing was measured)."""
        return self.dq_statuses.get(status or "none", self.dq_statuses["none"])

    def trend(self, trend: str | None) -> Badge:
        return self.trends.get(trend or "", Badge(word="-", icon=""))

    def kpi_label(self, kpi_key: str) -> str:
        return self.kpi_labels.get(kpi_key, kpi_key.replace("_", " "))


def _badges(table: dict[str, Any]) -> dict[str, Badge]:
    return {key: Badge(**value) for key, value in table.items()}


def load_theme() -> Theme:
    data = tomllib.loads(resources.files(__package__).joinpath("theme.toml").read_text("utf-8"))
    return Theme(
        statuses=_badges(data["status"]),
        tier_colors=dict(data["tier_color"]),
        trends=_badges(data["trend"]),
        queue=_badges(data["queue"]),
        dq_statuses=_badges(data["dq_status"]),
        movements=dict(data["movement"]),
        palette=list(data["palette"]["colors"]),
        kpi_labels=dict(data["kpi_labels"]),
    )
