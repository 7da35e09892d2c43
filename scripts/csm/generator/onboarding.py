"""onboarding_milestones: five milestones for every account that starts paying in the window."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from csm.generator import config as cfg
from csm.generator import names, writer
from csm.generator.simulate import World
from csm.generator.timeline import LOAD_OFFSET_US, NEVER, US_PER_DAY, US_PER_HOUR, load_time


def first_churn_after(world: World, account: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Day of each account's first churn after `day` (NEVER when none)."""
    churns = world.churns  # sorted by (account, day)
    key = np.append(churns.account * 10**6 + churns.day, np.iinfo(np.int64).max)
    pos = np.searchsorted(key, account * 10**6 + day, side="right")
    found = np.append(churns.account, -1)[pos] == account
    return np.where(found, np.append(churns.day, NEVER)[pos], NEVER)


def milestones_table(
    world: World, rng: np.random.Generator
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Milestone rows (due dates are plans and may lie after end_date; completions never do)
    and the (account, go-live instant) of completed onboardings."""
    window = world.window
    starts = world.starts
    sel = (starts.kind == 0) & (starts.day >= window.start_day)
    account, paid = starts.account[sel], starts.day[sel]
    n, k = len(account), len(cfg.MILESTONES)
    h = world.health[account, window.month_of(paid)].astype(float)
    churn = first_churn_after(world, account, paid)
    churn_us = np.where(churn == NEVER, NEVER, churn * US_PER_DAY)
    on_time_p = np.clip(0.30 + 0.65 * h, 0.05, 0.97)
    due = paid[:, None] + np.array(cfg.MILESTONE_DUE_DAYS)[None, :]
    on_time = rng.random((n, k)) < on_time_p[:, None]
    slip = np.where(
        on_time,
        -rng.integers(0, 6, (n, k)),
        np.round(np.exp(rng.normal(np.log(10), 0.7, (n, k)))) * (1.5 - h[:, None]),
    ).astype(np.int64)
    completed = (due + slip) * US_PER_DAY + rng.integers(9, 18, (n, k)) * US_PER_HOUR
    completed = np.maximum.accumulate(
        np.maximum(completed, paid[:, None] * US_PER_DAY + US_PER_HOUR), axis=1
    )
    done = (completed <= window.end_load) & (completed < churn_us[:, None])
    completed = np.where(done, completed, NEVER)
    acc = np.repeat(account, k)
    milestone = np.tile(np.arange(k), n)
    completed_flat = completed.ravel()
    loaded = np.where(
        completed_flat == NEVER,
        np.repeat(paid, k) * US_PER_DAY + LOAD_OFFSET_US,
        load_time(completed_flat),
    )
    table = writer.build(
        "onboarding_milestones",
        {
            "account_id": names.account_ids(acc),
            "milestone": pa.array(cfg.MILESTONES).take(pa.array(milestone)),
            "due_date": due.ravel(),
            "completed_at": completed_flat,
            "_loaded_at": loaded,
        },
    )
    live = completed[:, -1] != NEVER
    return table, account[live], completed[live, -1]
