"""Services: one direction of a liner, train, ship or truck service and its departure rule.

- ``scheduled``: a vehicle leaves every ``headway_h`` from ``offset_h`` with whatever fits (first fit in booking
  order); the service wakes at each departure.
- ``when_full``: a vehicle leaves once ``fill_teu`` wait, or when the first booking of a batch has waited
  ``max_wait_h``.
- ``fleet``: each booking takes as many vehicles (trucks) as it needs from a finite fleet; a vehicle is free again
  ``return_h`` after delivering.
A departure whose seasonal legs would be closed does not happen: cargo waits for the next one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ..distributions import sampler
from ..model import CompiledService, ServicePath
from .capacity import Pool
from .clock import Callbacks, Clock, Wakeup
from .consignments import Consignment, Consignments
from .records import PathTable
from .trips import Trips

__all__ = ["Service", "Deadline", "SCHEDULED", "WHEN_FULL", "FLEET"]

WHEN_FULL, SCHEDULED, FLEET = "when_full", "scheduled", "fleet"


class Service(Wakeup):
    """One direction of a service; it wakes at each timetabled departure."""

    __slots__ = ("clock", "trips", "consignments", "departures", "holds", "index", "kind", "queue", "queued_teu",
                 "batch", "speed", "fleet", "cap", "fill", "max_wait", "ok", "msf", "escort_needed", "path",
                 "path_ix", "reroutes", "next_t", "headway", "return_h", "horizon")

    def __init__(self, svc: CompiledService, rng: np.random.Generator, clock: Clock, trips: Trips,
                 consignments: Consignments, departures, paths: PathTable,
                 holds: Sequence[tuple[float, float]], horizon: float) -> None:
        self.clock = clock
        self.horizon = horizon  # no timetabled departure at or after it
        self.trips = trips
        self.consignments = consignments
        self.departures = departures  # Records.departures
        self.holds = holds
        self.index = svc.index
        self.kind = svc.departure
        self.queue: list[Consignment] = []
        self.queued_teu = 0.0
        self.batch = 0  # when_full: number of the batch now waiting (stale deadlines are ignored)
        self.speed: Callable[[], float] = sampler(svc.speed_kmh, rng)
        self.fleet = Pool(svc.vehicles) if svc.departure == FLEET else None
        self.cap = svc.capacity_teu
        self.fill = svc.fill_teu
        self.max_wait = svc.max_wait_h
        self.ok: list[bool] | None = svc.departure_ok.tolist() if svc.departure_ok is not None else None
        self.msf = svc.month_speed_factor
        self.escort_needed: list[bool] | None = (svc.escort_needed.tolist() if svc.escort_needed is not None
                                                 else None)
        self.path = svc.path
        self.path_ix = paths.add(svc, svc.path, False)
        self.reroutes = [(d, alt, svc.reroute_offsets_h[d], paths.add(svc, alt, True))
                         for d, alt in svc.reroutes.items()]
        self.next_t = svc.offset_h
        self.headway = svc.headway_h
        self.return_h = svc.return_h

    def start_timetable(self) -> None:
        """Schedule the first timetabled departure (scheduled services only)."""
        if self.kind == SCHEDULED and self.next_t < self.horizon:
            self.clock.at(self.next_t, self, TICK)

    def enqueue(self, c: Consignment, now: float) -> None:
        """``c`` waits for this service from ``now``."""
        if self.fleet is not None:
            need = min(max(1, math.ceil(c.teu / self.cap)), self.fleet.size)
            self.fleet.acquire(need, self.haul, (c, need), now)
            return
        self.queue.append(c)
        self.queued_teu += c.teu
        if self.kind == WHEN_FULL:
            if self.queued_teu >= self.fill:
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
        """A vehicle leaves now with what fits, unless its seasonal legs would be closed."""
        ok = self.ok
        if ok is not None:
            d = int(now // 24.0)
            if d >= len(ok) or not ok[d]:
                return  # the seasonal leg is closed for this departure: cargo waits for the next one
        cap = self.cap
        load: list[Consignment]
        if self.queued_teu <= cap:
            load, keep, used = self.queue, list[Consignment](), self.queued_teu
        else:
            load, keep, used = [], [], 0.0
            for c in self.queue:  # first fit in booking order
                if used + c.teu <= cap:
                    load.append(c)
                    used += c.teu
                else:
                    keep.append(c)
        self.queue = keep
        self.queued_teu -= used
        if self.kind == WHEN_FULL:
            self.batch += 1
            if keep:
                Deadline(self, now + self.max_wait)
        if not load:
            return
        self.departures.extend((self.index, now, used, cap))
        departed = self.consignments.departed
        for c in load:
            departed(c, now)
        path, p = self.choose_path(now)
        self.trips.start(self, load, path, p, 0, now)

    def tick(self) -> None:
        """SimPy callback: a timetabled departure."""
        now = self.t
        if self.queue:
            self.depart(now)
        self.next_t += self.headway
        if self.next_t < self.horizon:
            self.clock.at(self.next_t, self, TICK)

    def haul(self, arg: tuple[Consignment, int], now: float) -> None:
        """Fleet units are free for consignment ``c``: it leaves now on ``need`` vehicles."""
        c, need = arg
        per = c.teu / need
        for _ in range(need):
            self.departures.extend((self.index, now, per, self.cap))
        self.consignments.departed(c, now)
        path, p = self.choose_path(now)
        self.trips.start(self, [c], path, p, need, now)


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
