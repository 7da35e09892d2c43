"""The health measures of the SQL and of the seeds are the same list.

int_health__measures_daily has one column per measure, and int_health__scores_daily scores
the measures health_measures() names against their rows of health_measure_scales: a measure of
the seed missing from the macro or the view would silently score nothing, a column without a
seed row would never be scored. The seeds' own agreement (weights, components) is
assert_health_measures_match_the_seeds.
"""

from __future__ import annotations

import csv

from csm.paths import project_dir
from model_sql import final_select, final_select_aliases, macro_names


def seed_values(name: str, column: str = "measure") -> set[str]:
    with (project_dir() / "seeds" / f"{name}.csv").open(newline="") as handle:
        return {row[column] for row in csv.DictReader(handle)}


def macro_list(name: str) -> list[str]:
    return macro_names("health/health_measures.sql", name)


def view_columns() -> set[str]:
    return final_select_aliases("intermediate/health/int_health__measures_daily.sql") - {
        "account_id",
        "activity_date",
    }


def test_the_seed_the_macro_and_the_view_name_the_same_measures() -> None:
    scaled = seed_values("health_measure_scales")
    weighted = seed_values("health_score_weights")
    listed = macro_list("health_measures")
    assert len(scaled) >= 10
    assert len(listed) == len(set(listed)), listed
    assert set(listed) == scaled, {
        "seed only": scaled - set(listed),
        "macro only": set(listed) - scaled,
    }
    columns = view_columns()
    assert columns == scaled, {"seed only": scaled - columns, "view only": columns - scaled}
    assert weighted <= scaled, weighted - scaled


def test_the_scores_output_every_listed_measure_and_component() -> None:
    """The scores' final select names the columns by hand: a measure or component the macros
    list (and the scores compute) must also be selected, and the components are the seed's."""
    scores_select = final_select("intermediate/health/int_health__scores_daily.sql")
    for measure in macro_list("health_measures"):
        assert f"\n    {measure}_value,\n    {measure}_score,\n" in scores_select, measure
    components = macro_list("health_components")
    for component in components:
        assert f"\n    {component}_score,\n" in scores_select, component
    seeded = seed_values("health_score_weights", "component")
    assert set(components) == seeded, {"seed": seeded, "macro": components}
