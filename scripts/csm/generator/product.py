"""product_users (provisioned over time, about 0.9 per seat) and product_events (month by month)."""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from csm.generator import config as cfg
from csm.generator import names, writer
from csm.generator.population import PRE_WINDOW
from csm.generator.simulate import World
from csm.generator.timeline import (
    NEVER,
    US_PER_DAY,
    load_time,
    random_days,
    time_of_day,
)
from csm.generator.vector import expand_ranges, pick, rank_within
from csm.paths import project_dir

ROLES = ("admin", "member", "viewer")


@dataclass(frozen=True)
class Catalog:
    keys: pa.Array
    is_core: np.ndarray
    min_plan: np.ndarray


def load_catalog() -> Catalog:
    """The feature catalog seed of the project (generator and seed never diverge)."""
    path = project_dir() / "seeds" / "feature_catalog.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    order = {p: i for i, p in enumerate(cfg.PLANS[: cfg.CORE_PLANS])}
    return Catalog(
        keys=pa.array([r["feature_key"] for r in rows], pa.string()),
        is_core=np.array([r["is_core"].strip().lower() == "true" for r in rows]),
        min_plan=np.array([order[r["min_plan"].strip()] for r in rows]),
    )


@dataclass
class Users:
    account: np.ndarray  # sorted
    created_day: np.ndarray
    deactivated_day: np.ndarray  # NEVER while active
    created_us: np.ndarray
    deactivated_us: np.ndarray
    role: np.ndarray
    weight: np.ndarray  # how much a user uses the product when active
    propensity: np.ndarray  # low = more often among the month's active users
    first: np.ndarray  # index of the account's first user (per account)
    stop: np.ndarray  # one past its last user (per account)
    ids: pa.Array
    emails: pa.Array

    @property
    def n(self) -> int:
        return len(self.account)


def _deactivation_day(
    rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, created: np.ndarray, end: int
) -> np.ndarray:
    day = np.maximum(random_days(rng, lo, hi), created + 1)
    return np.where(day > end, NEVER, day)


def build_users(world: World, rng: np.random.Generator) -> Users:
    pop, window = world.pop, world.window
    n, end = pop.n, window.end_day
    ratio = pop.users_per_seat
    pre = np.flatnonzero(pop.kind == PRE_WINDOW)
    count = np.ceil(pop.seats[pre] * ratio[pre]).astype(np.int64)
    acc = np.repeat(pre, count)
    created = np.minimum(
        pop.first_paid_day[acc] + rng.integers(0, 21, len(acc)), window.start_day - 1
    )
    deact = np.full(len(acc), NEVER, np.int64)
    churns = world.churns
    for m in range(world.months):
        lo, hi = world.active_lo[:, m], world.active_hi[:, m]
        active = lo >= 0
        churn_day = np.full(n, -1, np.int64)
        sel = churns.month == m
        churn_day[churns.account[sel]] = churns.day[sel]
        # churned accounts lose their users within a month of churn
        hit = np.flatnonzero((deact == NEVER) & (churn_day[acc] >= 0))
        day = churn_day[acc[hit]] + rng.integers(0, 31, len(hit))
        deact[hit] = np.where(day > end, NEVER, np.maximum(day, created[hit] + 1))
        staying = active & (churn_day < 0)
        # turnover: people leave and get replaced
        turn = np.flatnonzero(
            (deact == NEVER) & staying[acc] & (rng.random(len(acc)) < cfg.USER_TURNOVER)
        )
        deact[turn] = _deactivation_day(rng, lo[acc[turn]], hi[acc[turn]], created[turn], end)
        live = deact == NEVER
        current = np.bincount(acc[live], minlength=n)
        target = np.where(staying, np.ceil(world.seats[:, m] * ratio), 0).astype(np.int64)
        surplus = np.where(staying, np.maximum(current - target - 1, 0), 0)
        cand = np.flatnonzero(live & (surplus[acc] > 0))
        if len(cand):
            ranks = rank_within(acc[cand], rng.random(len(cand)))
            drop = cand[ranks < surplus[acc[cand]]]
            deact[drop] = _deactivation_day(rng, lo[acc[drop]], hi[acc[drop]], created[drop], end)
        add = np.maximum(target - current, 0)
        new_acc = np.repeat(np.arange(n), add)
        fresh = (m == 0) | (world.active_lo[:, max(m - 1, 0)] < 0)  # first month of a life
        new_hi = np.where(fresh, np.minimum(hi, lo + 10), hi)
        acc = np.concatenate([acc, new_acc])
        created = np.concatenate([created, random_days(rng, lo[new_acc], new_hi[new_acc])])
        deact = np.concatenate([deact, np.full(len(new_acc), NEVER, np.int64)])

    order = np.lexsort((created, acc))
    acc, created, deact = acc[order], created[order], deact[order]
    total = len(acc)
    created_us = created * US_PER_DAY + time_of_day(rng, total)
    deact_us = np.where(deact == NEVER, NEVER, deact * US_PER_DAY + time_of_day(rng, total))
    rank = np.arange(total) - np.searchsorted(acc, acc)
    role = np.where(rank == 0, 0, pick(rng, (0.04, 0.70, 0.26), total))
    first_name, last_name = names.person_names(rng, total)
    ids = names.prefixed_ids("usr_", np.arange(1, total + 1), 8)
    domains = pa.array(pop.domains, pa.string()).take(pa.array(acc))
    emails = pc.binary_join_element_wise(
        pa.array(names.FIRST_NAMES).take(pa.array(first_name)),
        ".",
        pa.array(names.LAST_NAMES).take(pa.array(last_name)),
        pc.cast(pa.array(np.arange(1, total + 1)), pa.string()),
        "@",
        domains,
        "",
    )
    return Users(
        account=acc,
        created_day=created,
        deactivated_day=deact,
        created_us=created_us,
        deactivated_us=deact_us,
        role=role,
        weight=np.exp(rng.normal(-0.125, 0.5, total)),
        propensity=rng.random(total),
        first=np.searchsorted(acc, np.arange(n)),
        stop=np.searchsorted(acc, np.arange(n), side="right"),
        ids=ids,
        emails=emails,
    )


def users_table(users: Users, account_ids: pa.Array) -> pa.Table:
    changed = np.where(users.deactivated_us == NEVER, users.created_us, users.deactivated_us)
    return writer.build(
        "product_users",
        {
            "user_id": users.ids,
            "account_id": account_ids.take(pa.array(users.account)),
            "role": pa.array(ROLES).take(pa.array(users.role)),
            "created_at": users.created_us,
            "deactivated_at": users.deactivated_us,
            "email": users.emails,
            "_loaded_at": load_time(changed),
        },
    )


@dataclass(frozen=True)
class EventContext:
    """Everything month_events needs that does not change from month to month."""

    world: World
    users: Users
    catalog: Catalog
    account_ids: pa.Array
    preference: np.ndarray  # (accounts, features): lower = adopted earlier
    per_user: float

    @classmethod
    def build(
        cls,
        world: World,
        users: Users,
        catalog: Catalog,
        account_ids: pa.Array,
        per_user: float,
        rng: np.random.Generator,
    ) -> EventContext:
        preference = rng.random((world.pop.n, len(catalog.is_core))) + 0.6 * ~catalog.is_core
        return cls(world, users, catalog, account_ids, preference, per_user)


def _event_types(rng: np.random.Generator, plan: np.ndarray) -> np.ndarray:
    """Event type per event; api calls and integration syncs need the growth plan."""
    allowed = np.array(cfg.EVENT_TYPE_MIN_PLAN)[None, :] <= np.arange(cfg.CORE_PLANS)[:, None]
    weights = np.array(cfg.EVENT_TYPE_WEIGHTS)[None, :] * allowed
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(plan))
    out = np.empty(len(plan), np.int64)
    for p in range(cfg.CORE_PLANS):
        sel = plan == p
        out[sel] = np.minimum(
            np.searchsorted(cumulative[p], u[sel], side="right"), len(cfg.EVENT_TYPES) - 1
        )
    return out


def month_events(ctx: EventContext, m: int, rng: np.random.Generator) -> pa.Table:
    """Valid product events of window month m (the caller plants defects)."""
    world, users, catalog = ctx.world, ctx.users, ctx.catalog
    window = world.window
    accounts = np.flatnonzero(world.active(m))
    lo, hi = world.active_lo[accounts, m], world.active_hi[accounts, m]
    h = world.health[accounts, m].astype(float)
    # candidate users: provisioned during some of the account's active days
    counts = users.stop[accounts] - users.first[accounts]
    cand = expand_ranges(users.first[accounts], counts)
    row = np.repeat(np.arange(len(accounts)), counts)
    ulo = np.maximum(lo[row], users.created_day[cand] + 1)
    uhi = np.minimum(hi[row], users.deactivated_day[cand] - 1)
    ok = ulo <= uhi
    cand, row, ulo, uhi = cand[ok], row[ok], ulo[ok], uhi[ok]
    # the month's active users: utilization x seats, the most engaged users first
    wanted = np.round(world.util[accounts, m] * world.seats[accounts, m]).astype(np.int64)
    ranks = rank_within(row, users.propensity[cand] + 0.6 * rng.random(len(cand)))
    chosen = ranks < np.maximum(wanted[row], 1)
    cand, row, ulo, uhi = cand[chosen], row[chosen], ulo[chosen], uhi[chosen]
    # events per active user rise with health; partial months get fewer
    share = (uhi - ulo + 1) / (window.last(m) - window.first(m) + 1)
    lam = ctx.per_user * (0.3 + 1.4 * h[row]) / (0.3 + 1.4 * 0.62) * users.weight[cand] * share
    n_events = 1 + rng.poisson(lam)
    ev_user = np.repeat(cand, n_events)
    ev_row = np.repeat(row, n_events)
    total = len(ev_user)
    day = random_days(rng, np.repeat(ulo, n_events), np.repeat(uhi, n_events))
    occurred = day * US_PER_DAY + time_of_day(rng, total)
    plan = world.plan[accounts, m].astype(np.int64)
    ev_type = _event_types(rng, plan[ev_row])
    # features: the plan allows some, the account has adopted a health-driven share of them
    allowed = catalog.min_plan[None, :] <= plan[:, None]
    order = np.argsort(ctx.preference[accounts] + 10.0 * ~allowed, axis=1)
    breadth = np.clip(0.15 + 0.85 * h + rng.normal(0, 0.08, len(accounts)), 0.1, 1.0)
    adopted = np.maximum(np.round(breadth * allowed.sum(axis=1)), 1).astype(np.int64)
    col = (rng.random(total) ** 1.3 * adopted[ev_row]).astype(np.int64)
    feature = order[ev_row, col]
    loaded = load_time(occurred)
    late = rng.random(total) < cfg.LATE_EVENT_RATE
    loaded = np.where(late, loaded + rng.integers(1, 4, total) * US_PER_DAY, loaded)
    loaded = np.minimum(loaded, window.end_load)
    return writer.build(
        "product_events",
        {
            "event_id": names.prefixed_ids("evt_", (m + 1) * 10**8 + np.arange(total), 12),
            "account_id": ctx.account_ids.take(pa.array(accounts[ev_row])),
            "user_id": users.ids.take(pa.array(ev_user)),
            "event_type": pa.array(cfg.EVENT_TYPES).take(pa.array(ev_type)),
            "feature_key": catalog.keys.take(pa.array(feature, mask=ev_type != 1)),
            "occurred_at": occurred,
            "_loaded_at": loaded,
        },
    )


def pick_users(
    users: Users, account: np.ndarray, day: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A random user of each account provisioned before `day` and still active on it
    (-1 when there is none)."""
    key = users.account * 10**6 + users.created_day
    first = users.first[account]
    count = np.searchsorted(key, account * 10**6 + day) - first
    idx = first + (rng.random(len(account)) * np.maximum(count, 0)).astype(np.int64)
    idx = np.minimum(idx, users.n - 1)
    ok = (count > 0) & (users.deactivated_day[idx] > day)
    return np.where(ok, idx, -1)
