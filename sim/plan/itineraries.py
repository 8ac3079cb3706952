"""Itineraries: a route resolved on the network becomes the steps a consignment goes through (facility visits
and service rides), with its analytic minimum transit time, its seasonal refusals and its booking-time reroutes
around closures."""

from __future__ import annotations

from dataclasses import replace

from ..errors import RouteError, ScenarioError
from ..model import ALL_CLASSES, CHECK, CONVOY, ESCORT, RIDE, TRAVEL, VISIT, CompiledService, Itinerary, Step
from ..routes import Route, resolve_route
from .context import KN_TO_KMH, PlanContext, blocks
from .facilities import FacilityTable
from .info import ModelInfo
from .services import ServiceTable

__all__ = ["ItineraryTable"]


class ItineraryTable:
    """The variant's itineraries, built on demand by (route id, direction, closed items)."""

    def __init__(self, ctx: PlanContext, facilities: FacilityTable, services: ServiceTable, info: ModelInfo) -> None:
        self.ctx = ctx
        self.facilities = facilities
        self.services = services
        self.info = info
        self.compiled: list[Itinerary] = []
        self._index: dict[tuple[str, str, frozenset[str]], int] = {}
        # (route id, direction) -> (itinerary of the empty return, share of boxes sent back), for every itinerary
        # of that route and direction, including those built later (reroutes)
        self.empty_plan: dict[tuple[str, str], tuple[int, float]] = {}

    def index(self, rid: str, direction: str, closed: frozenset[str] = frozenset()) -> int:
        """The itinerary of route ``rid`` in ``direction`` avoiding ``closed`` (built on first use)."""
        key = (rid, direction, closed)
        if key in self._index:
            return self._index[key]
        route = resolve_route(self.ctx.network, self.ctx.specs[rid], self.ctx.base_policy.with_closed(closed),
                              direction)
        steps, labels, min_h = self._steps(rid, direction, route)
        handling = sum(self.facilities.compiled[s.ref].cost_usd_per_teu for s in steps if s.kind == VISIT)
        idx = len(self.compiled)
        back, share = self.empty_plan.get((rid, direction), (-1, 0.0))
        self.compiled.append(Itinerary(idx, route.key, rid, direction, tuple(steps), handling, min_h,
                                       empty_return=back, empty_share=share, accepts=self._accepts(steps)))
        self._index[key] = idx
        info = self.info
        info.itinerary_routes.append(route.key)
        info.itinerary_route_ids.append(rid)
        info.itinerary_directions.append(direction)
        info.itinerary_km.append(route.distance_km)
        info.itinerary_step_labels.append(labels)
        info.itinerary_route_objs.append(route)
        if not closed:
            info.routes.setdefault(route.key, route)
        return idx

    def _accepts(self, steps: list[Step]) -> int:
        """The handling classes every facility visited and service ridden takes (a bit mask)."""
        mask = ALL_CLASSES
        for s in steps:
            table = self.facilities.compiled if s.kind == VISIT else self.services.compiled
            mask &= table[s.ref].accepts
        return mask

    def refusers(self, index: int, cls: int) -> list[str]:
        """Ids of the facilities and services of itinerary ``index`` that do not take handling class ``cls``."""
        out = []
        for s in self.compiled[index].steps:
            item = self.facilities.compiled[s.ref] if s.kind == VISIT else self.services.compiled[s.ref]
            if not item.accepts >> cls & 1 and item.id not in out:
                out.append(item.id)
        return out

    def _steps(self, rid: str, direction: str, route: Route) -> tuple[list[Step], list[str], float]:
        """Visits at the origin, then for each stretch the service covering the most legs and the visits where it
        ends (transfer or destination); step labels; the minimum transit hours."""
        facilities, services = self.facilities, self.services
        legs = tuple((leg.leg_id, leg.direction) for leg in route.legs)
        steps = facilities.visits(route.origin, "origin", route.legs[0].mode if route.legs else None)
        labels = [facilities.compiled[s.ref].id for s in steps]
        i = 0
        min_h = 0.0
        while i < len(legs):
            best = services.covering(legs, i)
            if best is None:
                leg = route.legs[i]
                raise ScenarioError(
                    f"{self.ctx.where}: route '{rid}' ({direction}): no service covers leg '{leg.leg_id}' from "
                    f"{leg.start} to {leg.end} ({leg.mode}); define one in scenarios/defaults/calibration.yaml")
            sid, sdir, count = best
            si = services.index(sid, sdir)
            steps.append(Step(RIDE, si, route.legs[i].start))
            labels.append(sid)
            i += count
            more = facilities.visits(route.legs[i - 1].end, "destination" if i == len(legs) else "transfer",
                                     route.legs[i].mode if i < len(legs) else None)
            steps.extend(more)
            labels.extend(facilities.compiled[s.ref].id for s in more)
            min_h += self._min_ride_hours(services.compiled[si])
        min_h += sum(facilities.min_hours(st) for st in steps if st.kind == VISIT)
        return steps, labels, min_h

    def _min_ride_hours(self, svc: CompiledService) -> float:
        """The fastest a vehicle of ``svc`` can cover its path: top speeds, shortest convoy and inspections."""
        cal = self.ctx.cal
        top = svc.speed_kmh.upper_bound
        fastest = max(top, *(e.speed_kn.upper_bound * KN_TO_KMH for e in cal.escorts)) if cal.escorts else top
        hours = 0.0
        for ch in svc.path.chunks:
            if ch.kind == CONVOY:
                hours += cal.convoys[ch.ref].transit_h.lower_bound
            elif ch.kind in (TRAVEL, ESCORT):
                hours += ch.km / (fastest if ch.kind == ESCORT else top)
            elif ch.kind == CHECK:
                hours += self.facilities.check_hours(ch.ref)
        return hours

    def finish_all(self) -> None:
        """Attach refusals and booking-time reroutes to every itinerary (reroute targets are appended meanwhile)."""
        idx = 0
        while idx < len(self.compiled):
            it = self.compiled[idx]
            service, shift = self._season_gate(it)
            self.compiled[idx] = replace(self.compiled[idx], season_service=service, season_shift_h=shift,
                                         season_refuse=self.ctx.sc.season_policy == "refuse",
                                         reroutes=self._reroutes(idx))
            idx += 1

    def _season_gate(self, it: Itinerary) -> tuple[int, float]:
        """The itinerary's first service through ice, and the hours from booking to its departure that a booking
        accepted (policy 'refuse') or chosen (route choice) must allow for: facility stays at their 95th
        percentile, rides before it and full headways (even a late box still finds the ship able to leave), and a
        second headway on a service run by a finite fleet: its ship slowed by ice sails late, up to half a headway,
        and beyond that skips the sailing; (-1, 0) when there is none."""
        services = self.services.compiled
        offset = 0.0
        for st in it.steps:
            if st.kind == VISIT:
                offset += self.facilities.late_hours(st)
                continue
            svc = services[st.ref]
            if svc.ice_actions is not None:
                return svc.index, offset + svc.headway_h * (2 if svc.fleet >= 0 else 1)
            offset += svc.nominal_hours + svc.headway_h
        return -1, 0.0

    def _reroutes(self, idx: int) -> tuple[tuple[float, float, int], ...]:
        """(start_h, end_h, itinerary or -1) for bookings made while a closure blocks this itinerary and its
        vehicles cannot divert themselves: the same route avoiding the closure, else the scenario's fallback
        route, else refusal."""
        ctx = self.ctx
        it = self.compiled[idx]
        route = self.info.itinerary_route_objs[idx]
        out = []
        for j, dis in enumerate(ctx.sc.disruptions):
            if dis.effect != "close" or dis.target.kind not in ("node", "chokepoint", "leg"):
                continue
            if not any(blocks(ctx.network, dis, leg.leg_id, leg.start, leg.end) for leg in route.legs):
                continue
            if dis.policy == "reroute":
                if self._vehicles_divert(it, j):
                    continue  # bookings keep their itinerary
                try:
                    alt = self.index(it.route_id, it.direction, frozenset({dis.target.value}))
                except (RouteError, ScenarioError):
                    # no path or no service around the closure: the scenario's fallback route, else refuse
                    alt = self.index(dis.reroute_to, it.direction) if dis.reroute_to else -1
                if alt != idx:
                    out.append((*ctx.holds[j], alt))
        return tuple(out)

    def _vehicles_divert(self, it: Itinerary, j: int) -> bool:
        """Every ride of ``it`` that closure ``j`` blocks has a vehicle reroute around it."""
        services = self.services.compiled
        network = self.ctx.network
        dis = self.ctx.sc.disruptions[j]

        def blocked(svc: CompiledService) -> bool:
            for key in svc.path.legs:
                leg_id, direction = key.split(":")
                leg = network.legs[leg_id]
                a, b = (leg.start, leg.end) if direction == "forward" else (leg.end, leg.start)
                if blocks(network, dis, leg_id, a, b):
                    return True
            return False

        rides = [services[s.ref] for s in it.steps if s.kind == RIDE and blocked(services[s.ref])]
        return bool(rides) and all(j in svc.reroutes for svc in rides)
