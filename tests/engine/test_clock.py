"""The clock is the only place the engine touches SimPy internals: its queue entries must be the ones SimPy makes,
and SimPy must run the engine's state machines as events. A SimPy release that changes either fails here."""

from __future__ import annotations

import simpy

from sim.engine.clock import Clock, Wakeup


class Probe(Wakeup):
    __slots__ = ("name", "seen")

    def __init__(self, name: str = "", seen: list | None = None) -> None:
        self.name = name
        self.seen: list = [] if seen is None else seen

    def wake(self) -> None:
        self.seen.append((self.name, self.t))


def test_queue_entries_match_what_environment_schedule_makes():
    clock = Clock()
    reference = simpy.Event(clock.env)
    clock.env.schedule(reference, delay=5.0)
    probe = Probe()
    clock.at(5.0, probe, [Probe.wake])
    (t_ref, prio_ref, id_ref, ev_ref), (t, prio, eid, ev) = sorted(clock.env._queue, key=lambda e: e[2])
    assert (t, prio) == (t_ref, prio_ref)  # same time, same priority as an ordinary event
    assert eid == id_ref + 1  # numbered by the same counter, so ties keep scheduling order
    assert ev_ref is reference and ev is probe


def test_simpy_runs_wakeups_in_time_then_scheduling_order_and_counts_them():
    clock = Clock()
    order: list[tuple[str, float]] = []
    a, b, c = Probe("a", order), Probe("b", order), Probe("c", order)
    clock.at(3.0, a, [Probe.wake])
    clock.at(1.0, b, [Probe.wake])
    clock.at(3.0, c, [Probe.wake])
    events = clock.run(until=10.0)
    assert order == [("b", 1.0), ("a", 3.0), ("c", 3.0)]
    assert clock.env.now == 10.0
    idle = Clock().run(until=10.0)  # the events SimPy schedules itself to stop at 'until'
    assert events == 3 + idle


def test_a_wakeup_rescheduled_from_its_own_callback_runs_again():
    clock = Clock()

    class Ticker(Wakeup):
        __slots__ = ("times",)

        def tick(self) -> None:
            self.times.append(self.t)
            if self.t < 30:
                clock.at(self.t + 10.0, self, TICK)

    TICK = [Ticker.tick]
    ticker = Ticker()
    ticker.times = []
    clock.at(0.0, ticker, TICK)
    clock.run(until=100.0)
    assert ticker.times == [0.0, 10.0, 20.0, 30.0]
