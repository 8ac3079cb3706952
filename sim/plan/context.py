"""What every planning step reads: the network, routes, calibration and scenario of one variant, its calendar and
its disruption windows. Built once per variant; never modified."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..calibration import Calibration
from ..ice import CODES, YEAR_TYPES, half_month
from ..network import Network
from ..routes import Policy, RouteSpec
from ..scenario import Disruption, Scenario

__all__ = ["PlanContext", "make_context", "blocks", "MARGIN_DAYS", "KN_TO_KMH"]

KN_TO_KMH = 1.852
MARGIN_DAYS = 60  # trips that start before the end of the drain may end after it


@dataclass(frozen=True, eq=False)
class PlanContext:
    """Inputs of one variant's compilation, and derived calendar facts."""

    network: Network
    specs: dict[str, RouteSpec]
    cal: Calibration  # with the scenario's overrides applied
    sc: Scenario
    where: str  # how errors name the scenario (file, and variant)
    dates: tuple[dt.date, ...]  # each simulated day, the horizon plus MARGIN_DAYS
    holds: tuple[tuple[float, float], ...]  # (start_h, end_h) of each disruption
    base_policy: Policy  # the study's planned links enabled; no closures

    @property
    def n_days(self) -> int:
        """Simulated days covered by per-day flags."""
        return len(self.dates)

    @cached_property
    def ice_codes(self) -> np.ndarray:
        """Ice code (index in sim.ice.CODES) per water area, year type and simulated day."""
        ice = self.network.ice
        assert ice is not None
        out = np.zeros((len(ice.areas), len(YEAR_TYPES), self.n_days), dtype=np.int8)
        for a, area in enumerate(ice.areas):
            for y, year in enumerate(YEAR_TYPES):
                row = ice.conditions[area][year].replace(" ", "")
                out[a, y] = [CODES.index(row[half_month(d)]) for d in self.dates]
        return out

    @property
    def month_at_day(self) -> np.ndarray:
        """Month index (0-11) of each simulated day."""
        return np.asarray([d.month - 1 for d in self.dates], dtype=np.int64)


def make_context(network: Network, specs: dict[str, RouteSpec], cal: Calibration, sc: Scenario,
                 where: str) -> PlanContext:
    """The planning context of variant ``sc`` (``cal`` already carries its overrides)."""
    start = sc.start_date
    n_days = int(sc.duration_h // 24) + int(sc.drain_days) + MARGIN_DAYS
    holds = tuple((_hours(d.start, start), _hours(d.end, start)) for d in sc.disruptions)
    return PlanContext(network, specs, cal, sc, where, tuple(start + dt.timedelta(days=d) for d in range(n_days)),
                       holds, Policy(enabled_legs=frozenset(sc.enabled_legs)))


def _hours(date: dt.date, start: dt.date) -> float:
    return (date - start).days * 24.0


def blocks(network: Network, dis: Disruption, leg_id: str, a: str, b: str) -> bool:
    """Whether disruption ``dis`` blocks leg ``leg_id`` travelled from node ``a`` to ``b``. A leg is closed by its
    id or, for a routed sea leg, by the scenario leg it was routed for; a node closes the legs ending there and, as
    in route resolution, the legs tagged with it (a strait, canal or cape passed)."""
    kind, v = dis.target.kind, dis.target.value
    leg = network.legs[leg_id]
    if kind == "leg":
        return v in (leg_id, leg.group)
    if kind in ("node", "chokepoint"):
        return v in leg.chokepoints or v in (a, b)
    return False
