"""The route-choice set-up of a variant: for each demand flow the routes it may choose, their overlap (path
size), route-specific constants, and the logit parameters with their sources (scenario over calibration)."""

from __future__ import annotations

import numpy as np

from ..choice.logit import path_size
from ..choice.setup import ChoicePlan, FlowChoice
from ..errors import ScenarioError
from ..model import HANDLING_CLASSES, Flow
from .context import PlanContext
from .info import ModelInfo

__all__ = ["build_choice", "initial_table"]


def build_choice(ctx: PlanContext, flows: list[Flow], info: ModelInfo,
                 accepts: list[int]) -> ChoicePlan | None:
    """The variant's choice plan, or None for fixed shares (``accepts``: each itinerary's handling-class mask);
    errors name the route_choice field."""
    rc = ctx.sc.route_choice
    if not rc.chosen:
        return None
    defaults = ctx.cal.route_choice
    params = {}
    for key in ("scale_per_usd", "reliability_ratio", "max_iterations", "tolerance", "iteration_replications"):
        value = getattr(rc, key)
        if value is None and defaults is not None:
            value = getattr(defaults, key)
        if value is None:
            raise ScenarioError(f"{ctx.where}: field 'route_choice.{key}': not given, and the calibration has no "
                                "route_choice defaults; give it with a source")
        params[key] = value
    penalties = dict(defaults.penalty_usd_per_teu if defaults is not None else {})
    penalties.update(rc.penalty_usd_per_teu or {})
    sources = {k: v for k, v in (defaults.sources if defaults is not None else {}).items()}
    sources.update(rc.sources)
    months = _month_weights(ctx)
    out = []
    for fi, flow in enumerate(flows):
        routes = tuple(info.itinerary_route_ids[i] for i in flow.itineraries)
        legs = [{leg.leg_id: leg.length_km for leg in info.itinerary_route_objs[i].legs} for i in flow.itineraries]
        size = path_size(legs) if rc.model == "path_size_logit" else np.ones(len(routes))
        weights = np.outer(np.asarray(flow.commodity_shares), months * np.asarray(flow.month_factor))
        classes = [HANDLING_CLASSES.index(ctx.cal.commodities[c].handling) for c in flow.commodities]
        allowed = np.asarray([[bool(accepts[i] >> k & 1) for i in flow.itineraries] for k in classes])
        out.append(FlowChoice(fi, flow.name, info.itinerary_directions[flow.itineraries[0]], routes,
                              flow.itineraries, flow.commodities, weights / weights.sum(),
                              np.asarray([penalties.get(r, 0.0) for r in routes], dtype=float), size, allowed))
    c = ctx.cal.commodities
    return ChoicePlan(rc.model, float(params["scale_per_usd"]), float(params["reliability_ratio"]),
                      int(params["max_iterations"]), float(params["tolerance"]),
                      int(params["iteration_replications"]), tuple(out), tuple(v.value_usd_per_teu for v in c),
                      tuple(v.time_value_per_day for v in c), sources,
                      tuple(HANDLING_CLASSES.index(v.handling) for v in c))


def initial_table(flow: Flow, allowed: np.ndarray | None = None) -> np.ndarray:
    """The share table a flow starts from (chosen routes, or fixed shares some commodity cannot use): its
    itinerary shares for every commodity and month, without the itineraries a commodity may not use
    (``allowed``: commodities x itineraries) and the rest scaled up."""
    row = np.asarray(flow.itinerary_shares, dtype=float)
    table = np.broadcast_to(row, (len(flow.commodities), 12, len(row))).copy()
    if allowed is not None:
        table = np.where(allowed[:, None, :], table, 0.0)
        total = table.sum(axis=2, keepdims=True)
        table = np.where(total > 0, table / np.where(total > 0, total, 1.0), 0.0)
    return table


def _month_weights(ctx: PlanContext) -> np.ndarray:
    """Days of each calendar month inside the booking period (after the warm-up)."""
    days = ctx.month_at_day[int(ctx.sc.warmup_days): int(ctx.sc.duration_h // 24)]
    return np.bincount(days, minlength=12).astype(float)
