"""The generation window, day/microsecond arithmetic and the daily load schedule.

Days are int64 day numbers since 1970-01-01, instants int64 microseconds since then (UTC,
no zone). A row about something that happened at instant t is loaded by the next daily
extract at 23:30, so `load_time(t)` is t's day at 23:30 (or the next day's when t is later).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

US_PER_SECOND = 1_000_000
US_PER_HOUR = 3_600 * US_PER_SECOND
US_PER_DAY = 24 * US_PER_HOUR
LOAD_OFFSET_US = 23 * US_PER_HOUR + 30 * 60 * US_PER_SECOND
EPOCH = date(1970, 1, 1)
NEVER = np.iinfo(np.int64).max  # "no such instant" (null), sorts after everything

# probability of each hour of the day for human activity (business hours heavy)
_HOURLY = np.array(
    [1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 9, 10, 11, 11, 10, 8, 6, 4, 3, 2, 2, 1], float
)
HOURLY_WEIGHTS = _HOURLY / _HOURLY.sum()


def rng_for(seed: int, *keys: str | int) -> np.random.Generator:
    """An independent, reproducible generator for one part of the data (table, month)."""
    seed %= 1 << 64
    words = [seed & 0xFFFFFFFF, seed >> 32]
    for key in keys:
        words.append(zlib.crc32(key.encode()) if isinstance(key, str) else int(key))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(words)))


def day_number(day: date) -> int:
    return (day - EPOCH).days


def add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Same day of month `months` later (clipped to the month's last day)."""
    day64 = np.asarray(days, np.int64).astype("datetime64[D]")
    month = day64.astype("datetime64[M]")
    dom = (day64 - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(months, np.int64)
    first = target.astype("datetime64[D]").astype(np.int64)
    length = (target + 1).astype("datetime64[D]").astype(np.int64) - first
    return first + np.minimum(dom, length - 1)


def month_number(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each day."""
    return (
        np.asarray(days, np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    )


def load_time(instants: np.ndarray) -> np.ndarray:
    """The 23:30 extract that first sees each instant."""
    instants = np.asarray(instants, np.int64)
    day_start = instants // US_PER_DAY * US_PER_DAY
    late = (instants - day_start) > LOAD_OFFSET_US
    return day_start + LOAD_OFFSET_US + late * US_PER_DAY


def time_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Microseconds into the day for human activity, always before the 23:30 extract."""
    hour = rng.choice(24, size=n, p=HOURLY_WEIGHTS)
    span = np.where(hour == 23, 30 * 60, 3_600)
    seconds = hour * 3_600 + (rng.random(n) * span).astype(np.int64)
    return seconds * US_PER_SECOND + rng.integers(0, US_PER_SECOND, n)


def random_days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A uniform day in [lo, hi] (inclusive) per element."""
    lo = np.asarray(lo, np.int64)
    span = np.asarray(hi, np.int64) - lo + 1
    return lo + (rng.random(lo.shape) * span).astype(np.int64)


@dataclass(frozen=True)
class Window:
    """`months` calendar months ending with end_date's month (the last one partial)."""

    end_date: date
    months: int
    month_first: np.ndarray  # first day of each month, plus the month after the window
    pre_first: int  # first day of the pre-window (accounts already paying at the start)

    @classmethod
    def build(cls, end_date: date, months: int, pre_months: int) -> Window:
        last = np.datetime64(end_date, "M")
        firsts = np.arange(last - (months - 1), last + 2, dtype="datetime64[M]")
        month_first = firsts.astype("datetime64[D]").astype(np.int64)
        pre = (firsts[0] - pre_months).astype("datetime64[D]").astype(np.int64)
        return cls(end_date, months, month_first, int(pre))

    @property
    def start_day(self) -> int:
        return int(self.month_first[0])

    @property
    def start_date(self) -> date:
        return EPOCH + timedelta(days=self.start_day)

    @property
    def end_day(self) -> int:
        return day_number(self.end_date)

    @property
    def end_load(self) -> int:
        """end_date 23:30: the last extract, the latest _loaded_at anywhere."""
        return self.end_day * US_PER_DAY + LOAD_OFFSET_US

    @property
    def month_last(self) -> np.ndarray:
        """Last covered day of each month (end_date for the running month)."""
        return np.minimum(self.month_first[1:] - 1, self.end_day)

    def first(self, m: int) -> int:
        return int(self.month_first[m])

    def last(self, m: int) -> int:
        return int(self.month_last[m])

    def month_of(self, days: np.ndarray) -> np.ndarray:
        """Window month index of each day (-1 before the window)."""
        return np.searchsorted(self.month_first, days, side="right") - 1

    def label(self, m: int) -> str:
        return str(np.datetime64(self.first(m), "D").astype("datetime64[M]"))

    def file_label(self, m: int) -> str:
        return self.label(m).replace("-", "_")


def to_datetime(instant: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(microseconds=int(instant))
