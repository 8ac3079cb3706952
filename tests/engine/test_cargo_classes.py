"""Cargo handling classes in the engine: reefer boxes wait for a free plug at a facility and hold it until they
leave the node, vehicles carry reefers only up to their plugs, and time-critical cargo takes a facility's
priority lane. Exact logs worked out by hand; each test also runs the same bookings without the mechanism, so
it fails if the mechanism does nothing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.engine import Bookings
from sim.model import CUTOFF, GENERAL, REEFER, RIDE, TIME_CRITICAL, TRAVEL, VISIT, Chunk, Step

from .test_exact_logs import facility, itinerary, log_of, model, service

CLASSES = (GENERAL, REEFER, TIME_CRITICAL)  # commodity 0, 1, 2 of the models below


def booked(*rows: tuple[float, int]) -> Bookings:
    """1-TEU bookings on itinerary 0 from (created_h, commodity) rows."""
    n = len(rows)
    return Bookings(created_h=np.asarray([r[0] for r in rows], dtype=float), itinerary=np.zeros(n, dtype=np.int64),
                    commodity=np.asarray([r[1] for r in rows], dtype=np.int64), teu=np.ones(n, dtype=np.int64),
                    value_usd=np.ones(n), flow=np.zeros(n, dtype=np.int64), kind=np.zeros(n, dtype=np.int64))


def classed(m):
    return replace(m, commodity_names=("general", "reefer", "urgent"), commodity_value_usd_per_teu=(1.0,) * 3,
                   commodity_class=CLASSES)


def starts(log) -> dict[int, float]:
    """Consignment -> when its first facility service started."""
    return {c: t for t, kind, c, s, _ in log if kind == "START" and s == 0}


def departs(log) -> dict[int, float]:
    return {c: t for t, kind, c, _, _ in log if kind == "DEPART"}


def port_then_ship(plugs: int | None, reefer_teu: float | None = None):
    """A port (2 h service, 1 h cut-off, ``plugs`` reefer plugs) and a daily sailing of 10 TEU."""
    return classed(model([itinerary(0, Step(VISIT, 0, "A", after=CUTOFF), Step(RIDE, 0, "A"))],
                         services=[service(0, (Chunk(TRAVEL, 100.0),), departure="scheduled", headway_h=24.0,
                                           capacity=10.0, reefer_teu=reefer_teu)],
                         facilities=[replace(facility(0, 2.0, cutoff_h=1.0), reefer_plugs=plugs)]))


def test_a_reefer_box_waits_for_a_plug_held_by_a_box_until_its_ship_leaves():
    """One plug: the reefer booked at 5 h is handled 5-7 h and holds the plug until its ship leaves at 24 h; the
    reefer booked at 6 h is handled only then (24-26 h, cut-off to 27 h) and sails at 48 h. The general box
    booked at 7 h needs no plug (7-9 h) and sails at 24 h. Without plugs the second reefer is handled at 7 h."""
    b = booked((5.0, 1), (6.0, 1), (7.0, 0))
    log = log_of(port_then_ship(plugs=1), b)
    assert starts(log) == {0: 5.0, 1: 24.0, 2: 7.0}
    assert departs(log) == {0: 24.0, 1: 48.0, 2: 24.0}
    assert starts(log_of(port_then_ship(plugs=None), b)) == {0: 5.0, 1: 7.0, 2: 9.0}


def test_a_vehicle_takes_reefers_only_up_to_its_plugs():
    """One reefer plug a sailing: of two reefers ready for the 24 h sailing one waits for the next day's; the
    general box booked after them still fits and leaves at 24 h."""
    b = booked((5.0, 1), (6.0, 1), (7.0, 0))
    assert departs(log_of(port_then_ship(plugs=None, reefer_teu=1.0), b)) == {0: 24.0, 1: 48.0, 2: 24.0}
    assert departs(log_of(port_then_ship(plugs=None), b)) == {0: 24.0, 1: 24.0, 2: 24.0}


def lane_model(priority_servers: int):
    """One server working 10 h a job, with ``priority_servers`` more for time-critical cargo."""
    return classed(model([itinerary(0, Step(VISIT, 0, "A"))],
                         facilities=[replace(facility(0, 10.0), priority_servers=priority_servers)]))


def test_time_critical_cargo_takes_the_priority_lane_and_ordinary_cargo_never_does():
    """General boxes at 0 h and 1 h hold the common server 0-10 h and 10-20 h; the time-critical box at 2 h is
    served on the lane at once (2-12 h) and the second one at 3 h waits for the lane (12-22 h), which is earlier
    than the common server (20 h). The general box at 4 h waits for the common server (20-30 h) although the lane
    is free at 22 h. Without a lane everyone queues first come, first served."""
    b = booked((0.0, 0), (1.0, 0), (2.0, 2), (3.0, 2), (4.0, 0))
    assert starts(log_of(lane_model(1), b)) == {0: 0.0, 1: 10.0, 2: 2.0, 3: 12.0, 4: 20.0}
    assert starts(log_of(lane_model(0), b)) == {0: 0.0, 1: 10.0, 2: 20.0, 3: 30.0, 4: 40.0}


def test_time_critical_cargo_takes_a_common_server_when_it_is_free_first():
    """The lane is busy until 12 h with the first urgent box; a second urgent box at 11 h finds the common
    server free (the general box left at 10 h) and starts at once."""
    b = booked((0.0, 0), (2.0, 2), (11.0, 2))
    assert starts(log_of(lane_model(1), b)) == {0: 0.0, 1: 2.0, 2: 11.0}
