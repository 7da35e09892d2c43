"""The raw folder check that runs before dbt (csm.validate)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from csm.contract import Column
from csm.validate import Problem, report, type_matches, validate_raw


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [p.message for p in problems]
    return problems[0]


def test_valid_folder_has_no_problems(valid_raw: Path) -> None:
    assert validate_raw(valid_raw) == []
    assert report([], valid_raw).startswith("OK")


def test_missing_raw_folder(tmp_path: Path) -> None:
    problem = only(validate_raw(tmp_path / "nowhere"))
    assert "raw folder not found" in problem.message
    assert str(tmp_path / "nowhere") in problem.message


def test_missing_table_folder(valid_raw: Path) -> None:
    shutil.rmtree(valid_raw / "crm_csms")
    problem = only(validate_raw(valid_raw))
    assert problem.table == "crm_csms"
    assert problem.message == (f"missing table folder: {valid_raw / 'crm_csms'} (table crm_csms)")


def test_folder_without_parquet_files(valid_raw: Path) -> None:
    (valid_raw / "crm_csms" / "part-0.parquet").rename(valid_raw / "crm_csms" / "part-0.csv")
    problem = only(validate_raw(valid_raw))
    assert problem.table == "crm_csms"
    assert "no Parquet files for table crm_csms" in problem.message


def test_empty_table(raw_factory, valid_raw: Path) -> None:
    raw_factory.write("support_agents", raw_factory.arrow_table("support_agents", rows=0))
    problem = only(validate_raw(valid_raw))
    assert problem.table == "support_agents"
    assert problem.message.startswith("empty table support_agents:")


def test_rows_in_any_file_make_a_table_non_empty(raw_factory, valid_raw: Path) -> None:
    empty = raw_factory.arrow_table("support_agents", rows=0)
    raw_factory.write("support_agents", empty, name="part-1.parquet")
    assert validate_raw(valid_raw) == []


def test_missing_required_column(raw_factory, valid_raw: Path) -> None:
    data = raw_factory.arrow_table("billing_subscription_periods", drop=("mrr_cents",))
    path = raw_factory.write("billing_subscription_periods", data)
    problem = only(validate_raw(valid_raw))
    assert (problem.table, problem.column, problem.file) == (
        "billing_subscription_periods",
        "mrr_cents",
        path,
    )
    assert f"missing column billing_subscription_periods.mrr_cents in {path}" in problem.message


def test_required_column_missing_from_one_of_several_files(raw_factory, valid_raw: Path) -> None:
    data = raw_factory.arrow_table("crm_activities", drop=("occurred_at",))
    path = raw_factory.write("crm_activities", data, name="part-1.parquet")
    problem = only(validate_raw(valid_raw))
    assert problem.file == path
    assert "crm_activities.occurred_at" in problem.message


def test_optional_column_may_be_missing_from_some_files(raw_factory, valid_raw: Path) -> None:
    data = raw_factory.arrow_table("crm_accounts", drop=("industry",))
    raw_factory.write("crm_accounts", data, name="part-1.parquet")
    assert validate_raw(valid_raw) == []


def test_optional_column_missing_from_every_file(raw_factory, valid_raw: Path) -> None:
    raw_factory.write("crm_accounts", raw_factory.arrow_table("crm_accounts", drop=("industry",)))
    problem = only(validate_raw(valid_raw))
    assert problem.column == "industry"
    assert "missing column crm_accounts.industry" in problem.message


def test_wrong_column_type(raw_factory, valid_raw: Path) -> None:
    data = raw_factory.arrow_table(
        "billing_subscription_periods", override={"mrr_cents": pa.array(["100", "200"])}
    )
    path = raw_factory.write("billing_subscription_periods", data)
    problem = only(validate_raw(valid_raw))
    assert problem.column == "mrr_cents"
    assert problem.message == (
        f"wrong type for billing_subscription_periods.mrr_cents in {path}: "
        "expected bigint, found string"
    )


def test_timestamp_with_time_zone_is_accepted(raw_factory, valid_raw: Path) -> None:
    data = raw_factory.arrow_table("crm_csms")
    loaded = data.column("_loaded_at").cast(pa.timestamp("us", tz="America/New_York"))
    data = data.set_column(data.schema.get_field_index("_loaded_at"), "_loaded_at", loaded)
    raw_factory.write("crm_csms", data)
    assert validate_raw(valid_raw) == []


def test_a_load_later_than_the_wall_clock_is_rejected_by_name(raw_factory, valid_raw) -> None:
    data = raw_factory.arrow_table("crm_csms")
    future = pa.array([datetime(2024, 1, 1), datetime(2030, 1, 1, 6, 0)], pa.timestamp("us"))
    data = data.set_column(data.schema.get_field_index("_loaded_at"), "_loaded_at", future)
    path = raw_factory.write("crm_csms", data, "late.parquet")
    problem = only(validate_raw(valid_raw, now=datetime(2026, 12, 1)))
    assert problem.message.startswith(f"crm_csms._loaded_at in the future in {path}: ")
    assert "2030-01-01 06:00:00 is later than the wall clock (2026-12-01 00:00:00 UTC)" in (
        problem.message
    )
    # a zoned value counts by its instant: 2026-11-30 20:00 in New York is 2026-12-01 01:00 UTC
    new_york = ZoneInfo("America/New_York")
    zoned = pa.array(
        [datetime(2026, 11, 30, 20, 0, tzinfo=new_york)] * 2, pa.timestamp("us", tz=new_york.key)
    )
    data = data.set_column(data.schema.get_field_index("_loaded_at"), "_loaded_at", zoned)
    raw_factory.write("crm_csms", data, "late.parquet")
    assert validate_raw(valid_raw, now=datetime(2026, 12, 1, 2, 0)) == []
    assert (
        "2026-12-01 01:00:00 is later"
        in only(validate_raw(valid_raw, now=datetime(2026, 12, 1, 0, 30))).message
    )


def test_all_null_column_only_for_nullable_columns(raw_factory, valid_raw: Path) -> None:
    nulls = pa.nulls(2)
    data = raw_factory.arrow_table("crm_accounts", override={"industry": nulls})
    raw_factory.write("crm_accounts", data)
    assert validate_raw(valid_raw) == []
    data = raw_factory.arrow_table("crm_accounts", override={"account_name": nulls})
    raw_factory.write("crm_accounts", data)
    problem = only(validate_raw(valid_raw))
    assert problem.column == "account_name"
    assert "found null" in problem.message


def test_unreadable_parquet_file(valid_raw: Path) -> None:
    garbage = valid_raw / "product_users" / "broken.parquet"
    garbage.write_bytes(b"this is not parquet at all")
    problem = only(validate_raw(valid_raw))
    assert problem.table == "product_users"
    assert problem.file == garbage
    assert problem.message.startswith(f"unreadable Parquet file {garbage} (table product_users): ")


def test_extra_unknown_column_is_accepted(raw_factory, valid_raw: Path) -> None:
    data = raw_factory.arrow_table("crm_csms", override={"new_field": pa.array([1, 2])})
    raw_factory.write("crm_csms", data)
    assert validate_raw(valid_raw) == []


def test_hive_partitioned_events_are_accepted(raw_factory, valid_raw: Path) -> None:
    (valid_raw / "product_events" / "part-0.parquet").unlink()
    data = raw_factory.arrow_table("product_events")
    for day in ("2024-01-01", "2024-01-02"):
        raw_factory.write("product_events", data, name=f"event_date={day}/part-0.parquet")
    assert validate_raw(valid_raw) == []


def test_all_problems_are_collected(raw_factory, valid_raw: Path) -> None:
    shutil.rmtree(valid_raw / "crm_csms")
    (valid_raw / "product_users" / "broken.parquet").write_bytes(b"garbage")
    data = raw_factory.arrow_table("support_tickets", override={"escalated": pa.array([1, 0])})
    raw_factory.write("support_tickets", data)
    problems = validate_raw(valid_raw)
    assert {p.table for p in problems} == {"crm_csms", "product_users", "support_tickets"}
    text = report(problems, valid_raw)
    assert text.count("input error:") == 3
    assert "csm generate" in text


@pytest.mark.parametrize(
    ("data_type", "arrow_type", "ok"),
    [
        ("varchar", pa.large_string(), True),
        ("varchar", pa.dictionary(pa.int32(), pa.string()), True),
        ("varchar", pa.int64(), False),
        ("bigint", pa.uint32(), True),
        ("bigint", pa.float64(), False),
        ("integer", pa.int64(), True),
        ("double", pa.float32(), True),
        ("double", pa.int64(), False),
        ("boolean", pa.bool_(), True),
        ("date", pa.date64(), True),
        ("date", pa.timestamp("us"), False),
        ("timestamp", pa.timestamp("ns"), True),
        ("timestamp", pa.timestamp("ms", tz="UTC"), True),
        ("timestamp", pa.timestamp("us", tz="Europe/Berlin"), True),
        ("timestamp", pa.date32(), False),
    ],
)
def test_type_compatibility(data_type: str, arrow_type: pa.DataType, ok: bool) -> None:
    column = Column("c", data_type, required=True, enum=None, pii=False)
    assert type_matches(column, arrow_type) is ok
