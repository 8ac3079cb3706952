"""Labels and static facts about a compiled variant, for results, reports and maps (never read by the engine)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..choice.setup import ChoicePlan
from ..routes import Route

__all__ = ["ModelInfo"]


@dataclass
class ModelInfo:
    """Per itinerary index: route key, route id, direction, km, step labels and the resolved route; the
    variant's routes without closures by key; and the facility ids by compiled index."""

    itinerary_routes: list[str] = field(default_factory=list)  # route key per itinerary ('suez', 'suez:reverse')
    itinerary_route_ids: list[str] = field(default_factory=list)
    itinerary_directions: list[str] = field(default_factory=list)
    itinerary_km: list[float] = field(default_factory=list)
    itinerary_step_labels: list[list[str]] = field(default_factory=list)
    itinerary_route_objs: list[Route] = field(default_factory=list)  # the route each itinerary follows
    routes: dict[str, Route] = field(default_factory=dict)  # route key -> resolved route (no closures)
    facility_ids: list[str] = field(default_factory=list)
    choice: ChoicePlan | None = None  # the route-choice set-up; None: fixed shares

    def itinerary_rows(self, variant: str) -> list[dict]:
        """What each itinerary index in shipments.parquet means: its route and the names of its steps."""
        return [{"variant": variant, "itinerary": i, "route": self.itinerary_route_ids[i],
                 "direction": self.itinerary_directions[i], "distance_km": round(self.itinerary_km[i], 1),
                 "steps": " > ".join(self.itinerary_step_labels[i])} for i in range(len(self.itinerary_routes))]
