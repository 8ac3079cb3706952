"""What route choice does with routes it could not observe: nothing is ever mistaken for a closed route
(review finding 7): cargo all still moving pays the tariff, an unbooked route keeps its last price or, never
seen, starts at its tariff and shortest transit; a class not seen on a route meets the route's times."""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import shuttle_model

from sim.choice.observe import ChoiceObservation, _times, fill_unobserved, free_flow, planned_transport

NAN = math.nan


@pytest.fixture
def model():
    return shuttle_model(1000.0, 10.0, 24.0, 24.0 * 60)  # one itinerary: a 500 km shuttle, USD 10 a TEU


def obs(mean, transport, by_class=None, p=None) -> ChoiceObservation:
    a = lambda v: np.asarray([v], dtype=float)  # noqa: E731
    bc = None if by_class is None else np.asarray([by_class], dtype=float)
    return ChoiceObservation(a(1.0), a(mean), a(p if p is not None else mean), a(p if p is not None else mean),
                             a(transport), np.ones((1, 12)), bc, bc, bc)


def test_the_planned_tariff_is_freight_handling_and_fees(model):
    assert planned_transport(model).tolist() == [10.0]


def test_a_route_whose_cargo_is_all_still_moving_pays_its_tariff(model):
    out = fill_unobserved(obs(40.0, NAN), None, model)
    assert out.transport_usd_per_teu[0] == 10.0 and out.mean_days[0] == 40.0


def test_an_unbooked_route_keeps_its_last_price_or_starts_at_its_tariff_and_fastest_transit(model):
    seen = fill_unobserved(obs(40.0, 25.0), None, model)
    again = fill_unobserved(obs(NAN, NAN), seen, model)
    assert (again.mean_days[0], again.transport_usd_per_teu[0]) == (40.0, 25.0)
    fresh = fill_unobserved(obs(NAN, NAN), None, model)
    # its shortest transit and half a headway (24 h) of wait for the shuttle
    assert fresh.mean_days[0] == pytest.approx((model.itineraries[0].min_hours + 12.0) / 24.0)
    assert fresh.transport_usd_per_teu[0] == 10.0
    start = free_flow(model)
    assert start.mean_days[0] == fresh.mean_days[0] and start.available.min() == 1.0


def test_a_class_not_seen_on_a_route_meets_the_route_times(model):
    out = fill_unobserved(obs(40.0, 25.0, by_class=[30.0, NAN, NAN, 90.0]), None, model)
    assert out.days_for([0], 0)[0][0] == 30.0 and out.days_for([0], 3)[0][0] == 90.0
    assert out.days_for([0], 1)[0][0] == 40.0


def test_a_percentile_not_reached_by_the_end_is_priced_at_least_at_the_longest_time_seen():
    days = np.asarray([10.0, 12.0, 50.0, 60.0])
    delivered = np.asarray([True, True, False, False])  # half the boxes still moving at 50 and 60 days
    mean, p50, p95 = _times(days, delivered, np.ones(4))
    assert p50 == 12.0 and p95 == 60.0 and 10.0 < mean <= 60.0  # at least the longest time seen


def test_a_route_that_delivers_less_is_never_priced_as_more_reliable():
    """Fewer deliveries by the end (the same times seen) never shrink the spread the reliability term prices."""
    days = np.asarray([10.0, 12.0, 14.0, 50.0, 60.0])
    spreads = []
    for delivered in ([True] * 5, [True, True, True, False, False], [True, False, False, False, False],
                      [False] * 5):
        _, p50, p95 = _times(days, np.asarray(delivered), np.ones(5))
        spreads.append(p95 - p50)
    assert all(b >= a for a, b in zip(spreads, spreads[1:], strict=False)) and spreads[-1] > 0
