"""A service's path as the chunks its vehicles experience."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.model import CHECK, CONVOY, ESCORT, HOLD, ICE, TRAVEL
from sim.plan.paths import build_path


def service(calibration, sid):
    return next(s for s in calibration.services if s.id == sid)


def test_a_suez_liner_path_has_one_convoy_chunk_over_the_canal_legs(planner, network, calibration):
    ctx, facilities, services = planner()
    s = service(calibration, "liner_innsa_nlrtm")
    route = services.routes[(s.id, "forward")]
    path, blocked = build_path(ctx, facilities, s, route, s.speed.mean)
    canal_km = sum(leg.length_km for leg in route.legs if network.legs[leg.leg_id].mode == "canal")
    convoys = [c for c in path.chunks if c.kind == CONVOY]
    assert len(convoys) == 1 and convoys[0].km == pytest.approx(canal_km)
    assert sum(c.km for c in path.chunks) == pytest.approx(route.distance_km)  # every km in exactly one chunk
    assert path.co2_kg_per_teu == pytest.approx(route.distance_km * s.co2_kg_per_teu_km)
    costs = ctx.cal.costs
    expected_fees = costs.suez_toll_usd_per_teu + sum(v for k,
                                                      v in costs.war_risk_usd_per_teu.items() if k in path.tags)
    assert path.fees_usd_per_teu == pytest.approx(expected_fees)
    assert blocked == []  # no disruption in this study


def test_an_nsr_path_crosses_each_ice_area_of_its_nsr_legs_in_travel_order(planner, calibration, network):
    """The NSR legs become one ICE chunk per water area (from geodata/nsr_ice.yaml), east to west for a
    Vladivostok - Murmansk ship: Chukchi Sea first, the Kara Sea last; every NSR km in exactly one chunk."""
    ctx, facilities, services = planner()
    s = service(calibration, "nsr_ruvvo_rummk")
    route = services.routes[(s.id, "forward")]
    path, _ = build_path(ctx, facilities, s, route, s.speed.mean)
    nsr_km = sum(leg.length_km for leg in route.legs if "nsr" in leg.chokepoints)
    ice = [c for c in path.chunks if c.kind == ICE]
    assert sum(c.km for c in ice) == pytest.approx(nsr_km)
    areas = [network.ice.areas[c.ref] for c in ice]
    assert areas[0] == "chukchi_sw" and areas[-1].startswith("kara")
    assert not any(c.kind == ESCORT for c in path.chunks)
    assert path.fees_usd_per_teu >= ctx.cal.costs.nsr_fee_usd_per_teu


def test_a_through_train_is_inspected_at_the_borders_it_passes(planner, calibration):
    ctx, facilities, services = planner()
    s = service(calibration, "rail_astara_rumow")
    route = services.routes[(s.id, "forward")]
    path, _ = build_path(ctx, facilities, s, route, s.speed.mean)
    checked = [facilities.compiled[c.ref].node for c in path.chunks if c.kind == CHECK]
    inner_nodes = {leg.start for leg in route.legs[1:]}
    assert checked and set(checked) <= inner_nodes
    assert set(checked) == {n for n in inner_nodes if n in facilities.passed_at}


def test_a_wait_closure_holds_vehicles_before_the_blocked_leg_and_gives_the_distance_to_it(planner, calibration):
    closure = dict(id="c", target={"chokepoint": "red_sea"}, start=dt.date(2025, 1, 5), end=dt.date(2025, 1, 20),
                   policy="wait", source="test")
    ctx, facilities, services = planner(disruptions=[closure])
    s = service(calibration, "liner_innsa_nlrtm")
    route = services.routes[(s.id, "forward")]
    path, blocked = build_path(ctx, facilities, s, route, s.speed.mean)
    kinds = [c.kind for c in path.chunks]
    assert HOLD in kinds and kinds.index(HOLD) < kinds.index(CONVOY)  # the Red Sea comes before the canal
    km_before = sum(c.km for c in path.chunks[: kinds.index(HOLD)] if c.kind == TRAVEL)
    assert blocked == [(0, pytest.approx(km_before / s.speed.mean))]


def test_a_service_that_sets_its_own_suez_toll_and_war_risk_pays_them_instead_of_the_defaults(planner, calibration):
    """FESCO's small ships bear their own canal toll and war-risk premium per TEU (ship size, load, Houthi
    assurances); a mainline ship pays the costs defaults."""
    ctx, facilities, services = planner()
    s = service(calibration, "liner_innsa_runvs")
    assert s.suez_toll_usd_per_teu is not None and s.war_risk_usd_per_teu is not None
    route = services.routes[(s.id, "forward")]
    path, _ = build_path(ctx, facilities, s, route, s.speed.mean)
    areas = sum(1 for k in ctx.cal.costs.war_risk_usd_per_teu if k in path.tags)
    assert areas == 1
    assert path.fees_usd_per_teu == pytest.approx(s.suez_toll_usd_per_teu + s.war_risk_usd_per_teu)
    assert path.fees_usd_per_teu != pytest.approx(ctx.cal.costs.suez_toll_usd_per_teu
                                                  + sum(ctx.cal.costs.war_risk_usd_per_teu.values()))
