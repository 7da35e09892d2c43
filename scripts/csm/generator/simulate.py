"""Monthly account lifecycle driven by a hidden health h in [0, 1].

h is never written out. It mean-reverts to an account-level mean with noise and shocks;
churn hazard (lagged one month) falls steeply with h, expansion rises with h and license
utilization, contraction rises as h falls. Every other table reads its behaviour from the
`World` this module returns, so signals precede outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from csm.generator import config as cfg
from csm.generator.population import ACQUIRED, PRE_WINDOW, Population, draw_annual
from csm.generator.timeline import NEVER, Window, add_months, month_number

VOLUNTARY, INVOLUNTARY = 0, 1
SEAT_UP, SEAT_DOWN, UPGRADE, DOWNGRADE, ADDON_ADOPT, ADDON_CANCEL = range(6)
EXPANSIONS = (SEAT_UP, UPGRADE, ADDON_ADOPT)
HEALTH_REF = 0.62  # typical health: rates in config are quoted here


@dataclass
class Subscriptions:
    account: np.ndarray
    plan: np.ndarray  # plan of the first period
    annual: np.ndarray
    start: np.ndarray
    end: np.ndarray  # NEVER while running
    reason: np.ndarray  # -1, VOLUNTARY, INVOLUNTARY


@dataclass
class Periods:
    sub: np.ndarray
    account: np.ndarray
    plan: np.ndarray
    seats: np.ndarray
    mrr: np.ndarray
    annual: np.ndarray
    start: np.ndarray
    end: np.ndarray  # NEVER while running
    reason: np.ndarray  # -1 unless the last period of a canceled subscription


@dataclass
class Events:
    """Dated lifecycle events: starts, churns and in-life MRR changes."""

    account: np.ndarray
    day: np.ndarray
    month: np.ndarray
    kind: np.ndarray
    delta_mrr: np.ndarray


@dataclass
class World:
    window: Window
    pop: Population
    health: np.ndarray  # (accounts, months)
    active_lo: np.ndarray  # first active day in the month, -1 when not paying
    active_hi: np.ndarray  # last active day in the month
    plan: np.ndarray  # core plan (latest in the month)
    seats: np.ndarray
    util: np.ndarray  # target license utilization (30-day active users / seats)
    subs: Subscriptions
    periods: Periods
    changes: Events  # kind: SEAT_UP .. ADDON_CANCEL
    churns: Events  # kind: VOLUNTARY / INVOLUNTARY
    starts: Events  # kind: 0 first start, 1 reactivation

    @property
    def months(self) -> int:
        return self.window.months

    def active(self, m: int) -> np.ndarray:
        return self.active_lo[:, m] >= 0


def price_mrr(
    plan: np.ndarray, seats: np.ndarray, discount: np.ndarray, annual: np.ndarray
) -> np.ndarray:
    """Monthly recurring cents after negotiated, volume and annual-prepay discounts."""
    list_price = np.take(cfg.PRICE_PER_SEAT_CENTS, plan) * seats
    volume = np.where(seats > 300, 0.10, np.where(seats > 100, 0.05, 0.0))
    factor = (1 - discount) * (1 - volume) * (1 - cfg.ANNUAL_DISCOUNT * annual)
    return np.round(list_price * factor).astype(np.int64)


def voluntary_factor(h: np.ndarray) -> np.ndarray:
    return (1 + np.exp(9 * (HEALTH_REF - 0.38))) / (1 + np.exp(9 * (h - 0.38)))


def involuntary_factor(h: np.ndarray) -> np.ndarray:
    return (1 + np.exp(4 * (HEALTH_REF - 0.38))) / (1 + np.exp(4 * (h - 0.38)))


def target_utilization(h: np.ndarray) -> np.ndarray:
    return np.clip(0.28 + 0.6 * h, 0.03, 1.0)


@dataclass
class _Ledger:
    """Append-only record of subscriptions, their priced periods and dated events."""

    n_subs: int = 0
    sub_cols: dict[str, list[np.ndarray]] = field(
        default_factory=lambda: {k: [] for k in ("account", "plan", "annual", "start")}
    )
    ends: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    period_cols: dict[str, list[np.ndarray]] = field(
        default_factory=lambda: {k: [] for k in ("sub", "plan", "seats", "mrr", "start")}
    )
    events: dict[str, list[tuple[np.ndarray, ...]]] = field(
        default_factory=lambda: {"changes": [], "churns": [], "starts": []}
    )

    def open(
        self,
        account: np.ndarray,
        plan: np.ndarray,
        seats: np.ndarray,
        mrr: np.ndarray,
        annual: np.ndarray,
        day: np.ndarray,
    ) -> np.ndarray:
        ids = np.arange(self.n_subs, self.n_subs + len(account))
        self.n_subs += len(account)
        for key, values in (("account", account), ("plan", plan), ("annual", annual)):
            self.sub_cols[key].append(np.asarray(values))
        self.sub_cols["start"].append(np.asarray(day))
        self.period(ids, plan, seats, mrr, day)
        return ids

    def period(
        self,
        subs: np.ndarray,
        plan: np.ndarray,
        seats: np.ndarray,
        mrr: np.ndarray,
        day: np.ndarray,
    ) -> None:
        for key, values in (("sub", subs), ("plan", plan), ("seats", seats), ("mrr", mrr)):
            self.period_cols[key].append(np.asarray(values))
        self.period_cols["start"].append(np.asarray(day))

    def close(self, subs: np.ndarray, day: np.ndarray, reason: np.ndarray) -> None:
        self.ends.append((np.asarray(subs), np.asarray(day), np.asarray(reason)))

    def event(
        self,
        kind: str,
        account: np.ndarray,
        day: np.ndarray,
        month: int,
        code: np.ndarray | int,
        delta_mrr: np.ndarray | int = 0,
    ) -> None:
        n = len(account)
        columns = (
            account,
            day,
            np.full(n, month),
            np.broadcast_to(code, n),
            np.broadcast_to(delta_mrr, n),
        )
        self.events[kind].append(tuple(np.asarray(c, np.int64) for c in columns))

    def subscriptions(self) -> Subscriptions:
        cols = {k: np.concatenate(v) for k, v in self.sub_cols.items()}
        end = np.full(self.n_subs, NEVER, np.int64)
        reason = np.full(self.n_subs, -1, np.int64)
        for subs, day, why in self.ends:
            end[subs] = day
            reason[subs] = why
        return Subscriptions(
            cols["account"], cols["plan"], cols["annual"].astype(bool), cols["start"], end, reason
        )

    def periods(self, subs: Subscriptions) -> Periods:
        cols = {k: np.concatenate(v).astype(np.int64) for k, v in self.period_cols.items()}
        order = np.lexsort((cols["start"], cols["sub"]))
        cols = {k: v[order] for k, v in cols.items()}
        sub = cols["sub"]
        last = np.ones(len(sub), bool)
        last[:-1] = sub[1:] != sub[:-1]
        end = np.where(last, subs.end[sub], np.roll(cols["start"], -1))
        return Periods(
            sub=sub,
            account=subs.account[sub],
            plan=cols["plan"],
            seats=cols["seats"],
            mrr=cols["mrr"],
            annual=subs.annual[sub],
            start=cols["start"],
            end=end,
            reason=np.where(last, subs.reason[sub], -1),
        )

    def stacked(self, kind: str) -> Events:
        parts = self.events[kind]
        if not parts:
            empty = np.zeros(0, np.int64)
            return Events(empty, empty, empty, empty, empty)
        cols = [np.concatenate([p[i] for p in parts]).astype(np.int64) for i in range(5)]
        order = np.lexsort((cols[1], cols[0]))
        return Events(*(c[order] for c in cols))


def simulate(pop: Population, window: Window, rng: np.random.Generator) -> World:
    n, months = pop.n, window.months
    seg = pop.segment
    mean = pop.health_mean.copy()
    h = np.clip(mean + rng.normal(0, 0.08, n), 0.02, 0.98)
    status = np.zeros(n, np.int8)  # 0 not yet paying, 1 paying, 2 churned
    plan, seats, annual = pop.plan.copy(), pop.seats.copy(), pop.annual.copy()
    core = np.full(n, -1, np.int64)
    anchor = np.zeros(n, np.int64)  # start day of the current core subscription
    addon = np.full((n, len(cfg.ADDONS)), -1, np.int64)
    churn_month = np.full(n, -(10**6), np.int64)
    pending_day = np.full(n, NEVER, np.int64)  # scheduled involuntary churn (annual renewal)
    max_seats = np.take([2 * r[1] for r in cfg.SEATS_RANGE], seg)

    health = np.zeros((n, months), np.float32)
    act_lo = np.full((n, months), -1, np.int64)
    act_hi = np.full((n, months), -1, np.int64)
    plan_m = np.zeros((n, months), np.int8)
    seats_m = np.zeros((n, months), np.int32)
    ledger = _Ledger()
    acq_month = np.where(pop.kind == ACQUIRED, window.month_of(pop.first_paid_day), -1)

    def mrr_of(idx: np.ndarray, p: np.ndarray, s: np.ndarray) -> np.ndarray:
        return price_mrr(p, s, pop.discount[idx], annual[idx])

    def start(idx: np.ndarray, day: np.ndarray, m: int, again: int) -> None:
        core[idx] = ledger.open(
            idx, plan[idx], seats[idx], mrr_of(idx, plan[idx], seats[idx]), annual[idx], day
        )
        anchor[idx] = day
        status[idx] = 1
        ledger.event("starts", idx, day, m, again)

    def churn(idx: np.ndarray, day: np.ndarray, reason: int, m: int) -> None:
        why = np.full(len(idx), reason)
        ledger.close(core[idx], day, why)
        for k in range(addon.shape[1]):
            has = addon[idx, k] >= 0
            ledger.close(addon[idx[has], k], day[has], why[has])
            addon[idx[has], k] = -1
        status[idx] = 2
        churn_month[idx] = m
        pending_day[idx] = NEVER
        ledger.event("churns", idx, day, m, reason)

    pre = np.flatnonzero(pop.kind == PRE_WINDOW)
    start(pre, pop.first_paid_day[pre], -1, 0)

    for m in range(months):
        lo_day, hi_day = window.first(m), window.last(m)
        n_days = hi_day - lo_day + 1
        h_prev = h
        shock = (rng.random(n) < cfg.SHOCK_RATE) * rng.uniform(*cfg.SHOCK_SIZE, n)
        boost = (rng.random(n) < cfg.BOOST_RATE) * rng.uniform(*cfg.BOOST_SIZE, n)
        h = np.clip(
            h
            + cfg.HEALTH_REVERSION * (mean - h)
            + pop.health_volatility * rng.standard_normal(n)
            - shock
            + boost,
            0.01,
            0.99,
        )
        started = np.zeros(n, bool)
        start_day = np.full(n, -1, np.int64)

        # new customers and returning ones (new subscription, health back to moderate)
        new = np.flatnonzero(acq_month == m)
        h[new] = np.clip(mean[new] + rng.normal(0, 0.06, len(new)), 0.05, 0.95)
        since = m - churn_month
        lo_back, hi_back = cfg.REACTIVATION_MONTHS
        back = np.flatnonzero(
            (status == 2)
            & (since >= lo_back)
            & (since <= hi_back)
            & (rng.random(n) < cfg.REACTIVATION_RATE)
        )
        back_day = lo_day + rng.integers(0, n_days, len(back))
        seats[back] = np.maximum(1, np.round(seats[back] * rng.uniform(0.6, 1.0, len(back))))
        annual[back] = draw_annual(rng, seg[back])
        mean[back] = 0.5 * mean[back] + 0.5 * rng.uniform(0.5, 0.7, len(back))
        h[back] = rng.uniform(0.45, 0.65, len(back))
        start(new, pop.first_paid_day[new], m, 0)
        start(back, back_day, m, 1)
        started[new] = started[back] = True
        start_day[new] = pop.first_paid_day[new]
        start_day[back] = back_day

        # churn: hazard from last month's health; annual contracts only at renewal
        est = (status == 1) & ~started
        p_vol = np.minimum(0.5, np.take(cfg.CHURN_VOLUNTARY, seg) * voluntary_factor(h_prev))
        p_inv = np.minimum(0.3, np.take(cfg.CHURN_INVOLUNTARY, seg) * involuntary_factor(h_prev))
        u = rng.random(n)
        idle = est & (pending_day == NEVER)
        monthly = idle & ~annual
        vol_m = monthly & (u < p_vol)
        inv_m = monthly & (u >= p_vol) & (u < p_vol + p_inv)
        month_now = month_number(np.array([lo_day]))[0]
        since_anchor = month_now - month_number(anchor)
        anniversary = add_months(anchor, since_anchor)
        renewing = idle & annual & (since_anchor > 0) & (since_anchor % 12 == 0)
        renewing &= anniversary <= hi_day
        pv12, pi12 = 1 - (1 - p_vol) ** 12, 1 - (1 - p_inv) ** 12
        vol_a = renewing & (u < pv12)
        unpaid = renewing & (u >= pv12) & (u < pv12 + pi12)
        pending_day[unpaid] = anniversary[unpaid] + rng.integers(35, 61, unpaid.sum())
        fire = est & (pending_day >= lo_day) & (pending_day <= hi_day)
        churn_day = np.full(n, -1, np.int64)
        churn_day[vol_m | inv_m] = lo_day + rng.integers(0, n_days, (vol_m | inv_m).sum())
        churn_day[vol_a] = anniversary[vol_a]
        churn_day[fire] = pending_day[fire]
        for mask, reason in ((vol_m | vol_a, VOLUNTARY), (inv_m | fire, INVOLUNTARY)):
            idx = np.flatnonzero(mask)
            churn(idx, churn_day[idx], reason, m)
        churned = churn_day >= 0

        # in-life changes: at most one core change per month, add-ons independently
        elig = est & ~churned & (pending_day == NEVER)
        util_prev = target_utilization(h_prev)
        good = (h_prev / HEALTH_REF) ** 2
        bad = ((1 - h_prev) / (1 - HEALTH_REF)) ** 2
        probs = np.stack(
            [
                cfg.SEAT_UP_RATE * good * (1 + 3 * np.maximum(util_prev - 0.7, 0)),
                cfg.SEAT_DOWN_RATE * bad * (seats > 1),
                cfg.UPGRADE_RATE * good * (plan < cfg.CORE_PLANS - 1) * (1 + 0.5 * seg),
                cfg.DOWNGRADE_RATE * bad * (plan > 0),
            ]
        )
        pick = (rng.random(n)[None, :] >= np.cumsum(probs, axis=0)).sum(axis=0)
        kind = np.where(elig & (pick < 4), pick, -1)
        idx = np.flatnonzero(kind >= 0)
        kind = kind[idx]
        new_seats, new_plan = seats[idx].copy(), plan[idx].copy()
        grow = rng.uniform(1.08, 1.45, len(idx))
        shrink = rng.uniform(0.70, 0.92, len(idx))
        up, down = kind == SEAT_UP, kind == SEAT_DOWN
        new_seats[up] = np.minimum(
            max_seats[idx[up]], np.maximum(seats[idx[up]] + 1, np.round(seats[idx[up]] * grow[up]))
        )
        new_seats[down] = np.clip(
            np.round(seats[idx[down]] * shrink[down]), 1, seats[idx[down]] - 1
        )
        new_plan[kind == UPGRADE] += 1
        new_plan[kind == DOWNGRADE] -= 1
        real = (new_seats != seats[idx]) | (new_plan != plan[idx])
        idx, kind, new_seats, new_plan = idx[real], kind[real], new_seats[real], new_plan[real]
        day = lo_day + rng.integers(0, n_days, len(idx))
        before = mrr_of(idx, plan[idx], seats[idx])
        after = mrr_of(idx, new_plan, new_seats)
        ledger.period(core[idx], new_plan, new_seats, after, day)
        ledger.event("changes", idx, day, m, kind, after - before)
        seats[idx], plan[idx] = new_seats, new_plan

        for k, addon_plan in enumerate(cfg.ADDONS):
            has = addon[:, k] >= 0
            r = rng.random(n)
            adopt = np.flatnonzero(
                elig & ~has & (plan >= k) & (r < cfg.ADDON_ADOPT_RATE * good * (1 + seg))
            )
            cancel = np.flatnonzero(elig & has & (r < cfg.ADDON_CANCEL_RATE * bad))
            day = lo_day + rng.integers(0, n_days, len(adopt))
            p = np.full(len(adopt), addon_plan)
            mrr = mrr_of(adopt, p, seats[adopt])
            addon[adopt, k] = ledger.open(adopt, p, seats[adopt], mrr, annual[adopt], day)
            ledger.event("changes", adopt, day, m, ADDON_ADOPT, mrr)
            day = lo_day + rng.integers(0, n_days, len(cancel))
            old = mrr_of(cancel, np.full(len(cancel), addon_plan), seats[cancel])
            ledger.close(addon[cancel, k], day, np.full(len(cancel), VOLUNTARY))
            ledger.event("changes", cancel, day, m, ADDON_CANCEL, -old)
            addon[cancel, k] = -1

        # what the month looked like
        lo = np.where(started, start_day, lo_day)
        hi = np.where(churned, churn_day - 1, hi_day)
        on = ((status == 1) | churned) & (hi >= lo)
        act_lo[:, m] = np.where(on, lo, -1)
        act_hi[:, m] = np.where(on, hi, -1)
        health[:, m] = h
        plan_m[:, m] = plan
        seats_m[:, m] = seats

    subs = ledger.subscriptions()
    churns = ledger.stacked("churns")
    # voluntary churn follows disengagement: health sags over the last months
    for back, factor in enumerate(cfg.DISENGAGEMENT):
        sel = (churns.kind == VOLUNTARY) & (churns.month - back >= 0)
        health[churns.account[sel], churns.month[sel] - back] *= factor
    util = np.clip(
        target_utilization(health) + rng.normal(0, 0.05, health.shape), 0.03, 1.0
    ).astype(np.float32)
    return World(
        window=window,
        pop=pop,
        health=health,
        active_lo=act_lo,
        active_hi=act_hi,
        plan=plan_m,
        seats=seats_m,
        util=util,
        subs=subs,
        periods=ledger.periods(subs),
        changes=ledger.stacked("changes"),
        churns=churns,
        starts=ledger.stacked("starts"),
    )
