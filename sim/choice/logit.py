"""Discrete route choice: multinomial logit and path-size logit shares from generalized costs, the method of
successive averages for iterating choice with simulation, and elasticities computed from the model.

Utility of route r for one shipper group: V_r = ASC_r - scale * GC_r (+ ln PS_r for path-size logit), with GC in
USD per TEU; unavailable routes (e.g. the NSR out of season) are left out of the choice set.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["logit_shares", "path_size", "msa_step", "sra_weight", "elasticities"]


def logit_shares(cost: ArrayLike, scale: float, constants: ArrayLike | None = None,
                 available: ArrayLike | None = None, path_sizes: ArrayLike | None = None) -> np.ndarray:
    """Choice probabilities: exp(V_r) / sum exp(V), V_r = constants_r - scale * cost_r (+ ln path_sizes_r);
    0 for unavailable routes; routes with NaN cost are unavailable. Raises ValueError when nothing is available."""
    c = np.asarray(cost, dtype=float)
    v = -scale * c + (np.asarray(constants, dtype=float) if constants is not None else 0.0)
    if path_sizes is not None:
        v = v + np.log(np.asarray(path_sizes, dtype=float))
    ok = ~np.isnan(c) if available is None else np.asarray(available, dtype=bool) & ~np.isnan(c)
    if not ok.any():
        raise ValueError("no route is available to choose")
    v = np.where(ok, v, -np.inf)
    e = np.exp(v - v[ok].max())
    return e / e.sum()


def path_size(route_legs: Sequence[Mapping[str, float]]) -> np.ndarray:
    """Path-size factors (Ben-Akiva and Bierlaire): PS_r = sum over legs a of r of (length_a / length_r) / N_a,
    N_a the number of routes in the set that use leg a. 1 for a route sharing nothing; 1/n for n identical
    routes. ``route_legs``: per route, leg id -> length."""
    uses: dict[str, int] = {}
    for legs in route_legs:
        for leg in legs:
            uses[leg] = uses.get(leg, 0) + 1
    out = []
    for legs in route_legs:
        total = sum(legs.values())
        out.append(sum(km / total / uses[leg] for leg, km in legs.items()) if total > 0 else 1.0)
    return np.asarray(out)


def msa_step(shares: np.ndarray, target: np.ndarray, iteration: float) -> tuple[np.ndarray, float]:
    """Method of successive averages: move the current shares 1/(k+1) of the way to the shares the latest
    simulated costs imply (iteration k counts from 1; with self-regulated averaging k is the running weight
    ``sra_weight`` gives); return the new shares and the gap max |target - shares|."""
    gap = float(np.max(np.abs(target - shares))) if len(shares) else 0.0
    return shares + (target - shares) / (iteration + 1), gap


#: Self-regulated averaging (Liu, He and He, Networks and Spatial Economics 9, 2009): the averaging weight grows
#: fast while the gap grows (oscillation: take smaller steps) and slowly while it falls (progress: keep steps large).
SRA_GROWTH_UP, SRA_GROWTH_DOWN = 1.5, 0.3


def sra_weight(weight: float, gap: float, previous_gap: float) -> float:
    """The next averaging weight: + SRA_GROWTH_UP when the gap did not fall, + SRA_GROWTH_DOWN when it did."""
    return weight + (SRA_GROWTH_UP if gap >= previous_gap else SRA_GROWTH_DOWN)


def elasticities(cost: ArrayLike, time_cost: ArrayLike, scale: float,
                 constants: ArrayLike | None = None, available: ArrayLike | None = None,
                 path_sizes: ArrayLike | None = None, change: float = 0.10) -> dict[str, np.ndarray]:
    """How each route's share responds to a ``change`` (10%) rise of its own transport cost and of its own time
    cost, recomputed from the model (not an assumed elasticity): ``{"cost": e, "time": e}`` with e[r] the
    relative change of route r's share divided by ``change``; NaN for unavailable routes."""
    c = np.asarray(cost, dtype=float)
    t = np.asarray(time_cost, dtype=float)
    base = logit_shares(c + t, scale, constants, available, path_sizes)
    out = {}
    for name, part in (("cost", c), ("time", t)):
        e = np.full(len(c), math.nan)
        for r in range(len(c)):
            if base[r] <= 0:
                continue
            bumped = (c + t).copy()
            bumped[r] += change * part[r]
            e[r] = (logit_shares(bumped, scale, constants, available, path_sizes)[r] / base[r] - 1.0) / change
        out[name] = e
    return out
