"""The shipped studies give byte-identical tables to the committed golden ones (tests/golden_outputs.py)."""

from __future__ import annotations

import pytest
from golden_outputs import GOLDEN, SCENARIOS, TABLES, write_tables


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_study_tables_match_the_golden_ones(scenario, tmp_path):
    write_tables(scenario, tmp_path)
    names = TABLES + (("route_choice.csv",) if (GOLDEN / scenario.stem / "route_choice.csv").exists() else ())
    for name in names:
        expected = (GOLDEN / scenario.stem / name).read_bytes()
        assert (tmp_path / name).read_bytes() == expected, f"{scenario.stem}/{name} changed"
