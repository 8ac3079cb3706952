"""Facilities of a variant: compiled on first use (so indices follow the order routes reach them), with the
closure and slow-down windows of the disruptions that hit them."""

from __future__ import annotations

from ..calibration import FacilityCal
from ..model import VISIT, CompiledFacility, Step
from .context import PlanContext

__all__ = ["FacilityTable"]


class FacilityTable:
    """The variant's compiled facilities, by index, and what applies where."""

    def __init__(self, ctx: PlanContext) -> None:
        self.ctx = ctx
        self.compiled: list[CompiledFacility] = []
        self._index: dict[str, int] = {}
        self._by_id = {f.id: f for f in ctx.cal.facilities}
        self.at_node: dict[str, list[FacilityCal]] = {}  # node -> facilities there, in calibration order
        self.passed_at: dict[str, list[str]] = {}  # node -> facilities that inspect vehicles passing through
        for f in ctx.cal.facilities:
            self.at_node.setdefault(f.node, []).append(f)
            if "pass" in f.visit:
                self.passed_at.setdefault(f.node, []).append(f.id)

    def index(self, fid: str) -> int:
        """The compiled index of facility ``fid`` (compiling it on first use)."""
        if fid in self._index:
            return self._index[fid]
        f = self._by_id[fid]
        closures: list[tuple[float, float]] = []
        slowdowns: list[tuple[float, float, float]] = []
        for j, dis in enumerate(self.ctx.sc.disruptions):
            kind, value = dis.target.kind, dis.target.value
            if (kind == "facility" and value == fid) or (kind == "node" and value == f.node):
                if dis.effect == "close":
                    closures.append(self.ctx.holds[j])
                else:
                    slowdowns.append((*self.ctx.holds[j], 1.0 / dis.factor))
        idx = len(self.compiled)
        self.compiled.append(CompiledFacility(
            index=idx, id=f.id, node=f.node, kind=f.kind, servers=f.servers, service_h=f.service_h,
            per_teu=f.per_teu, dwell_h=f.dwell_h, cost_usd_per_teu=f.cost_usd_per_teu,
            closures=tuple(closures), slowdowns=tuple(slowdowns)))
        self._index[fid] = idx
        return idx

    def visits(self, node: str, role: str) -> list[Step]:
        """Facility visits of a consignment at ``node`` in ``role`` (origin, transfer or destination)."""
        return [Step(VISIT, self.index(f.id), node) for f in self.at_node.get(node, []) if role in f.visit]

    def min_hours(self, index: int) -> float:
        """The shortest time a job can spend at facility ``index`` (no queue)."""
        f = self.compiled[index]
        return f.service_h.lower_bound + (f.dwell_h.lower_bound if f.dwell_h else 0.0)

    def mean_hours(self, index: int) -> float:
        """The mean time a job spends at facility ``index`` without queueing."""
        f = self.compiled[index]
        return f.service_h.mean + (f.dwell_h.mean if f.dwell_h else 0.0)
