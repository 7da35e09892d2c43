"""Who the customers are: static account attributes drawn once per account."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csm.generator import config as cfg
from csm.generator.names import companies
from csm.generator.timeline import US_PER_DAY, Window, random_days, time_of_day

PRE_WINDOW, ACQUIRED, PROSPECT = 0, 1, 2


@dataclass
class Population:
    n: int
    segment: np.ndarray  # 0 smb, 1 mid_market, 2 enterprise
    employee_count: np.ndarray
    industry: np.ndarray
    region: np.ndarray
    kind: np.ndarray  # PRE_WINDOW, ACQUIRED, PROSPECT
    first_paid_day: np.ndarray  # -1 for prospects
    created_us: np.ndarray  # CRM creation instant
    csm: np.ndarray  # index into the CSM list, -1 unassigned
    csm_team: np.ndarray  # team (= segment) of each CSM
    names: list[str]
    domains: list[str]
    health_mean: np.ndarray
    health_volatility: np.ndarray
    discount: np.ndarray
    annual: np.ndarray
    plan: np.ndarray
    seats: np.ndarray
    users_per_seat: np.ndarray

    @property
    def n_csms(self) -> int:
        return len(self.csm_team)


def _employees(rng: np.random.Generator, segment: np.ndarray) -> np.ndarray:
    out = np.empty(len(segment), np.int64)
    for s, (lo, hi) in enumerate(cfg.EMPLOYEE_BANDS):
        idx = np.flatnonzero(segment == s)
        if s == 0:
            values = np.exp(rng.uniform(np.log(2), np.log(hi), len(idx)))
        else:  # log-uniform inside the band
            values = np.exp(rng.uniform(np.log(lo), np.log(hi), len(idx)))
        out[idx] = np.clip(np.round(values), lo, hi)
    return out


def draw_seats(rng: np.random.Generator, segment: np.ndarray) -> np.ndarray:
    median = np.take(cfg.SEATS_MEDIAN, segment)
    lo = np.take([r[0] for r in cfg.SEATS_RANGE], segment)
    hi = np.take([r[1] for r in cfg.SEATS_RANGE], segment)
    return np.clip(np.round(median * np.exp(rng.normal(0, 0.55, len(segment)))), lo, hi).astype(
        np.int64
    )


def draw_plan(rng: np.random.Generator, segment: np.ndarray) -> np.ndarray:
    cum = np.cumsum(np.array(cfg.PLAN_MIX), axis=1)[segment]
    return (rng.random(len(segment))[:, None] > cum).sum(axis=1).astype(np.int64)


def draw_annual(rng: np.random.Generator, segment: np.ndarray) -> np.ndarray:
    return rng.random(len(segment)) < np.take(cfg.ANNUAL_SHARE, segment)


def _assign_csms(rng: np.random.Generator, segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(segment)
    n_csms = max(cfg.MIN_CSMS, round(n / cfg.ACCOUNTS_PER_CSM))
    load = np.array(cfg.SEGMENT_SHARES) * np.array([1.0, 2.0, 4.0])
    per_team = np.maximum(1, np.floor(load / load.sum() * n_csms)).astype(int)
    per_team[0] += max(0, n_csms - per_team.sum())
    team = np.repeat(np.arange(3), per_team)
    first = np.concatenate([[0], np.cumsum(per_team)[:-1]])
    csm = first[segment] + (rng.random(n) * per_team[segment]).astype(np.int64)
    return csm, team


def build_population(rng: np.random.Generator, n: int, window: Window) -> Population:
    segment = rng.choice(3, size=n, p=cfg.SEGMENT_SHARES)
    kind = rng.choice(
        3,
        size=n,
        p=[cfg.PRE_WINDOW_SHARE, 1 - cfg.PRE_WINDOW_SHARE - cfg.PROSPECT_SHARE, cfg.PROSPECT_SHARE],
    )
    # accounts acquired in the window: a growing company wins more each month
    months = window.months
    weights = 1.0 + 1.5 * np.arange(months) / max(1, months - 1)
    acq_month = rng.choice(months, size=n, p=weights / weights.sum())
    acq_lo = window.month_first[acq_month]
    acq_hi = window.month_last[acq_month]
    first_paid = np.where(
        kind == PRE_WINDOW,
        random_days(rng, np.full(n, window.pre_first), np.full(n, window.start_day - 1)),
        random_days(rng, acq_lo, acq_hi),
    )
    first_paid = np.where(kind == PROSPECT, -1, first_paid)
    # CRM record created before the deal closed (sales cycle); prospects any time
    cycle = rng.integers(20, 150, n)
    prospect_day = random_days(
        rng, np.full(n, window.pre_first + 365), np.full(n, window.end_day - 1)
    )
    created_day = np.where(kind == PROSPECT, prospect_day, first_paid - cycle)
    created_us = created_day * US_PER_DAY + time_of_day(rng, n)
    csm, team = _assign_csms(rng, segment)
    names, domains = companies(rng, n)
    mean = rng.beta(*cfg.HEALTH_MEAN_BETA, size=n)
    return Population(
        n=n,
        segment=segment,
        employee_count=_employees(rng, segment),
        industry=rng.choice(len(cfg.INDUSTRIES), size=n, p=cfg.INDUSTRY_SHARES),
        region=rng.choice(len(cfg.REGIONS), size=n, p=cfg.REGION_SHARES),
        kind=kind,
        first_paid_day=first_paid,
        created_us=created_us,
        csm=csm,
        csm_team=team,
        names=names,
        domains=domains,
        health_mean=mean,
        health_volatility=rng.uniform(*cfg.HEALTH_VOLATILITY, size=n),
        discount=rng.uniform(0.0, 0.15, n),
        annual=draw_annual(rng, segment),
        plan=draw_plan(rng, segment),
        seats=draw_seats(rng, segment),
        users_per_seat=rng.uniform(*cfg.USERS_PER_SEAT, size=n),
    )
