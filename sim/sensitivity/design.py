"""Designs: which combinations of assumption values to simulate.

One-at-a-time swings are listed directly (each parameter at its low and its high, the others at base). Morris
trajectories, Sobol (Saltelli) samples and Latin hypercubes come from SALib. Parameters whose range is a single
value are left out of SALib's problem (it refuses empty intervals) and stay at that value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .evaluate import Point
from .parameters import Parameter

__all__ = ["METHODS", "Design", "oat_design", "morris_design", "sobol_design", "lhs_design", "problem"]

METHODS = ("oat", "morris", "sobol", "uncertainty")
MORRIS_LEVELS = 4


@dataclass
class Design:
    """Points to simulate; for sampled designs also the SALib problem and the sample matrix (points, varied)."""

    method: str
    points: list[Point]
    varied: list[Parameter]  # the parameters SALib samples (columns of ``x``)
    x: np.ndarray | None = None


def problem(varied: Sequence[Parameter]) -> dict:
    """SALib's problem definition: names and [low, high] bounds."""
    return {"num_vars": len(varied), "names": [p.id for p in varied], "bounds": [[p.low, p.high] for p in varied]}


def oat_design(params: Sequence[Parameter]) -> Design:
    """The base point, then each parameter at its low and at its high (a level equal to the base is skipped:
    it is the base point)."""
    points = [Point(0, {}, "", "base")]
    for p in params:
        for level, value in (("low", p.low), ("high", p.high)):
            if value != p.base:
                points.append(Point(len(points), {p.id: value}, p.id, level))
    return Design("oat", points, [])


def _sampled(method: str, x: np.ndarray, varied: list[Parameter]) -> Design:
    # a parameter left out of ``varied`` has an empty range: its only value is the base
    points = [Point(k, {p.id: float(v) for p, v in zip(varied, row, strict=True)}, "", "sample")
              for k, row in enumerate(x)]
    return Design(method, points, varied, x)


def _varied(params: Sequence[Parameter]) -> list[Parameter]:
    return [p for p in params if p.high > p.low]


def morris_design(params: Sequence[Parameter], trajectories: int, seed: int) -> Design:
    """Morris elementary-effects trajectories (SALib): trajectories x (parameters + 1) points."""
    from SALib.sample import morris

    varied = _varied(params)
    if not varied:
        return _sampled("morris", np.empty((1, 0)), varied)
    x = morris.sample(problem(varied), trajectories, num_levels=MORRIS_LEVELS, seed=seed)
    return _sampled("morris", x, varied)


def sobol_design(params: Sequence[Parameter], samples: int, seed: int) -> Design:
    """Saltelli's scheme for first-order and total Sobol indices (SALib): samples x (parameters + 2) points;
    ``samples`` is rounded up to a power of two (the Sobol sequence's balance needs it)."""
    from SALib.sample import sobol

    varied = _varied(params)
    n = 1 << max(1, int(samples - 1).bit_length())
    if not varied:
        return _sampled("sobol", np.empty((1, 0)), varied)
    x = sobol.sample(problem(varied), n, calc_second_order=False, seed=seed)
    return _sampled("sobol", x, varied)


def lhs_design(params: Sequence[Parameter], samples: int, seed: int) -> Design:
    """All parameters sampled together, uniformly over their ranges, as a Latin hypercube (SALib)."""
    from SALib.sample import latin

    varied = _varied(params)
    x = latin.sample(problem(varied), samples, seed=seed) if varied else np.empty((samples, 0))
    return _sampled("uncertainty", x, varied)
