"""The simulation clock: SimPy's ``Environment`` drives every event, and this is the one module that touches its
internals.

The engine's state machines (consignments, vehicle trips, services, timers) are their own SimPy events: SimPy's
``Environment.step`` pops ``(time, priority, id, event)`` from ``env._queue``, calls each of ``event.callbacks``
with the event and then reads ``event._ok``. Pushing such an object back onto the queue for its next step costs
one heap push and one callback, with no generator resume and no new ``Event`` per step. ``Clock.at`` builds the
same queue entry as ``Environment.schedule``; tests/engine/test_clock.py checks that, so a SimPy release that
changes the entry layout fails loudly. The one hottest caller (a consignment leaving a facility,
``Consignments.advance``) builds the entry itself from ``Clock.queue``, ``Clock.eid`` and ``PRIORITY`` to save a
Python call per event; the exact-log tests pin that it schedules exactly as ``at`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any, ClassVar

import simpy
from simpy.events import NORMAL

__all__ = ["Clock", "Wakeup", "Callbacks", "PRIORITY"]

PRIORITY = NORMAL  # the priority field of a queue entry scheduled by Clock.at

Callbacks = list[Callable[[Any], None]]  # what SimPy calls, each with the event, when the event is processed


class Wakeup:
    """A state machine that SimPy runs as an event: its ``callbacks`` run when the clock reaches the time it was
    scheduled ``at``; ``t`` is that time (so a callback never needs to read the clock)."""

    __slots__ = ("callbacks", "t")
    _ok: ClassVar[bool] = True  # SimPy raises an event's value unless _ok

    callbacks: Callbacks | None  # SimPy sets it to None once it has run them
    t: float


class Clock:
    """SimPy's environment, a fast way to schedule ``Wakeup`` objects on it, and a way to stop early."""

    __slots__ = ("env", "queue", "eid", "_done")

    def __init__(self) -> None:
        self.env = simpy.Environment()
        self._done = self.env.event()  # triggered by finish() or when the run reaches its end
        self.queue: list[Any] = self.env._queue  # SimPy's heap of (time, priority, event id, event)
        self.eid = self.env._eid  # the itertools.count numbering every scheduled event

    def at(self, t: float, event: Wakeup, callbacks: Callbacks) -> None:
        """Wake ``event`` at time ``t`` (>= now) by calling each of ``callbacks`` with it, like ``env.schedule``.

        SimPy clears an event's callbacks when it processes it, so each wake-up names its callbacks again.
        """
        event.callbacks = callbacks
        event.t = t
        heappush(self.queue, (t, NORMAL, next(self.eid), event))

    def run(self, until: float) -> int:
        """Run until ``until`` or until ``finish()`` is called, whichever comes first; return how many events
        were scheduled (SimPy numbers each one)."""
        cap = self.env.timeout(until - self.env.now)
        cap.callbacks.append(lambda _: self.finish())
        self.env.run(until=self._done)
        return next(self.eid)

    def finish(self) -> None:
        """Stop the run at the current time (once the events already due now have run)."""
        if not self._done.triggered:
            self._done.succeed()

    @property
    def now(self) -> float:
        """The current simulation time (hours)."""
        return self.env.now
