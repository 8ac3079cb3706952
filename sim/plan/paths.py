"""A service's path as the chunks a vehicle experiences: open travel, canal convoys, icebreaker-escorted
stretches, vehicle inspections at borders and holds for 'wait' closures; with CO2 and fees per TEU."""

from __future__ import annotations

from ..calibration import ServiceCal
from ..model import CHECK, CONVOY, ESCORT, HOLD, ICE, TRAVEL, Chunk, ServicePath
from ..routes import Route, RouteLeg
from .context import PlanContext, blocks
from .facilities import FacilityTable

__all__ = ["build_path"]


def build_path(ctx: PlanContext, facilities: FacilityTable, s: ServiceCal, route: Route,
               speed_mean: float) -> tuple[ServicePath, list[tuple[int, float]]]:
    """The path of service ``s`` over ``route``, and for each 'close' disruption on it the nominal hours from
    departure to the first blocked leg (where a vehicle would meet the closure)."""
    return _PathBuilder(ctx, facilities, s, route).build(speed_mean)


class _PathBuilder:
    """Walks a route's legs once, merging consecutive canal or escorted legs into one chunk each."""

    def __init__(self, ctx: PlanContext, facilities: FacilityTable, s: ServiceCal, route: Route) -> None:
        self.ctx, self.facilities, self.s, self.route = ctx, facilities, s, route
        self.chunks: list[Chunk] = []
        self.travel_km = 0.0  # open travel not yet written as a chunk
        self.km_done = 0.0
        self.co2 = 0.0
        self.tags: set[str] = set()
        self.first_block: list[tuple[int, float]] = []  # (disruption index, km before the first blocked leg)
        cal = ctx.cal
        self.escort_by_tag = {e.chokepoint: i for i, e in enumerate(cal.escorts)}
        self.ice = ctx.network.ice
        self.convoy_by_node = {c.node: i for i, c in enumerate(cal.convoys)}

    def build(self, speed_mean: float) -> tuple[ServicePath, list[tuple[int, float]]]:
        legs = self.route.legs
        i = 0
        while i < len(legs):
            leg = legs[i]
            self.count(leg)
            if i > 0:
                for fid in self.facilities.passed_at.get(leg.start, []):
                    self.add(Chunk(CHECK, 0.0, self.facilities.index(fid)))
            self.note_closures(leg)
            after = self.stretch(i)
            if after is not None:
                i = after
                continue
            self.travel_km += leg.length_km
            self.km_done += leg.length_km
            i += 1
        self.flush()
        path = ServicePath(tuple(f"{leg.leg_id}:{leg.direction}" for leg in legs), tuple(self.chunks),
                           self.route.distance_km, self.co2, self.fees(), frozenset(self.tags))
        return path, [(j, km / speed_mean) for j, km in self.first_block]

    def count(self, leg: RouteLeg) -> None:
        self.tags |= leg.chokepoints
        self.co2 += leg.length_km * self.s.co2_kg_per_teu_km

    def flush(self) -> None:
        if self.travel_km > 0:
            self.chunks.append(Chunk(TRAVEL, self.travel_km))
            self.travel_km = 0.0

    def add(self, chunk: Chunk) -> None:
        self.flush()
        self.chunks.append(chunk)

    def note_closures(self, leg: RouteLeg) -> None:
        """Record where closures first block this path; 'wait' closures hold the vehicle there."""
        for j, dis in enumerate(self.ctx.sc.disruptions):
            if dis.effect == "close" and blocks(self.ctx.network, dis, leg.leg_id, leg.start, leg.end):
                if all(d != j for d, _ in self.first_block):
                    self.first_block.append((j, self.km_done))
                if dis.policy == "wait":
                    self.add(Chunk(HOLD, 0.0, j))

    def stretch(self, start: int) -> int | None:
        """A canal convoy or escorted stretch beginning at leg ``start``: write it as one chunk and return the
        index of the leg after it; None for open travel."""
        leg = self.route.legs[start]
        network = self.ctx.network
        if self.ice is not None and leg.leg_id in self.ice.segments:
            self.ice_chunks(leg)
            self.km_done += leg.length_km
            return start + 1
        convoy = next((self.convoy_by_node[t] for t in leg.chokepoints if t in self.convoy_by_node), None)
        escort = next((self.escort_by_tag[t] for t in leg.chokepoints if t in self.escort_by_tag), None)
        if convoy is not None and network.legs[leg.leg_id].mode == "canal":
            node = self.ctx.cal.convoys[convoy].node
            km, end = self.take(start, lambda lg: network.legs[lg.leg_id].mode == "canal" and node in lg.chokepoints)
            kind, ref = CONVOY, convoy
        elif escort is not None:
            tag = self.ctx.cal.escorts[escort].chokepoint
            km, end = self.take(start, lambda lg: tag in lg.chokepoints)
            kind, ref = ESCORT, escort
        else:
            return None
        self.add(Chunk(kind, km, ref))
        self.km_done += km
        return end

    def ice_chunks(self, leg: RouteLeg) -> None:
        """One ICE chunk per water area the leg crosses, in travel order."""
        assert self.ice is not None
        parts = self.ice.segments[leg.leg_id]
        areas = self.ice.areas
        for area, share in parts if leg.direction == "forward" else reversed(parts):
            self.add(Chunk(ICE, leg.length_km * share, areas.index(area)))

    def take(self, start: int, belongs) -> tuple[float, int]:
        """Consume the consecutive legs from ``start`` that ``belongs`` to one stretch: (km, next leg index)."""
        legs = self.route.legs
        km, j = 0.0, start
        while j < len(legs) and belongs(legs[j]):
            km += legs[j].length_km
            if j != start:  # the first leg's tags and CO2 were counted already
                self.count(legs[j])
            j += 1
        return km, j

    def fees(self) -> float:
        """Canal tolls, NSR fees and war-risk premiums per TEU for the chokepoints this path passes."""
        costs, s = self.ctx.cal.costs, self.s
        fees = 0.0
        if "suez" in self.tags:
            fees += costs.suez_toll_usd_per_teu if s.suez_toll_usd_per_teu is None else s.suez_toll_usd_per_teu
        if "nsr" in self.tags:
            fees += costs.nsr_fee_usd_per_teu
        for tag, usd in costs.war_risk_usd_per_teu.items():
            if tag in self.tags:
                fees += usd if s.war_risk_usd_per_teu is None else s.war_risk_usd_per_teu
        return fees
