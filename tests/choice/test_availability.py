"""A route open on part of a month's days enters the choice as a mixture of the choice sets with and without it."""

from __future__ import annotations

import numpy as np
import pytest

from sim.choice.logit import logit_shares
from sim.equilibrium import available_mixture


def shares_of(costs):
    return lambda ok: logit_shares(np.asarray(costs, dtype=float), 0.001, None, ok)


def test_a_route_open_half_the_days_gets_half_its_open_share():
    """Open-month share 0.9 for the cheaper seasonal route: half-open it gets 0.45, not the 0.82 that a
    log-availability constant would give."""
    costs = [0.0, 2197.2]  # e^(0.001 x 2197.2) = 9: shares 0.9 / 0.1 when both are open
    mixed = available_mixture(np.array([0.5, 1.0]), np.array([True, True]), shares_of(costs))
    assert mixed == pytest.approx([0.45, 0.55], abs=1e-4)


def test_closed_and_unpriced_routes_get_nothing_and_a_month_with_nothing_open_is_left_alone():
    mixed = available_mixture(np.array([0.0, 1.0, 1.0]), np.array([True, False, True]), shares_of([0, 0, 0]))
    assert mixed.tolist() == [0.0, 0.0, 1.0]
    assert available_mixture(np.array([0.0, 0.0]), np.array([True, True]), shares_of([0, 0])) is None


def test_two_part_time_routes_mix_over_all_four_combinations():
    a = np.array([0.5, 0.25, 1.0])
    mixed = available_mixture(a, np.ones(3, dtype=bool), shares_of([0, 0, 0]))
    expected = (0.5 * 0.25 * np.array([1, 1, 1]) / 3 + 0.5 * 0.75 * np.array([1, 0, 1]) / 2
                + 0.5 * 0.25 * np.array([0, 1, 1]) / 2 + 0.5 * 0.75 * np.array([0, 0, 1]))
    assert mixed == pytest.approx(expected)
    assert mixed.sum() == pytest.approx(1.0)
