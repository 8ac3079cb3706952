"""Planning contexts of small variants built on the real network and calibration."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.plan.context import make_context
from sim.plan.facilities import FacilityTable
from sim.plan.services import ServiceTable
from sim.scenario import Scenario


def scenario(**fields) -> Scenario:
    """A one-month India - Moscow study over ``routes`` (default: suez_stp and instc_west)."""
    base = dict(name="t", start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 2, 1), warmup_days=0, seed=1,
                routes=["suez_stp", "instc_west"], baseline="suez_stp",
                demand=[dict(name="n", origin="INNSA", destination="RUMOW", teu_per_year=1000, source="test",
                             commodities={"pharmaceuticals": 1.0})])
    base.update(fields)
    return Scenario.model_validate(base)


@pytest.fixture
def planner(network, specs, calibration):
    """planner(**scenario_fields) -> (context, facilities, services) of a variant."""

    def build(**fields):
        ctx = make_context(network, specs, calibration, scenario(**fields), "test.yaml")
        facilities = FacilityTable(ctx)
        return ctx, facilities, ServiceTable(ctx, facilities)

    return build
