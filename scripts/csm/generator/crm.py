"""crm_accounts (CDC), crm_csms, crm_opportunities (CDC) and crm_activities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from csm.generator import config as cfg
from csm.generator import names, writer
from csm.generator.population import PROSPECT
from csm.generator.simulate import EXPANSIONS, VOLUNTARY, World
from csm.generator.timeline import (
    NEVER,
    US_PER_DAY,
    Window,
    add_months,
    load_time,
    random_days,
    time_of_day,
)
from csm.generator.vector import pick

STAFF_DOMAIN = "cs.example.com"
ACTIVITY_TYPES = ("call", "email", "meeting", "qbr", "executive_briefing")
OPP_TYPES = ("new_business", "expansion", "renewal")
STAGES = ("open", "closed_won", "closed_lost")
OPEN, WON, LOST = range(3)


def csm_ids(n: int) -> pa.Array:
    return names.prefixed_ids("csm_", np.arange(1, n + 1), 4)


@dataclass
class AccountHistory:
    """CSM of each account over time: `before` until `change_us`, then `after`."""

    before: np.ndarray
    after: np.ndarray
    change_us: np.ndarray  # NEVER when the CSM never changed

    def at(self, account: np.ndarray, instant: np.ndarray) -> np.ndarray:
        return np.where(
            instant < self.change_us[account], self.before[account], self.after[account]
        )


def _deletion_candidates(world: World) -> np.ndarray:
    """Accounts a CRM admin would delete: old prospects and long-churned customers."""
    pop, window = world.pop, world.window
    cutoff = window.end_day - 180
    last_start = np.full(pop.n, -1, np.int64)
    np.maximum.at(last_start, world.starts.account, world.starts.day)
    last_churn = np.full(pop.n, -1, np.int64)
    np.maximum.at(last_churn, world.churns.account, world.churns.day)
    churned_for_good = (last_churn > last_start) & (last_churn < cutoff)
    old_prospect = (pop.kind == PROSPECT) & (pop.created_us < cutoff * US_PER_DAY)
    since = np.where(old_prospect, pop.created_us // US_PER_DAY, last_churn)
    return np.flatnonzero(churned_for_good | old_prospect), since


def accounts_table(
    world: World, rng: np.random.Generator
) -> tuple[pa.Table, AccountHistory, dict[str, int]]:
    """Account versions: created, then some field changes, some deleted at the end."""
    pop, window = world.pop, world.window
    n = pop.n
    null_industry = rng.random(n) < cfg.NULL_INDUSTRY
    null_employees = rng.random(n) < cfg.NULL_EMPLOYEE_COUNT
    csm = np.where(rng.random(n) < cfg.NULL_CSM, -1, pop.csm)
    extra = pick(rng, (0.62, 0.26, 0.09, 0.03), n)
    candidates, since = _deletion_candidates(world)
    n_deleted = min(len(candidates), round(cfg.DELETED_SHARE * n))
    deleted = rng.choice(len(candidates), n_deleted, replace=False)
    deleted_acc = candidates[deleted]
    delete_us = np.full(n, NEVER, np.int64)
    lo = np.maximum(since[deleted] + 90, pop.created_us[deleted_acc] // US_PER_DAY + 1)
    lo = np.minimum(lo, window.end_day)
    delete_us[deleted_acc] = random_days(rng, lo, np.full(len(lo), window.end_day)) * US_PER_DAY
    delete_us[deleted_acc] += time_of_day(rng, n_deleted)

    # version rows, built per account (bounded: a few versions each)
    rows: dict[str, list] = {k: [] for k in ("acc", "name", "emp", "csm", "upd", "deleted")}
    before, after = csm.copy(), csm.copy()
    change_us = np.full(n, NEVER, np.int64)
    end_us = window.end_load
    team_csms = [np.flatnonzero(pop.csm_team == t) for t in range(3)]
    kinds = rng.integers(0, 3, (n, 3))
    stamps = rng.random((n, 3))
    factors = rng.uniform(0.88, 1.15, (n, 3))
    # some employee-count changes move the company into the next size band (the largest
    # shrink into the one below): its CRM size segment changes from that version on
    crosses = rng.random((n, 3)) < cfg.SEGMENT_CHANGE_SHARE
    cross_factors = rng.uniform(1.0, 1.3, (n, 3))
    lo_band = np.take([b[0] for b in cfg.EMPLOYEE_BANDS], pop.segment)
    hi_band = np.take([b[1] for b in cfg.EMPLOYEE_BANDS], pop.segment)
    crossed = np.zeros(n, bool)

    def version(a: int, name: str, emp: int, owner: int, updated: int, deleted: bool) -> None:
        for key, value in zip(rows, (a, name, emp, owner, updated, deleted), strict=True):
            rows[key].append(value)

    for a in range(n):
        name, emp, owner = pop.names[a], int(pop.employee_count[a]), int(csm[a])
        created = int(pop.created_us[a])
        last = min(int(delete_us[a]), end_us)
        version(a, name, emp, owner, created, False)
        times = np.sort(created + (stamps[a, : extra[a]] * (last - created)).astype(np.int64))
        for v, stamp in enumerate(times):
            kind = kinds[a, v]
            if kind == 0 and crosses[a, v] and not crossed[a]:  # one segment change
                grows = pop.segment[a] < len(cfg.EMPLOYEE_BANDS) - 1
                band = cfg.EMPLOYEE_BANDS[pop.segment[a] + (1 if grows else -1)]
                factor = cross_factors[a, v]
                emp = round(band[0] * factor if grows else band[1] / factor)
                lo_band[a], hi_band[a] = band  # later changes stay in the new band
                crossed[a] = True
            elif kind == 0:
                emp = int(np.clip(round(emp * factors[a, v]), lo_band[a], hi_band[a]))
            elif kind == 1 and owner >= 0 and change_us[a] == NEVER:  # one reassignment
                pool = team_csms[pop.csm_team[owner]]
                if len(pool) == 1:  # a one-CSM team (tiny scale) hands over to another team
                    pool = np.arange(pop.n_csms)
                new_owner = int(pool[(np.searchsorted(pool, owner) + 1) % len(pool)])
                before[a], after[a], change_us[a] = owner, new_owner, stamp
                owner = new_owner
            else:
                name = name.replace(" Inc", " Holdings") if " Inc" in name else f"{name} Group"
            version(a, name, emp, owner, int(stamp) + 1, False)
        if delete_us[a] != NEVER:
            version(a, name, emp, owner, max(int(delete_us[a]), rows["upd"][-1] + 1), True)
    acc = np.array(rows["acc"])
    upd = np.minimum(np.array(rows["upd"], np.int64), end_us)
    owner = np.array(rows["csm"])
    table = writer.build(
        "crm_accounts",
        {
            "account_id": names.account_ids(acc),
            "account_name": pa.array(rows["name"], pa.string()),
            "industry": pa.array(cfg.INDUSTRIES).take(
                pa.array(pop.industry[acc], mask=null_industry[acc])
            ),
            "employee_count": (np.array(rows["emp"]), null_employees[acc]),
            "region": pa.array(cfg.REGIONS).take(pa.array(pop.region[acc])),
            "csm_id": csm_ids(pop.n_csms).take(pa.array(owner, mask=owner < 0)),
            "created_at": pop.created_us[acc],
            "updated_at": upd,
            "is_deleted": np.array(rows["deleted"]),
            "_loaded_at": load_time(upd),
        },
    )
    stats = {"deleted": int(n_deleted), "versions": len(acc)}
    return table, AccountHistory(before, after, change_us), stats


def csms_table(world: World, rng: np.random.Generator) -> pa.Table:
    pop, window = world.pop, world.window
    k = pop.n_csms
    first, last = names.person_names(rng, k)
    started = window.start_day - rng.integers(30, 6 * 365, k)
    return writer.build(
        "crm_csms",
        {
            "csm_id": csm_ids(k),
            "full_name": pa.array(names.full_names(first, last), pa.string()),
            "email": pa.array(names.staff_emails(first, last, STAFF_DOMAIN), pa.string()),
            "team": pa.array(names.CSM_TEAMS).take(pa.array(pop.csm_team)),
            "started_at": started,
            "_loaded_at": np.full(k, window.end_load),  # a daily full snapshot
        },
    )


# --- activities ---------------------------------------------------------------------------


def activities_table(world: World, history: AccountHistory, rng: np.random.Generator) -> pa.Table:
    """CSM touches per account-month; QBRs quarterly for larger accounts."""
    pop = world.pop
    parts: list[tuple[np.ndarray, ...]] = []
    per_month = np.array([0.8, 2.0, 4.0])
    for m in range(world.months):
        acc = np.flatnonzero(world.active(m))
        lo, hi = world.active_lo[acc, m], world.active_hi[acc, m]
        seg = pop.segment[acc]
        h = world.health[acc, m].astype(float)
        count = rng.poisson(per_month[seg])
        kind = pick(rng, (0.35, 0.45, 0.20), int(count.sum()))
        a = np.repeat(acc, count)
        # QBR in the account's quarter month (mid_market and enterprise), skipped more
        # often by unhealthy accounts; occasional executive briefings
        qbr = (seg > 0) & ((m + acc) % 3 == 0) & (rng.random(len(acc)) < 0.45 + 0.5 * h)
        brief = rng.random(len(acc)) < np.array([0.0, 0.02, 0.07])[seg]
        a = np.concatenate([a, acc[qbr], acc[brief]])
        kind = np.concatenate([kind, np.full(qbr.sum(), 3), np.full(brief.sum(), 4)])
        pos = np.searchsorted(acc, a)
        day = random_days(rng, lo[pos], hi[pos])
        parts.append((a, kind, day, h[pos]))
    acc, kind, day, h = (np.concatenate(c) for c in zip(*parts, strict=True))
    occurred = day * US_PER_DAY + _office_time(rng, len(day))
    base = np.array([0.10, 0.02, 0.15, 0.30, 0.90])[kind]
    slope = np.array([0.20, 0.03, 0.35, 0.60, 0.08])[kind]
    executive = rng.random(len(kind)) < base + slope * h
    order = np.argsort(occurred, kind="stable")
    acc, kind, occurred, executive = acc[order], kind[order], occurred[order], executive[order]
    owner = history.at(acc, occurred)
    return writer.build(
        "crm_activities",
        {
            "activity_id": names.prefixed_ids("act_", np.arange(1, len(acc) + 1), 8),
            "account_id": names.account_ids(acc),
            "csm_id": csm_ids(pop.n_csms).take(pa.array(owner, mask=owner < 0)),
            "activity_type": pa.array(ACTIVITY_TYPES).take(pa.array(kind)),
            "occurred_at": occurred,
            "executive_present": executive,
            "_loaded_at": load_time(occurred),
        },
    )


def _office_time(rng: np.random.Generator, n: int) -> np.ndarray:
    return (rng.integers(8 * 3600, 18 * 3600, n)) * 1_000_000


# --- opportunities ------------------------------------------------------------------------


@dataclass
class _Opps:
    account: list[np.ndarray]
    kind: list[np.ndarray]
    created: list[np.ndarray]  # instant
    close: list[np.ndarray]  # instant of closing, NEVER while open
    stage: list[np.ndarray]  # final stage
    amount: list[np.ndarray]

    def add(
        self,
        account: np.ndarray,
        kind: int,
        created: np.ndarray,
        close: np.ndarray,
        stage: np.ndarray,
        amount: np.ndarray,
    ) -> None:
        self.account.append(np.asarray(account, np.int64))
        self.kind.append(np.full(len(account), kind))
        self.created.append(np.asarray(created, np.int64))
        self.close.append(np.asarray(close, np.int64))
        self.stage.append(np.broadcast_to(np.asarray(stage, np.int64), len(account)).copy())
        self.amount.append(np.maximum(np.asarray(amount, np.int64), 100_00))


def _instant(rng: np.random.Generator, day: np.ndarray) -> np.ndarray:
    return np.asarray(day, np.int64) * US_PER_DAY + _office_time(rng, len(day))


def _account_mrr_on(world: World, account: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Total MRR of each account on the given day (all its subscriptions)."""
    p = world.periods
    out = np.zeros(len(account), np.int64)
    order = np.argsort(p.account, kind="stable")
    acc_sorted = p.account[order]
    lo = np.searchsorted(acc_sorted, account)
    hi = np.searchsorted(acc_sorted, account, side="right")
    for i in range(int((hi - lo).max(initial=0))):
        has = lo + i < hi
        idx = order[np.minimum(lo + i, len(order) - 1)]
        live = has & (p.start[idx] <= day) & (p.end[idx] > day)
        out += np.where(live, p.mrr[idx], 0)
    return out


def opportunities_table(world: World, rng: np.random.Generator) -> pa.Table:
    pop, window = world.pop, world.window
    end_day = window.end_day
    opps = _Opps([], [], [], [], [], [])
    starts = world.starts
    # new business: won at the first paid day; prospects lose or are still open
    first = starts.kind == 0
    acc = starts.account[first]
    day = starts.day[first]
    created = np.minimum(
        pop.created_us[acc] + rng.integers(0, 5, len(acc)) * US_PER_DAY, (day - 1) * US_PER_DAY
    )
    arr = 12 * _account_mrr_on(world, acc, day)
    opps.add(acc, 0, created, _instant(rng, day), WON, arr)
    prospects = np.flatnonzero(pop.kind == PROSPECT)
    created = pop.created_us[prospects] + rng.integers(0, 10, len(prospects)) * US_PER_DAY
    close_day = created // US_PER_DAY + rng.integers(30, 120, len(prospects))
    lost = close_day <= end_day
    opps.add(
        prospects,
        0,
        np.minimum(created, window.end_load - 1),
        np.where(lost, _instant(rng, close_day), NEVER),
        np.where(lost, LOST, OPEN),
        12 * rng.integers(300, 3_000, len(prospects)) * 100,
    )
    # expansions that went through sales (most), lost expansion attempts, open pipeline
    ch = world.changes
    sel = np.isin(ch.kind, EXPANSIONS) & (ch.delta_mrr > 0) & (rng.random(len(ch.kind)) < 0.6)
    lead = rng.integers(14, 61, sel.sum())
    opps.add(
        ch.account[sel],
        1,
        _instant(rng, ch.day[sel] - lead),
        _instant(rng, ch.day[sel]),
        WON,
        12 * ch.delta_mrr[sel],
    )
    for m in range(world.months):
        acc = np.flatnonzero(world.active(m))
        h = world.health[acc, m].astype(float)
        try_ = acc[rng.random(len(acc)) < 0.012 * h / 0.62]
        if not len(try_):
            continue
        c_day = random_days(rng, world.active_lo[try_, m], world.active_hi[try_, m])
        close_day = c_day + rng.integers(20, 76, len(try_))
        done = close_day <= end_day
        arr = 12 * _account_mrr_on(world, try_, c_day) * rng.uniform(0.1, 0.4, len(try_))
        opps.add(
            try_,
            1,
            _instant(rng, c_day),
            np.where(done, _instant(rng, close_day), NEVER),
            np.where(done, LOST, OPEN),
            arr.astype(np.int64),
        )
    last = world.months - 1
    acc = np.flatnonzero(world.active(last))
    hot = acc[(world.util[acc, last] > 0.8) & (rng.random(len(acc)) < 0.3)]
    c_day = end_day - rng.integers(0, 60, len(hot))
    opps.add(
        hot,
        1,
        _instant(rng, c_day),
        np.full(len(hot), NEVER),
        OPEN,
        (
            12
            * _account_mrr_on(world, hot, np.full(len(hot), end_day))
            * rng.uniform(0.2, 0.5, len(hot))
        ).astype(np.int64),
    )
    # renewals of annual core contracts: opened 90 days ahead
    subs = world.subs
    core = np.flatnonzero(subs.annual & (subs.plan < cfg.CORE_PLANS))
    years = np.maximum((end_day + 90 - subs.start[core]) // 365 + 1, 0)
    sub = np.repeat(core, years)
    k = 1 + np.arange(len(sub)) - np.repeat(np.cumsum(years) - years, years)
    anniversary = add_months(subs.start[sub], 12 * k)
    keep = (
        (anniversary - 90 <= end_day)
        & (anniversary - 90 >= window.pre_first)
        & (anniversary <= subs.end[sub])
    )
    sub, anniversary = sub[keep], anniversary[keep]
    ended_here = subs.end[sub] == anniversary
    lost = ended_here & (subs.reason[sub] == VOLUNTARY)
    future = anniversary > end_day
    close_day = np.where(lost, anniversary, anniversary - rng.integers(0, 31, len(sub)))
    arr = 12 * _account_mrr_on(world, subs.account[sub], anniversary - 1)
    opps.add(
        subs.account[sub],
        2,
        _instant(rng, anniversary - 90),
        np.where(future, NEVER, _instant(rng, close_day)),
        np.where(future, OPEN, np.where(lost, LOST, WON)),
        arr,
    )
    return _opportunity_versions(opps, window, rng)


def _opportunity_versions(opps: _Opps, window: Window, rng: np.random.Generator) -> pa.Table:
    """Open version when created, sometimes a re-estimate, then the closing version."""
    acc, kind, created, close, stage, amount = (
        np.concatenate(getattr(opps, f))
        for f in ("account", "kind", "created", "close", "stage", "amount")
    )
    close = np.where(close != NEVER, np.maximum(close, created + US_PER_DAY), NEVER)
    late = (close != NEVER) & (close > window.end_load)
    close, stage = np.where(late, NEVER, close), np.where(late, OPEN, stage)
    order = np.lexsort((acc, created))
    acc, kind, created, close, stage, amount = (
        a[order] for a in (acc, kind, created, close, stage, amount)
    )
    n = len(acc)
    ids = names.prefixed_ids("opp_", np.arange(1, n + 1), 7)
    expected_day = np.where(
        close != NEVER,
        close // US_PER_DAY + rng.integers(-20, 21, n),
        created // US_PER_DAY + rng.integers(30, 91, n),
    )
    expected_day = np.maximum(expected_day, created // US_PER_DAY)
    estimate = np.round(amount * rng.uniform(0.8, 1.25, n)).astype(np.int64)
    closing_at = np.where(close != NEVER, close, window.end_load)
    mid = created + ((closing_at - created) * rng.uniform(0.3, 0.7, n)).astype(np.int64)
    has_mid = (rng.random(n) < 0.4) & (mid > created) & (mid < closing_at)
    closed = close != NEVER
    v_idx = np.concatenate([np.arange(n), np.flatnonzero(has_mid), np.flatnonzero(closed)])
    v_stage = np.concatenate([np.zeros(n + has_mid.sum(), np.int64), stage[closed]])
    v_amount = np.concatenate([estimate, amount[has_mid], amount[closed]])
    v_updated = np.concatenate([created, mid[has_mid], close[closed]])
    v_close = np.concatenate([expected_day, expected_day[has_mid], close[closed] // US_PER_DAY])
    # the expected close date of an open opportunity is a plan (it may lie ahead of the
    # extract); a few open ones have none yet
    v_close = np.where((v_stage == OPEN) & (rng.random(len(v_close)) < 0.03), NEVER, v_close)
    return writer.build(
        "crm_opportunities",
        {
            "opportunity_id": ids.take(pa.array(v_idx)),
            "account_id": names.account_ids(acc[v_idx]),
            "opportunity_type": pa.array(OPP_TYPES).take(pa.array(kind[v_idx])),
            "stage": pa.array(STAGES).take(pa.array(v_stage)),
            "amount_cents": v_amount,
            "created_at": created[v_idx],
            "close_date": v_close,
            "updated_at": v_updated,
            "_loaded_at": load_time(v_updated),
        },
    )
