"""Capacity that cargo or vehicles wait for: FCFS facilities, unit pools (icebreaker escort places, trucks) and
canal convoys with limited slots."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from heapq import heapreplace
from typing import Any

import numpy as np

from ..distributions import sampler
from ..model import CompiledConvoy, CompiledFacility

__all__ = ["FacilityQueue", "Pool", "ConvoySlots"]


class FacilityQueue:
    """A first-come-first-served facility with ``servers`` parallel servers.

    Service times are drawn when a job arrives, so its start time is known at once: the earliest time a server is
    free (a heap of free times), pushed past any closure window. This is the exact FCFS c-server queue (the schedule
    a SimPy Resource produces) for one event per visit instead of four; utilisation, queue lengths and waits are
    computed after the run from the arrival, start and end times.
    """

    __slots__ = ("free", "service", "dwell", "per_teu", "closures", "slowdowns", "plain")

    def __init__(self, spec: CompiledFacility, rng: np.random.Generator) -> None:
        self.free = [0.0] * spec.servers  # a heap of the times each server becomes free
        self.service = sampler(spec.service_h, rng)
        self.dwell = sampler(spec.dwell_h, rng) if spec.dwell_h is not None else None
        self.per_teu = spec.per_teu
        self.closures = spec.closures
        self.slowdowns = spec.slowdowns
        # without closures or slowdowns the consignment loop inlines book() (keep the two alike)
        self.plain = not spec.closures and not spec.slowdowns

    def book(self, now: float, teu: float) -> tuple[float, float, float]:
        """Queue a job arriving ``now``: return (service start, service end, leave time after dwell)."""
        free = self.free
        start = free[0] if free[0] > now else now
        for a, b in self.closures:
            if a <= start < b:
                start = b
        st = self.service() * teu if self.per_teu else self.service()
        for a, b, f in self.slowdowns:
            if a <= start < b:
                st *= f
        end = start + st
        heapreplace(free, end)
        return start, end, (end + self.dwell() if self.dwell is not None else end)


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

    def __init__(self, spec: CompiledConvoy, rng: np.random.Generator, horizon_h: float) -> None:
        self.spec = spec
        n = int(horizon_h * 3 / spec.interval_h) + 8  # trips may run past the horizon
        drawn = rng.poisson(spec.background_mean, n) if spec.background_mean > 0 else np.zeros(n, int)
        self.background: list[int] = drawn.tolist()
        self.used = [0] * n
        self.transit = sampler(spec.transit_h, rng)  # draws lazily, on the first passage

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
