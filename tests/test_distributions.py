"""Distributions: quantiles agree with the draws they describe."""

from __future__ import annotations

import numpy as np
import pytest

from sim.distributions import Dist

DISTS = [Dist("fixed", 5.0), Dist("uniform", 2.0, 10.0), Dist("triangular", 114.0, 402.0, 240.0),
         Dist("exponential", 12.0), Dist("lognormal", 36.0, 0.5)]


@pytest.mark.parametrize("dist", DISTS, ids=lambda d: d.kind)
@pytest.mark.parametrize("q", [0.05, 0.5, 0.95])
def test_quantile_matches_the_share_of_draws_below_it(dist, q):
    draws = dist.draw(np.random.default_rng(3), 200_000)
    below = float((draws <= dist.quantile(q) + 1e-12).mean())
    assert below == pytest.approx(q if dist.kind != "fixed" else 1.0, abs=0.005)


def test_quantiles_stay_inside_bounded_supports():
    d = Dist("triangular", 1.0, 9.0, 2.0)
    assert d.lower_bound <= d.quantile(0.001) < d.quantile(0.999) <= d.upper_bound
