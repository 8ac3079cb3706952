"""Consignments moving along their itineraries: facility visits (one event each) and boarding services.

A consignment is a state machine: ``Consignments.advance`` ends its current step at ``now`` and starts the next
(queue at a facility, wait for a vehicle, or delivery). A facility visit is booked at once on the facility's FCFS
queue (its start and end are known on arrival), so the consignment only wakes when it leaves the facility.
"""

from __future__ import annotations

from collections.abc import Sequence
from heapq import heapreplace
from typing import Any, Protocol

from ..model import RIDE, VISIT
from .capacity import FacilityQueue
from .clock import Callbacks, Clock, Wakeup
from .records import Records

__all__ = ["Consignment", "Consignments", "Boarding", "DELIVER"]

DELIVER = -1  # the step kind closing every itinerary in the engine


class Boarding(Protocol):
    """What a consignment boards: a service direction that takes it on (``services.Service``)."""

    def enqueue(self, c: Consignment, now: float) -> None: ...


class Consignment(Wakeup):
    """A consignment in flight; it wakes when a facility visit ends."""

    __slots__ = ("cid", "base", "si", "steps", "teu", "by")

    def __init__(self, by: Consignments, cid: int, steps: tuple[tuple[int, Any], ...], teu: float) -> None:
        self.by = by
        self.cid = cid
        self.base = cid * by.rec.steps  # flat index of step 0 in the records
        self.si = -1  # the step under way (-1: not started)
        self.steps = steps  # (VISIT, FacilityQueue) | (RIDE, Boarding) | (DELIVER, None)
        self.teu = teu

    def left_facility(self) -> None:
        """SimPy callback: the facility visit is over."""
        self.by.advance(self, self.t)


VISITED: Callbacks = [Consignment.left_facility]  # shared: SimPy never mutates an event's callback list while stepping


class Consignments:
    """Moves consignments step by step and writes their per-step records."""

    __slots__ = ("clock", "rec", "steps_of", "step_end", "step_mark", "service_end", "delivered")

    def __init__(self, clock: Clock, rec: Records, steps_of: Sequence[tuple[tuple[int, Any], ...]]) -> None:
        self.clock = clock
        self.rec = rec
        self.steps_of = steps_of  # per itinerary: its steps, closed by (DELIVER, None)
        self.step_end = rec.step_end
        self.step_mark = rec.step_mark
        self.service_end = rec.service_end
        self.delivered = rec.delivered

    def start(self, cid: int, itinerary: int, teu: float, now: float) -> None:
        """Put booking ``cid`` on its way along ``itinerary`` at ``now``."""
        self.advance(Consignment(self, cid, self.steps_of[itinerary], teu), now)

    def advance(self, c: Consignment, now: float) -> None:
        """End step ``c.si`` of ``c`` at ``now`` and start the next one (or deliver the consignment)."""
        si = c.si
        if si >= 0:
            self.step_end[c.base + si] = now
        si += 1
        c.si = si
        kind, target = c.steps[si]
        if kind == VISIT:
            f: FacilityQueue = target
            if f.plain:  # FacilityQueue.book without closures or slowdowns, inlined: 4% of a run (measured A/B)
                free = f.free
                start = free[0] if free[0] > now else now
                end = start + (f.service() * c.teu if f.per_teu else f.service())
                heapreplace(free, end)
                leave = end if f.dwell is None else end + f.dwell()
            else:
                start, end, leave = f.book(now, c.teu)
            k = c.base + si
            self.step_mark[k] = start
            self.service_end[k] = end
            self.clock.at(leave, c, VISITED)
        elif kind == RIDE:
            target.enqueue(c, now)
        else:
            self.delivered[c.cid] = now

    def departed(self, c: Consignment, now: float) -> None:
        """``c`` left on a vehicle at ``now``."""
        self.step_mark[c.base + c.si] = now
