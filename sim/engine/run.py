"""One replication of one scenario variant: build the state machines from the compiled model, run SimPy until
everything booked is delivered (or the drain cap is reached), collect the records."""

from __future__ import annotations

import gc
from collections.abc import Sequence

import numpy as np

from ..distributions import Dist, sampler
from ..model import CUTOFF, DWELL, VISIT, CompiledModel, Step
from .bookings import Bookings, BookingSource, decide_at_booking, generate_bookings
from .capacity import ConvoySlots, FacilityQueue
from .clock import Callbacks, Clock, Wakeup
from .collect import RunResult, collect
from .consignments import DELIVER, Consignments, StepPlan
from .fleets import Shuttle
from .ice import IceState
from .records import PathTable, Records
from .services import Service
from .streams import Streams
from .trips import Trips

__all__ = ["run"]


def run(model: CompiledModel, rng: np.random.Generator, bookings: Bookings | None = None) -> RunResult:
    """Simulate one replication of ``model`` with ``rng`` (bookings drawn from the model's flows unless given);
    see RunResult. Bookings are made until the horizon; the run then goes on until every consignment is
    delivered, at most ``model.drain_h`` longer.

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
    empties = any(it.empty_return >= 0 for it in model.itineraries)
    rec = Records(len(bookings.created_h), steps, empties)
    clock = Clock()
    end_h = model.end_h
    streams = Streams(rng)  # every part its own stream: common random numbers across runs of other shares
    facilities = [FacilityQueue(f, streams.facility(f.index), end_h) for f in model.facilities]
    convoys = [ConvoySlots(c, streams.convoy(c.index), end_h) for c in model.convoys]
    shuttles = [Shuttle(f, clock, streams.fleet(f.index)) for f in model.fleets]
    ice = IceState(model.ice, streams.ice()) if model.ice is not None else None
    paths = PathTable()
    consignments = Consignments(clock, rec, [(it.empty_return, it.empty_share) for it in model.itineraries],
                                [sampler(Dist("uniform", 0.0, 1.0), streams.coin(it.index)) if it.empty_return >= 0
                                 else None for it in model.itineraries], model.horizon_h)
    trips = Trips(clock, consignments, rec, convoys, model.escorts, facilities, model.holds,
                  model.month_at_day.tolist(), [streams.escort(e.index) for e in model.escorts], ice)
    services = [Service(s, streams.service(s.index), clock, trips, consignments, rec.departures, paths, model.holds,
                        end_h, shuttles[s.fleet] if s.fleet >= 0 else None, ice) for s in model.services]
    for s in services:
        s.start()
    consignments.steps_of = [_steps(it.steps, facilities, services) for it in model.itineraries]
    BookingSource(clock, consignments, bookings, decide_at_booking(model, bookings, rec, [s.ok for s in services]),
                  model.commodity_class)
    HorizonCheck(consignments, model.horizon_h)
    events = clock.run(until=end_h)
    result = collect(model, bookings, booked_itinerary, rec, paths, facilities, events, clock.now)
    result.departure_open = tuple(s.ok for s in services)
    return result


def _steps(steps: Sequence[Step], facilities: list[FacilityQueue], services: list[Service]) -> tuple[StepPlan, ...]:
    """An itinerary's steps as (kind, facility or service, stay sampler) triples, closed by a DELIVER step."""
    plans: list[StepPlan] = []
    for st in steps:
        if st.kind == VISIT:
            f = facilities[st.ref]
            plans.append((VISIT, f, f.cutoff if st.after == CUTOFF else f.dwell if st.after == DWELL else None))
        else:
            plans.append((st.kind, services[st.ref], None))
    return (*plans, (DELIVER, None, None))


class HorizonCheck(Wakeup):
    """At the horizon no booking remains to be made: stop if nothing is in flight."""

    __slots__ = ("consignments",)

    def __init__(self, consignments: Consignments, horizon: float) -> None:
        self.consignments = consignments
        consignments.clock.at(horizon, self, CHECK)

    def wake(self) -> None:
        """SimPy callback."""
        if self.consignments.outstanding == 0:
            self.consignments.clock.finish()


CHECK: Callbacks = [HorizonCheck.wake]
