"""Routes become itineraries: services matched to route legs, visits at origins, transfers and destinations,
analytic minimum transit, refusals and booking-time reroutes."""

from __future__ import annotations

import datetime as dt

from sim.model import RIDE, VISIT
from sim.plan.info import ModelInfo
from sim.plan.itineraries import ItineraryTable


def table(planner, **fields):
    ctx, facilities, services = planner(**fields)
    return ctx, ItineraryTable(ctx, facilities, services, ModelInfo())


def test_the_services_of_an_itinerary_cover_its_route_leg_by_leg_in_order(planner):
    ctx, its = table(planner)
    for rid in ("suez_stp", "instc_west"):
        it = its.compiled[its.index(rid, "forward")]
        route = its.info.itinerary_route_objs[it.index]
        ridden = [leg for st in it.steps if st.kind == RIDE for leg in its.services.compiled[st.ref].path.legs]
        assert ridden == [f"{leg.leg_id}:{leg.direction}" for leg in route.legs]


def test_matching_prefers_the_service_covering_the_most_legs(planner):
    ctx, its = table(planner)
    route = its.services.routes[("rail_irbnd_astara", "forward")]
    legs = tuple((leg.leg_id, leg.direction) for leg in route.legs)
    sid, _, count = its.services.covering(legs, 0)
    assert count == len(legs) and sid == "rail_irbnd_astara"  # not the shorter Bandar Abbas - Rasht train


def test_visits_happen_at_the_origin_at_transfers_and_at_the_destination(planner):
    ctx, its = table(planner)
    it = its.compiled[its.index("instc_west", "forward")]
    assert it.steps[0].kind == VISIT and it.steps[0].node == "INNSA"
    assert it.steps[-1].kind == VISIT and it.steps[-1].node == "RUMOW"
    rides = [k for k, st in enumerate(it.steps) if st.kind == RIDE]
    for a, b in zip(rides, rides[1:], strict=False):  # somewhere to change between consecutive rides
        assert any(it.steps[k].kind == VISIT for k in range(a + 1, b)) or b == a + 1


def test_minimum_transit_is_below_distance_over_the_fastest_speed_plus_minimum_stays(planner):
    ctx, its = table(planner)
    it = its.compiled[its.index("suez_stp", "forward")]
    route = its.info.itinerary_route_objs[it.index]
    fastest = max(s.speed_kmh.upper_bound for s in its.services.compiled)
    assert it.min_hours >= route.distance_km / fastest


def test_refuse_policy_gates_nsr_bookings_by_the_nsr_service(planner):
    """Under policy 'refuse' an NSR itinerary is gated by its NSR service, reached after the Chennai - Vladivostok
    leg; the rail itinerary has no gate. The NSR service's ships are closed out in February in every year type
    and can get through on some September days in a normal year."""
    from sim.ice import CLOSED

    ctx, its = table(planner, routes=["emc_nsr", "emc_transsib"], baseline="emc_transsib", season_policy="refuse",
                     end_date=dt.date(2026, 1, 1),
                     demand=[dict(name="n", origin="INMAA", destination="RUMOW", teu_per_year=100, source="t",
                                  commodities={"pharmaceuticals": 1.0})])
    nsr = its.index("emc_nsr", "forward")
    rail = its.index("emc_transsib", "forward")
    its.finish_all()
    nsr, rail = its.compiled[nsr], its.compiled[rail]
    assert rail.season_service == -1
    svc = its.services.compiled[nsr.season_service]
    assert svc.id == "nsr_ruvvo_rummk" and svc.ice_actions is not None
    liner = next(its.services.compiled[s.ref] for s in nsr.steps if s.kind == RIDE)
    assert nsr.season_shift_h > liner.nominal_hours  # the NSR departure comes after the first sea leg
    areas = [a for a, _, _ in svc.ice_route]
    assert (svc.ice_actions[areas, :, 31:59] == CLOSED).any(axis=0).all()  # February: some area closed, always
    september = svc.ice_actions[areas, 1, 243:273]
    assert (september != CLOSED).all(axis=0).any()


def test_a_reroute_closure_sends_bookings_to_the_fallback_route_only_in_its_window(planner):
    """instc_west must pass Astara, so while Astara is closed its bookings go to the scenario's fallback route,
    or are refused when there is none."""
    closure = dict(id="c", target={"node": "astara_ir"}, start=dt.date(2025, 1, 5), end=dt.date(2025, 1, 20),
                   policy="reroute", source="test")
    ctx, its = table(planner, disruptions=[{**closure, "reroute_to": "suez_stp"}])
    west = its.index("instc_west", "forward")
    its.finish_all()
    (start_h, end_h, alt), = its.compiled[west].reroutes
    assert (start_h, end_h) == (4 * 24.0, 19 * 24.0)
    assert its.info.itinerary_route_ids[alt] == "suez_stp"
    ctx, its = table(planner, disruptions=[closure])
    west = its.index("instc_west", "forward")
    its.finish_all()
    assert its.compiled[west].reroutes == ((4 * 24.0, 19 * 24.0, -1),)


def test_visits_before_a_ride_wait_for_the_cut_off_and_only_destination_visits_dwell(planner):
    """A port's measured dwell contains the wait for the ship: before a ride only its cut-off applies (the wait
    for the departure is the timetable's); the dwell applies where the box leaves the network."""
    from sim.model import CUTOFF, DWELL

    ctx, its = table(planner)
    for rid in ("suez_stp", "instc_west"):
        it = its.compiled[its.index(rid, "forward")]
        for k, st in enumerate(it.steps):
            if st.kind != VISIT:
                continue
            ride_follows = any(s.kind == RIDE for s in it.steps[k + 1:])
            if ride_follows and (k + 1 < len(it.steps) and it.steps[k + 1].kind == RIDE):
                assert st.after == CUTOFF, (rid, k)
            if not ride_follows:
                assert st.after == DWELL, (rid, k)


def test_a_facility_limited_to_some_next_modes_applies_only_before_those_rides(planner):
    """Vladivostok's import rail-evacuation cut-off applies to boxes leaving by train (Trans-Siberian), not to the
    ship-to-ship transfer onto the NSR ship, which waits for the ship-side cut-off instead; at Murmansk the NSR box
    (cleared at Vladivostok) gets a terminal cut-off, not Russian import clearance again."""
    from sim.model import CUTOFF

    ctx, its = table(planner, routes=["emc_nsr", "emc_transsib"], baseline="emc_transsib",
                     demand=[dict(name="c", origin="INMAA", destination="RUMOW", teu_per_year=1000, source="test",
                                  commodities={"pharmaceuticals": 1.0})])

    def at(rid, node):
        it = its.compiled[its.index(rid, "forward")]
        return [(its.facilities.compiled[st.ref].id, st.after) for st in it.steps
                if st.kind == VISIT and st.node == node]

    assert at("emc_transsib", "RUVVO") == [("port_ruvvo", CUTOFF)]
    assert at("emc_nsr", "RUVVO") == [("port_ruvvo_ship", CUTOFF)]
    murmansk = its.facilities.compiled[its.facilities.index("port_rummk")]
    vladivostok_rail = its.facilities.compiled[its.facilities.index("port_ruvvo")]
    assert murmansk.cutoff_h.mean < vladivostok_rail.cutoff_h.mean / 5
    back = its.compiled[its.index("emc_transsib", "reverse")]  # exports leave Vladivostok by ship
    assert [its.facilities.compiled[st.ref].id for st in back.steps
            if st.kind == VISIT and st.node == "RUVVO"] == ["port_ruvvo_ship"]
