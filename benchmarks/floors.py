"""Floors the engine is compared with, each doing ``events`` scheduled events and nothing else.

- ``timeout_loop``: one SimPy process yielding ``env.timeout(1)`` in a loop; the heap holds one entry. The
  cheapest way to get that many events out of SimPy, and the usual "bare SimPy" reference.
- ``callbacks_at_depth``: the engine's own mechanism -- slotted ``Wakeup`` objects re-queued on SimPy's heap by
  ``Clock.at`` with a callback that does nothing but re-queue -- with ``depth`` of them pending at once (the
  model's mean heap depth), so each push and pop pays the same log(depth) as in a model run. What is left of
  the engine's time above this floor is the model's own work per event.
- ``processes_at_depth``: ``depth`` SimPy generator processes yielding timeouts (a heavier mechanism than the
  engine's: a new ``Timeout`` and a generator resume per event); shown for comparison with older reports.
"""

from __future__ import annotations

import numpy as np
import simpy

from sim.engine.clock import Callbacks, Clock, Wakeup

__all__ = ["timeout_loop", "callbacks_at_depth", "processes_at_depth", "heap_depth"]


def timeout_loop(events: int) -> None:
    """``events`` timeouts of one SimPy process."""
    env = simpy.Environment()

    def proc():
        for _ in range(events):
            yield env.timeout(1.0)

    env.process(proc())
    env.run()


def _delays(events: int) -> list[float]:
    return np.random.default_rng(0).exponential(1.0, events).tolist()


class _Tick(Wakeup):
    __slots__ = ()


def callbacks_at_depth(events: int, depth: int) -> None:
    """``events`` wake-ups of ``depth`` slotted objects on SimPy's heap, each re-queued by ``Clock.at``."""
    clock = Clock()
    delays = iter(_delays(events))
    left = [events - depth]

    def wake(ev: Wakeup) -> None:
        if left[0] > 0:
            left[0] -= 1
            clock.at(ev.t + next(delays), ev, CALLBACKS)

    CALLBACKS: Callbacks = [wake]
    for _ in range(depth):
        clock.at(next(delays), _Tick(), CALLBACKS)
    clock.run(until=float(events) * 10.0)  # far beyond the last wake-up: the heap empties of ticks first


def processes_at_depth(events: int, depth: int) -> None:
    """``events`` timeouts shared by ``depth`` SimPy generator processes."""
    env = simpy.Environment()
    delays = _delays(events)
    per = events // depth

    def proc(k: int):
        for i in range(k * per, (k + 1) * per):
            yield env.timeout(delays[i])

    for k in range(depth):
        env.process(proc(k))
    env.run()


def heap_depth(run_model) -> float:
    """Mean length of SimPy's event heap over the steps of ``run_model()`` (sampled in a separate run: the
    sampling slows the run down)."""
    samples: list[int] = []
    step = simpy.Environment.step

    def sampling_step(env):
        samples.append(len(env._queue))
        return step(env)

    simpy.Environment.step = sampling_step  # type: ignore[method-assign]
    try:
        run_model()
    finally:
        simpy.Environment.step = step  # type: ignore[method-assign]
    return float(np.mean(samples)) if samples else 0.0
