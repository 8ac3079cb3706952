"""Logit and path-size logit shares, successive averages and elasticities."""

from __future__ import annotations

import numpy as np
import pytest

from sim.choice.logit import elasticities, logit_shares, msa_step, path_size


def test_two_identical_routes_split_equally_and_shares_sum_to_one():
    s = logit_shares([1000.0, 1000.0], scale=1 / 500)
    assert s.tolist() == pytest.approx([0.5, 0.5])
    s = logit_shares([900.0, 1000.0, 1200.0], scale=1 / 500, constants=[0.0, 0.3, -0.2])
    assert s.sum() == pytest.approx(1.0) and (s > 0).all()


def test_raising_a_routes_cost_lowers_its_share():
    low = logit_shares([1000.0, 1000.0, 1100.0], scale=1 / 400)
    high = logit_shares([1200.0, 1000.0, 1100.0], scale=1 / 400)
    assert high[0] < low[0] and high[1] > low[1] and high[2] > low[2]


def test_an_unavailable_route_gets_no_share_and_a_set_with_none_is_refused():
    s = logit_shares([800.0, 1000.0], scale=1 / 500, available=[False, True])
    assert s.tolist() == [0.0, 1.0]
    assert logit_shares([np.nan, 1000.0], scale=1 / 500).tolist() == [0.0, 1.0]
    with pytest.raises(ValueError):
        logit_shares([np.nan, np.nan], scale=1 / 500)


def test_path_size_counts_shared_legs():
    """Two routes sharing everything behave as one alternative; a distinct third keeps its weight."""
    ps = path_size([{"a": 100.0, "b": 100.0}, {"a": 100.0, "b": 100.0}, {"c": 300.0}])
    assert ps.tolist() == pytest.approx([0.5, 0.5, 1.0])
    s = logit_shares([1000.0] * 3, scale=1 / 500, path_sizes=ps)
    assert s.tolist() == pytest.approx([0.25, 0.25, 0.5])
    ps = path_size([{"a": 100.0, "b": 300.0}, {"a": 100.0, "c": 300.0}])
    assert ps.tolist() == pytest.approx([0.875, 0.875])


def test_successive_averages_converge_to_a_fixed_target():
    shares, target = np.asarray([1.0, 0.0]), np.asarray([0.3, 0.7])
    gaps = []
    for k in range(1, 40):
        shares, gap = msa_step(shares, target, k)
        gaps.append(gap)
    assert gaps[0] == pytest.approx(0.7) and gaps[-1] < 0.02
    assert shares.tolist() == pytest.approx(target.tolist(), abs=0.02)


def test_elasticities_have_the_logit_sign_and_size():
    """Own-cost elasticity of a logit share is -scale * x * (1 - P) for a small change: negative, and larger for
    the route whose cost part is larger."""
    cost, time = np.asarray([1000.0, 2000.0]), np.asarray([500.0, 100.0])
    e = elasticities(cost, time, scale=1 / 1000)
    p = logit_shares(cost + time, 1 / 1000)
    assert (e["cost"] < 0).all() and (e["time"] < 0).all()
    assert e["cost"][1] < e["cost"][0]
    assert e["cost"][0] == pytest.approx(-(1 / 1000) * 1000 * (1 - p[0]), rel=0.1)
