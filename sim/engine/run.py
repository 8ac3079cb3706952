"""One replication of one scenario variant: build the state machines from the compiled model, run SimPy to the
horizon, collect the records."""

from __future__ import annotations

import gc
from typing import Any

import numpy as np

from ..model import VISIT, CompiledModel
from .bookings import Bookings, BookingSource, decide_at_booking, generate_bookings
from .capacity import ConvoySlots, FacilityQueue
from .clock import Clock
from .collect import RunResult, collect
from .consignments import DELIVER, Consignments
from .records import PathTable, Records
from .services import Service
from .trips import Trips

__all__ = ["run"]


def run(model: CompiledModel, rng: np.random.Generator, bookings: Bookings | None = None) -> RunResult:
    """Simulate one replication of ``model`` with ``rng`` until the horizon (bookings drawn from the model's
    flows unless given); see RunResult.

    A facility visit is one event; a ride costs no event per consignment (the vehicle's chunks are the events
    and its arrival advances every consignment it carries).

    Python's cyclic GC is paused for the whole call: the run allocates ~10^5 short-lived objects that it would
    rescan for nothing. Everything the run leaves behind (its state machines refer to each other) therefore sits
    in the youngest GC generation, and ``gc.collect(0)`` frees it cheaply, however big the calling process.
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _simulate(model, rng, bookings)
    finally:
        if gc_was_enabled:
            gc.enable()


def _simulate(model: CompiledModel, rng: np.random.Generator, given: Bookings | None) -> RunResult:
    bookings = (generate_bookings(model, rng) if given is None else given).copy()
    booked_itinerary = bookings.itinerary.copy()
    steps = max((len(it.steps) for it in model.itineraries), default=1)
    rec = Records(len(bookings.created_h), steps)
    clock = Clock()
    facilities = [FacilityQueue(f, rng) for f in model.facilities]
    convoys = [ConvoySlots(c, rng, model.horizon_h) for c in model.convoys]
    paths = PathTable()
    consignments = Consignments(clock, rec, [])
    trips = Trips(clock, consignments, rec, convoys, model.escorts, facilities, model.holds,
                  model.month_at_day.tolist(), rng)
    services = [Service(s, rng, clock, trips, consignments, rec.departures, paths, model.holds, model.horizon_h)
                for s in model.services]
    for s in services:
        s.start_timetable()
    consignments.steps_of = [_steps(it.steps, facilities, services) for it in model.itineraries]
    BookingSource(clock, consignments, bookings, decide_at_booking(model, bookings, rec))
    events = clock.run(until=model.horizon_h)
    return collect(model, bookings, booked_itinerary, rec, paths, events)


def _steps(steps, facilities: list[FacilityQueue], services: list[Service]) -> tuple[tuple[int, Any], ...]:
    """An itinerary's steps as (kind, facility or service) pairs, closed by (DELIVER, None)."""
    return (*((st.kind, facilities[st.ref] if st.kind == VISIT else services[st.ref]) for st in steps),
            (DELIVER, None))
