"""billing_subscription_periods, billing_invoices (CDC) and finance_acquisition_costs."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from csm.generator import config as cfg
from csm.generator import names, writer
from csm.generator.simulate import INVOLUNTARY, World
from csm.generator.timeline import (
    LOAD_OFFSET_US,
    NEVER,
    US_PER_DAY,
    add_months,
    load_time,
    month_number,
    time_of_day,
)
from csm.generator.vector import expand_ranges

REASONS = pa.array(["voluntary", "involuntary"])
INTERVALS = pa.array(["month", "year"])
OPEN, PAID, VOID, UNCOLLECTIBLE = range(4)
STATUSES = pa.array(["open", "paid", "void", "uncollectible"])
ONE_OFF_RATE = 0.03
VOID_RATE = 0.006


def _day_load(day: np.ndarray) -> np.ndarray:
    return np.asarray(day, np.int64) * US_PER_DAY + LOAD_OFFSET_US


def subscription_ids(subs: np.ndarray) -> pa.Array:
    return names.prefixed_ids("sub_", np.asarray(subs) + 1, 7)


def periods_table(world: World) -> pa.Table:
    p = world.periods
    changed = np.where(p.end == NEVER, p.start, p.end)
    return writer.build(
        "billing_subscription_periods",
        {
            "period_id": names.prefixed_ids("per_", np.arange(1, len(p.sub) + 1), 8),
            "subscription_id": subscription_ids(p.sub),
            "account_id": names.account_ids(p.account),
            "plan_code": pa.array(cfg.PLANS).take(pa.array(p.plan)),
            "seats": p.seats,
            "mrr_cents": p.mrr,
            "billing_interval": INTERVALS.take(pa.array(p.annual.astype(np.int64))),
            "period_start": p.start,
            "period_end": p.end,
            "cancel_reason": REASONS.take(pa.array(p.reason, mask=p.reason < 0)),
            "_loaded_at": _day_load(changed),
        },
    )


def _cycles(world: World) -> tuple[np.ndarray, np.ndarray]:
    """(subscription, issue day) of every invoice issued inside the window."""
    subs, window = world.subs, world.window
    step = np.where(subs.annual, 12, 1)
    start_mon = month_number(subs.start)
    first_mon = month_number(np.array([window.start_day]))[0]
    last_mon = month_number(np.array([window.end_day]))[0]
    k_lo = np.maximum(0, -((start_mon - first_mon) // step))  # ceil((first - start) / step)
    k_hi = (last_mon - start_mon) // step
    count = np.maximum(0, k_hi - k_lo + 1)
    sub = np.repeat(np.arange(len(step)), count)
    k = expand_ranges(k_lo, count)
    issue = add_months(subs.start[sub], k * step[sub])
    keep = (issue <= window.end_day) & (issue < subs.end[sub]) & (issue >= window.start_day)
    return sub[keep], issue[keep]


def invoices_table(world: World, rng: np.random.Generator) -> pa.Table:
    """All invoice versions (open when issued, then paid / void / uncollectible)."""
    subs, periods, window = world.subs, world.periods, world.window
    sub, issue = _cycles(world)
    # amount: the subscription's period covering the issue day (x12 for annual)
    key = periods.sub * 10**6 + periods.start
    at = np.searchsorted(key, sub * 10**6 + issue, side="right") - 1
    amount = periods.mrr[at] * np.where(subs.annual[sub], 12, 1)
    account = subs.account[sub]
    sub_id = sub.copy()
    # one-off charges (implementation fees) without a subscription
    starts = world.starts
    firsts = np.flatnonzero((starts.kind == 0) & (starts.day >= window.start_day))
    one_off = firsts[rng.random(len(firsts)) < ONE_OFF_RATE]
    account = np.concatenate([account, starts.account[one_off]])
    issue = np.concatenate([issue, starts.day[one_off]])
    amount = np.concatenate([amount, rng.integers(10, 100, len(one_off)) * 10_000])
    sub_id = np.concatenate([sub_id, np.full(len(one_off), -1)])
    order = np.lexsort((account, issue))
    account, issue, amount, sub_id = account[order], issue[order], amount[order], sub_id[order]
    n = len(issue)

    # payment: late more often when health is low; involuntary churn leaves the last
    # one or two invoices unpaid until they are written off at churn
    h = world.health[account, np.maximum(window.month_of(issue), 0)].astype(float)
    late = rng.random(n) < 0.03 + 0.35 * (1 - h) ** 2
    delay = np.where(
        late,
        31 + np.round(np.exp(rng.normal(np.log(12), 0.7, n))),
        1 + np.floor(28 * rng.random(n) ** 2),
    ).astype(np.int64)
    paid_us = (issue + delay) * US_PER_DAY + time_of_day(rng, n)
    has_sub = sub_id >= 0
    sub_end = np.where(has_sub, subs.end[np.maximum(sub_id, 0)], NEVER)
    sub_reason = np.where(has_sub, subs.reason[np.maximum(sub_id, 0)], -1)
    written_off = (sub_reason == INVOLUNTARY) & (issue >= sub_end - 62) & (issue < sub_end)
    void = ~written_off & (rng.random(n) < VOID_RATE)
    status2 = np.where(written_off, UNCOLLECTIBLE, np.where(void, VOID, PAID))
    second_load = np.select(
        [written_off, void],
        [_day_load(sub_end), _day_load(issue + rng.integers(1, 11, n))],
        load_time(paid_us),
    )
    has_second = second_load <= window.end_load
    ids = names.prefixed_ids("inv_", np.arange(1, n + 1), 8)

    first = np.arange(n)
    second = np.flatnonzero(has_second)
    rows = np.concatenate([first, second])
    status = np.concatenate([np.full(n, OPEN), status2[second]])
    paid_at = np.concatenate(
        [np.full(n, NEVER), np.where(status2[second] == PAID, paid_us[second], NEVER)]
    )
    loaded = np.concatenate([_day_load(issue), second_load[second]])
    return writer.build(
        "billing_invoices",
        {
            "invoice_id": ids.take(pa.array(rows)),
            "account_id": names.account_ids(account[rows]),
            "subscription_id": names.with_nulls(
                subscription_ids(np.maximum(sub_id[rows], 0)), sub_id[rows] < 0
            ),
            "amount_cents": amount[rows],
            "issued_at": issue[rows],
            "due_at": issue[rows] + 30,
            "paid_at": paid_at,
            "status": STATUSES.take(pa.array(status)),
            "_loaded_at": loaded,
        },
    )


def acquisition_costs_table(world: World, rng: np.random.Generator) -> pa.Table:
    """One row per account that ever paid: CAC ~ 0.5-1.5 x first-year ARR."""
    starts = world.starts
    first = np.flatnonzero(starts.kind == 0)
    account, day = starts.account[first], starts.day[first]
    # first-year ARR: the first period of the account's first (core) subscription
    first_sub = np.full(world.pop.n, np.iinfo(np.int64).max)
    np.minimum.at(first_sub, world.subs.account, np.arange(len(world.subs.account)))
    periods = world.periods
    mrr = periods.mrr[np.searchsorted(periods.sub, first_sub[account])]
    cac = np.round(12 * mrr * rng.uniform(0.5, 1.5, len(account))).astype(np.int64)
    month = np.asarray(day).astype("datetime64[D]").astype("datetime64[M]")
    return writer.build(
        "finance_acquisition_costs",
        {
            "account_id": names.account_ids(account),
            "acquired_month": month.astype("datetime64[D]").astype(np.int64),
            "cac_cents": cac,
            "_loaded_at": _day_load(day),
        },
    )
