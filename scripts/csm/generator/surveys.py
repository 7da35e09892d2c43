"""survey_responses: support CSAT, onboarding CSAT, product CES and quarterly NPS."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from csm.generator import config as cfg
from csm.generator import names, writer
from csm.generator.product import Users, pick_users
from csm.generator.simulate import HEALTH_REF, World
from csm.generator.support import Tickets
from csm.generator.timeline import (
    NEVER,
    US_PER_DAY,
    US_PER_HOUR,
    load_time,
    random_days,
    time_of_day,
)

CSAT, NPS, CES = range(3)
SURVEY_TYPES = ("csat", "nps", "ces")
SUPPORT, PRODUCT, ONBOARDING, ACCOUNT_MANAGEMENT = range(4)
TOUCHPOINTS = ("support", "product", "onboarding", "account_management")
SCALE_LOW = (1, 0, 1)
SHARES = (cfg.CSAT_SHARES, cfg.NPS_SHARES, cfg.CES_SHARES)
HEALTH_WEIGHT = 2.2  # latent satisfaction per unit of health
HEALTH_VARIANCE = 0.025  # of health across paying accounts


def _thresholds(shares: tuple[float, ...]) -> np.ndarray:
    """Cut points of the latent score so that an average account gives `shares`."""
    spread = (HEALTH_WEIGHT**2 * HEALTH_VARIANCE + 1.0) ** 0.5
    cum = np.cumsum(shares)[:-1] / sum(shares)
    return np.array([NormalDist(0.0, spread).inv_cdf(float(p)) for p in cum])


def _scores(
    rng: np.random.Generator, kind: np.ndarray, h: np.ndarray, bonus: np.ndarray
) -> np.ndarray:
    latent = HEALTH_WEIGHT * (h - HEALTH_REF) + bonus + rng.normal(0, 1, len(h))
    out = np.empty(len(h), np.int64)
    for k in (CSAT, NPS, CES):
        sel = kind == k
        out[sel] = SCALE_LOW[k] + np.searchsorted(_thresholds(SHARES[k]), latent[sel])
    return out


def _quarterly(
    world: World, rng: np.random.Generator, phase: int, per_segment: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(account, sent day) for relationship surveys sent once a quarter per account."""
    acc_parts, day_parts = [], []
    for m in range(world.months):
        acc = np.flatnonzero(world.active(m))
        acc = acc[(acc + m) % 3 == phase]
        count = 1 + rng.poisson(per_segment[world.pop.segment[acc]])
        a = np.repeat(acc, count)
        acc_parts.append(a)
        day_parts.append(random_days(rng, world.active_lo[a, m], world.active_hi[a, m]))
    return np.concatenate(acc_parts), np.concatenate(day_parts)


def responses_table(
    world: World,
    users: Users,
    tickets: Tickets,
    go_live: tuple[np.ndarray, np.ndarray],
    rng: np.random.Generator,
) -> pa.Table:
    window = world.window
    # support CSAT after most resolved tickets
    solved = np.flatnonzero(
        (tickets.resolved != NEVER) & (rng.random(len(tickets.account)) < cfg.SUPPORT_SURVEY_SENT)
    )
    sup_sent = tickets.resolved[solved] + (rng.uniform(0.5, 24, len(solved)) * US_PER_HOUR).astype(
        np.int64
    )
    sup_bonus = 0.45 * (tickets.first_contact[solved] - 0.7) - 0.4 * (
        tickets.escalated[solved] - 0.08
    )
    # onboarding CSAT after go-live, relationship NPS and product CES each quarter
    reps = 1 + (rng.random(len(go_live[0])) < 0.5)
    onb_acc, onb_sent = np.repeat(go_live[0], reps), np.repeat(go_live[1], reps)
    nps_acc, nps_day = _quarterly(world, rng, 1, np.array([0.5, 1.2, 2.5]))
    ces_acc, ces_day = _quarterly(world, rng, 2, np.array([0.3, 0.6, 1.0]))
    account = np.concatenate([tickets.account[solved], onb_acc, nps_acc, ces_acc])
    sent = np.concatenate(
        [
            sup_sent,
            onb_sent + US_PER_DAY,
            nps_day * US_PER_DAY + time_of_day(rng, len(nps_day)),
            ces_day * US_PER_DAY + time_of_day(rng, len(ces_day)),
        ]
    )
    kind = np.concatenate(
        [
            np.full(len(solved), CSAT),
            np.full(len(onb_acc), CSAT),
            np.full(len(nps_acc), NPS),
            np.full(len(ces_acc), CES),
        ]
    )
    touch = np.concatenate(
        [
            np.full(len(solved), SUPPORT),
            np.full(len(onb_acc), ONBOARDING),
            np.where(rng.random(len(nps_acc)) < 0.6, ACCOUNT_MANAGEMENT, PRODUCT),
            np.full(len(ces_acc), PRODUCT),
        ]
    )
    ticket = np.concatenate([solved, np.full(len(account) - len(solved), -1)])
    bonus = np.concatenate([sup_bonus, np.zeros(len(account) - len(solved))])
    keep = sent <= window.end_load
    account, sent, kind, touch, ticket, bonus = (
        a[keep] for a in (account, sent, kind, touch, ticket, bonus)
    )
    order = np.argsort(sent, kind="stable")
    account, sent, kind, touch, ticket, bonus = (
        a[order] for a in (account, sent, kind, touch, ticket, bonus)
    )
    n = len(account)
    h = world.health[account, np.maximum(window.month_of(sent // US_PER_DAY), 0)].astype(float)
    respondent = np.where(
        ticket >= 0,
        tickets.requester[np.maximum(ticket, 0)],
        pick_users(users, account, sent // US_PER_DAY, rng),
    )
    answered_at = sent + (np.exp(rng.normal(np.log(6), 1.2, n)) * US_PER_HOUR).astype(np.int64)
    answered = (rng.random(n) < 0.18 + 0.28 * h) & (answered_at <= window.end_load)
    score = _scores(rng, kind, h, bonus)
    comment = _comments(rng, users, respondent, score, kind, answered)
    return writer.build(
        "survey_responses",
        {
            "response_id": names.prefixed_ids("rsp_", np.arange(1, n + 1), 8),
            "account_id": names.account_ids(account),
            "respondent_user_id": users.ids.take(
                pa.array(np.maximum(respondent, 0), mask=respondent < 0)
            ),
            "survey_type": pa.array(SURVEY_TYPES).take(pa.array(kind)),
            "touchpoint": pa.array(TOUCHPOINTS).take(pa.array(touch)),
            "ticket_id": tickets.ids.take(pa.array(np.maximum(ticket, 0), mask=ticket < 0)),
            "score": (score, ~answered),
            "sent_at": sent,
            "responded_at": np.where(answered, answered_at, NEVER),
            "comment": comment,
            "_loaded_at": load_time(np.where(answered, answered_at, sent)),
        },
    )


def _comments(
    rng: np.random.Generator,
    users: Users,
    respondent: np.ndarray,
    score: np.ndarray,
    kind: np.ndarray,
    answered: np.ndarray,
) -> pa.Array:
    """Free text on some answers; a share carries PII (an email address or phone number)."""
    n = len(score)
    top = np.array([5, 10, 7])[kind]
    ratio = (score - np.array(SCALE_LOW)[kind]) / (top - np.array(SCALE_LOW)[kind])
    band = np.where(ratio >= 0.75, 0, np.where(ratio >= 0.5, 1, 2))
    pools = (names.COMMENTS_POSITIVE, names.COMMENTS_NEUTRAL, names.COMMENTS_NEGATIVE)
    offsets = np.cumsum([0] + [len(p) for p in pools])[:-1]
    sizes = np.array([len(p) for p in pools])
    pick = offsets[band] + (rng.random(n) * sizes[band]).astype(np.int64)
    text = pa.array([t for p in pools for t in p]).take(pa.array(pick))
    has = answered & (rng.random(n) < cfg.COMMENT_RATE)
    pii = has & (rng.random(n) < cfg.COMMENT_PII_RATE)
    phone = pc.binary_join_element_wise(
        "+1 555-01", pc.cast(pa.array(rng.integers(10, 100, n)), pa.string()), ""
    )
    email = users.emails.take(pa.array(np.maximum(respondent, 0)))
    contact = pc.if_else(pa.array(respondent >= 0), email, phone)
    prefix = pa.array(names.PII_PREFIXES).take(
        pa.array(rng.integers(0, len(names.PII_PREFIXES), n))
    )
    with_pii = pc.binary_join_element_wise(text, " ", prefix, contact, "")
    text = pc.if_else(pa.array(pii), with_pii, text)
    return names.with_nulls(text, ~has)
