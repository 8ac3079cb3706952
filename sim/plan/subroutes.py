"""Flows over part of a route: a demand may run between any two nodes a listed route passes, in either direction.

Such a flow rides the route's own path between its two nodes, as a route of its own named ``<route>@<A>-<B>`` (A
before B on the route's forward path; the flow B -> A uses its reverse direction). Its stages are the route's
stages cut at A and B, with the same modes and the same avoid list, so closures and reroutes treat it as they treat
the whole route. The derived routes are added to the variant's route catalogue before compiling.
"""

from __future__ import annotations

from ..errors import RouteError, ScenarioError
from ..network import Network
from ..routes import Policy, Route, RouteSpec, Stage, resolve_route
from ..scenario import Scenario

__all__ = ["with_sub_routes", "sub_route_id", "cut_spec"]


def sub_route_id(rid: str, a: str, b: str) -> str:
    """The id of the part of route ``rid`` from node ``a`` to node ``b`` (in the route's forward order)."""
    return f"{rid}@{a}-{b}"


def with_sub_routes(network: Network, specs: dict[str, RouteSpec], sc: Scenario, where: str) -> dict[str, RouteSpec]:
    """``specs`` plus a derived route for each flow that runs between two nodes of a listed route other than its
    ends. ScenarioError naming the flow and both nodes when no route it may use passes both."""
    out = dict(specs)
    policy = Policy(enabled_legs=frozenset(sc.enabled_legs))
    paths: dict[str, Route | None] = {}
    for d in sc.demand:
        names = list(d.route_shares) if d.route_shares is not None else list(sc.routes)
        usable = 0
        for rid in names:
            spec = specs.get(rid)
            if spec is None:
                continue  # reported with the scenario's references
            if {spec.origin, spec.destination} == {d.origin, d.destination}:
                usable += 1
                continue
            if rid not in paths:
                try:
                    paths[rid] = resolve_route(network, spec, policy)
                except RouteError:
                    paths[rid] = None  # reported when the route is compiled
            route = paths[rid]
            if route is None or d.origin not in route.nodes or d.destination not in route.nodes:
                continue
            i, j = route.nodes.index(d.origin), route.nodes.index(d.destination)
            if i == j:
                continue
            a, b = (d.origin, d.destination) if i < j else (d.destination, d.origin)
            out.setdefault(sub_route_id(rid, a, b), cut_spec(spec, route, min(i, j), max(i, j)))
            usable += 1
        if not usable:
            raise ScenarioError(f"{where}: field 'demand.{d.name}': no route in {names} passes both {d.origin} and "
                                f"{d.destination}; a flow may run between any two nodes one of its routes passes")
    return out


def cut_spec(spec: RouteSpec, route: Route, i: int, j: int) -> RouteSpec:
    """The part of ``spec`` between positions ``i`` < ``j`` of its resolved forward path ``route``."""
    nodes = route.nodes
    ends, k = [], 0  # position of each stage's end on the path
    for stage in spec.stages:
        k = nodes.index(stage.to, k)
        ends.append(k)
    first = next(s for s, end in enumerate(ends) if end > i)
    last = next(s for s, end in enumerate(ends) if end >= j)
    stages = [Stage(spec.stages[s].to, spec.stages[s].modes) for s in range(first, last)]
    stages.append(Stage(nodes[j], spec.stages[last].modes))
    return RouteSpec(sub_route_id(spec.id, nodes[i], nodes[j]), f"{spec.name} ({nodes[i]} - {nodes[j]})", nodes[i],
                     tuple(stages), spec.avoid, spec.description)
