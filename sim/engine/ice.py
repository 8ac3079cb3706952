"""The ice of one replication: the year type of each sector (fixed by the scenario or drawn), the ice code in each
water area day by day, what a service's ships may do there, and on which days they may set out at all."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..distributions import sampler
from ..model import CompiledIce, CompiledService

__all__ = ["IceState", "CLOSED", "ESCORT_ACTION"]

INDEPENDENT, ESCORT_ACTION, CLOSED = 0, 1, 2  # as sim.ice (the engine imports nothing above the model)


class IceState:
    """Per area: today's ice code; per service: today's action; speeds through L, M and H ice (km/h)."""

    __slots__ = ("year_of_area", "codes", "speeds_kmh", "escort")

    def __init__(self, ice: CompiledIce, rng: np.random.Generator) -> None:
        years_rng = rng
        if ice.fixed is not None:
            years = [ice.fixed] * len(ice.probabilities)
        else:
            years = [int(years_rng.choice(3, p=np.asarray(p))) for p in ice.probabilities]
        self.year_of_area = [years[s] for s in ice.sector]
        self.codes: list[list[int]] = [ice.codes[a, y].tolist() for a, y in enumerate(self.year_of_area)]
        self.speeds_kmh = ice.speeds_kmh
        self.escort = ice.escort

    def speeds(self, rng: np.random.Generator) -> list[Callable[[], float] | None]:
        """A service's ice speeds by ice code, drawn from its own stream ``rng``: index 0 (ice-free) is None (the
        ship's own speed), then L, M and H ice."""
        rngs = rng.spawn(len(self.speeds_kmh))
        return [None, *(sampler(d, r) for d, r in zip(self.speeds_kmh, rngs, strict=True))]

    def actions(self, svc: CompiledService) -> list[list[int]] | None:
        """What ``svc``'s ships may do in each area, day by day, in this replication's year types."""
        if svc.ice_actions is None:
            return None
        return [svc.ice_actions[a, y].tolist() for a, y in enumerate(self.year_of_area)]

    def departure_ok(self, svc: CompiledService) -> list[bool] | None:
        """Per day: a ship leaving then meets no closed area on its way (at nominal speeds)."""
        if svc.ice_actions is None:
            return None
        days = svc.ice_actions.shape[2]
        ok = np.ones(days, dtype=bool)
        for area, offset_h, hours in svc.ice_route:
            closed = svc.ice_actions[area, self.year_of_area[area]] == CLOSED
            before = np.concatenate([[0], np.cumsum(closed)])  # closed days before each day
            first = np.arange(days) + int(offset_h // 24)
            last = np.minimum(first + int(np.ceil(hours / 24.0)), days - 1)
            first = np.minimum(first, days - 1)
            ok &= (before[last + 1] - before[first]) == 0
        return ok.tolist()
