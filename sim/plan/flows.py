"""Demand flows: each scenario flow split over the itineraries of its routes, with commodity and booking-size
mixes normalised to shares."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..errors import RouteError, ScenarioError
from ..model import HANDLING_CLASSES, REEFER, RIDE, Flow, Trial, plugs_for
from ..scenario import Demand
from .choice import initial_table
from .context import PlanContext
from .itineraries import ItineraryTable
from .subroutes import sub_route_id

__all__ = ["build_flows", "build_trials", "route_direction"]


def route_direction(ctx: PlanContext, rid: str, d: Demand) -> tuple[str, str] | None:
    """(route id, 'forward' or 'reverse') for the flow on route ``rid``: the route itself when it runs between the
    flow's origin and destination, else its part between them (``plan.subroutes``); None when it passes neither."""
    spec = ctx.specs[rid]
    if (spec.origin, spec.destination) == (d.origin, d.destination):
        return rid, "forward"
    if (spec.destination, spec.origin) == (d.origin, d.destination):
        return rid, "reverse"
    for a, b, direction in ((d.origin, d.destination, "forward"), (d.destination, d.origin, "reverse")):
        if sub_route_id(rid, a, b) in ctx.specs:
            return sub_route_id(rid, a, b), direction
    return None


def build_flows(ctx: PlanContext, itineraries: ItineraryTable) -> list[Flow]:
    """One Flow per demand entry of the variant; errors name the demand field."""
    sc, where = ctx.sc, ctx.where
    commodity_index = {c.id: i for i, c in enumerate(ctx.cal.commodities)}
    flows = []
    for d in sc.demand:
        shares = d.route_shares if d.route_shares is not None else {r: 1.0 for r in sc.routes}
        if sc.route_choice.chosen:  # the choice set: the routes given a share (all by default), starting equal
            shares = {r: 1.0 for r, share in shares.items() if share > 0}
        its, weights = [], []
        for rid, share in shares.items():
            if share <= 0:
                continue
            found = route_direction(ctx, rid, d)
            if found is None:
                if d.route_shares is None:
                    continue
                spec = ctx.specs[rid]
                raise ScenarioError(f"{where}: field 'demand.{d.name}.route_shares.{rid}': route '{rid}' runs "
                                    f"{spec.origin} - {spec.destination} and does not pass both {d.origin} and "
                                    f"{d.destination}")
            try:
                its.append(itineraries.index(*found))
            except RouteError as exc:
                raise ScenarioError(f"{where}: route '{rid}': {exc}") from None
            weights.append(share)
        if not its:
            raise ScenarioError(f"{where}: field 'demand.{d.name}': no route in {sc.routes} runs between "
                                f"{d.origin} and {d.destination}")
        total = sum(weights)
        comm_total = sum(d.commodities.values())
        size_total = sum(d.sizes_teu.values())
        allowed = _allowed(ctx, itineraries, d, its)
        flows.append(Flow(
            name=d.name, teu_per_year=d.annual_teu * sc.demand_scale, month_factor=tuple(d.month_factor),
            itineraries=tuple(its), itinerary_shares=tuple(w / total for w in weights),
            commodities=tuple(commodity_index[c] for c in d.commodities),
            commodity_shares=tuple(v / comm_total for v in d.commodities.values()),
            sizes_teu=tuple(d.sizes_teu), size_shares=tuple(v / size_total for v in d.sizes_teu.values())))
        if sc.route_choice.chosen or not allowed.all():
            flows[-1] = replace(flows[-1], share_table=initial_table(flows[-1], allowed))
    return flows


def _allowed(ctx: PlanContext, itineraries: ItineraryTable, d: Demand, its: list[int]) -> np.ndarray:
    """(commodities, itineraries): may the flow's commodity go on the itinerary (its handling class is taken by
    every facility and service on it)? Error when a commodity with a share has no itinerary at all."""
    cal = {c.id: c for c in ctx.cal.commodities}
    allowed = np.ones((len(d.commodities), len(its)), dtype=bool)
    for k, (cid, share) in enumerate(d.commodities.items()):
        cls = HANDLING_CLASSES.index(cal[cid].handling)
        allowed[k] = [bool(itineraries.compiled[it].accepts >> cls & 1) for it in its]
        if share > 0 and cls == REEFER:
            _check_reefer_slots(ctx, itineraries, d, cid, [it for it, ok in zip(its, allowed[k], strict=True) if ok])
        if share > 0 and not allowed[k].any():
            refused = "; ".join(_refusal(itineraries.compiled[it].route_id, itineraries.refusers(it, cls))
                                for it in its)
            raise ScenarioError(f"{ctx.where}: field 'demand.{d.name}.commodities.{cid}': '{cid}' is "
                                f"{cal[cid].handling.replace('_', '-')} cargo and no route of this flow takes it "
                                f"({refused} '{cal[cid].handling}'); give it a route whose services and facilities "
                                f"accept it, or drop it from the flow")
    return allowed


def build_trials(ctx: PlanContext, itineraries: ItineraryTable) -> list[Trial]:
    """The variant's trial runs as dedicated bookings; errors name the trial field."""
    commodity_index = {c.id: i for i, c in enumerate(ctx.cal.commodities)}
    out = []
    for k, t in enumerate(ctx.sc.trials):
        if t.commodity not in commodity_index:
            raise ScenarioError(f"{ctx.where}: field 'trials.{k}.commodity': unknown commodity '{t.commodity}'; "
                                f"allowed: {', '.join(commodity_index)}")
        try:
            it = itineraries.index(t.route, t.direction)
        except RouteError as exc:
            raise ScenarioError(f"{ctx.where}: field 'trials.{k}.route': {exc}") from None
        created_h = (t.date - ctx.sc.start_date).days * 24.0
        out.append(Trial(t.name, created_h, it, t.teu, commodity_index[t.commodity]))
    return out


def _check_reefer_slots(ctx: PlanContext, itineraries: ItineraryTable, d: Demand, cid: str, its: list[int]) -> None:
    """A reefer consignment larger than a vehicle's reefer TEU, or needing more plugs than a facility has, could
    never pass: refuse the scenario."""
    largest = max(int(s) for s, share in d.sizes_teu.items() if share > 0)
    for it in its:
        for st in itineraries.compiled[it].steps:
            fac = itineraries.facilities.compiled[st.ref] if st.kind != RIDE else None
            if fac is not None and fac.reefer_plugs is not None and fac.reefer_plugs < plugs_for(largest):
                raise ScenarioError(
                    f"{ctx.where}: field 'demand.{d.name}.sizes_teu': a {largest}-TEU consignment of reefer cargo "
                    f"'{cid}' needs {plugs_for(largest)} plugs and facility '{fac.id}' on route "
                    f"'{itineraries.compiled[it].route_id}' has {fac.reefer_plugs}; allowed: sizes whose boxes fit "
                    f"its plugs ({fac.reefer_plugs * 2:g} TEU), or more reefer_plugs there")
            svc = itineraries.services.compiled[st.ref] if st.kind == RIDE else None
            if svc is not None and svc.reefer_teu is not None and svc.reefer_teu < largest:
                raise ScenarioError(
                    f"{ctx.where}: field 'demand.{d.name}.sizes_teu': a {largest}-TEU consignment of reefer cargo "
                    f"'{cid}' could never board service '{svc.id}' on route '{itineraries.compiled[it].route_id}' "
                    f"(reefer_teu {svc.reefer_teu:g}); allowed: sizes up to {svc.reefer_teu:g} TEU, or more "
                    f"reefer_teu on that service")


def _refusal(route: str, ids: list[str]) -> str:
    return f"on route '{route}', {', '.join(ids)} {'does' if len(ids) == 1 else 'do'} not accept"
