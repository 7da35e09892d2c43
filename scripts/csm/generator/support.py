"""support_agents, support_tickets (CDC versions) and support_kb_sessions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from csm.generator import config as cfg
from csm.generator import names, writer
from csm.generator.product import Users, pick_users
from csm.generator.schedules import RegionCalendars
from csm.generator.simulate import World
from csm.generator.timeline import (
    NEVER,
    US_PER_DAY,
    US_PER_HOUR,
    US_PER_SECOND,
    load_time,
    random_days,
    time_of_day,
)
from csm.generator.vector import pick

STAFF_DOMAIN = "support.example.com"
NEW, OPEN, PENDING, SOLVED, CLOSED = range(5)
STATUSES = ("new", "open", "pending", "solved", "closed")


@dataclass
class Tickets:
    """Per ticket facts other tables build on (surveys)."""

    account: np.ndarray
    created: np.ndarray
    resolved: np.ndarray  # final resolution instant if loaded by the end, else NEVER
    first_contact: np.ndarray  # FCR
    escalated: np.ndarray
    requester: np.ndarray  # user index or -1
    ids: pa.Array


def agents_table(world: World, rng: np.random.Generator) -> tuple[pa.Table, np.ndarray]:
    """Agents with tiers 1-3 (about one per 50 accounts)."""
    k = max(cfg.MIN_AGENTS, round(world.pop.n / cfg.ACCOUNTS_PER_AGENT))
    tier = np.sort(np.concatenate([[1, 2, 3], pick(rng, (0.6, 0.3, 0.1), k - 3) + 1]))
    first, last = names.person_names(rng, k)
    table = writer.build(
        "support_agents",
        {
            "agent_id": _agent_ids(k),
            "full_name": pa.array(names.full_names(first, last), pa.string()),
            "email": pa.array(names.staff_emails(first, last, STAFF_DOMAIN), pa.string()),
            "team": pa.array(names.AGENT_TEAMS).take(pa.array(tier - 1)),
            "tier": tier,
            "_loaded_at": np.full(k, world.window.end_load),  # a daily full snapshot
        },
    )
    return table, tier


def _agent_ids(k: int) -> pa.Array:
    return names.prefixed_ids("agt_", np.arange(1, k + 1), 4)


def _lognormal_hours(rng: np.random.Generator, median: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    return (median * np.exp(rng.normal(0, 1, len(median)) * sigma) * US_PER_HOUR).astype(np.int64)


def _ticket_starts(world: World, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(account, created instant) of every ticket: more tickets when health is low, opened
    along the working week of the account region's support schedule, in its time zone
    (business hours heavy, fewer on weekends and holidays)."""
    window = world.window
    calendars = RegionCalendars.load(window.start_day - 1, window.end_day + 1)
    acc_parts, day_parts = [], []
    for m in range(world.months):
        acc = np.flatnonzero(world.active(m))
        lo, hi = world.active_lo[acc, m], world.active_hi[acc, m]
        h = world.health[acc, m].astype(float)
        days = window.last(m) - window.first(m) + 1
        lam = np.take(cfg.TICKETS_PER_ACCOUNT_MONTH, world.pop.segment[acc])
        lam = lam * (1.6 - h) / (1.6 - 0.62) * (hi - lo + 1) / days
        count = rng.poisson(lam)
        account = np.repeat(acc, count)
        region = world.pop.region[account]
        day = _working_days(rng, np.repeat(lo, count), np.repeat(hi, count), region, calendars)
        acc_parts.append(account)
        day_parts.append(day)
    account, day = np.concatenate(acc_parts), np.concatenate(day_parts)
    local = day * US_PER_DAY + time_of_day(rng, len(day))
    created = calendars.to_utc(world.pop.region[account], day, local)
    order = np.argsort(created, kind="stable")
    return account[order], created[order]


def _working_days(
    rng: np.random.Generator,
    lo: np.ndarray,
    hi: np.ndarray,
    region: np.ndarray,
    calendars: RegionCalendars,
) -> np.ndarray:
    """A local day in [lo, hi] per ticket, weighted by the kind of day (rejection sampling;
    after a few rounds the last draw stands)."""
    day = random_days(rng, lo, hi)
    pending = np.arange(len(day))
    for _ in range(8):
        weight = calendars.day_weight(region[pending], day[pending])
        pending = pending[rng.random(len(pending)) >= weight]
        if not len(pending):
            break
        day[pending] = random_days(rng, lo[pending], hi[pending])
    return day


def tickets_table(
    world: World, users: Users, tiers: np.ndarray, rng: np.random.Generator
) -> tuple[pa.Table, Tickets]:
    account, created = _ticket_starts(world, rng)
    n = len(account)
    window = world.window
    # a ticket opened late on the region's last local day (or early on the first) can fall
    # outside the window in UTC: it keeps the health of the window's last (first) month
    month = np.clip(window.month_of(created // US_PER_DAY), 0, world.months - 1)
    h = world.health[account, month].astype(float)
    priority = pick(rng, cfg.PRIORITY_SHARES, n)
    category = pick(rng, cfg.CATEGORY_SHARES, n)
    channel = pick(rng, cfg.CHANNEL_SHARES, n)
    requester = pick_users(users, account, created // US_PER_DAY, rng)
    requester = np.where(rng.random(n) < 0.03, -1, requester)
    # first contact resolution: one contact, no escalation, no reopen (lower when unhealthy)
    mood = 1.0 - 0.25 * np.clip(0.62 - h, 0, None)
    single = rng.random(n) < np.take(cfg.SINGLE_CONTACT, category) * mood
    contacts = np.where(single, 1, 2 + rng.poisson(1.0, n))
    escalated = rng.random(n) < np.take(cfg.ESCALATION, category) * (2 - mood)
    reopened = rng.random(n) < np.take(cfg.REOPEN, category)
    # timeline: first response, optional pending, resolution, reopen, close
    first_resp = created + (
        np.exp(rng.normal(np.log(np.array([10, 30, 60, 120])[priority]), 0.8)) * 60 * US_PER_SECOND
    ).astype(np.int64)
    median = np.take(cfg.RESOLUTION_MEDIAN_HOURS, priority) * np.where(escalated, 1.4, 1.0)
    # a few tickets get stuck waiting for weeks (stale while open)
    stuck = rng.random(n) < cfg.STALE_TICKET_RATE
    resolved1 = np.maximum(
        created + _lognormal_hours(rng, median, np.take(cfg.RESOLUTION_SIGMA, priority)),
        first_resp + 5 * 60 * US_PER_SECOND,
    ) + stuck * (rng.uniform(*cfg.STALE_DAYS, n) * US_PER_DAY).astype(np.int64)
    pending_at = first_resp + ((resolved1 - first_resp) * rng.uniform(0.2, 0.8, n)).astype(np.int64)
    has_pending = stuck | (rng.random(n) < 0.35)
    reopen_at = resolved1 + (rng.uniform(2, 72, n) * US_PER_HOUR).astype(np.int64)
    resolved2 = reopen_at + _lognormal_hours(rng, median * 0.5, np.full(n, 0.6))
    final = np.where(reopened, resolved2, resolved1)
    closed_at = final + (rng.uniform(3, 5, n) * US_PER_DAY).astype(np.int64)
    handle = np.round(
        np.exp(rng.normal(np.log(cfg.HANDLE_TIME_MEDIAN_SECONDS), cfg.HANDLE_TIME_SIGMA, n))
        * np.where(escalated, 1.6, 1.0)
    ).astype(np.int64)
    sentiment = np.clip(rng.normal(1.3 * (h - 0.5) + 0.1, 0.3), -1, 1)
    sentiment_null = rng.random(n) < cfg.SENTIMENT_NULL
    agent = _assign_agents(rng, tiers, escalated)

    inf = np.full(n, NEVER)
    steps = [  # (status, instant, present)
        (NEW, created, np.ones(n, bool)),
        (OPEN, first_resp, np.ones(n, bool)),
        (PENDING, pending_at, has_pending),
        (SOLVED, resolved1, np.ones(n, bool)),
        (OPEN, reopen_at, reopened),
        (SOLVED, resolved2, reopened),
        (CLOSED, closed_at, np.ones(n, bool)),
    ]
    parts = []
    for i, (status, instant, present) in enumerate(steps):
        idx = np.flatnonzero(present & (instant <= window.end_load))
        parts.append((idx, np.full(len(idx), status), instant[idx], np.full(len(idx), i)))
    idx, status, updated, step = (np.concatenate(c) for c in zip(*parts, strict=True))
    resolved_at = np.select(
        [step == 3, (step == 5) | ((step == 6) & reopened[idx]), step == 6],
        [resolved1[idx], resolved2[idx], resolved1[idx]],
        inf[idx],
    )
    responded = step >= 1
    solved_once = step >= 3
    ids = names.prefixed_ids("tkt_", np.arange(1, n + 1), 8)
    table = writer.build(
        "support_tickets",
        {
            "ticket_id": ids.take(pa.array(idx)),
            "account_id": names.account_ids(account[idx]),
            "requester_user_id": users.ids.take(
                pa.array(np.maximum(requester[idx], 0), mask=requester[idx] < 0)
            ),
            "agent_id": _agent_ids(len(tiers)).take(pa.array(agent[idx], mask=~responded)),
            "priority": pa.array(cfg.PRIORITIES).take(pa.array(priority[idx])),
            "category": pa.array(cfg.CATEGORIES).take(pa.array(category[idx])),
            "channel": pa.array(cfg.CHANNELS).take(pa.array(channel[idx])),
            "status": pa.array(STATUSES).take(pa.array(status)),
            "created_at": created[idx],
            "first_response_at": np.where(responded, first_resp[idx], NEVER),
            "resolved_at": resolved_at,
            "reopened_count": ((step >= 4) & reopened[idx]).astype(np.int32),
            "customer_contacts": np.where(solved_once, contacts[idx], 1),
            "escalated": escalated[idx] & responded,
            "handle_time_seconds": (
                np.where(solved_once, handle[idx], handle[idx] // 3),
                ~responded,
            ),
            "sentiment_score": (sentiment[idx], sentiment_null[idx]),
            "updated_at": updated,
            "_loaded_at": load_time(updated),
        },
    )
    loaded_final = np.where(final <= window.end_load, final, NEVER)
    first_contact = single & ~escalated & ~reopened
    facts = Tickets(account, created, loaded_final, first_contact, escalated, requester, ids)
    return table, facts


def _assign_agents(
    rng: np.random.Generator, tiers: np.ndarray, escalated: np.ndarray
) -> np.ndarray:
    """Frontline agents take most tickets; escalations end with tier 2-3."""
    n = len(escalated)
    pools = [np.flatnonzero(tiers == t) for t in (1, 2, 3)]
    tier = np.where(escalated, 2 + (rng.random(n) < 0.35), np.where(rng.random(n) < 0.75, 1, 2))
    out = np.empty(n, np.int64)
    for t, pool in zip((1, 2, 3), pools, strict=True):
        sel = tier == t
        out[sel] = pool[rng.integers(0, len(pool), sel.sum())]
    return out


def kb_sessions_table(world: World, users: Users, rng: np.random.Generator) -> pa.Table:
    """Self-service knowledge-base sessions; healthier accounts help themselves more."""
    acc_parts, day_parts, h_parts = [], [], []
    for m in range(world.months):
        acc = np.flatnonzero(world.active(m))
        lo, hi = world.active_lo[acc, m], world.active_hi[acc, m]
        lam = np.take(cfg.KB_SESSIONS_PER_ACCOUNT_MONTH, world.pop.segment[acc])
        count = rng.poisson(
            lam * (hi - lo + 1) / (world.window.last(m) - world.window.first(m) + 1)
        )
        acc_parts.append(np.repeat(acc, count))
        day_parts.append(random_days(rng, np.repeat(lo, count), np.repeat(hi, count)))
        h_parts.append(np.repeat(world.health[acc, m], count))
    account, day, h = (np.concatenate(p) for p in (acc_parts, day_parts, h_parts))
    n = len(account)
    started = day * US_PER_DAY + time_of_day(rng, n)
    order = np.argsort(started, kind="stable")
    account, day, h, started = account[order], day[order], h[order], started[order]
    user = np.where(rng.random(n) < 0.12, -1, pick_users(users, account, day, rng))
    resolved = rng.random(n) < 0.30 + 0.25 * h
    article = np.minimum(rng.zipf(1.3, n), cfg.KB_ARTICLES)
    rating = np.where(resolved, 4 + (rng.random(n) < 0.6), 1 + rng.integers(0, 3, n))
    return writer.build(
        "support_kb_sessions",
        {
            "kb_session_id": names.prefixed_ids("kbs_", np.arange(1, n + 1), 8),
            "account_id": names.account_ids(account),
            "user_id": users.ids.take(pa.array(np.maximum(user, 0), mask=user < 0)),
            "started_at": started,
            "article_id": names.prefixed_ids("kb-", article, 4),
            "resolved_without_ticket": resolved,
            "article_rating": (rating, rng.random(n) < 0.55),
            "_loaded_at": load_time(started),
        },
    )
