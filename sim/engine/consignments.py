"""Consignments moving along their itineraries: facility visits (one event each) and boarding services.

A consignment is a state machine: ``Consignments.advance`` ends its current step at ``now`` and starts the next
(queue at a facility, wait for a vehicle, or delivery). A facility visit is booked at once on the facility's FCFS
queue (its start and end are known on arrival), so the consignment wakes only when it may leave the facility:
after the cut-off before loading (origin and transfer visits) or the dwell (destination visits).

When a loaded box is delivered on an itinerary with empty returns, it goes back empty with the probability that
the opposite flow does not reuse it: the empty is a consignment of its own, taking slots, time and handling.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from heapq import heappush, heapreplace
from typing import Any, Protocol

from ..model import GENERAL, REEFER, RIDE, VISIT, plugs_for
from .capacity import FacilityQueue, Pool
from .clock import PRIORITY, Callbacks, Clock, Wakeup
from .records import Records

__all__ = ["Consignment", "Consignments", "Boarding", "DELIVER", "StepPlan"]

DELIVER = -1  # the step kind closing every itinerary in the engine

StepPlan = tuple[int, Any,
                 Any]  # (VISIT, FacilityQueue, stay sampler or None) | (RIDE, Boarding, None) | (DELIVER, ...)


class Boarding(Protocol):
    """What a consignment boards: a service direction that takes it on (``services.Service``)."""

    def enqueue(self, c: Consignment, now: float) -> None: ...


class Consignment(Wakeup):
    """A consignment in flight; it wakes when it may leave a facility (SimPy then calls
    ``Consignments.advance`` with it). ``t`` is the time of its latest step change."""

    __slots__ = ("cid", "base", "si", "steps", "teu", "itinerary", "priority", "cls", "plug")

    def __init__(self, cid: int, base: int, itinerary: int, steps: tuple[StepPlan, ...], teu: float,
                 priority: bool, now: float, cls: int = GENERAL) -> None:
        self.cid = cid
        self.base = base  # flat index of step 0 in the records
        self.si = -1  # the step under way (-1: not started)
        self.itinerary = itinerary
        self.steps = steps
        self.teu = teu
        self.priority = priority  # a trial: no queue at facilities, no fill wait
        self.cls = cls  # handling class (model.HANDLING_CLASSES)
        self.plug: Pool | None = None  # the reefer plugs of the facility where it is plugged in
        self.t = now


class Consignments:
    """Moves consignments step by step, writes their per-step records and sends empties back."""

    __slots__ = ("clock", "rec", "steps_of", "step_end", "step_mark", "service_end", "delivered", "empty_plan",
                 "coin", "outstanding", "horizon", "width", "visited", "queue", "eid")

    def __init__(self, clock: Clock, rec: Records, empty_plan: Sequence[tuple[int, float]],
                 coin: Sequence[Callable[[], float] | None],
                 horizon: float) -> None:
        self.clock = clock
        self.rec = rec
        self.steps_of: Sequence[tuple[StepPlan, ...]] = []  # per itinerary, closed by (DELIVER, None, None)
        self.step_end = rec.step_end
        self.step_mark = rec.step_mark
        self.service_end = rec.service_end
        self.delivered = rec.delivered
        self.width = rec.steps  # record slots per consignment
        self.empty_plan = empty_plan  # per itinerary: (itinerary of the empty return or -1, share sent back)
        self.coin = coin  # per itinerary with empty returns: uniform [0, 1) draws from its own stream
        self.outstanding = 0  # consignments started and not yet delivered
        self.horizon = horizon  # no booking after it: the run may stop once nothing is outstanding
        # what SimPy calls when a consignment leaves a facility: advance itself, with no wrapper frame per event
        self.visited: Callbacks = [self.advance]
        self.queue = clock.queue  # for scheduling a facility departure inline (see clock.py)
        self.eid = clock.eid

    def start(self, cid: int, itinerary: int, teu: float, now: float, priority: bool = False,
              cls: int = GENERAL) -> None:
        """Put consignment ``cid`` of handling class ``cls`` on its way along ``itinerary`` at ``now``."""
        self.outstanding += 1
        self.advance(Consignment(cid, cid * self.width, itinerary, self.steps_of[itinerary], teu, priority, now,
                                 cls))

    def advance(self, c: Consignment) -> None:
        """End step ``c.si`` of ``c`` at ``c.t`` and start the next one (or deliver the consignment). Also the
        SimPy callback of a consignment leaving a facility; other callers set ``c.t`` to now first."""
        now = c.t
        si = c.si
        if si >= 0:
            self.step_end[c.base + si] = now
        si += 1
        c.si = si
        kind, target, stay = c.steps[si]
        if kind == VISIT:
            f: FacilityQueue = target
            if f.special[c.cls]:  # a reefer plug to wait for, or a priority lane
                self.visit_by_class(c, f, stay, now)
                return
            if c.priority:
                start, end = f.book_priority(now, c.teu)
            elif f.plain:  # FacilityQueue.book without closures, slow-downs or other traffic, inlined
                free = f.free
                start = free[0] if free[0] > now else now
                end = start + (f.service() * c.teu if f.per_teu else f.service())
                heapreplace(free, end)
            else:
                start, end = f.book(now, c.teu)
            k = c.base + si
            self.step_mark[k] = start
            self.service_end[k] = end
            t = end if stay is None else end + stay()
            # Clock.at(t, c, self.visited), inlined: the same queue entry and event numbering
            c.callbacks = self.visited
            c.t = t
            heappush(self.queue, (t, PRIORITY, next(self.eid), c))
        elif kind == RIDE:
            target.enqueue(c, now)
        else:
            self.deliver(c, now)

    def visit_by_class(self, c: Consignment, f: FacilityQueue, stay: Any, now: float) -> None:
        """A visit that depends on ``c``'s handling class: a reefer box waits for a free plug before it is
        handled (it holds the plug until it leaves the node); time-critical cargo takes the earlier of the
        priority lane and the common servers."""
        if c.priority:
            start, end = f.book_priority(now, c.teu)
        elif c.cls != REEFER:
            start, end = f.book_urgent(now, c.teu)  # special[cls] is set for reefers and the time-critical class
        elif c.plug is None:
            assert f.plugs is not None  # special[REEFER] is set only for facilities with plugs
            f.plugs.acquire(plugs_for(c.teu), self._plugged, (c, f, stay), now)
            return
        else:  # already plugged in at this node (at an earlier facility of the same port)
            start, end = f.book(now, c.teu)
        self._booked(c, start, end, stay)

    def _plugged(self, arg: tuple[Consignment, FacilityQueue, Any], now: float) -> None:
        """A plug is free for the reefer box: it is handled from ``now``."""
        c, f, stay = arg
        c.plug = f.plugs
        if c.priority:
            start, end = f.book_priority(now, c.teu)
        else:
            start, end = f.book(now, c.teu)
        self._booked(c, start, end, stay)

    def _booked(self, c: Consignment, start: float, end: float, stay: Any) -> None:
        """Record a booked visit and wake ``c`` when it may leave the facility (as ``advance`` does inline)."""
        k = c.base + c.si
        self.step_mark[k] = start
        self.service_end[k] = end
        t = end if stay is None else end + stay()
        c.callbacks = self.visited
        c.t = t
        heappush(self.queue, (t, PRIORITY, next(self.eid), c))

    def unplug(self, c: Consignment, now: float) -> None:
        """``c`` leaves the node where it held reefer plugs."""
        plug = c.plug
        if plug is not None:
            c.plug = None
            plug.release(plugs_for(c.teu), now)

    def deliver(self, c: Consignment, now: float) -> None:
        """``c`` reached its destination; its box may go back empty."""
        if c.plug is not None:
            self.unplug(c, now)
        self.delivered[c.cid] = now
        self.outstanding -= 1
        if c.cid < self.rec.booked:
            back, share = self.empty_plan[c.itinerary]
            if back >= 0 and self.coin[c.itinerary]() < share:  # type: ignore[misc]
                self.rec.empty_created[c.cid] = now
                self.start(self.rec.booked + c.cid, back, c.teu, now)
        if self.outstanding == 0 and now >= self.horizon:
            self.clock.finish()

    def departed(self, c: Consignment, now: float) -> None:
        """``c`` left on a vehicle at ``now``."""
        self.step_mark[c.base + c.si] = now
        if c.plug is not None:
            self.unplug(c, now)
