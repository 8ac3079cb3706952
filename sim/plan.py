"""Compile a scenario variant into the engine's ``CompiledModel``: resolve service paths and routes on the
network, match routes to services, attach facilities, turn disruptions and seasons into time windows and
per-day flags, and precompute costs and CO2 per path. All graph and calendar work happens here, once.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
from pydantic import ValidationError

from .calibration import Calibration, ServiceCal
from .errors import RouteError, ScenarioError
from .model import (
    CHECK,
    CONVOY,
    ESCORT,
    HOLD,
    RIDE,
    TRAVEL,
    VISIT,
    Chunk,
    CompiledConvoy,
    CompiledEscort,
    CompiledFacility,
    CompiledModel,
    CompiledService,
    Flow,
    Itinerary,
    ServicePath,
    Step,
)
from .network import Network
from .routes import Policy, Route, RouteSpec, Stage, resolve_route

__all__ = ["compile_model", "ModelInfo", "apply_overrides"]

KN_TO_KMH = 1.852
MARGIN_DAYS = 400  # trips that start before the horizon may end long after it (NSR waits for the season)


@dataclass
class ModelInfo:
    """Labels and static facts for results and reports."""

    itinerary_routes: list[str] = field(default_factory=list)  # route key per itinerary
    itinerary_route_ids: list[str] = field(default_factory=list)
    itinerary_directions: list[str] = field(default_factory=list)
    itinerary_km: list[float] = field(default_factory=list)
    itinerary_step_labels: list[list[str]] = field(default_factory=list)
    routes: dict[str, Route] = field(default_factory=dict)  # route key -> resolved route (no closures)
    itinerary_route_objs: list[Route] = field(default_factory=list)  # the route each itinerary follows
    flow_names: list[str] = field(default_factory=list)
    facility_ids: list[str] = field(default_factory=list)
    facility_nodes: list[str] = field(default_factory=list)
    service_ids: list[str] = field(default_factory=list)
    service_paths: dict[str, list[str]] = field(default_factory=dict)


def apply_overrides(cal: Calibration, services: dict, facilities: dict, costs: dict, where: str) -> Calibration:
    """Calibration with scenario overrides merged in (by item id); errors name the scenario field."""
    data = cal.model_dump(exclude_unset=True)
    for section, overrides in (("services", services), ("facilities", facilities)):
        index = {item["id"]: item for item in data[section]}
        for item_id, over in overrides.items():
            if item_id not in index:
                raise ScenarioError(f"{where}: field '{section}.{item_id}': no such {section[:-1]}; "
                                    f"allowed: {', '.join(sorted(index))}")
            if not isinstance(over, dict):
                raise ScenarioError(f"{where}: field '{section}.{item_id}': expected a mapping of field overrides")
            for key, value in over.items():
                if key == "sources" and isinstance(value, dict):
                    index[item_id]["sources"].update(value)
                else:
                    index[item_id][key] = value
    for key, value in costs.items():
        if key == "sources" and isinstance(value, dict):
            data["costs"]["sources"].update(value)
        else:
            data["costs"][key] = value
    try:
        return Calibration.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise ScenarioError(f"{where}: override gives an invalid calibration at '{loc}': {first['msg']}") from None


def _hours(date: dt.date, start: dt.date) -> float:
    return (date - start).days * 24.0


def compile_model(network: Network, specs: dict[str, RouteSpec], cal: Calibration, sc, where: str = "scenario") -> tuple[CompiledModel, ModelInfo]:
    """Build the engine input for scenario variant ``sc`` (a validated Scenario); ScenarioError on bad references."""
    cal = apply_overrides(cal, sc.services, sc.facilities, sc.costs, where)
    start = sc.start_date
    horizon_h = sc.duration_h
    n_days = int(horizon_h // 24) + MARGIN_DAYS
    dates = [start + dt.timedelta(days=d) for d in range(n_days)]
    month_at_day = np.asarray([d.month - 1 for d in dates], dtype=np.int64)

    # ----- references -----------------------------------------------------------------------------------------
    for rid in sc.routes:
        if rid not in specs:
            raise ScenarioError(f"{where}: field 'routes': unknown route '{rid}'; allowed: {', '.join(specs)}")
    for leg_id in sc.enabled_legs:
        if leg_id not in network.legs:
            raise ScenarioError(f"{where}: field 'enabled_legs': unknown leg '{leg_id}'")
        if network.legs[leg_id].status != "planned":
            raise ScenarioError(f"{where}: field 'enabled_legs': leg '{leg_id}' is already open")
    commodity_index = {c.id: i for i, c in enumerate(cal.commodities)}
    for d in sc.demand:
        for node in (d.origin, d.destination):
            if node not in network.nodes:
                raise ScenarioError(f"{where}: field 'demand.{d.name}': unknown node '{node}'")
        for c in d.commodities:
            if c not in commodity_index:
                raise ScenarioError(f"{where}: field 'demand.{d.name}.commodities': unknown commodity '{c}'; "
                                    f"allowed: {', '.join(commodity_index)}")
    fac_by_id = {f.id: f for f in cal.facilities}
    svc_by_id = {s.id: s for s in cal.services}
    for i, dis in enumerate(sc.disruptions):
        kind, value = dis.target.kind, dis.target.value
        ok = {
            "node": value in network.nodes,
            "leg": value in network.legs,
            "chokepoint": value in network.chokepoints or value in network.nodes,
            "service": value in svc_by_id,
            "facility": value in fac_by_id,
        }[kind]
        if not ok:
            raise ScenarioError(f"{where}: field 'disruptions.{i}.target.{kind}': unknown {kind} '{value}'")
        if dis.effect == "degrade" and kind in ("leg", "chokepoint"):
            raise ScenarioError(f"{where}: field 'disruptions.{i}.effect': degrade applies to a node, service or "
                                f"facility; close a leg or chokepoint instead")
        if dis.reroute_to is not None and dis.reroute_to not in specs:
            raise ScenarioError(f"{where}: field 'disruptions.{i}.reroute_to': unknown route '{dis.reroute_to}'")

    base_policy = Policy(enabled_legs=frozenset(sc.enabled_legs))
    holds = tuple((_hours(d.start, start), _hours(d.end, start)) for d in sc.disruptions)

    def blocked_by(dis, leg_id: str, a: str, b: str) -> bool:
        kind, v = dis.target.kind, dis.target.value
        leg = network.legs[leg_id]
        if kind == "leg":
            return leg_id == v
        if kind == "node":
            return v in (a, b)
        if kind == "chokepoint":
            return v in leg.chokepoints or v in (a, b)
        return False

    # ----- services: one compiled instance per direction, built on demand ----------------------------------
    escort_by_tag = {e.chokepoint: i for i, e in enumerate(cal.escorts)}
    convoy_by_node = {c.node: i for i, c in enumerate(cal.convoys)}
    pass_facilities: dict[str, list[int]] = {}
    facilities: list[CompiledFacility] = []
    facility_index: dict[str, int] = {}

    def facility(fid: str) -> int:
        if fid in facility_index:
            return facility_index[fid]
        f = fac_by_id[fid]
        closures, slowdowns = [], []
        for j, dis in enumerate(sc.disruptions):
            hit = (dis.target.kind == "facility" and dis.target.value == fid) or (
                dis.target.kind == "node" and dis.target.value == f.node)
            if hit:
                if dis.effect == "close":
                    closures.append(holds[j])
                else:
                    slowdowns.append((*holds[j], 1.0 / dis.factor))
        idx = len(facilities)
        facilities.append(CompiledFacility(
            index=idx, id=f.id, node=f.node, kind=f.kind, servers=f.servers, service_h=f.service_h,
            per_teu=f.per_teu, dwell_h=f.dwell_h, cost_usd_per_teu=f.cost_usd_per_teu,
            closures=tuple(closures), slowdowns=tuple(slowdowns)))
        facility_index[fid] = idx
        return idx

    for f in cal.facilities:
        if f.node not in network.nodes:
            raise ScenarioError(f"calibration: facility '{f.id}': unknown node '{f.node}'")
        if "pass" in f.visit:
            pass_facilities.setdefault(f.node, []).append(f.id)

    def service_route(s: ServiceCal, direction: str, policy: Policy) -> Route:
        spec = RouteSpec(s.id, s.name, s.origin, tuple(Stage(n, tuple(s.modes)) for n in [*s.via, s.destination]), tuple(s.avoid))
        return resolve_route(network, spec, policy, direction)

    def build_path(s: ServiceCal, route: Route, speed_mean: float) -> tuple[ServicePath, list[tuple[int, float]]]:
        chunks: list[Chunk] = []
        travel_km = 0.0
        km_done = 0.0
        first_block: list[tuple[int, float]] = []  # (disruption index, km before first blocked leg)
        legs = route.legs
        i = 0
        co2 = 0.0
        tags: set[str] = set()

        def flush():
            nonlocal travel_km
            if travel_km > 0:
                chunks.append(Chunk(TRAVEL, travel_km))
                travel_km = 0.0

        def take_run(start: int, belongs) -> tuple[float, int]:
            """Consume the consecutive legs from ``start`` that ``belongs`` to one canal or escorted stretch."""
            nonlocal tags, co2
            km, j = 0.0, start
            while j < len(legs) and belongs(legs[j]):
                km += legs[j].length_km
                if j != start:  # the first leg's tags and CO2 were counted already
                    tags |= legs[j].chokepoints
                    co2 += legs[j].length_km * s.co2_kg_per_teu_km
                j += 1
            return km, j

        while i < len(legs):
            leg = legs[i]
            net_leg = network.legs[leg.leg_id]
            tags |= leg.chokepoints
            co2 += leg.length_km * s.co2_kg_per_teu_km
            if i > 0:
                for fid in pass_facilities.get(leg.start, []):
                    flush()
                    chunks.append(Chunk(CHECK, 0.0, facility(fid)))
            for j, dis in enumerate(sc.disruptions):
                if dis.effect == "close" and blocked_by(dis, leg.leg_id, leg.start, leg.end):
                    if all(d != j for d, _ in first_block):
                        first_block.append((j, km_done))
                    if dis.policy == "wait":
                        flush()
                        chunks.append(Chunk(HOLD, 0.0, j))
            convoy = next((convoy_by_node[t] for t in leg.chokepoints if t in convoy_by_node), None)
            escort = next((escort_by_tag[t] for t in leg.chokepoints if t in escort_by_tag), None)
            if convoy is not None and net_leg.mode == "canal":
                node = cal.convoys[convoy].node
                km, i = take_run(i, lambda lg, node=node: network.legs[lg.leg_id].mode == "canal" and node in lg.chokepoints)
                kind, ref = CONVOY, convoy
            elif escort is not None:
                tag = cal.escorts[escort].chokepoint
                km, i = take_run(i, lambda lg, tag=tag: tag in lg.chokepoints)
                kind, ref = ESCORT, escort
            else:
                kind = None
            if kind is not None:
                flush()
                chunks.append(Chunk(kind, km, ref))
                km_done += km
                continue
            travel_km += leg.length_km
            km_done += leg.length_km
            i += 1
        flush()
        fees = 0.0
        if "suez" in tags:
            fees += cal.costs.suez_toll_usd_per_teu
        if "nsr" in tags:
            fees += cal.costs.nsr_fee_usd_per_teu
        for tag, usd in cal.costs.war_risk_usd_per_teu.items():
            if tag in tags:
                fees += usd
        path = ServicePath(tuple(f"{leg.leg_id}:{leg.direction}" for leg in legs), tuple(chunks), route.distance_km, co2, fees, frozenset(tags))
        return path, [(j, km / speed_mean) for j, km in first_block]

    services: list[CompiledService] = []
    service_key_index: dict[tuple[str, str], int] = {}
    service_routes: dict[tuple[str, str], Route] = {}

    def service_instance(sid: str, direction: str) -> int:
        key = (sid, direction)
        if key in service_key_index:
            return service_key_index[key]
        s = svc_by_id[sid]
        route = service_routes[key]
        speed = s.speed
        if math.isinf(speed.upper_bound):
            raise ScenarioError(f"calibration: service '{sid}': speed needs a bounded distribution (uniform, triangular, fixed)")
        path, blocks = build_path(s, route, speed.mean)
        reroutes, offsets = {}, {}
        for j, offset_h in blocks:
            dis = sc.disruptions[j]
            if dis.policy != "reroute":
                continue
            try:
                alt_route = service_route(s, direction, base_policy.with_closed([dis.target.value]))
            except RouteError:
                continue  # no way around: vehicles keep their path and cargo-level rules apply
            alt, _ = build_path(s, alt_route, speed.mean)
            reroutes[j] = alt
            offsets[j] = offset_h
        departure_ok = escort_needed = None
        seasonal_offset = 0.0
        seasonal_legs = [(k, leg) for k, leg in enumerate(route.legs) if network.legs[leg.leg_id].season is not None]
        if seasonal_legs:
            before_km = sum(leg.length_km for leg in route.legs[: seasonal_legs[0][0]])
            seasonal_km = sum(leg.length_km for _, leg in seasonal_legs)
            slowest = min(speed.mean, *(e.speed_kn.mean * KN_TO_KMH for e in cal.escorts)) if cal.escorts else speed.mean
            seasonal_offset = before_km / speed.mean
            season = network.legs[seasonal_legs[0][1].leg_id].season
            open_day = np.asarray([season.is_open(s.ice_class, d) for d in dates])
            escort_needed = np.asarray([season.needs_escort(s.ice_class, d) for d in dates])
            enter_day = np.arange(n_days) + int(seasonal_offset // 24)
            exit_day = enter_day + int(math.ceil(seasonal_km / slowest / 24.0))
            ok = np.zeros(n_days, dtype=bool)
            cum = np.concatenate([[0], np.cumsum(~open_day)])
            for d in range(n_days):
                a, b = enter_day[d], min(exit_day[d], n_days - 1)
                ok[d] = a < n_days and cum[b + 1] - cum[a] == 0
            departure_ok = ok
        idx = len(services)
        capacity = s.capacity_teu
        services.append(CompiledService(
            index=idx, id=sid, direction=direction, mode=s.mode, origin=route.origin, destination=route.destination,
            capacity_teu=capacity, departure=s.departure, headway_h=s.headway_h or 0.0, offset_h=s.offset_h,
            max_wait_h=s.max_wait_h or 0.0, fill_teu=s.fill_teu or capacity, vehicles=s.vehicles or 0,
            return_h=s.return_h or 0.0, speed_kmh=speed, month_speed_factor=tuple(s.month_speed_factor),
            freight_usd_per_teu=s.freight_usd_per_teu, freight_usd_per_teu_km=s.freight_usd_per_teu_km,
            path=path, reroutes=reroutes, reroute_offsets_h=offsets, departure_ok=departure_ok,
            escort_needed=escort_needed, seasonal_offset_h=seasonal_offset))
        service_key_index[key] = idx
        return idx

    # index every service direction by its first leg so routes can be matched to services
    by_first_leg: dict[tuple[str, str], list[tuple[str, str, tuple]]] = {}
    for s in cal.services:
        for direction in ("forward", "reverse") if s.bidirectional else ("forward",):
            try:
                r = service_route(s, direction, base_policy)
            except RouteError:
                continue  # e.g. a service over a planned link that this study does not open
            service_routes[(s.id, direction)] = r
            legs = tuple((leg.leg_id, leg.direction) for leg in r.legs)
            by_first_leg.setdefault(legs[0], []).append((s.id, direction, legs))

    # ----- itineraries -----------------------------------------------------------------------------------------
    info = ModelInfo()
    itineraries: list[Itinerary] = []
    itinerary_key: dict[tuple[str, str, frozenset], int] = {}
    node_facilities: dict[str, list] = {}
    for f in cal.facilities:
        node_facilities.setdefault(f.node, []).append(f)

    def visits(node: str, role: str) -> list[Step]:
        return [Step(VISIT, facility(f.id), node) for f in node_facilities.get(node, []) if role in f.visit]

    def build_itinerary(rid: str, direction: str, closed: frozenset[str]) -> int:
        key = (rid, direction, closed)
        if key in itinerary_key:
            return itinerary_key[key]
        route = resolve_route(network, specs[rid], base_policy.with_closed(closed), direction)
        legs = tuple((leg.leg_id, leg.direction) for leg in route.legs)
        steps: list[Step] = visits(route.origin, "origin")
        labels = [f"{facilities[s.ref].id}" for s in steps]
        i = 0
        min_h = 0.0
        while i < len(legs):
            best = None
            for sid, sdir, slegs in by_first_leg.get(legs[i], []):
                if legs[i: i + len(slegs)] == slegs and (best is None or len(slegs) > len(best[2])):
                    best = (sid, sdir, slegs)
            if best is None:
                leg = route.legs[i]
                raise ScenarioError(
                    f"{where}: route '{rid}' ({direction}): no service covers leg '{leg.leg_id}' from {leg.start} to "
                    f"{leg.end} ({leg.mode}); define one in scenarios/defaults/calibration.yaml")
            si = service_instance(best[0], best[1])
            steps.append(Step(RIDE, si, route.legs[i].start))
            labels.append(best[0])
            svc = services[si]
            i += len(best[2])
            end_node = route.legs[i - 1].end
            role = "destination" if i == len(legs) else "transfer"
            more = visits(end_node, role)
            steps.extend(more)
            labels.extend(facilities[s.ref].id for s in more)
            fastest = max(svc.speed_kmh.upper_bound, *(e.speed_kn.upper_bound * KN_TO_KMH for e in cal.escorts)) if cal.escorts else svc.speed_kmh.upper_bound
            for ch in svc.path.chunks:
                if ch.kind == CONVOY:
                    min_h += cal.convoys[ch.ref].transit_h.lower_bound
                elif ch.kind in (TRAVEL, ESCORT):
                    min_h += ch.km / (fastest if ch.kind == ESCORT else svc.speed_kmh.upper_bound)
                elif ch.kind == CHECK:
                    f = facilities[ch.ref]
                    min_h += f.service_h.lower_bound + (f.dwell_h.lower_bound if f.dwell_h else 0.0)
        for st in steps:
            if st.kind == VISIT:
                f = facilities[st.ref]
                min_h += f.service_h.lower_bound + (f.dwell_h.lower_bound if f.dwell_h else 0.0)
        handling = sum(facilities[s.ref].cost_usd_per_teu for s in steps if s.kind == VISIT)
        idx = len(itineraries)
        itineraries.append(Itinerary(idx, route.key, rid, direction, tuple(steps), handling, min_h))
        itinerary_key[key] = idx
        info.itinerary_routes.append(route.key)
        info.itinerary_route_ids.append(rid)
        info.itinerary_directions.append(direction)
        info.itinerary_km.append(route.distance_km)
        info.itinerary_step_labels.append(labels)
        info.itinerary_route_objs.append(route)
        if not closed:
            info.routes.setdefault(route.key, route)
        return idx

    def network_leg(key: str) -> tuple[str, str, str]:
        leg_id, direction = key.split(":")
        leg = network.legs[leg_id]
        return (leg_id, leg.start, leg.end) if direction == "forward" else (leg_id, leg.end, leg.start)

    def finish_itinerary(idx: int) -> None:
        """Attach seasonal refusals and booking-time reroutes to itinerary ``idx``."""
        it = itineraries[idx]
        refuse = None
        if sc.season_policy == "refuse":
            offset = 0.0
            for st in it.steps:
                if st.kind == VISIT:
                    f = facilities[st.ref]
                    offset += f.service_h.mean + (f.dwell_h.mean if f.dwell_h else 0.0)
                    continue
                svc = services[st.ref]
                if svc.departure_ok is not None:
                    shift = int((offset + svc.seasonal_offset_h) // 24)
                    ok = svc.departure_ok
                    refuse = np.asarray([not ok[min(d + shift, len(ok) - 1)] for d in range(n_days)]) if refuse is None else refuse
                offset += svc.nominal_hours + svc.headway_h / 2
        reroutes = []
        for j, dis in enumerate(sc.disruptions):
            if dis.effect != "close" or dis.target.kind not in ("node", "chokepoint", "leg"):
                continue
            route = info.itinerary_route_objs[idx]
            hit = any(blocked_by(dis, leg.leg_id, leg.start, leg.end) for leg in route.legs)
            if not hit:
                continue
            if dis.policy == "reroute":
                blocked_rides = [s for s in it.steps if s.kind == RIDE and any(
                    blocked_by(dis, *network_leg(leg)) for leg in services[s.ref].path.legs)]
                if blocked_rides and all(j in services[s.ref].reroutes for s in blocked_rides):
                    continue  # the vehicles divert themselves; bookings keep their itinerary
                try:
                    alt = build_itinerary(it.route_id, it.direction, frozenset({dis.target.value}))
                except (RouteError, ScenarioError):
                    # no path or no service around the closure: the scenario's fallback route, else refuse
                    alt = build_itinerary(dis.reroute_to, it.direction, frozenset()) if dis.reroute_to else -1
                if alt != idx:
                    reroutes.append((*holds[j], alt))
        itineraries[idx] = Itinerary(it.index, it.route, it.route_id, it.direction, it.steps, it.handling_usd_per_teu,
                                     it.min_hours, refuse, tuple(reroutes))

    flows: list[Flow] = []
    for d in sc.demand:
        shares = d.route_shares if d.route_shares is not None else {r: 1.0 for r in sc.routes}
        its, weights = [], []
        for rid, share in shares.items():
            if share <= 0:
                continue
            spec = specs[rid]
            if (spec.origin, spec.destination) == (d.origin, d.destination):
                direction = "forward"
            elif (spec.destination, spec.origin) == (d.origin, d.destination):
                direction = "reverse"
            elif d.route_shares is not None:
                raise ScenarioError(f"{where}: field 'demand.{d.name}.route_shares.{rid}': route '{rid}' runs "
                                    f"{spec.origin} - {spec.destination}, not {d.origin} - {d.destination}")
            else:
                continue
            try:
                its.append(build_itinerary(rid, direction, frozenset()))
            except RouteError as exc:
                raise ScenarioError(f"{where}: route '{rid}': {exc}") from None
            weights.append(share)
        if not its:
            raise ScenarioError(f"{where}: field 'demand.{d.name}': no route in {sc.routes} runs between "
                                f"{d.origin} and {d.destination}")
        total = sum(weights)
        comm_total = sum(d.commodities.values())
        size_total = sum(d.sizes_teu.values())
        flows.append(Flow(
            name=d.name, teu_per_year=d.annual_teu * sc.demand_scale, month_factor=tuple(d.month_factor),
            itineraries=tuple(its), itinerary_shares=tuple(w / total for w in weights),
            commodities=tuple(commodity_index[c] for c in d.commodities),
            commodity_shares=tuple(v / comm_total for v in d.commodities.values()),
            sizes_teu=tuple(d.sizes_teu), size_shares=tuple(v / size_total for v in d.sizes_teu.values())))
        info.flow_names.append(d.name)
    idx = 0
    while idx < len(itineraries):  # reroute targets are appended while finishing
        finish_itinerary(idx)
        idx += 1

    for sid_dir, idx in service_key_index.items():
        info.service_paths[f"{sid_dir[0]}:{sid_dir[1]}"] = list(services[idx].path.legs)
    info.facility_ids = [f.id for f in facilities]
    info.facility_nodes = [f.node for f in facilities]
    info.service_ids = [f"{s.id}:{s.direction}" for s in services]
    model = CompiledModel(
        horizon_h=horizon_h,
        warmup_h=sc.warmup_days * 24.0,
        start_month=start.month,
        start_day_of_month=start.day,
        month_at_day=month_at_day,
        services=tuple(services),
        facilities=tuple(facilities),
        convoys=tuple(CompiledConvoy(i, c.id, c.node, c.interval_h, c.first_h, c.slots, c.background_per_convoy, c.transit_h)
                      for i, c in enumerate(cal.convoys)),
        escorts=tuple(CompiledEscort(i, e.id, e.icebreakers, e.convoy_size, e.speed_kn.scaled(KN_TO_KMH), e.pickup_wait_h)
                      for i, e in enumerate(cal.escorts)),
        itineraries=tuple(itineraries),
        flows=tuple(flows),
        commodity_names=tuple(c.id for c in cal.commodities),
        commodity_value_usd_per_teu=tuple(c.value_usd_per_teu for c in cal.commodities),
        holds=holds,
    )
    return model, info
