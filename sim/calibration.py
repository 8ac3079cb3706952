"""Calibration data: services, facilities, canal convoys, icebreaker escort, costs and commodities.

Loaded from ``scenarios/defaults/calibration.yaml``; every number carries a source in the item's
``sources`` mapping (checked on load). Scenarios override items by id.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .distributions import Dist
from .errors import FieldError
from .limits import (
    MAX_BACKGROUND_PER_DAY,
    MAX_CAPACITY_TEU,
    MAX_COST_USD,
    MAX_CV,
    MAX_HOURS,
    MAX_ICEBREAKERS,
    MAX_SERVERS,
    MAX_SLOTS,
    MAX_SPEED_KMH,
    MAX_VEHICLES,
    MIN_HEADWAY_H,
    MIN_SPEED_KMH,
)
from .model import HANDLING_CLASSES
from .network import MODES
from .schema_types import NO_BOOL, DistField, RangeBound, check_sources
from .seasons import ICE_CLASSES

__all__ = [
    "ServiceCal", "FleetCal", "FacilityCal", "ConvoyCal", "EscortCal", "CostCal", "CommodityCal",
    "RouteChoiceCal", "Calibration",
    "DEFAULT_CALIBRATION", "load_calibration",
]

DEFAULT_CALIBRATION = Path(__file__).resolve().parent.parent / "scenarios" / "defaults" / "calibration.yaml"
KN_TO_KMH = 1.852

IceClass = Literal[ICE_CLASSES]  # type: ignore[valid-type]
HandlingClass = Literal[HANDLING_CLASSES]  # type: ignore[valid-type]
Mode = Literal[MODES]  # type: ignore[valid-type]

Hours = Annotated[float, NO_BOOL, Field(ge=0, le=MAX_HOURS)]
Money = Annotated[float, NO_BOOL, Field(ge=0, lt=MAX_COST_USD)]
Teu = Annotated[float, NO_BOOL, Field(gt=0, le=MAX_CAPACITY_TEU)]
PositiveHours = Annotated[float, NO_BOOL, Field(gt=0, le=MAX_HOURS)]
Headway = Annotated[float, NO_BOOL, Field(ge=MIN_HEADWAY_H, le=MAX_HOURS)]
Vehicles = Annotated[int, NO_BOOL, Field(ge=1, le=MAX_VEHICLES)]
Fraction = Annotated[float, NO_BOOL, Field(gt=0, le=1)]


def _duration(d: Dist) -> Dist:
    if d.mean > MAX_HOURS or d.upper_bound != float("inf") and d.upper_bound > MAX_HOURS:
        raise ValueError(f"durations are at most {MAX_HOURS:,.0f} h")
    if d.kind == "lognormal" and d.b > MAX_CV:
        raise ValueError(f"lognormal cv is at most {MAX_CV:g}")
    return d


#: A duration in hours: a number or a distribution, finite, at most MAX_HOURS.
DurationField = Annotated[DistField, AfterValidator(_duration)]


def check_speed(d: Dist, field: str, kmh_per_unit: float = 1.0) -> None:
    """A speed distribution must stay within MIN_SPEED_KMH and MAX_SPEED_KMH (in km/h after conversion)."""
    lo, hi = d.lower_bound * kmh_per_unit, d.upper_bound * kmh_per_unit
    if d.kind in ("exponential", "lognormal"):
        raise FieldError(field, f"a speed needs a bounded distribution (fixed, uniform or triangular), got {d.kind}")
    if lo < MIN_SPEED_KMH or hi > MAX_SPEED_KMH:
        unit = "km/h" if kmh_per_unit == 1.0 else "kn"
        raise FieldError(field, f"speeds must lie between {MIN_SPEED_KMH / kmh_per_unit:.3g} and "
                         f"{MAX_SPEED_KMH / kmh_per_unit:.3g} {unit}; got {d.lower_bound:g} to {d.upper_bound:g}")


class _Sourced(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    sources: dict[str, str] = Field(default_factory=dict, description="field name -> source of its number")
    ranges: dict[str, tuple[RangeBound, RangeBound]] = Field(
        default_factory=dict, description="field name -> [low, high]: the plausible range of an ASSUMPTION (of a "
        "distribution's mean; a multiplier for lists), used by sensitivity analysis")

    _exempt: set[str] = set()

    @model_validator(mode="after")
    def _every_number_has_a_source(self):
        given = {k: v for k, v in self.__dict__.items() if k in self.model_fields_set}
        check_sources(getattr(self, "id", type(self).__name__), given, self.sources, self._exempt, self.ranges)
        # what cargo an item takes is a fact with a source too, although it is not a number
        for key in ("accepts", "handling"):
            if key in self.model_fields_set and not str(self.sources.get(key, "")).strip():
                raise ValueError(f"'{getattr(self, 'id', type(self).__name__)}': '{key}' needs a source; add "
                                 f"sources.{key}")
        return self


class FleetCal(BaseModel):
    """A finite fleet shuttling between a service's two ends (ships, locomotive sets with their wagons)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    units: Vehicles = Field(description="vehicles in the fleet (both directions share them)")
    turnaround_h: DurationField = Field(description="hours at an end between arrival and being ready to leave again")
    at_origin: Annotated[int, NO_BOOL, Field(ge=0, le=MAX_VEHICLES)] | None = Field(
        None, description="vehicles ready at the forward origin at the start (default: half, rounded up)")


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
    capacity_teu: Teu = Field(description="TEU per vehicle available to corridor cargo")
    departure: Literal["scheduled", "when_full", "fleet"]
    headway_h: Headway | None = Field(None, description="scheduled: hours between departures")
    offset_h: Hours = Field(0.0, description="scheduled: first departure, hours after start")
    max_wait_h: PositiveHours | None = Field(None, description="when_full: longest wait of the first booking")
    fill_teu: Teu | None = Field(None, description="when_full: departs once this many TEU wait (default: capacity)")
    vehicles: Vehicles | None = Field(None, description="fleet: number of vehicles per direction")
    return_h: Hours | None = Field(None, description="fleet: hours before a vehicle is available again")
    speed_kmh: DistField | None = None
    speed_kn: DistField | None = None
    month_speed_factor: list[Fraction] = Field(default_factory=lambda: [1.0] * 12, min_length=12, max_length=12)
    ice_class: IceClass = "none"
    fleet: FleetCal | None = Field(None, description="scheduled or when_full: the finite fleet whose vehicles the "
                                   "departures need; sources for its numbers go under sources.fleet")
    freight_usd_per_teu: Money
    detour_usd_per_teu_km: Money = Field(0.0, description="surcharge per TEU-km a reroute adds to the normal path "
                                         "(bunker for the detour)")
    suez_toll_usd_per_teu: Money | None = Field(None, description="Suez Canal toll per TEU this service's ships "
                                                "bear (ship size and load); default costs.suez_toll_usd_per_teu")
    war_risk_usd_per_teu: Money | None = Field(None, description="war-risk premium per TEU this service's ships "
                                               "pay in every war-risk area of costs.war_risk_usd_per_teu; default "
                                               "the area's costs value")
    co2_kg_per_teu_km: Money
    accepts: list[HandlingClass] | None = Field(
        None, description=f"handling classes it carries ({', '.join(HANDLING_CLASSES)}); default all")
    reefer_teu: Teu | None = Field(None, description="TEU of reefer boxes a vehicle can power (its reefer sockets x 2 "
                                   "TEU for 40-foot reefers); reefer boxes beyond them wait for the next vehicle "
                                   "(default: no limit below capacity_teu)")

    _exempt = {"offset_h"}

    @model_validator(mode="after")
    def _rule_fields(self):
        need = {"scheduled": ["headway_h"], "when_full": ["max_wait_h"],
                "fleet": ["vehicles", "return_h"]}[self.departure]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"'{self.id}': departure '{self.departure}' needs {', '.join(missing)}")
        if (self.speed_kmh is None) == (self.speed_kn is None):
            raise ValueError(f"'{self.id}': give exactly one of speed_kmh or speed_kn")
        if self.speed_kmh is not None:
            check_speed(self.speed_kmh, "speed_kmh")
        elif self.speed_kn is not None:
            check_speed(self.speed_kn, "speed_kn", KN_TO_KMH)
        if self.reefer_teu is not None and self.reefer_teu > self.capacity_teu:
            raise FieldError("reefer_teu", f"'{self.id}': reefer_teu cannot exceed capacity_teu")
        if self.fill_teu is not None and self.fill_teu > self.capacity_teu:
            raise FieldError("fill_teu", f"'{self.id}': fill_teu cannot exceed capacity_teu")
        if self.fleet is not None:
            if self.departure == "fleet":
                raise FieldError("fleet", f"'{self.id}': a 'fleet' block applies to scheduled or when_full services; "
                                 f"truck services give vehicles and return_h")
            if not self.bidirectional:
                raise FieldError("fleet", f"'{self.id}': a fleet shuttles between the two ends: the service must be "
                                 f"bidirectional")
            if self.fleet.at_origin is not None and self.fleet.at_origin > self.fleet.units:
                raise FieldError("fleet", f"'{self.id}': fleet.at_origin cannot exceed fleet.units")
            if not str(self.sources.get("fleet", "")).strip():
                raise FieldError("sources", f"'{self.id}': every number needs a source; add sources.fleet")
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
    before_modes: list[Mode] | None = Field(
        None, description="origin and transfer visits: only when the next ride leaves by one of these modes (e.g. a "
        "port's rail-evacuation yard applies to boxes leaving by train, not to ship-to-ship transfers); default any")
    servers: Annotated[int, NO_BOOL, Field(ge=1, le=MAX_SERVERS)]
    service_h: DurationField = Field(description="hours of one server per consignment (per TEU when per_teu)")
    per_teu: bool = False
    cutoff_h: DurationField | None = Field(None, description="origin and transfer visits: hours after service "
                                           "before the box can be loaded (the terminal's cut-off); the wait for the "
                                           "departure itself is simulated, not added here")
    dwell_h: DurationField | None = Field(None, description="destination visits: hours after service before the box "
                                          "leaves (e.g. import clearance to gate-out); holds no server")
    background_per_day: Annotated[float, NO_BOOL, Field(ge=0, le=MAX_BACKGROUND_PER_DAY)] = Field(
        0.0, description="other traffic's jobs (trucks, trains) a day through the same servers, Poisson")
    cost_usd_per_teu: Money = 0.0
    accepts: list[HandlingClass] | None = Field(
        None, description=f"handling classes it handles ({', '.join(HANDLING_CLASSES)}); default all")
    reefer_plugs: Annotated[int, NO_BOOL, Field(ge=1, le=MAX_SLOTS)] | None = Field(
        None, description="reefer boxes it holds plugged in at once; a reefer box waits for a free plug before it is "
        "handled and holds it until it leaves the node (default: no limit)")
    priority_servers: Annotated[int, NO_BOOL, Field(ge=0, le=MAX_SERVERS)] = Field(
        0, description="servers reserved for time-critical cargo (a priority lane), on top of 'servers'; "
        "time-critical cargo takes the lane or a common server, whichever is free first")


class ConvoyCal(_Sourced):
    """Canal convoys (Suez): scheduled departures with limited slots shared with background traffic."""

    id: str
    node: str
    interval_h: Annotated[float, NO_BOOL, Field(ge=MIN_HEADWAY_H, le=MAX_HOURS)]
    first_h: Hours = 0.0
    slots: Annotated[int, NO_BOOL, Field(ge=1, le=MAX_SLOTS)]
    background_per_convoy: Annotated[float, NO_BOOL, Field(ge=0, le=MAX_SLOTS)]
    transit_h: DurationField

    _exempt = {"first_h"}


class EscortCal(_Sourced):
    """Icebreaker escort over legs with the given chokepoint tag when the season requires it."""

    id: str
    chokepoint: str
    icebreakers: Annotated[int, NO_BOOL, Field(ge=1, le=MAX_ICEBREAKERS)]
    convoy_size: Annotated[int, NO_BOOL, Field(ge=1, le=MAX_ICEBREAKERS)]
    speed_kn: DistField
    pickup_wait_h: DurationField

    @model_validator(mode="after")
    def _speed(self):
        check_speed(self.speed_kn, "speed_kn", KN_TO_KMH)
        return self


class CostCal(_Sourced):
    """Per-TEU fees and rates that are not tied to one service or facility."""

    id: str = "costs"
    suez_toll_usd_per_teu: Money
    nsr_fee_usd_per_teu: Money
    war_risk_usd_per_teu: dict[str, Money] = Field(default_factory=dict, description="chokepoint tag -> USD/TEU")
    empty_freight_share: Annotated[float, NO_BOOL, Field(ge=0, le=1)] = Field(
        description="an empty box sent back by rail or road pays this share of the loaded freight")
    empty_sea_freight_share: Annotated[float, NO_BOOL, Field(ge=0, le=1)] = Field(
        description="an empty box sent back by sea or ferry pays this share of the loaded all-in freight (canal, NSR "
        "and war-risk fees included)")
    max_empty_share: Annotated[float, NO_BOOL, Field(ge=0, le=1)] = Field(
        description="at most this share of the boxes arriving in a route's heavier direction goes back empty; the "
        "rest of the imbalance is reused by other trades or sold")
    empty_co2_share: Annotated[float, NO_BOOL, Field(ge=0, le=1)] = Field(
        description="CO2 of an empty box as a share of a loaded one's (tare over loaded weight per TEU)")


class CommodityCal(_Sourced):
    """A commodity: cargo value per TEU, its usual direction and its handling class."""

    id: str
    name: str
    direction: Literal["north", "south"]
    handling: HandlingClass = Field("general", description="handling class: which services and facilities take "
                                    "it, whether it needs reefer plugs, priority at facilities")
    value_usd_per_teu: Annotated[float, NO_BOOL, Field(gt=0, lt=MAX_COST_USD)]
    time_value_per_day: Annotated[float, NO_BOOL, Field(ge=0, le=0.2)] = Field(
        description="what a day in transit is worth to the shipper, as a share of the cargo value")


class RouteChoiceCal(_Sourced):
    """Defaults of the route-choice model (a scenario's ``route_choice`` block overrides them)."""

    id: str = "route_choice"
    scale_per_usd: Annotated[float, NO_BOOL, Field(gt=0, le=1)] = Field(
        description="logit scale: utility per USD of generalized cost per TEU")
    reliability_ratio: Annotated[float, NO_BOOL, Field(ge=0, le=10)] = Field(
        description="value of a day of standard deviation of transit (estimated as (p95 - p50) / 1.645) "
        "relative to a day of mean transit")
    penalty_usd_per_teu: dict[str, Annotated[float, NO_BOOL, Field(gt=-MAX_COST_USD, lt=MAX_COST_USD)]] = Field(
        default_factory=dict, description="route id -> route-specific constant as a cost in USD per TEU "
        "(documentation, sanctions and payment frictions, familiarity); set to reproduce observed base-year volumes")
    max_iterations: Annotated[int, NO_BOOL, Field(ge=1, le=100)] = 8
    tolerance: Annotated[float, NO_BOOL, Field(gt=0, lt=1)] = 0.02
    iteration_replications: Annotated[int, NO_BOOL, Field(ge=1, le=100)] = 2
    _exempt = {"max_iterations", "tolerance", "iteration_replications"}


class Calibration(BaseModel):
    """All calibration items."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    services: list[ServiceCal]
    facilities: list[FacilityCal]
    convoys: list[ConvoyCal]
    escorts: list[EscortCal]
    costs: CostCal
    commodities: list[CommodityCal]
    route_choice: RouteChoiceCal | None = None

    @model_validator(mode="after")
    def _unique_ids(self):
        for name in ("services", "facilities", "convoys", "escorts", "commodities"):
            ids = [x.id for x in getattr(self, name)]
            for i, item_id in enumerate(ids):
                if item_id in ids[:i]:
                    raise FieldError((name, i, "id"), f"{name}: id '{item_id}' is used twice (first at index "
                                     f"{ids.index(item_id)}); ids must be unique")
        return self


def load_calibration(path: Path | str = DEFAULT_CALIBRATION) -> Calibration:
    """Load and validate the calibration file (ScenarioError names file, line and field)."""
    from .yamlio import validate_yaml

    return validate_yaml(Calibration, Path(path))  # type: ignore[return-value]
