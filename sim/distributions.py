"""Random variates for service times, dwell times and speeds, drawn in blocks from one Generator.

A distribution is written in data files as a mapping, e.g. ``{dist: triangular, min: 12, mode: 14, max: 16}``,
``{dist: lognormal, mean: 36, cv: 0.5}``, ``{dist: exponential, mean: 2}``, ``{dist: uniform, min: 12, max: 16}``
or ``{dist: fixed, value: 3}``. ``lower_bound`` gives the smallest value a distribution can produce, which the
analytic transit-time bound uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, repeat
from statistics import NormalDist

import numpy as np

__all__ = ["Dist", "parse_dist", "sampler", "DIST_KINDS"]

DIST_KINDS = ("fixed", "uniform", "triangular", "exponential", "lognormal")
BLOCK = 1024


@dataclass(frozen=True)
class Dist:
    """A distribution of non-negative values."""

    kind: str
    a: float = 0.0  # fixed: value; uniform/triangular: min; exponential/lognormal: mean
    b: float = 0.0  # uniform/triangular: max; lognormal: cv
    c: float = 0.0  # triangular: mode

    @property
    def mean(self) -> float:
        """Expected value."""
        if self.kind == "fixed":
            return self.a
        if self.kind == "uniform":
            return (self.a + self.b) / 2
        if self.kind == "triangular":
            return (self.a + self.b + self.c) / 3
        return self.a

    @property
    def lower_bound(self) -> float:
        """The smallest value the distribution can produce."""
        return self.a if self.kind in ("fixed", "uniform", "triangular") else 0.0

    @property
    def upper_bound(self) -> float:
        """The largest value the distribution can produce (inf when unbounded)."""
        if self.kind == "fixed":
            return self.a
        if self.kind in ("uniform", "triangular"):
            return self.b
        return math.inf

    def quantile(self, q: float) -> float:
        """The value below which a share ``q`` (0 < q < 1) of draws falls."""
        if self.kind == "fixed":
            return self.a
        if self.kind == "uniform":
            return self.a + q * (self.b - self.a)
        if self.kind == "triangular":
            lo, hi, mode = self.a, self.b, self.c
            if hi == lo:
                return lo
            split = (mode - lo) / (hi - lo)
            if q < split:
                return lo + math.sqrt(q * (hi - lo) * (mode - lo))
            return hi - math.sqrt((1 - q) * (hi - lo) * (hi - mode))
        if self.kind == "exponential":
            return -self.a * math.log1p(-q)
        if self.a <= 0:
            return 0.0
        sigma = math.sqrt(math.log1p(self.b**2))
        return math.exp(math.log(self.a) - sigma**2 / 2 + sigma * NormalDist().inv_cdf(q))

    def scaled(self, factor: float) -> Dist:
        """The same shape with every value multiplied by ``factor``."""
        if self.kind == "lognormal":
            return Dist(self.kind, self.a * factor, self.b)
        return Dist(self.kind, self.a * factor, self.b * factor, self.c * factor)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` variates."""
        if self.kind == "fixed":
            return np.full(n, self.a)
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b, n)
        if self.kind == "triangular":
            if self.a == self.b:
                return np.full(n, self.a)
            return rng.triangular(self.a, self.c, self.b, n)
        if self.kind == "exponential":
            return rng.exponential(self.a, n) if self.a > 0 else np.zeros(n)
        sigma2 = math.log1p(self.b**2)
        mu = math.log(self.a) - sigma2 / 2 if self.a > 0 else -math.inf
        return rng.lognormal(mu, math.sqrt(sigma2), n) if self.a > 0 else np.zeros(n)


def parse_dist(raw: object) -> Dist:
    """A Dist from its mapping form (or a bare number, meaning fixed); raises ValueError saying what is allowed."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if raw < 0:
            raise ValueError("must be >= 0")
        return Dist("fixed", float(raw))
    if not isinstance(raw, dict) or raw.get("dist") not in DIST_KINDS:
        raise ValueError(f"expected a number or a mapping with 'dist' one of: {', '.join(DIST_KINDS)}")
    kind = raw["dist"]
    need = {
        "fixed": ("value",),
        "uniform": ("min", "max"),
        "triangular": ("min", "mode", "max"),
        "exponential": ("mean",),
        "lognormal": ("mean", "cv"),
    }[kind]
    extra = set(raw) - set(need) - {"dist"}
    if extra:
        raise ValueError(f"'{kind}' takes only {', '.join(need)}; unknown: {', '.join(sorted(extra))}")
    vals = {}
    for key in need:
        v = raw.get(key)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0 or not math.isfinite(v):
            raise ValueError(f"'{kind}' needs '{key}' as a finite number >= 0")
        vals[key] = float(v)
    if kind == "fixed":
        return Dist(kind, vals["value"])
    if kind == "uniform":
        if vals["min"] > vals["max"]:
            raise ValueError("uniform needs min <= max")
        return Dist(kind, vals["min"], vals["max"])
    if kind == "triangular":
        if not vals["min"] <= vals["mode"] <= vals["max"]:
            raise ValueError("triangular needs min <= mode <= max")
        return Dist(kind, vals["min"], vals["max"], vals["mode"])
    if kind == "exponential":
        return Dist(kind, vals["mean"])
    return Dist(kind, vals["mean"], vals["cv"])


def sampler(dist: Dist, rng: np.random.Generator) -> Callable[[], float]:
    """A zero-argument callable giving the next variate of ``dist``: the ``__next__`` of an iterator over blocks.

    Blocks of ``BLOCK`` values are drawn from the Generator only when the previous block is used up, so the
    stream of values (and the Generator's state) depends only on how many values were taken; the event loop
    pays one C-level iterator step per value.
    """
    if dist.kind == "fixed":
        return repeat(dist.a).__next__
    return chain.from_iterable(iter(lambda: dist.draw(rng, BLOCK).tolist(), None)).__next__
