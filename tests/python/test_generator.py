"""The synthetic raw-extract generator (csm.generator): contract shape, determinism,
documented defect rates, the time horizon and a coarse check of the churn story."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from csm.contract import load_contract
from csm.generator import GENERATION_FILE, SCALES, generate

END = date(2026, 9, 30)
END_LOAD = datetime(2026, 9, 30, 23, 30)
MONTHS = 36
SEED = 7

ARROW = {
    "varchar": pa.string(),
    "bigint": pa.int64(),
    "integer": pa.int32(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}
CONTRACT = load_contract()
WITH_ACCOUNT = [t for t, spec in CONTRACT.items() if "account_id" in spec.column_names]


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("raw")
    generate(out, scale="tiny", seed=SEED, end_date=END, months=MONTHS, progress=None)
    return out


@pytest.fixture(scope="module")
def manifest(raw: Path) -> dict:
    return json.loads((raw / GENERATION_FILE).read_text())


@pytest.fixture(scope="module")
def tables(raw: Path) -> dict[str, pa.Table]:
    return {name: read(raw, name) for name in CONTRACT}


def read(raw: Path, table: str) -> pa.Table:
    files = sorted((raw / table).glob("*.parquet"))
    return pa.concat_tables([pq.read_table(f) for f in files])


def norm(values: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.replace_substring(pc.utf8_lower(pc.utf8_trim_whitespace(values)), " ", "_")


def latest(df: pd.DataFrame, key: str, by: list[str]) -> pd.DataFrame:
    return df.sort_values(by).drop_duplicates(key, keep="last")


# --- shape --------------------------------------------------------------------------------


def test_scales_are_the_documented_ones() -> None:
    assert list(SCALES) == ["tiny", "small", "medium", "large"]
    sizes = [SCALES[s].n_accounts for s in SCALES]
    assert sizes == sorted(sizes)


def test_every_contract_table_has_contract_columns_and_types(raw: Path) -> None:
    for name, spec in CONTRACT.items():
        files = sorted((raw / name).glob("*.parquet"))
        assert files, f"no parquet file for {name}"
        for path in files:
            schema = pq.read_schema(path)
            assert schema.names == spec.column_names, path
            for column in spec.columns:
                assert schema.field(column.name).type == ARROW[column.data_type], (
                    name,
                    column.name,
                )


def test_required_columns_have_no_nulls(tables: dict[str, pa.Table]) -> None:
    for name, spec in CONTRACT.items():
        assert tables[name].num_rows > 0, name
        for column in spec.columns:
            if column.required:
                assert tables[name][column.name].null_count == 0, (name, column.name)


def test_events_are_written_month_by_month(raw: Path) -> None:
    files = sorted(p.name for p in (raw / "product_events").glob("*.parquet"))
    assert len(files) == MONTHS
    assert files[0] == "events_2023_10.parquet"
    assert files[-1] == "events_2026_09.parquet"


def test_manifest_records_arguments_rows_and_defects(
    manifest: dict, tables: dict[str, pa.Table]
) -> None:
    assert manifest["scale"] == "tiny"
    assert manifest["seed"] == SEED
    assert manifest["end_date"] == END.isoformat()
    assert manifest["months"] == MONTHS
    assert manifest["rows"] == {name: tables[name].num_rows for name in CONTRACT}
    assert set(manifest["defects"]) == set(CONTRACT)


def test_features_only_on_feature_events(tables: dict[str, pa.Table]) -> None:
    events = tables["product_events"]
    is_feature = pc.equal(norm(events["event_type"]), "feature_used")
    has_key = pc.is_valid(events["feature_key"])
    assert pc.all(pc.equal(is_feature, has_key)).as_py()
    catalog = pd.read_csv(Path(__file__).parents[2] / "seeds" / "feature_catalog.csv")
    used = set(pc.unique(events["feature_key"].drop_null()).to_pylist())
    assert used <= set(catalog.feature_key)


# --- determinism --------------------------------------------------------------------------


def test_same_arguments_same_data_and_reruns_replace_old_files(raw: Path, tmp_path: Path) -> None:
    stray = tmp_path / "product_events" / "events_1999_01.parquet"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"old")
    rows = generate(tmp_path, scale="tiny", seed=SEED, end_date=END, months=MONTHS, progress=None)
    assert not stray.exists()
    for name in CONTRACT:
        assert sorted(p.name for p in (tmp_path / name).iterdir()) == sorted(
            p.name for p in (raw / name).iterdir()
        )
        assert read(tmp_path, name).equals(read(raw, name)), name
        assert rows[name] == read(raw, name).num_rows


def test_another_seed_gives_other_data(raw: Path, tmp_path: Path) -> None:
    generate(tmp_path, scale="tiny", seed=SEED + 1, end_date=END, months=MONTHS, progress=None)
    for name in ("crm_accounts", "billing_subscription_periods", "product_events"):
        assert not read(tmp_path, name).equals(read(raw, name)), name


# --- time ---------------------------------------------------------------------------------


# dates that are plans, not observations: they may lie ahead of the last extract
PLANNED = {
    ("billing_invoices", "due_at"),
    ("onboarding_milestones", "due_date"),
    ("crm_opportunities", "close_date"),
}


def test_nothing_happens_after_the_last_extract(tables: dict[str, pa.Table]) -> None:
    for name, spec in CONTRACT.items():
        for column in spec.columns:
            values = tables[name][column.name]
            if (name, column.name) in PLANNED:
                assert pc.max(values).as_py() <= date(2027, 12, 31), (name, column.name)
            elif column.data_type == "timestamp":
                assert pc.max(values).as_py() <= END_LOAD, (name, column.name)
            elif column.data_type == "date":
                assert pc.max(values).as_py() <= END, (name, column.name)
    opportunities = tables["crm_opportunities"]
    closed = pc.not_equal(norm(opportunities["stage"]), "open")
    assert pc.max(opportunities.filter(closed)["close_date"]).as_py() <= END
    latest_load = max(pc.max(tables[name]["_loaded_at"]).as_py() for name in CONTRACT)
    assert latest_load == END_LOAD
    # daily extracts: every load happens at 23:30
    for name in CONTRACT:
        loads = tables[name]["_loaded_at"].cast(pa.int64()).to_numpy()
        assert (loads % 86_400_000_000 == (23 * 3600 + 1800) * 1_000_000).all(), name


def test_rows_are_loaded_after_they_happen(tables: dict[str, pa.Table]) -> None:
    events = tables["product_events"].to_pandas()
    assert (events._loaded_at >= events.occurred_at).all()
    tickets = tables["support_tickets"].to_pandas()
    assert (tickets._loaded_at >= tickets.updated_at).all()
    assert (tickets.updated_at >= tickets.created_at).all()


# --- defects ------------------------------------------------------------------------------


def test_exact_duplicates_near_half_a_percent(tables: dict[str, pa.Table], manifest: dict) -> None:
    for name in CONTRACT:
        df = tables[name].to_pandas()
        planted = manifest["defects"][name].get("duplicates", 0)
        assert df.duplicated().sum() == planted, name
        if len(df) >= 1_000:
            assert 0.001 <= planted / len(df) <= 0.015, name


def test_redelivered_events_keep_content_with_a_later_load(
    tables: dict[str, pa.Table], manifest: dict
) -> None:
    events = tables["product_events"].to_pandas().drop_duplicates()
    again = events[events.event_id.duplicated(keep=False)].sort_values(["event_id", "_loaded_at"])
    content = [c for c in events.columns if c != "_loaded_at"]
    assert (again.groupby("event_id")[content].nunique(dropna=False) == 1).all().all()
    first = again.groupby("event_id")._loaded_at.agg(["min", "max"])
    assert (first["max"] > first["min"]).all()
    planted = manifest["defects"]["product_events"]["redelivered"]
    assert len(first) == planted
    assert 0.001 <= planted / len(events) <= 0.015


def test_invalid_rows_are_rare_and_where_documented(
    tables: dict[str, pa.Table], manifest: dict
) -> None:
    for name in CONTRACT:
        n = tables[name].num_rows
        invalid = manifest["defects"][name].get("invalid", {})
        for rule, count in invalid.items():
            assert count <= max(1, 0.003 * n), (name, rule, count)
        assert sum(invalid.values()) <= max(1, 0.01 * n), name

    known = set(tables["crm_accounts"]["account_id"].to_pylist())
    for name in WITH_ACCOUNT:
        if name == "crm_accounts":
            continue
        unknown = sum(a not in known for a in tables[name]["account_id"].to_pylist())
        assert unknown == manifest["defects"][name]["invalid"]["unknown_account"], name

    tickets = tables["support_tickets"].to_pandas()
    backwards = (tickets.resolved_at < tickets.created_at).sum()
    assert backwards == manifest["defects"]["support_tickets"]["invalid"]["resolved_before_created"]
    assert backwards >= 1

    surveys = tables["survey_responses"].to_pandas()
    kind = surveys.survey_type.str.strip().str.lower()
    low = kind.map({"csat": 1, "nps": 0, "ces": 1})
    high = kind.map({"csat": 5, "nps": 10, "ces": 7})
    outside = surveys.score.notna() & ((surveys.score < low) | (surveys.score > high))
    assert outside.sum() == manifest["defects"]["survey_responses"]["invalid"]["score_out_of_range"]

    periods = tables["billing_subscription_periods"].to_pandas()
    planted = manifest["defects"]["billing_subscription_periods"]["invalid"]
    assert (periods.mrr_cents < 0).sum() == planted.get("negative_mrr", 0)
    assert (periods.period_end <= periods.period_start).sum() == planted.get(
        "period_end_not_after_start", 0
    )


def test_enum_noise_is_only_case_and_whitespace(
    tables: dict[str, pa.Table], manifest: dict
) -> None:
    noisy_columns = 0
    for name, spec in CONTRACT.items():
        for column in spec.columns:
            if column.enum is None:
                continue
            values = tables[name][column.name]
            normalized = set(pc.unique(norm(values)).drop_null().to_pylist())
            assert normalized <= set(column.enum), (name, column.name, normalized)
            raw_values = set(pc.unique(values).drop_null().to_pylist())
            noisy_columns += bool(raw_values - set(column.enum) - {"financial services"})
    assert noisy_columns >= 10
    assert manifest["defects"]["product_events"]["enum_noise"]["event_type"] > 0


def test_null_rates_on_current_accounts(tables: dict[str, pa.Table]) -> None:
    accounts = latest(
        tables["crm_accounts"].to_pandas(), "account_id", ["updated_at", "_loaded_at"]
    )
    for column in ("industry", "employee_count", "csm_id"):
        assert accounts[column].isna().mean() <= 0.10, column
    assert accounts.is_deleted.mean() <= 0.05


def test_cdc_tables_carry_several_versions(tables: dict[str, pa.Table]) -> None:
    for name in ("crm_accounts", "crm_opportunities", "support_tickets", "billing_invoices"):
        df = tables[name].to_pandas().drop_duplicates()
        key = CONTRACT[name].key[0]
        versions = df.groupby(key).size()
        assert (versions > 1).mean() > (0.15 if name == "crm_accounts" else 0.5), name


def test_account_versions_reassign_csms_and_change_segments(tables: dict[str, pa.Table]) -> None:
    """The CRM history the health and alert marts must follow day by day: some accounts move
    to another CSM, some to another size band (segment_bands: 1-199, 200-999, 1000+)."""
    versions = tables["crm_accounts"].to_pandas().drop_duplicates()
    versions = versions[versions.account_id.str.startswith("acc_")].sort_values(
        ["account_id", "updated_at", "_loaded_at"]
    )
    band = pd.cut(versions.employee_count, [0, 200, 1000, np.inf], right=False, labels=False)
    versions = versions.assign(band=band)
    previous = versions.groupby("account_id")[["csm_id", "band"]].shift()
    reassigned = versions.csm_id.notna() & previous.csm_id.notna()
    reassigned &= versions.csm_id != previous.csm_id
    resized = versions.band.notna() & previous.band.notna() & (versions.band != previous.band)
    assert versions[reassigned].account_id.nunique() >= 2
    assert versions[resized].account_id.nunique() >= 2


# --- the story ----------------------------------------------------------------------------


def month_end_state(periods: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """MRR and core-plan seats of each account at each month end (long format)."""
    periods = periods[(periods.mrr_cents >= 0)]
    core = ~periods.plan_code.str.strip().str.lower().str.startswith("addon")
    out = []
    for month in months:
        day = min(month + pd.offsets.MonthEnd(0), pd.Timestamp(END))
        live = (periods.period_start <= day) & (
            periods.period_end.isna() | (periods.period_end > day)
        )
        state = periods[live].assign(core_seats=periods.seats.where(core, 0))
        state = state.groupby("account_id")[["mrr_cents", "core_seats"]].sum()
        out.append(state.assign(month=month).reset_index())
    return pd.concat(out)


def test_churned_accounts_used_less_before_churn(tables: dict[str, pa.Table]) -> None:
    periods = tables["billing_subscription_periods"].to_pandas().drop_duplicates()
    for column in ("period_start", "period_end"):
        periods[column] = pd.to_datetime(periods[column])
    months = pd.date_range(end=pd.Timestamp(END), periods=MONTHS, freq="MS")
    state = month_end_state(periods, months)
    mrr = state.pivot(index="account_id", columns="month", values="mrr_cents")
    seats = state.pivot(index="account_id", columns="month", values="core_seats")
    mrr = mrr.reindex(columns=months).fillna(0)
    seats = seats.reindex(index=mrr.index, columns=months).fillna(0)
    events = tables["product_events"].to_pandas().drop_duplicates("event_id")
    events["month"] = events.occurred_at.dt.to_period("M").dt.to_timestamp()
    volume = events.groupby(["account_id", "month"]).size().unstack(fill_value=0)
    volume = volume.reindex(index=mrr.index, columns=months, fill_value=0)
    paying = mrr > 0
    before, other = [], []
    for i in range(3, MONTHS):
        steady = paying.iloc[:, i - 3] & paying.iloc[:, i - 2] & paying.iloc[:, i - 1]
        per_seat = (volume.iloc[:, i - 2] + volume.iloc[:, i - 1]) / (
            seats.iloc[:, i - 2] + seats.iloc[:, i - 1]
        )
        before.extend(per_seat[steady & ~paying.iloc[:, i]])
        other.extend(per_seat[steady & paying.iloc[:, i]])
    assert len(before) >= 5
    # accounts about to churn sent far fewer events per seat in their last two months
    assert np.median(before) < 0.8 * np.median(other)


def test_cdc_versions_have_a_unique_latest_order(tables: dict[str, pa.Table]) -> None:
    for name in ("crm_accounts", "crm_opportunities", "support_tickets", "billing_invoices"):
        spec = CONTRACT[name]
        df = tables[name].to_pandas().drop_duplicates()
        assert not df.duplicated([*spec.key, *spec.latest_by]).any(), name


def test_involuntary_churn_follows_unpaid_invoices(tables: dict[str, pa.Table]) -> None:
    periods = tables["billing_subscription_periods"].to_pandas()
    reason = periods.cancel_reason.str.strip().str.lower()
    invoices = tables["billing_invoices"].to_pandas()
    written_off = set(
        invoices.subscription_id[invoices.status.str.strip().str.lower() == "uncollectible"]
    )
    involuntary = set(periods.subscription_id[reason == "involuntary"])
    voluntary = set(periods.subscription_id[reason == "voluntary"])
    assert involuntary
    assert len(involuntary & written_off) >= 0.8 * len(involuntary)
    assert not voluntary & written_off
