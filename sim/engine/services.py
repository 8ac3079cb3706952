"""Services: one direction of a liner, train, ship or truck service and its departure rule.

- ``scheduled``: a vehicle leaves every ``headway_h`` from ``offset_h`` with whatever fits (first fit in booking
  order); the service wakes at each departure.
- ``when_full``: a vehicle leaves once ``fill_teu`` wait, or when the first booking of a batch has waited
  ``max_wait_h``.
- ``fleet``: each booking takes as many vehicles (trucks) as it needs from a finite fleet; a vehicle is free again
  ``return_h`` after delivering.
A scheduled or when-full service may draw its vehicles from a finite fleet shuttling between its two ends
(``fleets.Shuttle``): a departure then needs a vehicle ready at this end; a timetabled vehicle keeps its rotation
even with no cargo, and a when-full vehicle leaves (with the part load waiting, or empty) as soon as a
departure at the other end is due and waits for a vehicle.
A departure whose seasonal legs would be closed does not happen: cargo waits for the next one. A trial
consignment leaves at once on a dedicated vehicle (when-full and truck services) or boards first (timetabled).
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Callable, Sequence

import numpy as np

from ..distributions import sampler
from ..model import REEFER, CompiledService, ServicePath
from .capacity import Pool
from .clock import Callbacks, Clock, Wakeup
from .consignments import Consignment, Consignments
from .fleets import Shuttle
from .ice import IceState
from .records import PathTable
from .trips import Trips

__all__ = ["Service", "SCHEDULED", "WHEN_FULL", "FLEET"]

WHEN_FULL, SCHEDULED, FLEET = "when_full", "scheduled", "fleet"


class Service(Wakeup):
    """One direction of a service; it wakes at each timetabled departure."""

    __slots__ = ("clock", "trips", "consignments", "departures", "holds", "index", "kind", "queue", "queued_teu",
                 "batch", "speed", "fleet", "cap", "fill", "max_wait", "ok", "msf", "ice_act", "path",
                 "path_ix", "reroutes", "next_t", "headway", "return_h", "end_h", "shuttle", "end", "pending",
                 "reefer_cap", "queued_reefer", "missed", "ice_speed")

    def __init__(self, svc: CompiledService, rng: np.random.Generator, clock: Clock, trips: Trips,
                 consignments: Consignments, departures: array, paths: PathTable,
                 holds: Sequence[tuple[float, float]], end_h: float, shuttle: Shuttle | None,
                 ice: IceState | None) -> None:
        self.clock = clock
        self.trips = trips
        self.consignments = consignments
        self.departures = departures  # Records.departures
        self.holds = holds
        self.end_h = end_h  # no timetabled departure at or after it
        self.index = svc.index
        self.kind = svc.departure
        self.queue: deque[Consignment] = deque()  # waiting cargo in boarding order (taken from the front)
        self.queued_teu = 0.0
        self.batch = 0  # when_full: number of the batch now waiting (stale deadlines are ignored)
        self.speed: Callable[[], float] = sampler(svc.speed_kmh, rng)
        # its ships' speeds through ice, from its own streams (so other services' voyages do not shift them)
        self.ice_speed = ice.speeds(rng) if ice is not None and svc.ice_actions is not None else None
        self.fleet = Pool(svc.vehicles) if svc.departure == FLEET else None  # trucks
        self.cap = svc.capacity_teu
        self.reefer_cap = svc.reefer_teu  # reefer plugs per vehicle (None: as many as boxes fit)
        self.queued_reefer = 0.0
        self.fill = svc.fill_teu
        self.max_wait = svc.max_wait_h
        # per day: can a ship leave and get through the ice on its path; per area and day: what it may do there
        self.ok: list[bool] | None = ice.departure_ok(svc) if ice is not None else None
        self.ice_act: list[list[int]] | None = ice.actions(svc) if ice is not None else None
        self.msf = svc.month_speed_factor
        self.path = svc.path
        self.path_ix = paths.add(svc, svc.path, False)
        self.reroutes = [(d, alt, svc.reroute_offsets_h[d], paths.add(svc, alt, True))
                         for d, alt in svc.reroutes.items()]
        self.next_t = svc.offset_h
        self.headway = svc.headway_h
        self.return_h = svc.return_h
        self.shuttle = shuttle  # the finite fleet this direction takes its vehicles from
        self.end = svc.fleet_end
        self.pending = False  # a departure is due but no fleet vehicle is ready here
        self.missed = -math.inf  # when a timetabled departure last found no fleet vehicle here
        if shuttle is not None:
            shuttle.ends[self.end] = self

    def start(self) -> None:
        """Schedule the first timetabled departure."""
        if self.kind == SCHEDULED and self.next_t < self.end_h:
            self.clock.at(self.next_t, self, TICK)

    def enqueue(self, c: Consignment, now: float) -> None:
        """``c`` waits for this service from ``now``."""
        if c.priority and self.kind != SCHEDULED:
            self.dedicated(c, now)
            return
        if self.fleet is not None:
            need = min(max(1, math.ceil(c.teu / self.cap)), self.fleet.size)
            self.fleet.acquire(need, self.haul, (c, need), now)
            return
        if c.priority:
            self.queue.appendleft(c)
        else:
            self.queue.append(c)
        self.queued_teu += c.teu
        if c.cls == REEFER:
            self.queued_reefer += c.teu
        if self.kind == WHEN_FULL:
            # reefers beyond the vehicle's plugs cannot board, so they do not fill it
            stranded = (self.queued_reefer - self.reefer_cap
                        if self.reefer_cap is not None and self.queued_reefer > self.reefer_cap else 0.0)
            if self.queued_teu - stranded >= self.fill:
                self.depart(now)
            elif len(self.queue) == 1:  # a new batch starts waiting: it leaves full or at its deadline
                self.batch += 1
                Deadline(self, now + self.max_wait)

    def choose_path(self, now: float) -> tuple[ServicePath, int]:
        """The normal path, or the reroute of a closure the vehicle would meet on its way."""
        for d, alt, offset, p in self.reroutes:
            a, b = self.holds[d]
            if a <= now + offset < b:
                return alt, p
        return self.path, self.path_ix

    def depart(self, now: float) -> None:
        """A vehicle leaves now with what fits, unless its seasonal legs would be closed or no fleet vehicle is
        ready here (the departure then waits for one)."""
        ok = self.ok
        if ok is not None:
            d = int(now // 24.0)
            if d >= len(ok) or not ok[d]:
                return  # the ice on its path is closed to it: cargo waits for the next departure
        if self.shuttle is not None and not self.shuttle.take(self.end):
            self.pending = True
            if self.kind == WHEN_FULL:
                self.other_end().unit_wanted(now)
            else:
                self.missed = now  # the ship is late: it sails when it is ready, up to half a headway late
            return
        self.pending = False
        load, used = self._load()
        if self.kind == WHEN_FULL:
            self.batch += 1
            if self.queue:
                Deadline(self, now + self.max_wait)
        if not load and self.shuttle is None:
            return
        self.departures.extend((self.index, now, used, self.cap))
        mark = self.consignments.step_mark
        for c in load:
            mark[c.base + c.si] = now  # Consignments.departed, inlined: a vehicle may carry hundreds
            if c.plug is not None:
                self.consignments.unplug(c, now)
        path, p = self.choose_path(now)
        self.trips.start(self, load, path, p, 0, now, self.shuttle is not None)

    def _load(self) -> tuple[list[Consignment], float]:
        """Take what fits from the queue, first fit in booking order: (load, TEU). Reefer boxes also need a
        free reefer plug on the vehicle. Only the boxes looked at are touched: a saturated backlog behind a full
        vehicle stays where it is (the work per departure does not grow with the backlog)."""
        cap = self.cap
        plugs = self.reefer_cap if self.reefer_cap is not None else math.inf
        queue = self.queue
        if self.queued_teu <= cap and self.queued_reefer <= plugs:  # everything fits: no walk
            load, used, plugged = list(queue), self.queued_teu, self.queued_reefer
            queue.clear()
        else:
            load, skipped, used, plugged = [], [], 0.0, 0.0
            while queue:
                c = queue.popleft()
                reefer = c.cls == REEFER
                if used + c.teu <= cap and (not reefer or plugged + c.teu <= plugs):
                    load.append(c)
                    used += c.teu
                    if reefer:
                        plugged += c.teu
                    if used >= cap:  # full: nothing else fits
                        break
                else:
                    skipped.append(c)
            queue.extendleft(reversed(skipped))  # what did not fit keeps its place at the front
        self.queued_teu -= used
        self.queued_reefer -= plugged
        return load, used

    def tick(self) -> None:
        """SimPy callback: a timetabled departure (a fleet vehicle keeps its rotation even with no cargo)."""
        now = self.t
        if self.queue or self.shuttle is not None:
            self.depart(now)
        self.next_t += self.headway
        if self.next_t < self.end_h:
            self.clock.at(self.next_t, self, TICK)

    def other_end(self) -> Service:
        """The direction leaving from the other end of this service's fleet."""
        assert self.shuttle is not None
        other = self.shuttle.ends[1 - self.end]
        assert isinstance(other, Service)
        return other

    def unit_ready(self, now: float) -> None:
        """A fleet vehicle became ready at this end. When-full: leave now if a departure was due here, or if one
        is overdue at the other end (with what waits here, possibly nothing); else wait for cargo. Timetabled: a
        departure it missed leaves now, at most half a headway late."""
        if self.kind != WHEN_FULL:
            # timetabled: a late ship sails as soon as it is ready, unless it is more than half a headway late
            # (then the sailing is blank and it keeps the next one)
            if self.pending and now - self.missed <= self.headway / 2:
                self.depart(now)
            return
        if self.pending or self.other_end().pending:
            self.depart(now)

    def unit_wanted(self, now: float) -> None:
        """A departure at the other end waits for a vehicle: send one ready here now, with the part load waiting
        here if any. A dispatcher does not hold a set to fill here while a full or overdue train waits for it
        there."""
        if self.kind == WHEN_FULL and self.shuttle is not None and self.shuttle.ready[self.end]:
            self.depart(now)

    def haul(self, arg: tuple[Consignment, int], now: float) -> None:
        """Fleet units are free for consignment ``c``: it leaves now on ``need`` vehicles."""
        c, need = arg
        per = c.teu / need
        for _ in range(need):
            self.departures.extend((self.index, now, per, self.cap))
        self.consignments.departed(c, now)
        path, p = self.choose_path(now)
        self.trips.start(self, [c], path, p, need, now, False)

    def dedicated(self, c: Consignment, now: float) -> None:
        """A trial consignment leaves now on a vehicle of its own."""
        self.departures.extend((self.index, now, c.teu, max(self.cap, c.teu)))
        self.consignments.departed(c, now)
        path, p = self.choose_path(now)
        self.trips.start(self, [c], path, p, 0, now, False)


TICK: Callbacks = [Service.tick]


class Deadline(Wakeup):
    """The maximum wait of a when-full batch: the vehicle leaves then if the batch is still waiting."""

    __slots__ = ("owner", "batch")

    def __init__(self, owner: Service, t: float) -> None:
        self.owner = owner
        self.batch = owner.batch
        owner.clock.at(t, self, DEADLINE)

    def wake(self) -> None:
        """SimPy callback: leave with the batch unless it already left."""
        s = self.owner
        if self.batch == s.batch and s.queue:
            s.depart(self.t)


DEADLINE: Callbacks = [Deadline.wake]
