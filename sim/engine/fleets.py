"""Finite fleets: vehicles (ships, locomotive sets with their wagons) shuttling between the two ends of a
service. A vehicle that arrives at an end is ready there again after its turnaround and can only leave from
where it is, so frequency and capacity emerge from the fleet size and the cycle time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from ..distributions import sampler
from ..model import CompiledFleet
from .clock import Callbacks, Clock, Wakeup

__all__ = ["Shuttle", "FleetEnd"]


class FleetEnd(Protocol):
    """The service direction leaving from one end of a fleet (``services.Service``)."""

    def unit_ready(self, now: float) -> None: ...


class Shuttle:
    """How many units are ready at each end; units in transit are held by their trips."""

    __slots__ = ("clock", "ready", "ends", "turnaround")

    def __init__(self, spec: CompiledFleet, clock: Clock, rng: np.random.Generator) -> None:
        self.clock = clock
        self.ready = [spec.initial_at_end0, spec.units - spec.initial_at_end0]
        self.ends: list[FleetEnd | None] = [None, None]  # the service direction leaving from each end
        self.turnaround: Callable[[], float] = sampler(spec.turnaround_h, rng)

    def take(self, end: int) -> bool:
        """Take a ready unit at ``end`` for a departure; False when none is there."""
        if self.ready[end] == 0:
            return False
        self.ready[end] -= 1
        return True

    def arrived(self, end: int, now: float) -> None:
        """A unit reached ``end`` at ``now``: it is ready there after its turnaround."""
        Turnaround(self, end, now + self.turnaround())

    def ready_at(self, end: int, now: float) -> None:
        self.ready[end] += 1
        service = self.ends[end]
        if service is not None:
            service.unit_ready(now)


class Turnaround(Wakeup):
    """A unit unloading, servicing and loading at an end."""

    __slots__ = ("shuttle", "end")

    def __init__(self, shuttle: Shuttle, end: int, t: float) -> None:
        self.shuttle = shuttle
        self.end = end
        shuttle.clock.at(t, self, DONE)

    def done(self) -> None:
        """SimPy callback: the unit is ready at its end."""
        self.shuttle.ready_at(self.end, self.t)


DONE: Callbacks = [Turnaround.done]
