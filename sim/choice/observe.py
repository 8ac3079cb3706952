"""What a shipper choosing routes learns from one simulated replication: per itinerary, the transit (mean and
spread, censoring-aware), the transport cost per TEU and, per booking month, whether its seasonal service can be
reached open. Computed over whole arrays after the run."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..costs import CostRates, consignment_costs
from ..engine import RunResult
from ..engine.eventlog import DropReason
from ..model import HANDLING_CLASSES, LOADED, RIDE, CompiledModel
from ..survival import km_summary

__all__ = ["ChoiceObservation", "observe", "combine", "fill_unobserved", "planned_transport", "free_flow"]


@dataclass
class ChoiceObservation:
    """Per itinerary of the model (NaN where no load was booked on it). The transit statistics are also kept per
    handling class (``*_by_class``: itineraries x classes), because a jam that only one class meets (reefers
    waiting for plugs) is not a cost to shippers of the others."""

    teu: np.ndarray  # loads booked after the warm-up
    mean_days: np.ndarray  # Kaplan-Meier restricted mean transit (cargo still moving at the end censored)
    p50_days: np.ndarray
    p95_days: np.ndarray
    transport_usd_per_teu: np.ndarray  # freight, handling, fees and the empty moves, per delivered TEU
    available: np.ndarray  # (itineraries, 12): share of each month's booking days its seasonal service is open
    mean_days_by_class: np.ndarray | None = None
    p50_days_by_class: np.ndarray | None = None
    p95_days_by_class: np.ndarray | None = None

    def days_for(self, its: list[int], cls: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean, p50 and p95 days of ``its`` as cargo of handling class ``cls`` meets them."""
        if self.mean_days_by_class is None:
            return self.mean_days[its], self.p50_days[its], self.p95_days[its]
        assert self.p50_days_by_class is not None and self.p95_days_by_class is not None
        return (self.mean_days_by_class[its, cls], self.p50_days_by_class[its, cls],
                self.p95_days_by_class[its, cls])


TIMES = ("mean_days", "p50_days", "p95_days")


def observe(result: RunResult, model: CompiledModel, rates: CostRates) -> ChoiceObservation:
    """The choice statistics of one replication."""
    b = result.bookings
    n_it = len(model.itineraries)
    load = (b.kind == LOADED) & (b.created_h >= model.warmup_h)
    delivered = ~np.isnan(result.delivered_h)
    live = load & (result.dropped == DropReason.NONE)
    days = np.where(delivered, result.delivered_h - b.created_h, result.end_h - b.created_h) / 24.0
    c = consignment_costs(result, rates)
    paid = c.transport_usd + c.empty_usd
    teu = b.teu.astype(float)
    classes = np.asarray(model.commodity_class or (0,) * len(model.commodity_names), dtype=np.int64)
    cls = classes[b.commodity] if len(b.commodity) else np.zeros(0, dtype=np.int64)
    nan = np.full(n_it, math.nan)
    by_class = np.full((n_it, len(HANDLING_CLASSES)), math.nan)
    out = ChoiceObservation(nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy(), _availability(result, model),
                            by_class.copy(), by_class.copy(), by_class.copy())
    for i in np.unique(b.itinerary[load]).tolist():
        mine = b.itinerary == i
        out.teu[i] = float(teu[load & mine].sum())
        m = live & mine
        if not m.any():
            continue
        out.mean_days[i], out.p50_days[i], out.p95_days[i] = _times(days[m], delivered[m], teu[m])
        for k in np.unique(cls[m]).tolist():
            mk = m & (cls == k)
            (out.mean_days_by_class[i, k], out.p50_days_by_class[i, k],  # type: ignore[index]
             out.p95_days_by_class[i, k]) = _times(days[mk], delivered[mk], teu[mk])  # type: ignore[index]
        d = m & delivered
        if d.any():
            out.transport_usd_per_teu[i] = float(paid[d].sum() / teu[d].sum())
    return out


def _times(days: np.ndarray, delivered: np.ndarray, teu: np.ndarray) -> tuple[float, float, float]:
    """Censoring-aware mean, p50 and p95 days. A median the deliveries have not reached by the end of the run is
    at least the longest time seen (a lower bound). An unreached p95 is at least the longest time seen too, and
    is taken at least as far above the median as the fastest 5% lie below it (an ASSUMPTION of a symmetric
    spread, so that the reliability cost never vanishes for a jammed route). A jammed route is priced so instead
    of dropping out."""
    mean, (p05, p50, p95) = km_summary(days, delivered, teu, (0.05, 0.50, 0.95))
    longest = float(days.max())
    if math.isnan(p50):
        p50 = longest
    if math.isnan(p95):
        low = p05 if not math.isnan(p05) else float(days.min())
        p95 = max(longest, p50 + max(p50 - low, 0.0))
    return mean, p50, p95


def planned_transport(model: CompiledModel) -> np.ndarray:
    """Per itinerary: what a loaded TEU pays by plan (handling, freight and path fees of its rides; no empties)."""
    out = np.zeros(len(model.itineraries))
    for it in model.itineraries:
        rides = [model.services[s.ref] for s in it.steps if s.kind == RIDE]
        out[it.index] = it.handling_usd_per_teu + sum(s.freight_usd_per_teu + s.path.fees_usd_per_teu for s in rides)
    return out


def _planned_days(model: CompiledModel) -> np.ndarray:
    """Per itinerary: its shortest transit plus half a headway of wait for each timetabled ride, in days."""
    out = np.zeros(len(model.itineraries))
    for it in model.itineraries:
        waits = sum(model.services[s.ref].headway_h / 2 for s in it.steps if s.kind == RIDE)
        out[it.index] = (it.min_hours + waits) / 24.0
    return out


def free_flow(model: CompiledModel) -> ChoiceObservation:
    """What a shipper knows before anything is simulated: every route at its planned transport cost (no empties)
    and its shortest transit plus half a headway at each timetabled ride (no queue), open all year (the first
    iteration's simulation closes what the ice closes). The equilibrium starts from the shares these costs imply
    rather than from equal shares, which would load every route alike."""
    n = len(model.itineraries)
    nan = np.full(n, math.nan)
    empty = ChoiceObservation(nan, nan, nan, nan, nan.copy(), np.ones((n, 12)))
    return fill_unobserved(empty, None, model)


def fill_unobserved(obs: ChoiceObservation, previous: ChoiceObservation | None,
                    model: CompiledModel) -> ChoiceObservation:
    """Price what this iteration did not observe, so that a route is never mistaken for a closed one: a route
    whose boxes are all still moving pays its planned transport cost; a route nobody booked (its share fell to
    almost nothing) keeps what the previous iteration observed, or, never observed, its planned cost and its
    shortest transit plus half a headway per timetabled ride (optimistic on purpose: the next iteration then
    books and observes it). A class not seen on a route keeps the times it met there before, else meets the
    route's times over all classes."""
    out = replace(obs, **{name: getattr(obs, name).copy() for name in (*TIMES, "teu", "transport_usd_per_teu")})
    planned = planned_transport(model)
    timed = ~np.isnan(out.mean_days)
    out.transport_usd_per_teu = np.where(timed & np.isnan(out.transport_usd_per_teu), planned,
                                         out.transport_usd_per_teu)
    unseen = ~timed
    if previous is not None:
        for name in (*TIMES, "transport_usd_per_teu"):
            getattr(out, name)[unseen] = getattr(previous, name)[unseen]
    still = np.isnan(out.mean_days)
    fastest = _planned_days(model)
    for name in TIMES:
        setattr(out, name, np.where(still, fastest, getattr(out, name)))
        own = getattr(obs, f"{name}_by_class")
        if own is not None:
            before = getattr(previous, f"{name}_by_class") if previous is not None else None
            if before is not None:  # a class that left a route keeps its times there, moved as the route's moved
                with np.errstate(invalid="ignore", divide="ignore"):
                    moved = np.where(getattr(previous, name) > 0, getattr(out, name) / getattr(previous, name), 1.0)
                own = np.where(np.isnan(own), before * np.nan_to_num(moved, nan=1.0)[:, None], own)
            setattr(out, f"{name}_by_class", np.where(np.isnan(own), getattr(out, name)[:, None], own))
    out.transport_usd_per_teu = np.where(np.isnan(out.transport_usd_per_teu), planned, out.transport_usd_per_teu)
    return out


def _availability(result: RunResult, model: CompiledModel) -> np.ndarray:
    """Share of each month's booking days (after the warm-up) on which a booking reaches its seasonal service
    on a day a ship can leave through the ice; 1 for itineraries without a seasonal service."""
    out = np.ones((len(model.itineraries), 12))
    first, last = int(model.warmup_h // 24), int(model.horizon_h // 24)
    months = model.month_at_day[first:last]
    for it in model.itineraries:
        ok = result.departure_open[it.season_service] if it.season_service >= 0 and result.departure_open else None
        if ok is None:
            continue
        reach = ((np.arange(first, last) * 24.0 + 12.0 + it.season_shift_h) // 24.0).astype(np.int64)
        open_ = np.asarray(ok, dtype=float)[np.minimum(reach, len(ok) - 1)]
        days = np.bincount(months, minlength=12)
        with np.errstate(invalid="ignore"):
            share = np.bincount(months, weights=open_, minlength=12) / days
        out[it.index] = np.where(days > 0, share, 1.0)
    return out


def combine(observations: Sequence[ChoiceObservation]) -> ChoiceObservation:
    """Replications pooled: TEU summed, statistics averaged over the replications that observed them."""

    def mean(name: str) -> np.ndarray | None:
        arrays = [getattr(o, name) for o in observations]
        if any(a is None for a in arrays):
            return None
        stack = np.stack(arrays)
        seen = ~np.isnan(stack)
        total = np.where(seen, stack, 0.0).sum(axis=0)
        count = seen.sum(axis=0)
        return np.where(count > 0, total / np.maximum(count, 1), math.nan)

    return ChoiceObservation(
        teu=np.nansum(np.vstack([o.teu for o in observations]), axis=0),
        mean_days=mean("mean_days"), p50_days=mean("p50_days"), p95_days=mean("p95_days"),  # type: ignore[arg-type]
        transport_usd_per_teu=mean("transport_usd_per_teu"),  # type: ignore[arg-type]
        available=np.mean([o.available for o in observations], axis=0),
        mean_days_by_class=mean("mean_days_by_class"), p50_days_by_class=mean("p50_days_by_class"),
        p95_days_by_class=mean("p95_days_by_class"),
    )
