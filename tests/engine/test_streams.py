"""Common random numbers inside a replication: each part of the model draws from a stream of its own, so a run
that books other cargo elsewhere gives a facility the same service times (route-choice iterations and
sensitivity points then differ by their change, not by shifted random streams)."""

from __future__ import annotations

import numpy as np

from sim.distributions import Dist
from sim.engine import run
from sim.engine.streams import Streams
from sim.model import VISIT, CompiledFacility, Step

from .test_exact_logs import bookings, itinerary, model


def random_facility(index: int) -> CompiledFacility:
    return CompiledFacility(index, f"f{index}", "A", "port", 1, Dist("exponential", 5.0), False, None, 0.0)


def served_until(m, b) -> dict[int, float]:
    log = run(m, np.random.default_rng(np.random.SeedSequence(11, spawn_key=(3,))), b).log
    return {int(c): float(t) for t, k, c in zip(log["time_h"], log["kind"], log["consignment"], strict=True)
            if int(k) == 3}  # EventKind.END


def test_a_facility_draws_the_same_times_whatever_happens_elsewhere():
    m = model([itinerary(0, Step(VISIT, 0, "A")), itinerary(1, Step(VISIT, 1, "A"))],
              facilities=[random_facility(0), random_facility(1)])
    alone = served_until(m, bookings((1.0, 0, 1), (30.0, 0, 1)))
    with_other = served_until(m, bookings((0.5, 1, 1), (1.0, 0, 1), (30.0, 0, 1)))
    assert [alone[0], alone[1]] == [with_other[1], with_other[2]]


def test_streams_depend_on_the_replication_seed_not_on_earlier_draws():
    a = np.random.default_rng(np.random.SeedSequence(5, spawn_key=(2,)))
    b = np.random.default_rng(np.random.SeedSequence(5, spawn_key=(2,)))
    b.random(1000)
    assert Streams(a).facility(4).random() == Streams(b).facility(4).random()
    assert Streams(a).facility(4).random() != Streams(a).service(4).random()
    other = np.random.default_rng(np.random.SeedSequence(5, spawn_key=(3,)))
    assert Streams(a).facility(4).random() != Streams(other).facility(4).random()
