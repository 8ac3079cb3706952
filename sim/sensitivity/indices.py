"""From simulated outputs to what matters: one-at-a-time swings, Morris and Sobol indices (SALib), the joint
distribution of each decision output, and a ranking of the assumptions.

A target is one decision output of one route and direction, e.g. ('delta_days_p50', 'instc_west', 'forward'):
the route's median transit minus the baseline's. A swing is how far the output moves between the assumption's low
and high; it "flips" when the two ends lie on opposite sides of zero (the route goes from beating the baseline to
losing to it), which is what decides a comparison.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .design import MORRIS_LEVELS, Design, problem
from .evaluate import Outcome, Point
from .parameters import Parameter

__all__ = ["INDEX_COLUMNS", "UNCERTAINTY_COLUMNS", "Target", "targets_of", "oat_rows", "morris_rows", "sobol_rows",
           "correlation_rows", "uncertainty_rows", "ranking"]

Target = tuple[str, str, str]

INDEX_COLUMNS = ("method", "parameter", "output", "route", "direction", "low", "base", "high", "result_base",
                 "result_low", "result_high", "effect_low", "effect_high", "swing", "flips", "mu_star",
                 "mu_star_conf", "mu", "sigma", "S1", "S1_conf", "ST", "ST_conf", "rank_correlation", "rank")
UNCERTAINTY_COLUMNS = ("output", "route", "direction", "samples", "base", "mean", "sd", "p05", "p50", "p95",
                       "prob_beats_baseline")


def targets_of(outcomes: Sequence[Outcome], outputs: Sequence[str]) -> list[Target]:
    """Every (output, route, direction) the outcomes give for the chosen outputs, in first-seen order."""
    seen: dict[Target, None] = {}
    for o in outcomes:
        for t in o:
            if t[0] in outputs:
                seen.setdefault(t, None)
    return sorted(seen, key=lambda t: (list(outputs).index(t[0]), t[2], t[1]))


def _blank(method: str, p: Parameter, t: Target) -> dict:
    row: dict = {c: math.nan for c in INDEX_COLUMNS}
    row.update(method=method, parameter=p.id, output=t[0], route=t[1], direction=t[2], low=p.low, base=p.base,
               high=p.high, flips=False, rank=0)
    return row


def _ranked(rows: list[dict], key: str) -> list[dict]:
    """Rank rows within each target by the size of ``key`` (largest first; NaN last)."""
    groups: dict[Target, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["output"], r["route"], r["direction"]), []).append(r)
    for group in groups.values():
        group.sort(key=lambda r: -abs(r[key]) if not math.isnan(r[key]) else math.inf)
        for k, r in enumerate(group, 1):
            r["rank"] = k
    return [r for g in groups.values() for r in g]


def oat_rows(params: Sequence[Parameter], points: Sequence[Point], outcome, targets: Sequence[Target]) -> list[dict]:
    """Per parameter and target: the results at low and high and the swing |high - low| (``outcome(point)`` gives
    a point's outputs; a level equal to the base reads the base point)."""
    base = outcome(points[0])
    at = {(p.parameter, p.level): p for p in points[1:]}
    rows = []
    for p in params:
        for t in targets:
            row = _blank("oat", p, t)
            b = base.get(t, math.nan)
            lo = outcome(at[(p.id, "low")]).get(t, math.nan) if (p.id, "low") in at else b
            hi = outcome(at[(p.id, "high")]).get(t, math.nan) if (p.id, "high") in at else b
            row.update(result_base=b, result_low=lo, result_high=hi, effect_low=lo - b, effect_high=hi - b,
                       swing=abs(hi - lo), flips=bool(t[0] != "share" and lo * hi < 0))
            rows.append(row)
    return _ranked(rows, "swing")


def _columns(design: Design, y: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Targets whose outputs are finite at every point (SALib cannot use the others)."""
    return [(j, y[:, j]) for j in range(y.shape[1]) if np.all(np.isfinite(y[:, j]))]


def morris_rows(design: Design, y: np.ndarray, targets: Sequence[Target], seed: int) -> list[dict]:
    """Morris mu* (mean absolute elementary effect), its confidence half-width, mu and sigma per parameter and
    target (SALib); a target with a missing value at some point gets no row."""
    from SALib.analyze import morris

    rows = []
    assert design.x is not None
    for j, col in _columns(design, y):
        if not design.varied:
            break
        res = morris.analyze(problem(design.varied), design.x, col, num_levels=MORRIS_LEVELS, seed=seed)
        for k, p in enumerate(design.varied):
            row = _blank("morris", p, targets[j])
            row.update(mu_star=float(res["mu_star"][k]), mu_star_conf=float(res["mu_star_conf"][k]),
                       mu=float(res["mu"][k]), sigma=float(res["sigma"][k]))
            rows.append(row)
    return _ranked(rows, "mu_star")


def sobol_rows(design: Design, y: np.ndarray, targets: Sequence[Target], seed: int) -> list[dict]:
    """First-order and total Sobol indices with confidence half-widths per parameter and target (SALib)."""
    from SALib.analyze import sobol

    rows = []
    for j, col in _columns(design, y):
        if not design.varied or np.ptp(col) == 0:
            continue  # no variance to apportion
        res = sobol.analyze(problem(design.varied), col, calc_second_order=False, seed=seed)
        for k, p in enumerate(design.varied):
            row = _blank("sobol", p, targets[j])
            row.update(S1=float(res["S1"][k]), S1_conf=float(res["S1_conf"][k]), ST=float(res["ST"][k]),
                       ST_conf=float(res["ST_conf"][k]))
            rows.append(row)
    return _ranked(rows, "ST")


def correlation_rows(design: Design, y: np.ndarray, targets: Sequence[Target]) -> list[dict]:
    """Joint sample: Spearman's rank correlation of each parameter with each target (how much of an output's
    spread follows one assumption when all move together); ranked by its absolute value."""
    from scipy.stats import spearmanr

    rows = []
    assert design.x is not None
    for j, col in _columns(design, y):
        for k, p in enumerate(design.varied):
            row = _blank("uncertainty", p, targets[j])
            same = np.ptp(col) == 0 or np.ptp(design.x[:, k]) == 0
            rho = 0.0 if same else float(spearmanr(design.x[:, k], col).statistic)
            row.update(rank_correlation=rho)
            rows.append(row)
    return _ranked(rows, "rank_correlation")


def uncertainty_rows(y: np.ndarray, base: Outcome, targets: Sequence[Target]) -> list[dict]:
    """The distribution of each target over the joint sample, and for the differences against the baseline the
    probability that the route beats it (a lower transit or cost than the baseline's)."""
    rows = []
    for j, t in enumerate(targets):
        col = y[:, j][np.isfinite(y[:, j])]
        q = np.quantile(col, [0.05, 0.5, 0.95]) if len(col) else [math.nan] * 3
        rows.append({"output": t[0], "route": t[1], "direction": t[2], "samples": len(col),
                     "base": base.get(t, math.nan), "mean": float(col.mean()) if len(col) else math.nan,
                     "sd": float(col.std(ddof=1)) if len(col) > 1 else math.nan,
                     "p05": float(q[0]), "p50": float(q[1]), "p95": float(q[2]),
                     "prob_beats_baseline": (float((col < 0).mean()) if len(col) and t[0] != "share" else math.nan)})
    return rows


def ranking(rows: Sequence[dict], key: str = "swing") -> list[tuple[str, float, int]]:
    """Assumptions by how much they matter: the mean over targets of each one's ``key`` relative to the largest
    of any assumption on that target (1 = the largest effect on every output); with the number of targets on
    which it flips the comparison. Largest first."""
    best: dict[Target, float] = {}
    for r in rows:
        t = (r["output"], r["route"], r["direction"])
        if not math.isnan(r[key]):
            best[t] = max(best.get(t, 0.0), abs(r[key]))
    score: dict[str, list[float]] = {}
    flips: dict[str, int] = {}
    for r in rows:
        t = (r["output"], r["route"], r["direction"])
        if best.get(t, 0.0) > 0 and not math.isnan(r[key]):
            score.setdefault(r["parameter"], []).append(abs(r[key]) / best[t])
        flips[r["parameter"]] = flips.get(r["parameter"], 0) + int(bool(r["flips"]))
    out = [(pid, float(np.mean(s)), flips.get(pid, 0)) for pid, s in score.items()]
    return sorted(out, key=lambda x: -x[1])
