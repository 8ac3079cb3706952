"""Empty returns: the trade imbalance as empty boxes sent back on the same route.

Boxes that arrive in the heavier direction of a route are reused for loads in the lighter direction as far as
that flow goes; the rest go back empty. With forward flow F and reverse flow R on a route (TEU a year, from the
variant's demand), a box delivered forward returns empty with probability max(0, 1 - R / F), and likewise in
reverse, up to the observed share of boxes repositioned empty (``costs.max_empty_share``: the rest are reused by
other trades or sold); the empty rides the route's other-direction itinerary like any consignment and pays the
empty rate of each service it rides.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from ..model import Flow
from .itineraries import ItineraryTable

__all__ = ["plan_empty_returns"]


def plan_empty_returns(itineraries: ItineraryTable, flows: list[Flow]) -> None:
    """Set ``empty_return`` and ``empty_share`` on every itinerary of a route with an imbalance (and record the
    plan so that itineraries built later, such as reroutes, get it too)."""
    teu: dict[tuple[str, str], float] = defaultdict(float)  # (route id, direction) -> TEU a year
    for flow in flows:
        for it, share in zip(flow.itineraries, flow.itinerary_shares, strict=True):
            x = itineraries.compiled[it]
            teu[(x.route_id, x.direction)] += flow.teu_per_year * share
    for (rid, direction), heavy in list(teu.items()):
        other = "reverse" if direction == "forward" else "forward"
        light = teu.get((rid, other), 0.0)
        if heavy <= 0 or light >= heavy:
            continue
        back = itineraries.index(rid, other)
        share = min(1.0 - light / heavy, itineraries.ctx.cal.costs.max_empty_share)
        itineraries.empty_plan[(rid, direction)] = (back, share)
        for k, x in enumerate(itineraries.compiled):
            if x.route_id == rid and x.direction == direction:
                itineraries.compiled[k] = replace(x, empty_return=back, empty_share=share)
