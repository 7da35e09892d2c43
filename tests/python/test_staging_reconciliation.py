"""Staging keeps, merges and rejects exactly what an independent pandas reading of the raw
extracts says, and every raw row is accounted for."""

from __future__ import annotations

import pandas as pd
import pytest

from csm.contract import load_contract
from raw_oracle import DQ_ORDER, classify, read_raw

STAGING = "main_staging"
STG_MODELS = {
    "crm_accounts": "stg_crm__accounts",
    "crm_csms": "stg_crm__csms",
    "crm_opportunities": "stg_crm__opportunities",
    "crm_activities": "stg_crm__activities",
    "billing_subscription_periods": "stg_billing__subscription_periods",
    "billing_invoices": "stg_billing__invoices",
    "finance_acquisition_costs": "stg_finance__acquisition_costs",
    "product_users": "stg_product__users",
    "product_events": "stg_product__events",
    "support_agents": "stg_support__agents",
    "support_tickets": "stg_support__tickets",
    "support_kb_sessions": "stg_support__kb_sessions",
    "survey_responses": "stg_survey__responses",
    "onboarding_milestones": "stg_onboarding__milestones",
}


def test_every_contract_table_has_a_staging_model() -> None:
    assert set(STG_MODELS) == set(load_contract())


@pytest.fixture(scope="module")
def accounting(warehouse) -> pd.DataFrame:
    return (
        warehouse.execute(f"select * from {STAGING}.stg_quarantine__row_accounting")
        .df()
        .set_index("source_table")
    )


@pytest.mark.parametrize("table", sorted(STG_MODELS))
def test_row_accounting_matches_pandas(table, built_raw_dir, warehouse, accounting) -> None:
    expected = classify(built_raw_dir, table)["dq_status"].value_counts()
    row = accounting.loc[table]
    raw_rows = len(read_raw(built_raw_dir, table))
    assert row["raw_rows"] == raw_rows
    for status in DQ_ORDER:
        assert row[f"{status}_rows"] == expected.get(status, 0), status
    assert raw_rows == sum(row[f"{status}_rows"] for status in DQ_ORDER)
    kept = warehouse.execute(f"select count(*) from {STAGING}.{STG_MODELS[table]}").fetchone()[0]
    assert kept == expected.get("kept", 0)


@pytest.mark.parametrize("table", sorted(STG_MODELS))
def test_quarantine_rules_match_pandas(table, built_raw_dir, warehouse) -> None:
    frame = classify(built_raw_dir, table)
    expected = frame.loc[frame["dq_status"] == "quarantined", "dq_rule"].value_counts().to_dict()
    actual = dict(
        warehouse.execute(
            f"select rule, count(*) from {STAGING}.stg_quarantine__rejected_rows "
            f"where source_table = '{table}' group by rule"
        ).fetchall()
    )
    assert actual == expected


def test_planted_invalid_rows_are_quarantined(warehouse) -> None:
    rules = {
        (table, rule)
        for table, rule in warehouse.execute(
            f"select distinct source_table, rule from {STAGING}.stg_quarantine__rejected_rows"
        ).fetchall()
    }
    for planted in [
        ("support_tickets", "resolved_before_created"),
        ("survey_responses", "score_out_of_scale"),
        ("billing_subscription_periods", "negative_mrr"),
        ("billing_subscription_periods", "period_end_not_after_start"),
        ("product_events", "unknown_account"),
    ]:
        assert planted in rules


def test_kept_rows_have_one_row_per_key(built_raw_dir, warehouse) -> None:
    for table, model in STG_MODELS.items():
        key = ", ".join(load_contract()[table].key)
        duplicates = warehouse.execute(
            f"select count(*) from (select {key} from {STAGING}.{model} "
            f"group by {key} having count(*) > 1)"
        ).fetchone()[0]
        assert duplicates == 0, model


def test_pii_columns_are_declared() -> None:
    pii = {(t.name, c.name) for t in load_contract().values() for c in t.columns if c.pii}
    assert pii == {("product_users", "email"), ("survey_responses", "comment")}


@pytest.mark.parametrize(
    ("table", "column"), [("product_users", "email"), ("survey_responses", "comment")]
)
def test_the_quarantine_masks_pii(table, column, built_raw_dir, warehouse) -> None:
    """The contract's pii columns show as <pii masked> in the quarantine (a null as null): no
    customer email or survey comment reaches the rows analysts browse."""
    frame = classify(built_raw_dir, table)
    rejected = frame[frame["dq_status"] == "quarantined"]
    assert not rejected.empty, f"no quarantined {table} row to check"
    contents = [
        row[0]
        for row in warehouse.execute(
            f"select row_content from {STAGING}.stg_quarantine__rejected_rows "
            f"where source_table = '{table}'"
        ).fetchall()
    ]
    assert len(contents) == len(rejected)
    masked = sum(f"{column}=<pii masked>" in content for content in contents)
    assert masked == rejected[column].notna().sum() > 0
    assert sum(f"{column}=null" in content for content in contents) == rejected[column].isna().sum()
    values = set(rejected[column].dropna())
    assert not [content for content in contents if any(value in content for value in values)]
