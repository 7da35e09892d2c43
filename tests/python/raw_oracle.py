"""Independent pandas reading of the raw extracts: what staging must keep, merge and reject.

Written from the source contract's text, not from the dbt models, so that the tests compare
two implementations.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from csm.contract import Table, load_contract

SURVEY_SCALES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
DQ_ORDER = ["kept", "duplicate", "superseded", "quarantined"]


def _utc_naive(table: pa.Table) -> pa.Table:
    """Timestamps with a time zone as UTC wall time without one (the contract's convention)."""
    for index, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            naive = table.column(index).cast(pa.timestamp(field.type.unit))
            table = table.set_column(index, field.name, naive)
    return table


def read_raw(raw_dir: Path, table: str) -> pd.DataFrame:
    """All Parquet files of a table folder as one frame, columns matched by name."""
    files = sorted((raw_dir / table).rglob("*.parquet"))
    tables = [_utc_naive(pq.read_table(path, partitioning=None)) for path in files]
    return pa.concat_tables(tables, promote_options="permissive").to_pandas()


def normalize_enums(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    frame = frame.copy()
    for column in table.columns:
        if column.enum:
            frame[column.name] = (
                frame[column.name].str.strip().str.lower().str.replace(" ", "_", regex=False)
            )
    return frame


def _table_rules(name: str, frame: pd.DataFrame) -> list[tuple[pd.Series, str]]:
    if name == "billing_subscription_periods":
        return [
            (frame["mrr_cents"] < 0, "negative_mrr"),
            (
                frame["period_end"].notna() & (frame["period_end"] <= frame["period_start"]),
                "period_end_not_after_start",
            ),
        ]
    if name == "support_agents":
        return [(~frame["tier"].between(1, 3), "invalid_tier")]
    if name == "support_tickets":
        return [
            (frame["resolved_at"] < frame["created_at"], "resolved_before_created"),
            (
                frame["sentiment_score"].notna() & ~frame["sentiment_score"].between(-1, 1),
                "invalid_sentiment_score",
            ),
        ]
    if name == "support_kb_sessions":
        return [
            (
                frame["article_rating"].notna() & ~frame["article_rating"].between(1, 5),
                "invalid_article_rating",
            )
        ]
    if name == "survey_responses":
        low = frame["survey_type"].map(lambda kind: SURVEY_SCALES.get(kind, (None, None))[0])
        high = frame["survey_type"].map(lambda kind: SURVEY_SCALES.get(kind, (None, None))[1])
        score = frame["score"]
        return [(score.notna() & ((score < low) | (score > high)), "score_out_of_scale")]
    return []


def first_broken_rule(frame: pd.DataFrame, table: Table, known_accounts: set[str]) -> pd.Series:
    """The first rule each row breaks (None when valid), in the contract's rule order."""
    rules: list[tuple[pd.Series, str]] = []
    for c in table.columns:
        values = frame[c.name]
        if c.data_type == "integer":  # 32 bits: a wider file value that does not fit
            rules.append(
                (values.notna() & ~values.between(-(2**31), 2**31 - 1), f"out_of_range_{c.name}")
            )
        if c.max_abs is not None:
            rules.append((values.notna() & (values.abs() > c.max_abs), f"out_of_range_{c.name}"))
    rules += [(frame[c.name].isna(), f"missing_{c.name}") for c in table.columns if c.required]
    rules += [
        (frame[c.name].notna() & ~frame[c.name].isin(c.enum), f"invalid_{c.name}")
        for c in table.columns
        if c.enum
    ]
    if table.event_time is not None:  # an event cannot happen after the load that delivered it
        late = frame[table.event_time] > frame["_loaded_at"]
        rules.append((late, f"{table.event_time}_after_loaded_at"))
    if "account_id" in frame.columns and table.name != "crm_accounts":
        rules.append((~frame["account_id"].isin(known_accounts), "unknown_account"))
    rules += _table_rules(table.name, frame)
    broken = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for condition, rule in reversed(rules):
        broken = broken.mask(condition.fillna(False).astype(bool), rule)
    return broken


def classify(raw_dir: Path, table_name: str) -> pd.DataFrame:
    """The raw table with two more columns: dq_rule and dq_status (kept, duplicate,
    superseded, quarantined)."""
    contract = load_contract()
    table = contract[table_name]
    known = set(read_raw(raw_dir, "crm_accounts")["account_id"].dropna())
    frame = normalize_enums(read_raw(raw_dir, table_name)[table.column_names], table)
    frame["dq_rule"] = first_broken_rule(frame, table, known)
    valid = frame["dq_rule"].isna()
    key = list(table.key)
    copy = pd.Series(False, index=frame.index)
    if table.name == "product_events":
        # at-least-once delivery: of the valid deliveries of an event_id, the first loaded is
        # the event and the later ones copies; invalid deliveries are quarantined whatever
        # their order
        deliveries = frame[valid & frame["event_id"].notna()].sort_values(
            "_loaded_at", kind="stable"
        )
        copy[deliveries.index[deliveries.duplicated(subset=key, keep="first")]] = True
    else:
        copy = frame[table.column_names].duplicated(keep="first")
    duplicate = valid & copy
    candidates = frame[valid & ~copy].sort_values(list(table.latest_by), ascending=False)
    superseded_index = candidates.index[candidates.duplicated(subset=key, keep="first")]
    status = pd.Series("kept", index=frame.index)
    status[duplicate] = "duplicate"
    status[superseded_index] = "superseded"
    status[~valid] = "quarantined"
    frame["dq_status"] = status
    return frame
