"""The health measures of the SQL and of the seeds are the same list.

int_health__measures_daily crosses each account-day with the measures of
health_measure_scales and picks each measure's column with a `case` branch; a measure of the
seed without its branch would silently have no value (and score nothing), a branch without a
seed row would never be read. The seeds' own agreement (weights, components) is
assert_health_measures_match_the_seeds.
"""

from __future__ import annotations

import csv
import re

from csm.paths import project_dir


def seed_measures(name: str) -> set[str]:
    with (project_dir() / "seeds" / f"{name}.csv").open(newline="") as handle:
        return {row["measure"] for row in csv.DictReader(handle)}


def test_every_seed_measure_has_its_branch_in_the_measures_view() -> None:
    sql = (project_dir() / "models/intermediate/health/int_health__measures_daily.sql").read_text()
    branches = set(re.findall(r"when '([a-z0-9_]+)' then", sql))
    scaled = seed_measures("health_measure_scales")
    weighted = seed_measures("health_score_weights")
    assert len(scaled) >= 10
    assert branches == scaled, {"seed only": scaled - branches, "sql only": branches - scaled}
    assert weighted <= scaled, weighted - scaled
