"""Planted defects at documented rates: exact duplicates, re-delivered events, enum
case/whitespace noise and invalid rows (extra rows with fresh IDs, one rule each).

Every count lands in `DefectLog` and from there in `_generation.json`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from csm.generator import config as cfg
from csm.generator.timeline import US_PER_DAY, US_PER_HOUR
from csm.generator.writer import contract

Rule = Callable[[pa.Table, np.random.Generator, "FreshIds"], pa.Table]
OUT_OF_SCALE = {"csat": (0, 6, 7, 10), "nps": (-1, 11, 12), "ces": (0, 8, 9)}


@dataclass
class DefectLog:
    """Planted defect counts per table and kind (invalid rules and enum noise by name)."""

    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    fresh: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, kind: str, count: int, name: str | None = None) -> None:
        entry = self.tables.setdefault(table, {})
        if name is None:
            entry[kind] = entry.get(kind, 0) + int(count)
        else:
            group = entry.setdefault(kind, {})
            group[name] = group.get(name, 0) + int(count)


@dataclass
class FreshIds:
    """IDs that no valid row uses: the value's prefix, then 9, then a counter."""

    log: DefectLog
    table: str

    def like(self, values: pa.Array) -> pa.Array:
        start = self.log.fresh.get(self.table, 0)
        self.log.fresh[self.table] = start + len(values)
        sample = values[0].as_py() if len(values) else "x_0"
        prefix = sample[: sample.index("_") + 1] if "_" in sample else sample[:3]
        width = max(len(sample) - len(prefix) - 1, 6)
        digits = pc.utf8_lpad(
            pc.cast(pa.array(np.arange(start + 1, start + 1 + len(values))), pa.string()),
            width,
            "0",
        )
        return pc.binary_join_element_wise(prefix + "9", digits, "")


def _set(rows: pa.Table, name: str, values: Any) -> pa.Table:
    i = rows.schema.get_field_index(name)
    return rows.set_column(
        i,
        rows.schema.field(i),
        pa.array(values, rows.schema.field(i).type) if not isinstance(values, pa.Array) else values,
    )


def _key(table: str) -> str:
    return contract()[table].key[0]


def _fresh_key(rows: pa.Table, table: str, fresh: FreshIds) -> pa.Table:
    key = _key(table)
    if key == "account_id":
        return rows
    rows = _set(rows, key, fresh.like(rows[key].combine_chunks()))
    if table == "billing_subscription_periods":
        rows = _set(rows, "subscription_id", fresh.like(rows["subscription_id"].combine_chunks()))
    return rows


def unknown_account(table: str) -> Rule:
    def rule(rows: pa.Table, rng: np.random.Generator, fresh: FreshIds) -> pa.Table:
        accounts = FreshIds(fresh.log, "crm_accounts")
        rows = _set(rows, "account_id", accounts.like(rows["account_id"].combine_chunks()))
        return _fresh_key(rows, table, fresh)

    return rule


def resolved_before_created(rows: pa.Table, rng: np.random.Generator, fresh: FreshIds) -> pa.Table:
    created = rows["created_at"].combine_chunks().cast(pa.int64()).to_numpy()
    back = (rng.uniform(1, 72, len(created)) * US_PER_HOUR).astype(np.int64)
    rows = _set(rows, "resolved_at", pa.array(created - back).cast(pa.timestamp("us")))
    return _fresh_key(rows, "support_tickets", fresh)


def score_out_of_range(rows: pa.Table, rng: np.random.Generator, fresh: FreshIds) -> pa.Table:
    kinds = pc.utf8_lower(pc.utf8_trim_whitespace(rows["survey_type"])).to_pylist()
    scores = [int(rng.choice(OUT_OF_SCALE[k])) for k in kinds]
    rows = _set(rows, "score", scores)
    return _fresh_key(rows, "survey_responses", fresh)


def negative_mrr(rows: pa.Table, rng: np.random.Generator, fresh: FreshIds) -> pa.Table:
    rows = _set(rows, "mrr_cents", pc.negate(rows["mrr_cents"].combine_chunks()))
    return _fresh_key(rows, "billing_subscription_periods", fresh)


def period_end_not_after_start(
    rows: pa.Table, rng: np.random.Generator, fresh: FreshIds
) -> pa.Table:
    start = rows["period_start"].combine_chunks().cast(pa.int32()).to_numpy()
    end = start - rng.integers(0, 31, len(start))
    rows = _set(rows, "period_end", pa.array(end.astype(np.int32)).cast(pa.date32()))
    return _fresh_key(rows, "billing_subscription_periods", fresh)


def _eligible(rule: str, data: pa.Table) -> np.ndarray:
    """Rows a rule may copy from (a resolved ticket, an answered survey, a priced period)."""
    if rule == "resolved_before_created":
        return np.asarray(data["resolved_at"].is_valid())
    if rule == "score_out_of_range":
        return np.asarray(data["score"].is_valid())
    if rule == "negative_mrr":
        return np.asarray(pc.greater(data["mrr_cents"], 0))
    return np.ones(data.num_rows, bool)


INVALID_RULES: dict[str, tuple[tuple[str, Rule], ...]] = {
    "support_tickets": (("resolved_before_created", resolved_before_created),),
    "survey_responses": (("score_out_of_range", score_out_of_range),),
    "billing_subscription_periods": (
        ("negative_mrr", negative_mrr),
        ("period_end_not_after_start", period_end_not_after_start),
    ),
}


def rules_for(table: str) -> list[tuple[str, Rule]]:
    rules = list(INVALID_RULES.get(table, ()))
    if table != "crm_accounts" and "account_id" in contract()[table].column_names:
        rules.append(("unknown_account", unknown_account(table)))
    return rules


def invalid_counts(n: int, rules: list[str]) -> dict[str, int]:
    """About INVALID_RATE of the rows per rule, at least one when the table has 100 rows;
    rules are dropped from the end while the total would exceed INVALID_TOTAL_MAX."""
    each = round(cfg.INVALID_RATE * n)
    if each == 0 and n >= 100:
        each = 1
    counts = dict.fromkeys(rules, each)
    cap = max(int(cfg.INVALID_TOTAL_MAX * n), 1 if n >= 100 else 0)
    for name in reversed(rules):
        if sum(counts.values()) <= cap:
            break
        counts[name] = 0
    return counts


def plant_invalid(table: str, data: pa.Table, rng: np.random.Generator, log: DefectLog) -> pa.Table:
    rules = rules_for(table)
    counts = invalid_counts(data.num_rows, [name for name, _ in rules])
    fresh = FreshIds(log, table)
    parts = [data]
    for name, rule in rules:
        candidates = np.flatnonzero(_eligible(name, data))
        k = min(counts[name], len(candidates))
        if k:
            rows = data.take(pa.array(np.sort(rng.choice(candidates, k, replace=False))))
            parts.append(rule(rows, rng, fresh))
        log.add(table, "invalid", k, name)
    return pa.concat_tables(parts)


def _variants(values: pa.Array, which: np.ndarray) -> pa.Array:
    """Case / whitespace variants that lower(trim()) maps back to the value."""
    out = [
        pc.utf8_upper(values),
        pc.utf8_title(values),
        pc.binary_join_element_wise(" ", values, ""),
        pc.binary_join_element_wise(values, "  ", ""),
        pc.binary_join_element_wise(" ", pc.utf8_upper(values), " ", ""),
    ]
    result = out[0]
    for v in range(1, len(out)):
        result = pc.if_else(pa.array(which == v), out[v], result)
    return result


def enum_noise(table: str, data: pa.Table, rng: np.random.Generator, log: DefectLog) -> pa.Table:
    for column in contract()[table].columns:
        if column.enum is None:
            continue
        values = data[column.name].combine_chunks()
        mask = (rng.random(len(values)) < cfg.ENUM_NOISE_RATE) & np.asarray(values.is_valid())
        k = int(mask.sum())
        if k:
            noisy = _variants(values.filter(pa.array(mask)), rng.integers(0, 5, k))
            values = pc.replace_with_mask(values, pa.array(mask), noisy)
            data = _set(data, column.name, values)
        log.add(table, "enum_noise", k, column.name)
    return data


def duplicate_count(n: int) -> int:
    count = round(cfg.DUPLICATE_RATE * n)
    return max(count, 1) if n >= 100 else count


def duplicates(
    table: str, data: pa.Table, n_valid: int, rng: np.random.Generator, log: DefectLog
) -> pa.Table:
    """Exact copies of ~0.5% of the valid rows."""
    k = min(duplicate_count(n_valid), n_valid)
    log.add(table, "duplicates", k)
    if not k:
        return data
    copies = data.take(pa.array(np.sort(rng.choice(n_valid, k, replace=False))))
    return pa.concat_tables([data, copies])


def redeliver(data: pa.Table, end_load: int, rng: np.random.Generator, log: DefectLog) -> pa.Table:
    """At-least-once delivery: copies of ~0.5% of the events with a later _loaded_at."""
    loaded = data["_loaded_at"].combine_chunks().cast(pa.int64()).to_numpy()
    candidates = np.flatnonzero(loaded < end_load)
    k = min(round(cfg.REDELIVERY_RATE * data.num_rows), len(candidates))
    log.add("product_events", "redelivered", k)
    rows = np.sort(rng.choice(candidates, k, replace=False))
    later = np.minimum(loaded[rows] + rng.integers(1, 4, k) * US_PER_DAY, end_load)
    return _set(
        data.take(pa.array(rows, pa.int64())),
        "_loaded_at",
        pa.array(later, pa.int64()).cast(pa.timestamp("us")),
    )


def apply(table: str, data: pa.Table, rng: np.random.Generator, log: DefectLog) -> pa.Table:
    """All defects of a (non-event) table; rows end up in _loaded_at order."""
    n_valid = data.num_rows
    data = enum_noise(table, data, rng, log)
    data = plant_invalid(table, data, rng, log)
    data = duplicates(table, data, n_valid, rng, log)
    order = pc.sort_indices(data, sort_keys=[("_loaded_at", "ascending")])
    return data.take(order)


def apply_events(
    data: pa.Table, end_load: int, rng: np.random.Generator, log: DefectLog
) -> pa.Table:
    """Defects of one month of product events (kept in generation order: fast)."""
    n_valid = data.num_rows
    data = enum_noise("product_events", data, rng, log)
    again = redeliver(data, end_load, rng, log)
    data = plant_invalid("product_events", data, rng, log)
    data = duplicates("product_events", data, n_valid, rng, log)
    return pa.concat_tables([data, again])
