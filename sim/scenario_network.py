"""The ``network:`` block of a scenario: nodes, legs and named routes a study adds to the shipped network.

The fields are those of ``geodata/nodes.geojson``, ``geodata/legs.geojson`` and ``geodata/routes.yaml`` written as
YAML. This module checks their form (types, ranges, sources, limits); ``sim.study_network`` checks them against the
shipped network (clashing ids, unknown nodes, land) and builds the study's network. A sea leg may leave out its
geometry: it is then routed on the global sea-lane graph (``sim.sealegs``) and its geometry, length and chokepoints
are computed, never typed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .errors import FieldError
from .limits import (
    MAX_APPROACH_KM,
    MAX_LEG_POSITIONS,
    MAX_NAME_LENGTH,
    MAX_SCENARIO_LEGS,
    MAX_SCENARIO_NODES,
    MAX_SCENARIO_ROUTES,
)
from .network import MODES, NODE_KINDS
from .schema_types import NO_BOOL

__all__ = ["NodeInput", "StationInput", "LegInput", "StageInput", "RouteInput", "NetworkInput", "ID_PATTERN"]

#: Ids of scenario nodes, legs and routes: letters, digits, '_' and '-' (generated pieces of routed legs use '~',
#: '.' and '@', so they can never clash with a written id).
ID_PATTERN = r"^[A-Za-z0-9_\-]+$"

Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=MAX_NAME_LENGTH)]
Lon = Annotated[float, NO_BOOL, Field(ge=-180, le=180)]
Lat = Annotated[float, NO_BOOL, Field(ge=-90, le=90)]
Mode = Literal[MODES]  # type: ignore[valid-type]
Kind = Literal[NODE_KINDS]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True)


def _cited(value: str, what: str) -> str:
    if not value.strip():
        raise ValueError(f"must say where {what} come from (a publication, a map, or ASSUMPTION with a reason)")
    return value


class NodeInput(_Strict):
    """A new node: a port, terminal, border, junction, canal, strait, cape or waypoint."""

    id: Id = Field(description="UN/LOCODE where one exists (e.g. CNSHA), else a readable slug")
    name: str = Field(min_length=1)
    kind: Kind
    country: str = Field("", description="ISO 3166 alpha-2 code")
    lon: Lon
    lat: Lat
    approach_km: Annotated[float, NO_BOOL, Field(ge=0, le=MAX_APPROACH_KM)] = Field(
        0.0, description="radius round the node where a sea leg may cross the land layer (a port approach, a river "
        "port or a narrow strait the 1:10m land layer closes)")
    source: str = Field(description="where the coordinates (and approach_km) come from")

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        return _cited(v, "the coordinates")


class StationInput(_Strict):
    """A station a rail or road leg passes, in travel order."""

    name: str = Field(min_length=1)
    lon: Lon
    lat: Lat
    source: str = Field(description="where the station's coordinates come from (e.g. a GeoNames URL)")

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        return _cited(v, "the coordinates")


class LegInput(_Strict):
    """A new leg between two nodes (shipped or the scenario's own) with one mode."""

    id: Id
    from_: str = Field(alias="from", description="node id where the leg starts")
    to: str = Field(description="node id where the leg ends")
    mode: Mode
    source: str = Field(description="where the line comes from; for a sea leg without geometry, why it exists "
                        "(the service or published lane it stands for)")
    geometry: list[tuple[Lon, Lat]] | None = Field(
        None, min_length=2, max_length=MAX_LEG_POSITIONS, description="[[lon, lat], ...] from 'from' to 'to'; a sea "
        "leg without geometry (and without stations) is routed on the global sea-lane graph")
    stations: list[StationInput] | None = Field(
        None, max_length=MAX_LEG_POSITIONS, description="rail or road: the stations passed between the two ends, in "
        "order (the line runs from 'from' through them to 'to'); instead of geometry")
    gauge_mm: Literal[1435, 1520] | None = Field(None, description="rail legs: track gauge")
    chokepoints: list[str] = Field(default_factory=list, description="tags of the chokepoints a drawn leg passes "
                                   "(a routed sea leg's are computed)")
    season: dict[str, Any] | None = Field(None, description="navigation windows by ice class, as in legs.geojson "
                                          "(a routed sea leg through the NSR takes the NSR's)")
    status: Literal["open", "planned"] = Field("open", description="planned: only when enabled_legs names it")
    oneway: bool = False
    operator: str = ""
    published_length_km: Annotated[float, NO_BOOL, Field(gt=0, lt=50_000)] | None = Field(
        None, description="the line's published length where the drawn geometry is shorter (needs "
        "published_length_source)")
    published_length_source: str = ""

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        return _cited(v, "the leg's line and existence")

    @model_validator(mode="after")
    def _shape(self):
        if self.from_ == self.to:
            raise FieldError("to", f"leg '{self.id}': a leg joins two different nodes; both ends are '{self.to}'")
        if self.geometry is not None and self.stations is not None:
            raise FieldError("stations", f"leg '{self.id}': give geometry or stations, not both")
        drawn = self.geometry is not None or self.stations is not None
        if not drawn and self.mode != "sea":
            raise FieldError("geometry", f"leg '{self.id}': a {self.mode} leg needs a geometry or stations (only sea "
                             "legs are routed on the sea-lane graph)")
        if self.stations is not None and self.mode not in ("rail", "road"):
            raise FieldError("stations", f"leg '{self.id}': stations apply to rail and road legs; give a geometry")
        if not drawn:
            for key in ("chokepoints", "season", "published_length_km"):
                if getattr(self, key):
                    raise FieldError(key, f"leg '{self.id}': computed from the sea-lane graph for a leg without "
                                     "geometry; remove it (or draw the geometry)")
        if self.published_length_km is not None and not self.published_length_source.strip():
            raise FieldError("published_length_source", f"leg '{self.id}': published_length_km needs its source")
        return self


class StageInput(_Strict):
    """A stretch of a route ending at node ``to``, travelled only by ``modes``."""

    to: str
    modes: list[Mode] = Field(default_factory=lambda: list(MODES), min_length=1)


class RouteInput(_Strict):
    """A named route: an origin and stages, as in ``geodata/routes.yaml``."""

    name: str = Field(min_length=1)
    description: str = ""
    origin: str
    stages: list[StageInput] = Field(min_length=1, max_length=100)
    avoid: list[str] = Field(default_factory=list, description="node ids or chokepoint tags the route must not use")


class NetworkInput(_Strict):
    """Nodes, legs and routes a study adds to the shipped network; ids may not repeat shipped ones."""

    nodes: list[NodeInput] = Field(default_factory=list, max_length=MAX_SCENARIO_NODES)
    legs: list[LegInput] = Field(default_factory=list, max_length=MAX_SCENARIO_LEGS)
    routes: dict[Id, RouteInput] = Field(default_factory=dict, max_length=MAX_SCENARIO_ROUTES)

    @model_validator(mode="after")
    def _unique(self):
        for name, ids in (("nodes", [n.id for n in self.nodes]), ("legs", [leg.id for leg in self.legs])):
            for i, item_id in enumerate(ids):
                if item_id in ids[:i]:
                    raise FieldError((name, i, "id"), f"{name[:-1]} id '{item_id}' is used twice (first at "
                                     f"{name}.{ids.index(item_id)}); ids must be unique")
        return self
