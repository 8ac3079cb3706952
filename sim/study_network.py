"""A study's network: the shipped network and routes plus the scenario's own ``network:`` block.

Checked as thoroughly as the shipped data: ids may not repeat shipped ones, every node a leg or route names must
exist, drawn lines must start and end at their nodes, sea legs must stay off land (outside port approaches and canal
zones), sea legs without geometry are routed on the global sea-lane graph (``sim.sealegs``), and routes must name
existing nodes, modes and chokepoints. Errors are ``ScenarioError`` naming the file, the line and the field.
The result is cached per process by content, so ``run``, ``validate``, ``routes`` and ``map`` build it once.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .calibration import Calibration
from .errors import GeodataError, RouteError, ScenarioError
from .limits import MAX_ROUTED_LEGS
from .network import CHOKEPOINT_KINDS, Leg, Network, Node, parse_leg, parse_node
from .routes import RouteSpec, route_spec_from_dict
from .scenario import ScenarioFile
from .scenario_network import LegInput, NetworkInput
from .sealanes import load_sea_lanes
from .sealegs import RoutedLeg, passages_near, route_sea_leg
from .yamlio import line_of

__all__ = ["study_network", "closable_passages"]

WATER_MODES = ("sea", "canal", "ferry")
_CACHE: dict[str, tuple[Network, tuple[Network, dict[str, RouteSpec]]]] = {}  # key -> (shipped network, result)


def _error(sfile: ScenarioFile, loc: tuple, message: str) -> ScenarioError:
    line = line_of(sfile.text, loc)
    where = f"{sfile.path}:{line}" if line else f"{sfile.path}"
    return ScenarioError(f"{where}: field '{'.'.join(str(x) for x in loc)}': {message}")


def closable_passages(network: Network, specs: dict[str, RouteSpec], cal: Calibration, sfile: ScenarioFile
                      ) -> frozenset[str]:
    """Sea-lane passages a routed leg must be able to avoid in this study: the NSR (seasonal) and every passage a
    route, a service or a disruption of any variant names, directly or through a strait, canal or cape node."""
    named: set[str] = {"nsr"}
    for spec in specs.values():
        named.update(spec.avoid)
    named.update(a for s in cal.services for a in s.avoid)
    for sc in sfile.variants.values():
        named.update(d.target.value for d in sc.disruptions if d.target.kind in ("chokepoint", "node"))
        for over in sc.services.values():
            avoid = over.get("avoid") if isinstance(over, dict) else None
            if isinstance(avoid, list):
                named.update(a for a in avoid if isinstance(a, str))
        if sc.network is not None:
            named.update(a for r in sc.network.routes.values() for a in r.avoid)
    lanes = load_sea_lanes()
    out = {t for t in named if t in lanes.passages}
    scenario_nodes = {n.id: n for n in sfile.base.network.nodes} if sfile.base.network else {}
    for item in sorted(named - out):
        node = network.nodes.get(item) or scenario_nodes.get(item)
        if node is not None and node.kind in CHOKEPOINT_KINDS:
            out |= passages_near(lanes, node.lon, node.lat)
    return frozenset(out)


def study_network(network: Network, specs: dict[str, RouteSpec], cal: Calibration, sfile: ScenarioFile
                  ) -> tuple[Network, dict[str, RouteSpec]]:
    """The network and route catalogue of the study in ``sfile``: the shipped ones when it has no ``network:``
    block, else extended by it (cached by content)."""
    block = sfile.base.network
    if block is None or not (block.nodes or block.legs or block.routes):
        return network, specs
    closable = closable_passages(network, specs, cal, sfile)
    key = json.dumps([id(network), id(specs), block.model_dump(mode="json", by_alias=True), sorted(closable)],
                     sort_keys=True)
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not network:  # the same id may be a new object once the old one is gone
        if len(_CACHE) > 16:
            _CACHE.clear()
        hit = _CACHE[key] = (network, _Builder(network, specs, sfile, block, closable).build())
    return hit[1]


class _Builder:
    """Adds one scenario's nodes, legs and routes to the shipped network, checking each as it goes."""

    def __init__(self, network: Network, specs: dict[str, RouteSpec], sfile: ScenarioFile, block: NetworkInput,
                 closable: frozenset[str]) -> None:
        self.shipped, self.specs, self.sfile, self.block = network, specs, sfile, block
        self.closable = closable
        self.file = str(sfile.path)

    def build(self) -> tuple[Network, dict[str, RouteSpec]]:
        nodes = self._nodes()
        self.with_nodes = self.shipped.extended(nodes, [])  # what routed legs are routed between
        drawn, routed = self._legs(self.with_nodes.nodes)
        legs = drawn + [leg for r in routed for leg in r.legs]
        extra_nodes = nodes + [n for r in routed for n in r.nodes]
        segments = {k: v for r in routed for k, v in r.ice_segments.items()}
        network = self.shipped.extended(extra_nodes, legs, segments)
        self._check_land(network, drawn, routed)
        return network, {**self.specs, **self._routes(network)}

    def _nodes(self) -> list[Node]:
        out = []
        for i, n in enumerate(self.block.nodes):
            if n.id in self.shipped.nodes:
                raise _error(self.sfile, ("network", "nodes", i, "id"), f"node '{n.id}' is a shipped node "
                             f"({self.shipped.nodes[n.id].name}); a scenario's nodes need ids of their own (use the "
                             f"shipped node by its id)")
            feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [n.lon, n.lat]},
                       "properties": n.model_dump(exclude={"lon", "lat"})}
            out.append(self._parsed(parse_node, feature, ("network", "nodes", i), i))
        return out

    def _parsed(self, parse, feature: dict, loc: tuple, i: int, *args, line_field: str = "geometry"):
        """``parse(feature)``; its GeodataError becomes a ScenarioError at the scenario's field (a line given as
        stations is blamed on ``stations``)."""
        try:
            return parse(feature, self.file, i, *args)
        except GeodataError as exc:
            field = line_field if exc.field == "geometry" else exc.field
            message = str(exc).split(f"field '{exc.field}': ", 1)[-1]
            raise _error(self.sfile, (*loc, field), message) from None

    def _legs(self, nodes: dict[str, Node]) -> tuple[list[Leg], list[RoutedLeg]]:
        drawn: list[Leg] = []
        routed: list[RoutedLeg] = []
        undrawn = [i for i, leg in enumerate(self.block.legs) if leg.geometry is None and leg.stations is None]
        if len(undrawn) > MAX_ROUTED_LEGS:
            raise _error(self.sfile, ("network", "legs", undrawn[MAX_ROUTED_LEGS]), f"{len(undrawn)} sea legs without "
                         f"geometry; allowed: at most {MAX_ROUTED_LEGS} routed on the sea lanes (draw the others)")
        for i, leg in enumerate(self.block.legs):
            loc = ("network", "legs", i)
            if leg.id in self.shipped.legs:
                raise _error(self.sfile, (*loc, "id"), f"leg '{leg.id}' is a shipped leg; a scenario's legs need ids "
                             f"of their own")
            for key, ref in (("from", leg.from_), ("to", leg.to)):
                if ref not in nodes:
                    raise _error(self.sfile, (*loc, key), f"no node '{ref}' in geodata/nodes.geojson or the "
                                 f"scenario's network.nodes")
            if i in undrawn:
                routed.append(self._routed(leg, loc))
            else:
                drawn.append(self._parsed(parse_leg, self._feature(leg, nodes), loc, i, nodes,
                                          line_field="geometry" if leg.geometry is not None else "stations"))
        return drawn, routed

    @staticmethod
    def _feature(leg: LegInput, nodes: dict[str, Node]) -> dict:
        if leg.geometry is not None:
            coords = [list(p) for p in leg.geometry]
        else:
            a, b = nodes[leg.from_], nodes[leg.to]
            coords = [[a.lon, a.lat], *([s.lon, s.lat] for s in leg.stations or []), [b.lon, b.lat]]
        props: dict[str, Any] = leg.model_dump(by_alias=True, exclude={"geometry", "stations",
                                                                        "published_length_source"})
        return {"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": coords}}

    def _routed(self, leg: LegInput, loc: tuple) -> RoutedLeg:
        for other in self.shipped.legs.values():
            if other.mode in WATER_MODES and {other.start, other.end} == {leg.from_, leg.to}:
                raise _error(self.sfile, loc, f"'{leg.from_}' and '{leg.to}' are already joined by the hand-drawn "
                             f"leg '{other.id}', which routes use; remove this leg (or draw a geometry of its own)")
        try:
            return route_sea_leg(self.with_nodes, leg.id, leg.from_, leg.to, leg.source, self.closable, leg.status,
                                 leg.oneway)
        except RouteError as exc:
            raise _error(self.sfile, loc, f"leg '{leg.id}' cannot be routed at sea: "
                         f"{str(exc).removeprefix('sea lanes: ')}") from None

    def _check_land(self, network: Network, drawn: list[Leg], routed: list[RoutedLeg]) -> None:
        """Sea legs stay at sea: no point every 2 km on land, except within the end nodes' approach_km, inside
        a canal zone or at a lane's dead end (a port approach the lane graph allows)."""
        sea = [(leg, leg.id) for leg in drawn if leg.mode == "sea"]
        sea += [(leg, r.id) for r in routed for leg in r.legs if leg.mode == "sea"]
        if not sea:
            return
        from .land import load_land, sea_leg_land_hits

        land, allowance = load_land(), load_sea_lanes().allowance
        index = {leg.id: i for i, leg in enumerate(self.block.legs)}
        for leg, owner in sea:
            hits = sea_leg_land_hits(network, leg, land)
            if leg.group and hits:
                hits = [h for h, ok in zip(hits, allowance.allowed(*_xy(hits)), strict=True) if not ok]
            if hits:
                h = hits[0]
                ends = [network.nodes[n] for n in (leg.start, leg.end) if not n.startswith(owner + "~")]
                advice = ("move the node into the water by the quay, give it an approach_km (a port approach the "
                          "1:10m land layer closes), or draw the leg" if leg.group else "redraw it round the coast")
                approaches = ", ".join(f"{n.id} ({n.approach_km:g} km)" for n in ends)
                raise _error(self.sfile, ("network", "legs", index[owner], "geometry"),
                             f"sea leg '{owner}' crosses land at ({h.lon:.3f}, {h.lat:.3f}) ({len(hits)} points every "
                             f"2 km) outside the approach of {approaches}; {advice}")

    def _routes(self, network: Network) -> dict[str, RouteSpec]:
        out = {}
        for rid, body in self.block.routes.items():
            loc = ("network", "routes", rid)
            if rid in self.specs:
                raise _error(self.sfile, loc, f"route '{rid}' is a shipped route (geodata/routes.yaml); a scenario's "
                             f"routes need ids of their own")
            raw = body.model_dump(exclude_defaults=False)
            try:
                out[rid] = route_spec_from_dict(rid, raw, self.file, network)
            except GeodataError as exc:
                parts = [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", exc.field) if p]
                message = str(exc).split(f"field '{exc.field}': ", 1)[-1]
                raise _error(self.sfile, (*loc, *parts), message) from None
        return out


def _xy(hits) -> tuple:
    import numpy as np

    return np.asarray([h.lon for h in hits], dtype=float), np.asarray([h.lat for h in hits], dtype=float)
