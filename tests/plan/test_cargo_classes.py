"""Handling classes in the planner: a route whose services or facilities refuse a commodity's class is not
used by that commodity (fixed shares are re-spread over the routes that take it, route choice leaves it out of
the choice set), and a commodity no route takes is a clear error naming the field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.equilibrium import available_mixture  # noqa: F401  (the choice module must import with the planner)
from sim.errors import ScenarioError
from sim.model import DANGEROUS, HANDLING_CLASSES, REEFER

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "scenarios" / "instc_vs_suez.yaml"
NO_DG = {"caspian_irbaz_ruasf": {"accepts": ["general", "reefer", "time_critical"],
                                 "sources": {"accepts": "test: a Caspian ship barred from dangerous goods"}}}


@pytest.fixture
def compile_variant(network, specs, calibration):
    """compile_variant(path, **fields) -> (model, info): the shipped scenario's base variant with ``fields``
    replaced (validated as a scenario, so overrides and route_choice blocks are parsed)."""
    from sim.plan import compile_model
    from sim.scenario import Scenario, load_scenario

    def build(path, **fields):
        sc = load_scenario(path).variants["base"]
        sc = Scenario.model_validate({**sc.model_dump(exclude_unset=True), **fields})
        return compile_model(network, specs, calibration, sc)

    return build


def flow_and_rows(model, info, flow_name: str, commodity: str):
    flow = next(f for f in model.flows if f.name == flow_name)
    k = flow.commodities.index(model.commodity_names.index(commodity))
    routes = [info.itinerary_route_ids[i] for i in flow.itineraries]
    return flow, k, routes


def test_the_shipped_classes_reach_the_engine(compile_variant):
    model, _ = compile_variant(DEFAULT)
    classes = dict(zip(model.commodity_names, model.commodity_class, strict=True))
    assert classes["agri_reefer"] == REEFER and classes["chemicals"] == DANGEROUS
    caspian = next(s for s in model.services if s.id == "caspian_irbaz_ruasf")
    assert caspian.reefer_teu is not None and caspian.reefer_teu < caspian.capacity_teu


def test_a_route_refusing_dangerous_goods_gets_no_chemicals_under_route_choice(compile_variant):
    model, info = compile_variant(DEFAULT, services=NO_DG)
    flow, k, routes = flow_and_rows(model, info, "india_to_russia", "chemicals")
    caspian = routes.index("instc_caspian")
    fc = next(f for f in info.choice.flows if f.flow == model.flows.index(flow))
    assert not fc.allowed[k, caspian] and fc.allowed[k].sum() == len(routes) - 1
    assert (flow.share_table[k, :, caspian] == 0).all()
    np.testing.assert_allclose(flow.share_table.sum(axis=2), 1.0)
    other = flow.commodities.index(model.commodity_names.index("pharmaceuticals"))
    assert (flow.share_table[other, :, caspian] > 0).all()


def test_fixed_shares_are_spread_over_the_routes_that_take_the_commodity(compile_variant):
    model, info = compile_variant(DEFAULT, services=NO_DG, route_choice={"model": "fixed"})
    flow, k, routes = flow_and_rows(model, info, "india_to_russia", "chemicals")
    caspian = routes.index("instc_caspian")
    table = flow.share_table
    assert table is not None and (table[k, :, caspian] == 0).all()
    expected = np.asarray(flow.itinerary_shares) * (np.arange(len(routes)) != caspian)
    np.testing.assert_allclose(table[k, 0], expected / expected.sum())
    assert compile_variant(DEFAULT, route_choice={"model": "fixed"})[0].flows[0].share_table is None


def test_a_commodity_no_route_takes_is_an_error_naming_the_field(compile_variant):
    refuse = {"caspian_irbaz_ruasf": {"accepts": ["general"], "sources": {"accepts": "test"}}}
    with pytest.raises(ScenarioError) as err:
        compile_variant(DEFAULT, services=refuse, routes=["instc_caspian"], baseline="instc_caspian",
                        route_choice={"model": "fixed"})
    text = str(err.value)
    assert "demand.india_to_russia.commodities." in text and "caspian_irbaz_ruasf" in text
    assert "does not accept" in text or "do not accept" in text


def test_accepts_needs_a_source_and_names_only_known_classes(calibration):
    from sim.calibration import ServiceCal

    base = next(s for s in calibration.services if s.id == "caspian_irbaz_ruasf").model_dump(exclude_unset=True)
    with pytest.raises(ValueError, match="sources.accepts"):
        ServiceCal.model_validate({**base, "accepts": ["general"]})
    with pytest.raises(ValueError, match="|".join(HANDLING_CLASSES)):
        ServiceCal.model_validate({**base, "accepts": ["frozen"], "sources": {**base["sources"], "accepts": "x"}})
