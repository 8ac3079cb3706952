"""Calibration data: services, facilities, canal convoys, icebreaker escort, costs and commodities.

Loaded from ``scenarios/defaults/calibration.yaml``; every number carries a source in the item's
``sources`` mapping (checked on load). Scenarios override items by id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    model_validator,
)

from .distributions import Dist
from .network import MODES
from .schema_types import DistField, check_sources
from .seasons import ICE_CLASSES

__all__ = [
    "ServiceCal", "FleetCal", "FacilityCal", "ConvoyCal", "EscortCal", "CostCal", "CommodityCal", "Calibration",
    "DEFAULT_CALIBRATION", "load_calibration",
]

DEFAULT_CALIBRATION = Path(__file__).resolve().parent.parent / "scenarios" / "defaults" / "calibration.yaml"
KN_TO_KMH = 1.852

IceClass = Literal[ICE_CLASSES]  # type: ignore[valid-type]
Mode = Literal[MODES]  # type: ignore[valid-type]


class _Sourced(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: dict[str, str] = Field(default_factory=dict, description="field name -> source of its number")

    _exempt: set[str] = set()

    @model_validator(mode="after")
    def _every_number_has_a_source(self):
        given = {k: v for k, v in self.__dict__.items() if k in self.model_fields_set}
        check_sources(getattr(self, "id", type(self).__name__), given, self.sources, self._exempt)
        return self


class FleetCal(BaseModel):
    """A finite fleet shuttling between a service's two ends (ships, locomotive sets with their wagons)."""

    model_config = ConfigDict(extra="forbid")
    units: PositiveInt = Field(description="vehicles in the fleet (both directions share them)")
    turnaround_h: DistField = Field(description="hours at an end between arrival and being ready to leave again")
    at_origin: NonNegativeInt | None = Field(None, description="vehicles ready at the forward origin at the start "
                                             "(default: half, rounded up)")


class ServiceCal(_Sourced):
    """A transport service between two nodes (one vehicle type, one departure rule)."""

    id: str
    name: str
    mode: Mode
    origin: str
    destination: str
    modes: list[Mode] = Field(description="modes the service's path may use")
    via: list[str] = Field(default_factory=list, description="nodes the path must pass, in order")
    avoid: list[str] = Field(default_factory=list, description="node ids or chokepoint tags the path must not use")
    bidirectional: bool = True
    capacity_teu: PositiveFloat = Field(description="TEU per vehicle available to corridor cargo")
    departure: Literal["scheduled", "when_full", "fleet"]
    headway_h: PositiveFloat | None = Field(None, description="scheduled: hours between departures")
    offset_h: NonNegativeFloat = Field(0.0, description="scheduled: first departure, hours after start")
    max_wait_h: PositiveFloat | None = Field(None, description="when_full: longest wait of the first booking")
    fill_teu: PositiveFloat | None = Field(None, description="when_full: departs once this many TEU wait (default: capacity)")
    vehicles: PositiveInt | None = Field(None, description="fleet: number of vehicles per direction")
    return_h: NonNegativeFloat | None = Field(None, description="fleet: hours before a vehicle is available again")
    speed_kmh: DistField | None = None
    speed_kn: DistField | None = None
    month_speed_factor: list[float] = Field(default_factory=lambda: [1.0] * 12, min_length=12, max_length=12)
    ice_class: IceClass = "none"
    fleet: FleetCal | None = Field(None, description="scheduled or when_full: the finite fleet whose vehicles the "
                                   "departures need; sources for its numbers go under sources.fleet")
    freight_usd_per_teu: NonNegativeFloat
    detour_usd_per_teu_km: NonNegativeFloat = Field(0.0, description="surcharge per TEU-km a reroute adds to the "
                                                   "normal path (bunker for the detour)")
    co2_kg_per_teu_km: NonNegativeFloat

    _exempt = {"offset_h"}

    @model_validator(mode="after")
    def _rule_fields(self):
        need = {"scheduled": ["headway_h"], "when_full": ["max_wait_h"], "fleet": ["vehicles", "return_h"]}[self.departure]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"'{self.id}': departure '{self.departure}' needs {', '.join(missing)}")
        if (self.speed_kmh is None) == (self.speed_kn is None):
            raise ValueError(f"'{self.id}': give exactly one of speed_kmh or speed_kn")
        if any(f <= 0 or f > 1 for f in self.month_speed_factor):
            raise ValueError(f"'{self.id}': month_speed_factor values must be in (0, 1] (slow-downs only)")
        if self.fill_teu is not None and self.fill_teu > self.capacity_teu:
            raise ValueError(f"'{self.id}': fill_teu cannot exceed capacity_teu")
        if self.fleet is not None:
            if self.departure == "fleet":
                raise ValueError(f"'{self.id}': a 'fleet' block applies to scheduled or when_full services; truck "
                                 f"services give vehicles and return_h")
            if not self.bidirectional:
                raise ValueError(f"'{self.id}': a fleet shuttles between the two ends: the service must be "
                                 f"bidirectional")
            if self.fleet.at_origin is not None and self.fleet.at_origin > self.fleet.units:
                raise ValueError(f"'{self.id}': fleet.at_origin cannot exceed fleet.units")
            if not str(self.sources.get("fleet", "")).strip():
                raise ValueError(f"'{self.id}': every number needs a source; add sources.fleet")
        return self

    @property
    def speed(self) -> Dist:
        """Speed distribution in km/h."""
        if self.speed_kmh is not None:
            return self.speed_kmh
        assert self.speed_kn is not None  # exactly one of the two is given (validated)
        return self.speed_kn.scaled(KN_TO_KMH)


class FacilityCal(_Sourced):
    """A place where cargo (or a vehicle, for 'pass') waits or is handled at a node."""

    id: str
    name: str
    node: str
    kind: Literal["port", "customs", "border", "transshipment", "gauge_change", "terminal"]
    visit: list[Literal["origin", "transfer", "destination", "pass"]] = Field(
        description="when it applies: at the consignment's origin, where it changes service, at its destination, "
        "or to vehicles passing through (border inspection of a through train)"
    )
    servers: PositiveInt
    service_h: DistField = Field(description="hours of one server per consignment (per TEU when per_teu)")
    per_teu: bool = False
    cutoff_h: DistField | None = Field(None, description="origin and transfer visits: hours after service before "
                                       "the box can be loaded (the terminal's cut-off); the wait for the departure "
                                       "itself is simulated, not added here")
    dwell_h: DistField | None = Field(None, description="destination visits: hours after service before the box "
                                      "leaves (e.g. import clearance to gate-out); holds no server")
    background_per_day: NonNegativeFloat = Field(0.0, description="other traffic's jobs (trucks, trains) a day "
                                                 "through the same servers, Poisson")
    cost_usd_per_teu: NonNegativeFloat = 0.0


class ConvoyCal(_Sourced):
    """Canal convoys (Suez): scheduled departures with limited slots shared with background traffic."""

    id: str
    node: str
    interval_h: PositiveFloat
    first_h: NonNegativeFloat = 0.0
    slots: PositiveInt
    background_per_convoy: NonNegativeFloat
    transit_h: DistField

    _exempt = {"first_h"}


class EscortCal(_Sourced):
    """Icebreaker escort over legs with the given chokepoint tag when the season requires it."""

    id: str
    chokepoint: str
    icebreakers: PositiveInt
    convoy_size: PositiveInt
    speed_kn: DistField
    pickup_wait_h: DistField


class CostCal(_Sourced):
    """Per-TEU fees and rates that are not tied to one service or facility."""

    id: str = "costs"
    suez_toll_usd_per_teu: NonNegativeFloat
    nsr_fee_usd_per_teu: NonNegativeFloat
    war_risk_usd_per_teu: dict[str, NonNegativeFloat] = Field(default_factory=dict, description="chokepoint tag -> USD/TEU")
    holding_rate_per_year: NonNegativeFloat
    empty_reposition_usd_per_teu: NonNegativeFloat
    empty_reposition_co2_kg_per_teu: NonNegativeFloat = 0.0


class CommodityCal(_Sourced):
    """A commodity: cargo value per TEU and its usual direction."""

    id: str
    name: str
    direction: Literal["north", "south"]
    value_usd_per_teu: PositiveFloat


class Calibration(BaseModel):
    """All calibration items."""

    model_config = ConfigDict(extra="forbid")
    services: list[ServiceCal]
    facilities: list[FacilityCal]
    convoys: list[ConvoyCal]
    escorts: list[EscortCal]
    costs: CostCal
    commodities: list[CommodityCal]

    @model_validator(mode="after")
    def _unique_ids(self):
        for name in ("services", "facilities", "convoys", "escorts", "commodities"):
            ids = [x.id for x in getattr(self, name)]
            dup = {i for i in ids if ids.count(i) > 1}
            if dup:
                raise ValueError(f"{name}: duplicate ids {sorted(dup)}")
        return self


def load_calibration(path: Path | str = DEFAULT_CALIBRATION) -> Calibration:
    """Load and validate the calibration file (ScenarioError names file, line and field)."""
    from .yamlio import validate_yaml

    return validate_yaml(Calibration, Path(path))  # type: ignore[return-value]
