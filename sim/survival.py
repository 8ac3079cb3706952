"""Censoring-aware transit statistics: Kaplan-Meier estimates of the transit-time distribution when some cargo is
still moving at the end of the run, weighted by TEU. With nothing censored they equal the plain weighted
percentiles and mean."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["kaplan_meier", "km_quantile", "km_restricted_mean", "km_summary"]


def kaplan_meier(times: np.ndarray, observed: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Event times and the survival just after each: S(t) = prod over event times <= t of (1 - d_i / n_i), where
    d_i is the weight of the events at time i and n_i the weight still at risk (censored at or after i).
    ``observed`` is False for a censored time (still in transit when the run ended, measured to the end)."""
    if len(times) == 0:
        return np.zeros(0), np.zeros(0)
    order = np.lexsort((~observed, times))  # events before censorings at the same time
    t, obs, w = times[order], observed[order], weights[order].astype(float)
    at_risk = np.cumsum(w[::-1])[::-1]  # weight with time >= t[k]
    event_times, first = np.unique(t[obs], return_index=True)
    if len(event_times) == 0:
        return np.zeros(0), np.zeros(0)
    ev_w = w[obs]
    d = np.add.reduceat(ev_w, first)
    # weight at risk at each distinct event time: everything whose time is >= it
    n = at_risk[np.searchsorted(t, event_times, side="left")]
    survival = np.cumprod(1.0 - d / n)
    return event_times, survival


def km_quantile(times: np.ndarray, observed: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest time by which a share ``q`` of the weight has arrived; NaN when the estimate never reaches q
    (too much is still in transit to say)."""
    return _quantile(*kaplan_meier(times, observed, weights), q)


def km_restricted_mean(times: np.ndarray, observed: np.ndarray, weights: np.ndarray) -> float:
    """The mean transit restricted to the longest time observed (the area under the survival curve up to it):
    the plain weighted mean when nothing is censored; NaN without any arrival."""
    return _restricted_mean(*kaplan_meier(times, observed, weights), times)


def km_summary(times: np.ndarray, observed: np.ndarray, weights: np.ndarray,
               qs: tuple[float, ...]) -> tuple[float, list[float]]:
    """``km_restricted_mean`` and ``km_quantile`` for each of ``qs``, from one Kaplan-Meier estimate (the same
    numbers as the separate calls, for a quarter of the sorting)."""
    t, s = kaplan_meier(times, observed, weights)
    return _restricted_mean(t, s, times), [_quantile(t, s, q) for q in qs]


def _quantile(t: np.ndarray, s: np.ndarray, q: float) -> float:
    reached = np.flatnonzero(1.0 - s >= q - 1e-12)
    return float(t[reached[0]]) if len(reached) else math.nan


def _restricted_mean(t: np.ndarray, s: np.ndarray, times: np.ndarray) -> float:
    if len(t) == 0:
        return math.nan
    horizon = float(times.max())
    edges = np.concatenate([[0.0], t, [horizon]])
    levels = np.concatenate([[1.0], s])
    return float(np.sum(levels * np.diff(np.minimum(edges, horizon))))
