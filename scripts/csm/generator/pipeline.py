"""generate(): simulate the company, build every contract table, plant defects, write."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from csm.generator import (
    billing,
    crm,
    defects,
    names,
    onboarding,
    product,
    support,
    surveys,
    writer,
)
from csm.generator import config as cfg
from csm.generator.config import SCALES
from csm.generator.population import build_population
from csm.generator.simulate import World, simulate
from csm.generator.timeline import Window, load_time, rng_for, to_datetime

GENERATION_FILE = "_generation.json"


def _quiet(_: str) -> None:
    return None


class _Emitter:
    """Plants defects into each table, writes it to a fresh folder and keeps the counts."""

    def __init__(self, out_dir: Path, seed: int, world: World, say: Callable[[str], None]) -> None:
        self.out_dir, self.seed, self.world, self.say = out_dir, seed, world, say
        self.log = defects.DefectLog()
        self.rows: dict[str, int] = {}
        self.valid: dict[str, int] = {}

    def __call__(self, table: str, data: pa.Table) -> None:
        self.valid[table] = data.num_rows
        data = defects.apply(table, data, rng_for(self.seed, "defects", table), self.log)
        folder = writer.fresh_folder(self.out_dir, table)
        writer.write(data, folder / f"{table}.parquet")
        self.rows[table] = data.num_rows
        self.say(f"{table}: {data.num_rows:,} rows")

    def events(self, ctx: product.EventContext) -> None:
        table = "product_events"
        folder = writer.fresh_folder(self.out_dir, table)
        window = self.world.window
        total = valid = 0
        with ThreadPoolExecutor(max_workers=1) as pool:  # write month m while building m+1
            pending: Future[None] | None = None
            for m in range(window.months):
                data = product.month_events(ctx, m, rng_for(self.seed, table, m))
                valid += data.num_rows
                self.log.add(table, "late_arrivals", _late(data))
                data = defects.apply_events(
                    data, window.end_load, rng_for(self.seed, "defects", table, m), self.log
                )
                if pending is not None:
                    pending.result()
                path = folder / f"events_{window.file_label(m)}.parquet"
                pending = pool.submit(writer.write, data, path)
                total += data.num_rows
                self.say(f"{table} {window.label(m)}: {data.num_rows:,} rows")
            if pending is not None:
                pending.result()
        self.valid[table] = valid
        self.rows[table] = total


def _late(events: pa.Table) -> int:
    """Events loaded after the extract of the day they happened (late arrivals)."""
    occurred = events["occurred_at"].cast(pa.int64()).to_numpy()
    loaded = events["_loaded_at"].cast(pa.int64()).to_numpy()
    return int((loaded > load_time(occurred)).sum())


def generate(
    out_dir: Path,
    scale: str = "small",
    seed: int = 42,
    end_date: date | None = None,
    months: int = 36,
    progress: Callable[[str], None] | None = print,
) -> dict[str, int]:
    """Writes every contract table under out_dir/<table>/*.parquet, returns rows written per
    table."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    end_date = end_date or date.today() - timedelta(days=1)
    say = progress or _quiet
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    config = SCALES[scale]
    window = Window.build(end_date, months, cfg.PRE_WINDOW_MONTHS)
    pop = build_population(rng_for(seed, "population"), config.n_accounts, window)
    world = simulate(pop, window, rng_for(seed, "simulate"))
    say(f"simulated {pop.n:,} accounts over {months} months ending {end_date.isoformat()}")
    emit = _Emitter(out_dir, seed, world, say)

    accounts, history, account_stats = crm.accounts_table(world, rng_for(seed, "crm_accounts"))
    emit("crm_accounts", accounts)
    emit("crm_csms", crm.csms_table(world, rng_for(seed, "crm_csms")))
    emit("crm_opportunities", crm.opportunities_table(world, rng_for(seed, "crm_opportunities")))
    emit("crm_activities", crm.activities_table(world, history, rng_for(seed, "crm_activities")))
    emit("billing_subscription_periods", billing.periods_table(world))
    emit("billing_invoices", billing.invoices_table(world, rng_for(seed, "billing_invoices")))
    emit(
        "finance_acquisition_costs",
        billing.acquisition_costs_table(world, rng_for(seed, "finance_acquisition_costs")),
    )
    users = product.build_users(world, rng_for(seed, "product_users"))
    account_ids = names.account_ids(np.arange(pop.n))
    emit("product_users", product.users_table(users, account_ids))
    agents, tiers = support.agents_table(world, rng_for(seed, "support_agents"))
    emit("support_agents", agents)
    tickets, facts = support.tickets_table(world, users, tiers, rng_for(seed, "support_tickets"))
    emit("support_tickets", tickets)
    emit("support_kb_sessions", support.kb_sessions_table(world, users, rng_for(seed, "kb")))
    milestones, go_live_acc, go_live_at = onboarding.milestones_table(
        world, rng_for(seed, "onboarding_milestones")
    )
    emit("onboarding_milestones", milestones)
    emit(
        "survey_responses",
        surveys.responses_table(
            world, users, facts, (go_live_acc, go_live_at), rng_for(seed, "survey_responses")
        ),
    )
    ctx = product.EventContext.build(
        world,
        users,
        product.load_catalog(),
        account_ids,
        config.events_per_user_month,
        rng_for(seed, "feature_preference"),
    )
    emit.events(ctx)

    order = list(writer.contract())
    rows = {t: emit.rows[t] for t in order}
    _write_manifest(out_dir, scale, seed, end_date, months, window, rows, emit, account_stats)
    return rows


def _write_manifest(
    out_dir: Path,
    scale: str,
    seed: int,
    end_date: date,
    months: int,
    window: Window,
    rows: dict[str, int],
    emit: _Emitter,
    account_stats: dict[str, int],
) -> None:
    manifest = {
        "scale": scale,
        "seed": seed,
        "end_date": end_date.isoformat(),
        "months": months,
        "accounts": SCALES[scale].n_accounts,
        "window_start": window.start_date.isoformat(),
        "as_of_timestamp": to_datetime(window.end_load).isoformat(sep=" "),
        "rows": rows,
        "valid_rows": {t: emit.valid[t] for t in rows},
        "defects": {t: emit.log.tables.get(t, {}) for t in rows},
        "crm_accounts": account_stats,
        "rates": {
            "duplicates": cfg.DUPLICATE_RATE,
            "redelivered_events": cfg.REDELIVERY_RATE,
            "late_events": cfg.LATE_EVENT_RATE,
            "invalid_per_rule": cfg.INVALID_RATE,
            "invalid_per_rule_max": cfg.INVALID_RULE_MAX,
            "invalid_total_max": cfg.INVALID_TOTAL_MAX,
            "enum_noise": cfg.ENUM_NOISE_RATE,
            "null_industry": cfg.NULL_INDUSTRY,
            "null_employee_count": cfg.NULL_EMPLOYEE_COUNT,
            "null_csm_id": cfg.NULL_CSM,
            "deleted_accounts": cfg.DELETED_SHARE,
        },
    }
    (out_dir / GENERATION_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
