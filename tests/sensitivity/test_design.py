"""Designs: one-at-a-time swings listed directly; Morris, Sobol and Latin hypercube samples from SALib."""

from __future__ import annotations

import numpy as np

from sim.sensitivity.design import lhs_design, morris_design, oat_design, sobol_design
from sim.sensitivity.parameters import Parameter


def _param(name: str, low: float, base: float, high: float) -> Parameter:
    return Parameter(f"costs.{name}", "costs", "", name, base, low, high, "number", "ASSUMPTION")


PARAMS = [_param("a", 1.0, 2.0, 3.0), _param("b", 10.0, 10.0, 20.0), _param("c", 5.0, 5.0, 5.0)]


def test_oat_moves_one_parameter_at_a_time_and_skips_levels_equal_to_the_base():
    d = oat_design(PARAMS)
    assert [(p.parameter, p.level, p.values) for p in d.points] == [
        ("", "base", {}), ("costs.a", "low", {"costs.a": 1.0}), ("costs.a", "high", {"costs.a": 3.0}),
        ("costs.b", "high", {"costs.b": 20.0})]


def test_sampled_designs_cover_the_ranges_and_leave_out_empty_ones():
    for design in (morris_design(PARAMS, 4, seed=1), sobol_design(PARAMS, 8, seed=1), lhs_design(PARAMS, 16, seed=1)):
        assert [p.id for p in design.varied] == ["costs.a", "costs.b"]
        assert design.x is not None and design.x.shape[1] == 2
        assert len(design.points) == len(design.x)
        assert (design.x[:, 0] >= 1.0).all() and (design.x[:, 0] <= 3.0).all()
        assert (design.x[:, 1] >= 10.0).all() and (design.x[:, 1] <= 20.0).all()
        assert all("costs.c" not in p.values for p in design.points)
    assert len(morris_design(PARAMS, 4, seed=1).points) == 4 * 3  # trajectories x (parameters + 1)
    assert len(sobol_design(PARAMS, 8, seed=1).points) == 8 * 4  # samples x (parameters + 2)
    x = lhs_design(PARAMS, 16, seed=1).x
    assert x is not None
    # a Latin hypercube puts one sample in each of the 16 equal slices of every range
    assert sorted(np.floor((x[:, 0] - 1.0) / 2.0 * 16).astype(int).tolist()) == list(range(16))


def test_designs_are_reproducible_from_the_seed():
    a, b = lhs_design(PARAMS, 8, seed=3), lhs_design(PARAMS, 8, seed=3)
    assert np.array_equal(a.x, b.x)
    assert not np.array_equal(a.x, lhs_design(PARAMS, 8, seed=4).x)


def test_collapsed_ranges_give_base_points_only():
    collapsed = [_param(p.field, p.base, p.base, p.base) for p in PARAMS]
    d = lhs_design(collapsed, 5, seed=1)
    assert d.varied == [] and len(d.points) == 5 and all(p.values == {} for p in d.points)
