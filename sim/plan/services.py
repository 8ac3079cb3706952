"""Services of a variant: each direction resolved on the network, matched to the legs of routes, and compiled on
first use with its path, its reroutes around 'reroute' closures and its seasonal per-day flags."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..calibration import ServiceCal
from ..errors import RouteError, ScenarioError
from ..ice import CLOSED, CODES
from ..model import CHECK, CONVOY, ICE, CompiledFleet, CompiledService, ServicePath, class_mask
from ..routes import WATER_MODES, Policy, Route, RouteSpec, Stage, resolve_route
from .context import KN_TO_KMH, PlanContext
from .facilities import FacilityTable
from .paths import build_path

__all__ = ["ServiceTable", "LegKey"]

LegKey = tuple[str, str]  # (leg id, direction)


class ServiceTable:
    """The variant's services: every direction's route, an index by first leg, and compiled instances."""

    def __init__(self, ctx: PlanContext, facilities: FacilityTable) -> None:
        self.ctx = ctx
        self.facilities = facilities
        self.compiled: list[CompiledService] = []
        self.fleets: list[CompiledFleet] = []
        self._index: dict[tuple[str, str], int] = {}
        self._by_id = {s.id: s for s in ctx.cal.services}
        self.routes: dict[tuple[str, str], Route] = {}
        self._by_first_leg: dict[LegKey, list[tuple[str, str, tuple[LegKey, ...]]]] = {}
        for s in ctx.cal.services:
            for direction in ("forward", "reverse") if s.bidirectional else ("forward",):
                try:
                    r = self.route(s, direction, ctx.base_policy)
                except RouteError:
                    continue  # e.g. a service over a planned link that this study does not open
                self.routes[(s.id, direction)] = r
                legs = tuple((leg.leg_id, leg.direction) for leg in r.legs)
                self._by_first_leg.setdefault(legs[0], []).append((s.id, direction, legs))

    def route(self, s: ServiceCal, direction: str, policy: Policy) -> Route:
        """Service ``s``'s path on the network in ``direction`` under ``policy``."""
        spec = RouteSpec(s.id, s.name, s.origin, tuple(Stage(n, tuple(s.modes)) for n in [*s.via, s.destination]),
                         tuple(s.avoid))
        return resolve_route(self.ctx.network, spec, policy, direction)

    def covering(self, legs: tuple[LegKey, ...], i: int) -> tuple[str, str, int] | None:
        """The service direction that covers the most legs of ``legs`` from ``i`` on: (id, direction, count)."""
        best = None
        for sid, sdir, slegs in self._by_first_leg.get(legs[i], []):
            if legs[i: i + len(slegs)] == slegs and (best is None or len(slegs) > best[2]):
                best = (sid, sdir, len(slegs))
        return best

    def index(self, sid: str, direction: str) -> int:
        """The compiled index of service ``sid`` in ``direction`` (compiling it on first use). A service with a
        finite fleet is compiled in both directions at once: its vehicles shuttle between the two ends."""
        key = (sid, direction)
        if key in self._index:
            return self._index[key]
        s = self._by_id[sid]
        idx = self._compile(s, direction)
        if s.fleet is not None:
            other = "reverse" if direction == "forward" else "forward"
            if (sid, other) not in self.routes:
                raise ScenarioError(f"{self.ctx.where}: service '{sid}' has a fleet but cannot run {other} in this "
                                    f"study, so its vehicles could not come back")
            pair = self._compile(s, other)
            fleet = len(self.fleets)
            at_origin = s.fleet.at_origin if s.fleet.at_origin is not None else math.ceil(s.fleet.units / 2)
            self.fleets.append(CompiledFleet(fleet, sid, s.fleet.units, s.fleet.turnaround_h, at_origin))
            for a, b in ((idx, pair), (pair, idx)):
                svc = self.compiled[a]
                self.compiled[a] = replace(svc, fleet=fleet, fleet_end=0 if svc.direction == "forward" else 1, pair=b)
        return idx

    def _compile(self, s: ServiceCal, direction: str) -> int:
        key = (s.id, direction)
        sid = s.id
        route = self.routes[key]
        speed = s.speed
        if math.isinf(speed.upper_bound):
            raise ScenarioError(f"calibration: service '{sid}': speed needs a bounded distribution (uniform, "
                                f"triangular, fixed)")
        path, blocked = build_path(self.ctx, self.facilities, s, route, speed.mean)
        reroutes, offsets = {}, {}
        for j, offset_h in blocked:
            dis = self.ctx.sc.disruptions[j]
            if dis.policy != "reroute":
                continue
            try:
                alt_route = self.route(s, direction, self.ctx.base_policy.with_closed([dis.target.value]))
            except RouteError:
                continue  # no way around: vehicles keep their path and cargo-level rules apply
            reroutes[j], _ = build_path(self.ctx, self.facilities, s, alt_route, speed.mean)
            offsets[j] = offset_h
        ice_actions, ice_route = self._ice(s, path)
        idx = len(self.compiled)
        self.compiled.append(CompiledService(
            index=idx, id=sid, direction=direction, mode=s.mode, origin=route.origin, destination=route.destination,
            capacity_teu=s.capacity_teu, departure=s.departure, headway_h=s.headway_h or 0.0, offset_h=s.offset_h,
            max_wait_h=s.max_wait_h or 0.0, fill_teu=s.fill_teu or s.capacity_teu, vehicles=s.vehicles or 0,
            return_h=s.return_h or 0.0, speed_kmh=speed, month_speed_factor=tuple(s.month_speed_factor),
            freight_usd_per_teu=s.freight_usd_per_teu, detour_usd_per_teu_km=s.detour_usd_per_teu_km,
            path=path, reroutes=reroutes, reroute_offsets_h=offsets, ice_actions=ice_actions, ice_route=ice_route,
            empty_freight_usd_per_teu=s.freight_usd_per_teu * self._empty_share(s.mode),
            empty_co2_share=self.ctx.cal.costs.empty_co2_share, reefer_teu=s.reefer_teu,
            accepts=class_mask(s.accepts)))
        self._index[key] = idx
        return idx

    def _empty_share(self, mode: str) -> float:
        """The share of the loaded freight an empty box pays on a service of ``mode``."""
        costs = self.ctx.cal.costs
        return costs.empty_sea_freight_share if mode in WATER_MODES else costs.empty_freight_share

    def _ice(self, s: ServiceCal, path: ServicePath) -> tuple[np.ndarray | None, tuple[tuple[int, float, float], ...]]:
        """What ``s``'s ships may do in each ice area by year type and day, and where along its path (nominal hours
        from departure, hours inside) it meets each area: (None, ()) when the path crosses no ice area."""
        ice = self.ctx.network.ice
        areas = [ch.ref for ch in path.chunks if ch.kind == ICE]
        if ice is None or not areas:
            return None, ()
        codes = self.ctx.ice_codes
        actions = np.full(codes.shape, CLOSED, dtype=np.int8)
        for a in set(areas):
            area = ice.areas[a]
            for y in range(codes.shape[1]):
                for d, day in enumerate(self.ctx.dates):
                    actions[a, y, d] = ice.action(s.ice_class, CODES[codes[a, y, d]], day, area)
        return actions, self._ice_route(s, path)

    def _ice_route(self, s: ServiceCal, path: ServicePath) -> tuple[tuple[int, float, float], ...]:
        """(area, hours from departure, hours inside) of each ice area on ``path`` at nominal speeds: the ship's
        mean speed in open water, the medium-ice speed in ice areas (a conservative middle)."""
        cal, ice = self.ctx.cal, self.ctx.network.ice
        assert ice is not None
        ice_kmh = ice.speeds_kn["M"].mean * KN_TO_KMH
        hours, out = 0.0, []
        for ch in path.chunks:
            if ch.kind == ICE:
                out.append((ch.ref, hours, ch.km / ice_kmh))
                hours += ch.km / ice_kmh
            elif ch.kind == CONVOY:
                hours += cal.convoys[ch.ref].transit_h.mean
            elif ch.kind == CHECK:
                hours += self.facilities.compiled[ch.ref].service_h.mean
            else:
                hours += ch.km / s.speed.mean
        return tuple(out)
