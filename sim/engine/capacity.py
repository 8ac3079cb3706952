"""Capacity that cargo or vehicles wait for: FCFS facilities (with other traffic's jobs in the same queue),
unit pools (icebreaker escort places, trucks) and canal convoys with limited slots."""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Callable
from heapq import heapreplace
from typing import Any

import numpy as np

from ..distributions import sampler
from ..model import REEFER, TIME_CRITICAL, CompiledConvoy, CompiledFacility

__all__ = ["FacilityQueue", "Pool", "ConvoySlots"]


class FacilityQueue:
    """A first-come-first-served facility with ``servers`` parallel servers.

    Service times are drawn when a job arrives, so its start time is known at once: the earliest time a server is
    free (a heap of free times), pushed past any closure window. This is the exact FCFS c-server queue (the schedule
    a SimPy Resource produces) for one event per visit instead of four; utilisation, queue lengths and waits are
    computed after the run from the arrival, start and end times.

    Other traffic (trucks and trains that are not corridor cargo) arrives as a Poisson stream drawn at the start;
    its jobs are booked in arrival order just before any later corridor job, which keeps the queue exactly FCFS.
    """

    __slots__ = ("free", "service", "dwell", "cutoff", "per_teu", "closures", "slowdowns", "plain", "bg_arrivals",
                 "bg_times", "bg_next", "bg_start", "bg_end", "plugs", "lane", "special")

    def __init__(self, spec: CompiledFacility, rng: np.random.Generator, end_h: float) -> None:
        self.free = [0.0] * spec.servers  # a heap of the times each server becomes free
        bg_rng, service_rng, dwell_rng, cutoff_rng = rng.spawn(4)  # one stream per draw (common random numbers)
        self.service = sampler(spec.service_h, service_rng)
        self.dwell = sampler(spec.dwell_h, dwell_rng) if spec.dwell_h is not None else None
        self.cutoff = sampler(spec.cutoff_h, cutoff_rng) if spec.cutoff_h is not None else None
        self.per_teu = spec.per_teu
        self.closures = spec.closures
        self.slowdowns = spec.slowdowns
        self.bg_times = _poisson_times(spec.background_per_h, end_h, bg_rng)  # for the statistics after the run
        self.bg_arrivals: list[float] = self.bg_times.tolist()  # for the loop (list reads are faster)
        self.bg_next = 0
        self.bg_start = array("d")  # arrays reach numpy without a copy after the run
        self.bg_end = array("d")
        # without closures, slow-downs or other traffic the consignment loop inlines book() (keep the two alike)
        self.plain = not spec.closures and not spec.slowdowns and not self.bg_arrivals
        self.plugs = Pool(spec.reefer_plugs) if spec.reefer_plugs is not None else None
        self.lane = [0.0] * spec.priority_servers if spec.priority_servers else None  # free times, a heap
        # per handling class: does a visit need more than the FCFS booking (a plug to wait for, a priority lane)
        special = [False] * 4
        special[REEFER] = self.plugs is not None
        special[TIME_CRITICAL] = self.lane is not None
        self.special = tuple(special)

    def book(self, now: float, teu: float) -> tuple[float, float]:
        """Queue a corridor job arriving ``now``: return its service (start, end)."""
        j = self.bg_next
        if j < len(self.bg_arrivals) and self.bg_arrivals[j] <= now:
            self.other_traffic(now)
        start, end = self._serve(now, self.service() * teu if self.per_teu else self.service())
        return start, end

    def book_priority(self, now: float, teu: float) -> tuple[float, float]:
        """A priority job (a trial) is served at once on its own lane (closures still hold): (start, end)."""
        start = now
        for a, b in self.closures:
            if a <= start < b:
                start = b
        return start, start + (self.service() * teu if self.per_teu else self.service())

    def book_urgent(self, now: float, teu: float) -> tuple[float, float]:
        """Queue a time-critical job: it takes the earlier of the priority lane and the common servers (the
        lane serves only time-critical cargo, so ordinary jobs never wait for it): (start, end)."""
        lane = self.lane
        if lane is None:
            return self.book(now, teu)
        j = self.bg_next
        if j < len(self.bg_arrivals) and self.bg_arrivals[j] <= now:
            self.other_traffic(now)  # first, so the common servers' free times are current
        st = self.service() * teu if self.per_teu else self.service()
        # the lane when it is free first, else the common servers
        return self._serve(now, st, lane if lane[0] <= max(now, self.free[0]) else self.free)

    def other_traffic(self, until: float) -> None:
        """Book the other traffic's jobs arriving up to ``until``, in arrival order."""
        arrivals, j, n = self.bg_arrivals, self.bg_next, len(self.bg_arrivals)
        starts, ends, service = self.bg_start, self.bg_end, self.service
        if self.closures or self.slowdowns:
            while j < n and arrivals[j] <= until:
                start, end = self._serve(arrivals[j], service())
                starts.append(start)
                ends.append(end)
                j += 1
        else:  # _serve without closures or slow-downs, inlined: other traffic is most of a border's jobs
            free = self.free
            while j < n and arrivals[j] <= until:
                a = arrivals[j]
                start = free[0] if free[0] > a else a
                end = start + service()
                heapreplace(free, end)
                starts.append(start)
                ends.append(end)
                j += 1
        self.bg_next = j

    def _serve(self, now: float, st: float, free: list[float] | None = None) -> tuple[float, float]:
        """Serve a job of ``st`` hours arriving ``now`` on the earliest free server of ``free`` (a heap of free
        times; default the common servers), past closures and slowed by slow-downs: (start, end)."""
        if free is None:
            free = self.free
        start = free[0] if free[0] > now else now
        for a, b in self.closures:
            if a <= start < b:
                start = b
        for a, b, f in self.slowdowns:
            if a <= start < b:
                st *= f
        end = start + st
        heapreplace(free, end)
        return start, end


def _poisson_times(rate_per_h: float, end_h: float, rng: np.random.Generator) -> np.ndarray:
    """Arrival times of a Poisson stream of ``rate_per_h`` over [0, end_h), sorted."""
    if rate_per_h <= 0:
        return np.zeros(0)
    n = int(rng.poisson(rate_per_h * end_h))
    return np.sort(rng.uniform(0.0, end_h, n))


Grant = Callable[[Any, float], None]


class Pool:
    """Identical units (icebreaker escort places, trucks) granted first come, first served."""

    __slots__ = ("free", "size", "waiting")

    def __init__(self, units: int) -> None:
        self.free = units
        self.size = units
        self.waiting: deque[tuple[int, Grant, Any]] = deque()

    def acquire(self, need: int, grant: Grant, arg: Any, now: float) -> None:
        """Call ``grant(arg, now)`` as soon as ``need`` units are free and everyone who asked earlier was served."""
        if not self.waiting and self.free >= need:
            self.free -= need
            grant(arg, now)
        else:
            self.waiting.append((need, grant, arg))

    def release(self, units: int, now: float) -> None:
        """Return ``units`` at ``now`` and serve waiting requests in order."""
        self.free += units
        waiting = self.waiting
        while waiting and waiting[0][0] <= self.free:
            need, grant, arg = waiting.popleft()
            self.free -= need
            grant(arg, now)


class ConvoySlots:
    """Canal convoys with limited slots, shared with background traffic drawn per convoy at the start."""

    __slots__ = ("spec", "used", "background", "transit")

    def __init__(self, spec: CompiledConvoy, rng: np.random.Generator, end_h: float) -> None:
        self.spec = spec
        n = int(end_h * 3 / spec.interval_h) + 8  # trips may run past the end of the run
        bg_rng, transit_rng = rng.spawn(2)
        drawn = bg_rng.poisson(spec.background_mean, n) if spec.background_mean > 0 else np.zeros(n, int)
        self.background: list[int] = drawn.tolist()
        self.used = [0] * n
        self.transit = sampler(spec.transit_h, transit_rng)  # draws lazily, on the first passage

    def next_departure(self, now: float) -> float:
        """Book the first convoy at or after ``now`` with a free slot; return its departure time."""
        s = self.spec
        k = max(0, math.ceil((now - s.first_h) / s.interval_h))
        while k < len(self.used):
            if self.background[k] + self.used[k] < s.slots:
                self.used[k] += 1
                return s.first_h + k * s.interval_h
            k += 1
        return s.first_h + k * s.interval_h
