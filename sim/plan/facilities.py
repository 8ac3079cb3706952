"""Facilities of a variant: compiled on first use (so indices follow the order routes reach them), with the
closure and slow-down windows of the disruptions that hit them."""

from __future__ import annotations

from ..calibration import FacilityCal
from ..model import CUTOFF, DWELL, NO_STAY, VISIT, CompiledFacility, Step, class_mask
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
            closures=tuple(closures), slowdowns=tuple(slowdowns), cutoff_h=f.cutoff_h,
            background_per_h=f.background_per_day / 24.0, reefer_plugs=f.reefer_plugs,
            priority_servers=f.priority_servers, accepts=class_mask(f.accepts)))
        self._index[fid] = idx
        return idx

    def visits(self, node: str, role: str, next_mode: str | None = None) -> list[Step]:
        """Facility visits of a consignment at ``node`` in ``role`` (origin, transfer or destination): at the
        destination the dwell follows the service, elsewhere the cut-off before the next departure can load it.
        Only the last visit at a node before a ride waits for the cut-off. Before a ride by ``next_mode``, a
        facility with ``before_modes`` applies only if that mode is one of them."""
        here = [f for f in self.at_node.get(node, []) if role in f.visit
                and (role == "destination" or f.before_modes is None or next_mode in f.before_modes)]
        last_stay = DWELL if role == "destination" else CUTOFF
        return [Step(VISIT, self.index(f.id), node, last_stay if k == len(here) - 1 or role == "destination"
                     else NO_STAY) for k, f in enumerate(here)]

    def min_hours(self, step: Step) -> float:
        """The shortest time a visit can take (no queue): service and its cut-off or dwell."""
        f = self.compiled[step.ref]
        return f.service_h.lower_bound + _stay(f, step.after, "lower_bound")

    def mean_hours(self, step: Step) -> float:
        """The mean time a visit takes without queueing."""
        f = self.compiled[step.ref]
        return f.service_h.mean + _stay(f, step.after, "mean")

    def late_hours(self, step: Step, q: float = 0.95) -> float:
        """The time a visit takes without queueing that a share ``q`` of visits stays within (each part at its
        ``q`` quantile: an upper estimate)."""
        f = self.compiled[step.ref]
        dist = f.cutoff_h if step.after == CUTOFF else f.dwell_h if step.after == DWELL else None
        return f.service_h.quantile(q) + (dist.quantile(q) if dist is not None else 0.0)

    def check_hours(self, index: int) -> float:
        """The shortest inspection of a passing vehicle at facility ``index``."""
        return self.compiled[index].service_h.lower_bound


def _stay(f: CompiledFacility, after: int, stat: str) -> float:
    dist = f.cutoff_h if after == CUTOFF else f.dwell_h if after == DWELL else None
    return float(getattr(dist, stat)) if dist is not None else 0.0
