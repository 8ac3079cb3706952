"""Named routes resolved on the network with policies: via nodes, avoided chokepoints and modes, closures,
planned links enabled, and seasonal availability.

Policies act through a weight function handed to networkx (returning ``None`` hides an edge); the network
itself is never modified, so one policy cannot leak into the next call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import networkx as nx

from .errors import GeodataError, RouteError, ScenarioError
from .geo import KM_PER_NM
from .network import DEFAULT_GEODATA, MODES, Network

__all__ = [
    "RouteSpec", "Stage", "Policy", "Route", "RouteLeg", "load_route_specs", "resolve_route",
    "DIRECTIONS", "ROUTE_WEIGHTS",
]

DIRECTIONS = ("forward", "reverse")
WATER_MODES = frozenset({"sea", "canal", "ferry"})
# Route-choice weights per mode (dimensionless km multipliers). They express a shipper's preference for
# long-haul rail and sea over trucking when both connect the same places; they are not physics. Road
# costs roughly 3-4x rail per tonne-km in published tariffs (see geodata/README.md), damped to 1.5 so that
# a short road link (e.g. Rasht-Astara) is still chosen when it is the only link.
ROUTE_WEIGHTS = {"sea": 1.0, "canal": 1.0, "ferry": 1.0, "rail": 1.0, "road": 1.5}


@dataclass(frozen=True)
class Stage:
    """A stretch of a route ending at node ``to``, travelled only by ``modes``."""

    to: str
    modes: tuple[str, ...] = MODES


@dataclass(frozen=True)
class RouteSpec:
    """A named route: an origin and stages (each ending at a node, with its allowed modes), and what it must
    avoid. The last stage ends at the destination."""

    id: str
    name: str
    origin: str
    stages: tuple[Stage, ...]
    avoid: tuple[str, ...] = ()
    description: str = ""

    @property
    def destination(self) -> str:
        """The node the last stage ends at."""
        return self.stages[-1].to

    @property
    def via(self) -> tuple[str, ...]:
        """Nodes between the stages."""
        return tuple(s.to for s in self.stages[:-1])


@dataclass(frozen=True)
class Policy:
    """Restrictions applied while resolving: closures (nodes, legs, chokepoint tags), planned legs that are
    open in this study, and a date plus ice class for seasonal legs (no date: seasons are ignored)."""

    closed: frozenset[str] = frozenset()
    enabled_legs: frozenset[str] = frozenset()
    date: dt.date | None = None
    ice_class: str = "none"

    def with_closed(self, items: Iterable[str]) -> Policy:
        """A copy with more closed items."""
        return replace(self, closed=self.closed | frozenset(items))


@dataclass(frozen=True)
class RouteLeg:
    """One leg of a resolved route, in travel direction."""

    leg_id: str
    direction: str
    start: str
    end: str
    mode: str
    length_km: float  # the running length (Leg.run_km): published line length where the geometry is shorter
    chokepoints: frozenset[str]


@dataclass(frozen=True)
class Route:
    """A resolved route: the ordered legs from origin to destination."""

    id: str
    direction: str
    origin: str
    destination: str
    legs: tuple[RouteLeg, ...] = field(repr=False)

    @property
    def key(self) -> str:
        """``id`` for the forward direction, ``id:reverse`` for the reverse one."""
        return self.id if self.direction == "forward" else f"{self.id}:reverse"

    @property
    def nodes(self) -> tuple[str, ...]:
        """Node ids in travel order."""
        return (self.legs[0].start,) + tuple(leg.end for leg in self.legs)

    @property
    def distance_km(self) -> float:
        """Total length in km."""
        return sum(leg.length_km for leg in self.legs)

    @property
    def sea_nm(self) -> float:
        """Length over water (sea, canal, ferry) in nautical miles."""
        return sum(leg.length_km for leg in self.legs if leg.mode in WATER_MODES) / KM_PER_NM

    @property
    def modes(self) -> tuple[str, ...]:
        """Modes in travel order with consecutive repeats collapsed."""
        out: list[str] = []
        for leg in self.legs:
            if not out or out[-1] != leg.mode:
                out.append(leg.mode)
        return tuple(out)

    @property
    def chokepoints(self) -> tuple[str, ...]:
        """Chokepoint tags passed, in travel order, each once."""
        seen: list[str] = []
        for leg in self.legs:
            inner = sorted(leg.chokepoints - {leg.start, leg.end})
            ordered = ([t for t in (leg.start,) if t in leg.chokepoints] + inner
                       + [t for t in (leg.end,) if t in leg.chokepoints])
            seen.extend(t for t in ordered if t not in seen)
        return tuple(seen)


def load_route_specs(path: Path | str = DEFAULT_GEODATA / "routes.yaml",
                     network: Network | None = None) -> dict[str, RouteSpec]:
    """Read the route catalogue; with ``network``, check every node, tag and mode it names."""
    from .yamlio import read_yaml

    file = str(path)
    try:
        raw, _ = read_yaml(Path(path))
    except ScenarioError as exc:
        raise GeodataError(file, "-", "-",
                           str(exc).removeprefix(f"{file}: ").removeprefix(f"{file}:").strip()) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("routes"), dict):
        raise GeodataError(file, "-", "routes", "expected a mapping 'routes: {id: {...}}'")
    specs = {}
    for rid, body in raw["routes"].items():
        if not isinstance(rid, str) or not rid:
            raise GeodataError(file, str(rid), "id", "route ids must be non-empty text")
        specs[rid] = route_spec_from_dict(rid, body, file, network)
    return specs


def route_spec_from_dict(rid: str, body: dict, file: str, network: Network | None = None) -> RouteSpec:
    """Build and (with ``network``) check a RouteSpec from its YAML mapping."""
    allowed = {"name", "origin", "stages", "avoid", "description"}
    if not isinstance(body, dict):
        raise GeodataError(file, rid, "-", "expected a mapping")
    extra = set(body) - allowed
    if extra:
        raise GeodataError(file, rid, sorted(extra)[0], f"unknown field; allowed: {', '.join(sorted(allowed))}")
    if not isinstance(body.get("origin"), str):
        raise GeodataError(file, rid, "origin", "required: a node id")
    raw_stages = body.get("stages")
    if not isinstance(raw_stages, list) or not raw_stages:
        raise GeodataError(file, rid, "stages", "required: a list of {to: node id, modes: [mode, ...]}")
    stages = []
    for i, st in enumerate(raw_stages):
        if not isinstance(st, dict) or not isinstance(st.get("to"), str) or set(st) - {"to", "modes"}:
            raise GeodataError(file, rid, f"stages[{i}]", "expected {to: node id, modes: [mode, ...]}")
        raw_modes = st.get("modes") or list(MODES)
        if not isinstance(raw_modes, list) or not all(isinstance(m, str) for m in raw_modes):
            raise GeodataError(file, rid, f"stages[{i}].modes", f"expected a list of modes; allowed: "
                               f"{', '.join(MODES)}")
        modes = tuple(raw_modes)
        bad = set(modes) - set(MODES)
        if bad:
            raise GeodataError(file, rid, f"stages[{i}].modes", f"{sorted(bad)}; allowed: {', '.join(MODES)}")
        stages.append(Stage(st["to"], modes))
    avoid = body.get("avoid", []) or []
    if not isinstance(avoid, list) or not all(isinstance(a, str) for a in avoid):
        raise GeodataError(file, rid, "avoid", "expected a list of node ids or chokepoint tags")
    for key in ("name", "description"):
        if key in body and not isinstance(body[key], str):
            raise GeodataError(file, rid, key, "expected text")
    spec = RouteSpec(
        id=rid,
        name=str(body.get("name", rid)),
        origin=body["origin"],
        stages=tuple(stages),
        avoid=tuple(avoid),
        description=str(body.get("description", "")),
    )
    if network is not None:
        if spec.origin not in network.nodes:
            raise GeodataError(file, rid, "origin", f"node '{spec.origin}' does not exist in nodes.geojson (or the "
                               "scenario's network.nodes)")
        for i, st in enumerate(spec.stages):
            if st.to not in network.nodes:
                raise GeodataError(file, rid, f"stages[{i}].to", f"node '{st.to}' does not exist in nodes.geojson (or "
                                   "the scenario's network.nodes)")
        for item in spec.avoid:
            if item not in network.nodes and item not in network.chokepoints:
                raise GeodataError(file, rid, "avoid", f"'{item}' is neither a node id nor a chokepoint tag")
    return spec


def _weight_function(network: Network, spec: RouteSpec, policy: Policy, modes: frozenset[str]):
    blocked = set(spec.avoid) | set(policy.closed)
    legs = network.legs

    def usable(leg_id: str) -> bool:
        leg = legs[leg_id]
        if leg.mode not in modes or leg.id in blocked or leg.start in blocked or leg.end in blocked:
            return False
        if leg.chokepoints & blocked or (leg.group and leg.group in blocked):
            return False
        if leg.status == "planned" and leg.id not in policy.enabled_legs and leg.group not in policy.enabled_legs:
            return False
        if policy.date is not None and leg.season is not None and not leg.season.is_open(policy.ice_class, policy.date):
            return False
        return True

    def weight(u: str, v: str, edges: dict) -> float | None:
        best = None
        for attrs in edges.values():
            if usable(attrs["leg"]):
                leg = legs[attrs["leg"]]
                w = leg.run_km * ROUTE_WEIGHTS[leg.mode]
                best = w if best is None or w < best else best
        return best

    return weight, usable


def resolve_route(network: Network, spec: RouteSpec, policy: Policy = Policy(), direction: str = "forward") -> Route:
    """Resolve ``spec`` in ``direction`` under ``policy``; raise RouteError when no allowed path exists."""
    if direction not in DIRECTIONS:
        raise RouteError(f"direction '{direction}' is not allowed; allowed: {', '.join(DIRECTIONS)}")
    stops = [spec.origin, *(st.to for st in spec.stages)]
    stage_modes = [frozenset(st.modes) for st in spec.stages]
    if direction == "reverse":
        stops.reverse()
        stage_modes.reverse()
    blocked_stops = [s for s in stops if s in policy.closed]
    if blocked_stops:
        raise RouteError(f"route '{spec.id}' must pass {', '.join(blocked_stops)}, which is closed")
    legs: list[RouteLeg] = []
    for a, b, modes in zip(stops[:-1], stops[1:], stage_modes, strict=True):
        weight, usable = _weight_function(network, spec, policy, modes)
        try:
            part = nx.shortest_path(network.graph, a, b, weight=weight)
        except nx.NetworkXNoPath:
            raise RouteError(
                f"route '{spec.id}' ({direction}): no allowed path from {a} to {b} by {'/'.join(sorted(modes))} "
                f"(closed: {sorted(policy.closed) or 'none'}, avoid: {list(spec.avoid) or 'none'})"
            ) from None
        for u, v in zip(part[:-1], part[1:], strict=True):
            options = [e for e in network.graph[u][v].values() if usable(e["leg"])]
            best = min(options,
                       key=lambda e: network.legs[e["leg"]].run_km * ROUTE_WEIGHTS[network.legs[e["leg"]].mode])
            leg = network.legs[best["leg"]]
            legs.append(RouteLeg(leg.id, best["direction"], u, v, leg.mode, leg.run_km, leg.chokepoints))
    return Route(spec.id, direction, stops[0], stops[-1], tuple(legs))
