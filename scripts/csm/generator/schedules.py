"""The support schedules of the account regions, read from the project's seeds
(support_schedule_regions, support_schedules, support_holidays), so that tickets are opened
along the working week of each region's support team, in its time zone."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from csm.generator import config as cfg
from csm.generator.timeline import EPOCH, US_PER_SECOND
from csm.paths import project_dir

OPEN, CLOSED, HOLIDAY = 0, 1, 2


def _seed(name: str) -> list[dict[str, str]]:
    with (project_dir() / "seeds" / f"{name}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class RegionCalendars:
    """Per region (cfg.REGIONS order) and day number from first_day: the kind of local day
    (OPEN, CLOSED on a weekday without hours, HOLIDAY) and the UTC offset at local noon."""

    first_day: int
    kind: np.ndarray  # [region, day - first_day]
    offset_us: np.ndarray  # [region, day - first_day]

    @classmethod
    def load(cls, first_day: int, last_day: int) -> RegionCalendars:
        regions = _seed("support_schedule_regions")
        by_region = {r["region"].strip(): r["schedule_id"].strip() for r in regions}
        rows = _seed("support_schedules")
        holidays = {
            (h["schedule_id"].strip(), h["holiday_date"].strip()) for h in _seed("support_holidays")
        }
        days = [EPOCH + timedelta(days=d) for d in range(first_day, last_day + 1)]
        kind = np.full((len(cfg.REGIONS), len(days)), CLOSED, np.int8)
        offset = np.zeros((len(cfg.REGIONS), len(days)), np.int64)
        for r, region in enumerate(cfg.REGIONS):
            schedule = by_region.get(region, by_region.get("default"))
            own = [row for row in rows if row["schedule_id"].strip() == schedule]
            zone = ZoneInfo(own[0]["timezone"].strip())
            for i, day in enumerate(days):
                noon = datetime.combine(day, time(12), zone).utcoffset()
                offset[r, i] = int(noon.total_seconds()) * US_PER_SECOND
                if (schedule, day.isoformat()) in holidays:
                    kind[r, i] = HOLIDAY
                elif any(_open_on(row, day) for row in own):
                    kind[r, i] = OPEN
        return cls(first_day, kind, offset)

    def day_weight(self, region: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Relative chance of a ticket on the region's local day."""
        weights = np.array([1.0, cfg.TICKET_DAY_WEIGHT_CLOSED, cfg.TICKET_DAY_WEIGHT_HOLIDAY])
        return weights[self.kind[region, day - self.first_day]]

    def to_utc(self, region: np.ndarray, day: np.ndarray, local_us: np.ndarray) -> np.ndarray:
        """UTC instants of local instants (microseconds) on the region's local days."""
        return local_us - self.offset_us[region, day - self.first_day]


def _open_on(row: dict[str, str], day: date) -> bool:
    valid_to = row["valid_to"].strip()
    return (
        int(row["weekday"]) == day.isoweekday()
        and date.fromisoformat(row["valid_from"].strip()) <= day
        and (not valid_to or day < date.fromisoformat(valid_to))
    )
