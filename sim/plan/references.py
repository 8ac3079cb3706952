"""Every id a scenario variant names must exist: routes, planned legs, nodes, commodities and disruption
targets. Errors name the scenario field and what is allowed."""

from __future__ import annotations

from ..errors import ScenarioError
from .context import PlanContext

__all__ = ["check_references"]


def check_references(ctx: PlanContext) -> None:
    """Raise ScenarioError at the first unknown or misused reference in ``ctx.sc``."""
    sc, network, where = ctx.sc, ctx.network, ctx.where
    for rid in sc.routes:
        if rid not in ctx.specs:
            raise ScenarioError(f"{where}: field 'routes': unknown route '{rid}'; allowed: {', '.join(ctx.specs)}")
    for leg_id in sc.enabled_legs:
        legs = network.groups.get(leg_id, (leg_id,))  # a routed sea leg: all its pieces
        if legs[0] not in network.legs:
            raise ScenarioError(f"{where}: field 'enabled_legs': unknown leg '{leg_id}'")
        if network.legs[legs[0]].status != "planned":
            raise ScenarioError(f"{where}: field 'enabled_legs': leg '{leg_id}' is already open")
    commodities = [c.id for c in ctx.cal.commodities]
    for d in sc.demand:
        for node in (d.origin, d.destination):
            if node not in network.nodes:
                raise ScenarioError(f"{where}: field 'demand.{d.name}': unknown node '{node}'")
        for c in d.commodities:
            if c not in commodities:
                raise ScenarioError(f"{where}: field 'demand.{d.name}.commodities': unknown commodity '{c}'; "
                                    f"allowed: {', '.join(commodities)}")
    _check_disruptions(ctx)
    for f in ctx.cal.facilities:
        if f.node not in network.nodes:
            if f.id in sc.facilities:
                raise ScenarioError(f"{where}: field 'facilities.{f.id}.node': unknown node '{f.node}'")
            raise ScenarioError(f"calibration: facility '{f.id}': unknown node '{f.node}'")
    for s in ctx.cal.services:
        for key, nodes in (("origin", [s.origin]), ("destination", [s.destination]), ("via", s.via)):
            for node in nodes:
                if node not in network.nodes:
                    scope = f"{where}: field 'services.{s.id}.{key}'" if s.id in sc.services else \
                        f"calibration: service '{s.id}': {key}"
                    raise ScenarioError(f"{scope}: unknown node '{node}'")


def _check_disruptions(ctx: PlanContext) -> None:
    network, where = ctx.network, ctx.where
    services = {s.id for s in ctx.cal.services}
    facilities = {f.id for f in ctx.cal.facilities}
    for i, dis in enumerate(ctx.sc.disruptions):
        kind, value = dis.target.kind, dis.target.value
        ok = {
            "node": value in network.nodes,
            "leg": value in network.legs or value in network.groups,
            "chokepoint": value in network.chokepoints or value in network.nodes,
            "service": value in services,
            "facility": value in facilities,
        }[kind]
        if not ok:
            raise ScenarioError(f"{where}: field 'disruptions.{i}.target.{kind}': unknown {kind} '{value}'")
        if dis.effect == "degrade" and kind in ("leg", "chokepoint"):
            raise ScenarioError(f"{where}: field 'disruptions.{i}.effect': degrade applies to a node, service or "
                                f"facility; close a leg or chokepoint instead")
        if dis.reroute_to is not None and dis.reroute_to not in ctx.specs:
            raise ScenarioError(f"{where}: field 'disruptions.{i}.reroute_to': unknown route '{dis.reroute_to}'")
