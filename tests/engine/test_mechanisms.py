"""Mechanisms that make transit times emerge: cut-off semantics at ports, finite fleets that must come back,
other traffic queueing at borders, empty boxes sent back, trial runs, and draining after the last booking.
Exact logs where a hand calculation gives them; queueing theory where the inputs are random."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.distributions import Dist
from sim.engine import run
from sim.model import (
    CUTOFF,
    DWELL,
    RIDE,
    TRAVEL,
    VISIT,
    Chunk,
    CompiledFacility,
    CompiledFleet,
    Itinerary,
    Step,
)

from .test_exact_logs import DAYS, bookings, log_of, model, service


def port(index: int, service_h: float, cutoff_h: float | None, dwell_h: float | None, servers: int = 1,
         background_per_h: float = 0.0, service: Dist | None = None) -> CompiledFacility:
    return CompiledFacility(index, f"p{index}", "A", "port", servers, service or Dist("fixed", service_h), False,
                            None if dwell_h is None else Dist("fixed", dwell_h), 0.0,
                            cutoff_h=None if cutoff_h is None else Dist("fixed", cutoff_h),
                            background_per_h=background_per_h)


def test_a_port_whose_dwell_includes_the_sailing_wait_adds_no_second_wait():
    """The port's 72 h dwell is what import boxes spend before gate-out; before a sailing only its 1 h cut-off
    applies and the wait for the ship is the timetable's: ready at 8 h, the daily sailing leaves at 24 h. At the
    destination the same facility holds the box for its dwell (26 + 2 + 72 = 100 h)."""
    m = model([Itinerary(0, "r", "r", "forward", (Step(VISIT, 0, "A", CUTOFF), Step(RIDE, 0, "A"),
                                                  Step(VISIT, 0, "B", DWELL)), 0.0, 0.0)],
              services=[service(0, (Chunk(TRAVEL, 100.0),), departure="scheduled", headway_h=24.0, capacity=10.0)],
              facilities=[port(0, 2.0, cutoff_h=1.0, dwell_h=72.0)])
    log = log_of(m, bookings((5.0, 0, 1)))
    assert log == [
        (5.0, "CREATED", 0, -1, 0), (5.0, "QUEUE", 0, 0, 0), (5.0, "START", 0, 0, 0), (8.0, "END", 0, 0, 0),
        (8.0, "BOARD_WAIT", 0, 1, 0), (24.0, "DEPART", 0, 1, 0), (26.0, "ARRIVE", 0, 1, 0),
        (26.0, "QUEUE", 0, 2, 0), (26.0, "START", 0, 2, 0), (100.0, "END", 0, 2, 0), (100.0, "DELIVERED", 0, -1, -1),
    ]


def fleet_model(units: int, at_origin: int):
    fleet = CompiledFleet(0, "f", units, Dist("fixed", 1.0), at_origin)
    forward = service(0, (Chunk(TRAVEL, 100.0),), max_wait_h=5.0, fleet=0, fleet_end=0, pair=1)
    reverse = service(1, (Chunk(TRAVEL, 100.0),), max_wait_h=5.0, fleet=0, fleet_end=1, pair=0)
    return model([Itinerary(0, "r", "r", "forward", (Step(RIDE, 0, "A"),), 0.0, 0.0)], services=[forward, reverse],
                 fleets=(fleet,))


def test_a_fleet_of_one_cannot_leave_again_before_its_round_trip():
    """One vehicle (1 TEU) leaves at 0 h with the first booking and reaches B at 2 h, ready at 3 h. The 1 h booking
    fills a departure at once but no vehicle is at A: the vehicle at B, with no cargo there, comes back empty at
    3 h, reaches A at 5 h, is ready at 6 h and leaves with it then, not before."""
    m = fleet_model(1, 1)
    result = run(m, np.random.default_rng(0), bookings((0.0, 0, 1), (1.0, 0, 1)))
    log = result.log
    assert log["time_h"][log["kind"] == 5].tolist() == [0.0, 6.0]
    np.testing.assert_array_equal(result.departures[:, :3], [[0, 0.0, 1.0], [1, 3.0, 0.0], [0, 6.0, 1.0]])
    assert result.delivered_h.tolist() == [2.0, 8.0]


def test_a_fleet_of_two_leaves_at_once_and_its_vehicles_settle_at_the_ends():
    """Two vehicles at A: both bookings leave at once; with no cargo anywhere afterwards nobody moves again."""
    result = run(fleet_model(2, 2), np.random.default_rng(0), bookings((0.0, 0, 1), (1.0, 0, 1)))
    assert result.delivered_h.tolist() == [2.0, 3.0]
    assert len(result.departures) == 2


def test_a_vehicle_waiting_to_fill_leaves_part_loaded_when_a_full_train_waits_for_it_at_the_other_end():
    """One 2-TEU vehicle at A holds a 1-TEU batch (its maximum wait ends at 5 h). At 0.5 h two TEU fill a
    departure at B, which has no vehicle: the dispatcher sends the vehicle from A at once with its part load
    (not at 5 h); it reaches B at 2.5 h, is ready at 3.5 h and leaves B with the full load then."""
    fleet = CompiledFleet(0, "f", 1, Dist("fixed", 1.0), 1)
    forward = service(0, (Chunk(TRAVEL, 100.0),), capacity=2.0, max_wait_h=5.0, fleet=0, fleet_end=0, pair=1)
    reverse = service(1, (Chunk(TRAVEL, 100.0),), capacity=2.0, max_wait_h=5.0, fleet=0, fleet_end=1, pair=0)
    its = [Itinerary(0, "r", "r", "forward", (Step(RIDE, 0, "A"),), 0.0, 0.0),
           Itinerary(1, "r:reverse", "r", "reverse", (Step(RIDE, 1, "B"),), 0.0, 0.0)]
    result = run(model(its, services=[forward, reverse], fleets=(fleet,)), np.random.default_rng(0),
                 bookings((0.0, 0, 1), (0.5, 1, 2)))
    np.testing.assert_array_equal(result.departures[:, :3], [[0, 0.5, 1.0], [1, 3.5, 2.0]])
    assert result.delivered_h.tolist() == [2.5, 5.5]


def test_without_a_fleet_the_same_bookings_leave_at_once():
    """The same service with as many vehicles as needed: the second booking fills its own vehicle at 1 h."""
    m = model([Itinerary(0, "r", "r", "forward", (Step(RIDE, 0, "A"),), 0.0, 0.0)],
              services=[service(0, (Chunk(TRAVEL, 100.0),), max_wait_h=5.0)])
    assert run(m, np.random.default_rng(0), bookings((0.0, 0, 1), (1.0, 0, 1))).delivered_h.tolist() == [2.0, 3.0]


def test_other_traffic_makes_a_border_queue_as_queueing_theory_says():
    """A border lane serving 1 truck per hour (fixed) with other traffic at 0.8 trucks/h and corridor trucks at
    0.05/h: an M/D/1 queue at load 0.85, whose mean wait is rho / (2 mu (1 - rho)) (Pollaczek-Khinchine). The
    corridor trucks' mean wait over four long replications lies within 4 standard errors and 15% of it."""
    lam_bg, lam_c, horizon = 0.8, 0.05, 60_000.0
    rho = lam_bg + lam_c
    theory = rho / (2 * 1.0 * (1 - rho))
    means = []
    for seed in range(4):
        n = np.random.default_rng(100 + seed).poisson(lam_c * horizon)
        t = np.sort(np.random.default_rng(200 + seed).uniform(0, horizon - 100, n))
        m = model([Itinerary(0, "r", "r", "forward", (Step(VISIT, 0, "A"),), 0.0, 0.0)],
                  facilities=[port(0, 1.0, None, None, background_per_h=lam_bg)], horizon_h=horizon)
        b = bookings(*((float(x), 0, 1) for x in t))
        log = run(m, np.random.default_rng(seed), b).log
        q, s = log["time_h"][log["kind"] == 1], log["time_h"][log["kind"] == 2]
        means.append(float(np.mean(s - q)))
    se = float(np.std(means, ddof=1) / math.sqrt(len(means)))
    assert abs(np.mean(means) - theory) <= max(4 * se, 0.15 * theory)
    assert np.mean(means) == pytest.approx(theory, rel=0.15)


def test_a_delivered_box_goes_back_empty_when_no_load_reuses_it():
    """Share 1: the box delivered at B at 2 h returns empty on the reverse itinerary (a 300 km ride, 6 h) at once,
    as consignment 1 (the empty of consignment 0); share 0 sends nothing back."""
    its = [Itinerary(0, "r", "r", "forward", (Step(RIDE, 0, "A"),), 0.0, 0.0, empty_return=1, empty_share=1.0),
           Itinerary(1, "r:reverse", "r", "reverse", (Step(RIDE, 1, "B"),), 0.0, 0.0)]
    services = [service(0, (Chunk(TRAVEL, 100.0),)), service(1, (Chunk(TRAVEL, 300.0),))]
    result = run(model(its, services=services), np.random.default_rng(0), bookings((0.0, 0, 1)))
    assert result.delivered_h.tolist() == [2.0, 8.0]
    assert result.bookings.kind.tolist() == [0, 1] and result.empty_of.tolist() == [-1, 0]
    assert result.bookings.itinerary.tolist() == [0, 1] and result.bookings.created_h.tolist() == [0.0, 2.0]
    its[0] = Itinerary(0, "r", "r", "forward", (Step(RIDE, 0, "A"),), 0.0, 0.0, empty_return=1, empty_share=0.0)
    result = run(model(its, services=services), np.random.default_rng(0), bookings((0.0, 0, 1)))
    assert result.delivered_h.tolist() == [2.0]


def test_a_trial_needs_no_fill_wait_and_jumps_facility_queues():
    """A 10-TEU vehicle waits up to 24 h to fill; a port lane is busy with a 5 h job from 0 h. The ordinary 1 h
    booking queues until 5 h and then waits for its vehicle (29 h); the trial at 1 h is served at once and leaves
    on a dedicated vehicle at 3 h."""
    from sim.model import Trial

    its = [Itinerary(0, "r", "r", "forward", (Step(VISIT, 0, "A"), Step(RIDE, 0, "A")), 0.0, 0.0)]
    m = model(its, services=[service(0, (Chunk(TRAVEL, 100.0),), capacity=10.0, max_wait_h=24.0)],
              facilities=[port(0, 2.0, None, None, service=Dist("uniform", 2.0, 2.0))],
              trials=(Trial("pilot", 1.0, 0, 1, 0),))
    b = bookings((0.0, 0, 1), (1.0, 0, 1))
    b.kind[:] = 0
    blocker = run(m, np.random.default_rng(0))
    trial = blocker.bookings.kind.tolist().index(2)
    assert blocker.delivered_h[trial] == 1.0 + 2.0 + 2.0


def test_the_run_drains_after_the_last_booking_and_reports_what_is_left():
    """A booking 10 h before the horizon waits for a sailing 14 h after it: with a 48 h drain it arrives (the run
    stops then); without a drain it is still in transit at the horizon."""
    m = model([Itinerary(0, "r", "r", "forward", (Step(RIDE, 0, "A"),), 0.0, 0.0)],
              services=[service(0, (Chunk(TRAVEL, 100.0),), departure="scheduled", headway_h=214.0, capacity=10.0)],
              horizon_h=200.0, drain_h=48.0)
    drained = run(m, np.random.default_rng(0), bookings((190.0, 0, 1)))
    assert drained.delivered_h.tolist() == [216.0] and drained.end_h == 216.0
    m = model([Itinerary(0, "r", "r", "forward", (Step(RIDE, 0, "A"),), 0.0, 0.0)],
              services=[service(0, (Chunk(TRAVEL, 100.0),), departure="scheduled", headway_h=214.0, capacity=10.0)],
              horizon_h=200.0, drain_h=0.0)
    cut = run(m, np.random.default_rng(0), bookings((190.0, 0, 1)))
    assert np.isnan(cut.delivered_h).all() and cut.end_h == 200.0
    assert DAYS * 24 > 248


def test_icebreakers_escort_ships_only_through_the_areas_whose_ice_needs_them():
    """Area 0 is ice-free (the ship sails it on its own at 50 km/h: 100 km in 2 h); area 1 has light ice the ship
    may only cross escorted (2 h pickup, 50 km at 10 km/h). One escort place: ship 1 (0 h) arrives at 2 + 2 + 5 =
    9 h; ship 2 (1 h) crosses area 0 by 3 h, waits for the place until 9 h and arrives at 16 h."""
    from sim.ice import ESCORT
    from sim.model import ICE, CompiledEscort, CompiledIce

    codes = np.zeros((2, 3, DAYS), dtype=np.int8)
    codes[1] = 1
    actions = np.zeros((2, 3, DAYS), dtype=np.int8)
    actions[1] = ESCORT
    ice = CompiledIce(("open", "ice"), (0, 0), ((0.0, 1.0, 0.0),), 1, codes, (Dist("fixed", 10.0),) * 3, 0)
    escort = CompiledEscort(0, "ib", 1, 1, Dist("fixed", 99.0), Dist("fixed", 2.0))
    m = model([Itinerary(0, "r", "r", "forward", (Step(RIDE, 0, "A"),), 0.0, 0.0)],
              services=[service(0, (Chunk(ICE, 100.0, 0), Chunk(ICE, 50.0, 1)), ice_actions=actions,
                                ice_route=((0, 0.0, 2.0), (1, 2.0, 5.0)))], escorts=[escort], ice=ice)
    assert run(m, np.random.default_rng(0), bookings((0.0, 0, 1), (1.0, 0, 1))).delivered_h.tolist() == [9.0, 16.0]


def test_an_icebreaker_stays_with_its_ship_through_consecutive_escorted_areas():
    """Areas 0 and 1 both need escort: one pickup (2 h), then 100 km and 50 km at 10 km/h = 17 h. Area 2 is
    ice-free again (50 km at 50 km/h): the place is freed at 17 h, the ship arrives at 18 h. A second ship (1 h)
    waits for the single place until 17 h: 17 + 2 + 15 + 1 = 35 h. A pickup per area would give 19 h and 39 h."""
    from sim.ice import ESCORT
    from sim.model import ICE, CompiledEscort, CompiledIce

    codes = np.ones((3, 3, DAYS), dtype=np.int8)
    codes[2] = 0
    actions = np.full((3, 3, DAYS), ESCORT, dtype=np.int8)
    actions[2] = 0
    ice = CompiledIce(("a", "b", "c"), (0, 0, 0), ((0.0, 1.0, 0.0),), 1, codes, (Dist("fixed", 10.0),) * 3, 0)
    escort = CompiledEscort(0, "ib", 1, 1, Dist("fixed", 99.0), Dist("fixed", 2.0))
    m = model([Itinerary(0, "r", "r", "forward", (Step(RIDE, 0, "A"),), 0.0, 0.0)],
              services=[service(0, (Chunk(ICE, 100.0, 0), Chunk(ICE, 50.0, 1), Chunk(ICE, 50.0, 2)),
                                ice_actions=actions, ice_route=((0, 0.0, 10.0), (1, 10.0, 5.0), (2, 15.0, 1.0)))],
              escorts=[escort], ice=ice)
    assert run(m, np.random.default_rng(0), bookings((0.0, 0, 1), (1.0, 0, 1))).delivered_h.tolist() == [18.0, 35.0]


def test_a_ship_meeting_ice_closed_to_its_class_waits_for_the_next_day_it_may_go_on():
    """The second area is closed to the ship on day 0 only (the gate let it leave, as it nominally arrives on day
    1): reaching it at 2 h, the ship waits until 24 h, then crosses it ice-free (50 km at 50 km/h): 25 h."""
    from sim.ice import CLOSED
    from sim.model import ICE, CompiledIce

    actions = np.zeros((2, 3, DAYS), dtype=np.int8)
    actions[1, :, 0] = CLOSED
    ice = CompiledIce(("a", "b"), (0, 0), ((0.0, 1.0, 0.0),), 1, np.zeros((2, 3, DAYS), dtype=np.int8),
                      (Dist("fixed", 10.0),) * 3, 0)
    m = model([Itinerary(0, "r", "r", "forward", (Step(RIDE, 0, "A"),), 0.0, 0.0)],
              services=[service(0, (Chunk(ICE, 100.0, 0), Chunk(ICE, 50.0, 1)), ice_actions=actions,
                                ice_route=((0, 0.0, 2.0), (1, 30.0, 1.0)))], ice=ice)
    assert run(m, np.random.default_rng(0), bookings((0.0, 0, 1))).delivered_h.tolist() == [25.0]


def test_a_late_fleet_ship_sails_late_instead_of_skipping_its_sailing():
    """One ship, 13 h each way, 1 h turnaround, sailings every 24 h (forward at 0, 24, ...; back at 12, 36, ...).
    It misses the 12 h sailing back (ready at 14 h) and leaves at 14 h, is ready again at home at 28 h and takes
    the 24 h sailing then, 4 h late: a box booked at 20 h leaves at 28 h. (A ship that skipped its late sailings
    would leave at 72 h; a ship more than half a headway late still skips: that sailing is blank.)"""
    from dataclasses import replace

    fleet = CompiledFleet(0, "f", 1, Dist("fixed", 1.0), 1)
    forward = service(0, (Chunk(TRAVEL, 650.0),), departure="scheduled", headway_h=24.0, capacity=10.0, fleet=0,
                      fleet_end=0, pair=1)
    back = replace(service(1, (Chunk(TRAVEL, 650.0),), departure="scheduled", headway_h=24.0, capacity=10.0,
                           fleet=0, fleet_end=1, pair=0), offset_h=12.0)
    m = model([Itinerary(0, "r", "r", "forward", (Step(RIDE, 0, "A"),), 0.0, 0.0)], services=[forward, back],
              fleets=(fleet,))
    log = log_of(m, bookings((20.0, 0, 1)))
    assert [t for t, kind, *_ in log if kind == "DEPART"] == [28.0]
