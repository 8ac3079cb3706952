"""The compiled model the engine runs: plain precomputed numbers, no graph, geometry, YAML or files.

``plan.py`` builds it from the network, routes, calibration and scenario; ``engine.py`` only reads it.
Times are float hours from the scenario start; distances km; money USD; CO2 kg.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .distributions import Dist

__all__ = [
    "TRAVEL", "CONVOY", "ESCORT", "CHECK", "HOLD", "ICE", "CompiledIce",
    "Chunk", "ServicePath", "CompiledService", "CompiledFacility", "CompiledConvoy", "CompiledEscort",
    "Step", "Itinerary", "Flow", "CompiledModel", "VISIT", "RIDE", "CompiledFleet", "Trial", "NO_STAY", "CUTOFF",
    "DWELL", "LOADED", "EMPTY", "TRIAL", "HANDLING_CLASSES", "GENERAL", "REEFER", "DANGEROUS", "TIME_CRITICAL",
    "ALL_CLASSES", "class_mask", "REEFER_BOX_TEU", "plugs_for",
]

# Chunk kinds of a vehicle trip
TRAVEL, CONVOY, ESCORT, CHECK, HOLD, ICE = range(6)
# Step kinds of a consignment itinerary
VISIT, RIDE = 0, 1
# What follows the service of a facility visit
NO_STAY, CUTOFF, DWELL = 0, 1, 2
# Kinds of consignment
LOADED, EMPTY, TRIAL = 0, 1, 2
# Handling classes of cargo (a commodity's class decides which services and facilities take it, whether it needs
# a reefer plug, and whether it has priority at facilities); ALL_CLASSES is the bit mask of every class
HANDLING_CLASSES = ("general", "reefer", "dangerous", "time_critical")
GENERAL, REEFER, DANGEROUS, TIME_CRITICAL = range(4)
ALL_CLASSES = (1 << len(HANDLING_CLASSES)) - 1


#: TEU per reefer box: a plug powers one box, and reefers are mostly 40-foot (ASSUMPTION; plug counts in the sources
#: count boxes, consignments are in TEU)
REEFER_BOX_TEU = 2.0


def plugs_for(teu: float) -> int:
    """The plugs a reefer consignment of ``teu`` needs at a facility: one per box."""
    return max(1, math.ceil(teu / REEFER_BOX_TEU))


def class_mask(classes: list[str] | tuple[str, ...] | None) -> int:
    """The bit mask of handling class names (None: every class)."""
    if classes is None:
        return ALL_CLASSES
    return sum(1 << HANDLING_CLASSES.index(c) for c in set(classes))


@dataclass(frozen=True)
class Chunk:
    """One piece of a vehicle trip: travel ``km`` (TRAVEL), wait for a canal convoy (CONVOY, ``ref`` = convoy
    index), icebreaker escort over ``km`` (ESCORT, ``ref`` = escort index), ``km`` through an ice area (ICE,
    ``ref`` = the area's index in ``CompiledIce``: open water, ice on its own, escorted or waiting for the ice to
    ease, as the ship's ice class allows that day), a vehicle inspection at a border (CHECK, ``ref`` = facility
    index), or a hold while a 'wait' closure is active (HOLD, ``ref`` = disruption index)."""

    kind: int
    km: float = 0.0
    ref: int = -1
    speed_factor: float = 1.0  # leg-level factor (e.g. escorted ice speed is set by the escort instead)


@dataclass(frozen=True)
class ServicePath:
    """The legs a vehicle follows and the chunks it experiences; costs and CO2 per TEU for this path."""

    legs: tuple[str, ...]
    chunks: tuple[Chunk, ...]
    km: float
    co2_kg_per_teu: float
    fees_usd_per_teu: float  # canal tolls, NSR fees, war-risk premiums on this path
    tags: frozenset[str]


@dataclass(frozen=True)
class CompiledService:
    """One direction of a service: departure rule, vehicle, speed and its paths (normal and rerouted)."""

    index: int
    id: str
    direction: str
    mode: str
    origin: str
    destination: str
    capacity_teu: float
    departure: str  # scheduled | when_full | fleet
    headway_h: float
    offset_h: float
    max_wait_h: float
    fill_teu: float
    vehicles: int
    return_h: float
    speed_kmh: Dist
    month_speed_factor: tuple[float, ...]  # 12 values, January first
    freight_usd_per_teu: float
    detour_usd_per_teu_km: float
    path: ServicePath
    # reroutes[d] = path to take when disruption d (a reroute closure) is active at the planned passage time
    reroutes: dict[int, ServicePath] = field(default_factory=dict)
    reroute_offsets_h: dict[int, float] = field(default_factory=dict)
    # ice_actions[area, year type, day]: INDEPENDENT, ESCORT or CLOSED for this service's ships (None: no ice on
    # the path); ice_route: (area, nominal hours from departure to the area, nominal hours in it) along the path,
    # to let a ship leave only when it can get through
    ice_actions: np.ndarray | None = None
    ice_route: tuple[tuple[int, float, float], ...] = ()
    fleet: int = -1  # index of the finite fleet its vehicles come from (-1: as many as the rule needs)
    fleet_end: int = 0  # the fleet end this direction leaves from (0: forward origin)
    pair: int = -1  # the service instance of the opposite direction (where its vehicles go next)
    empty_freight_usd_per_teu: float = 0.0  # what an empty box pays for the ride (all fees included)
    empty_co2_share: float = 1.0  # an empty box's CO2 as a share of a loaded one's
    reefer_teu: float | None = None  # TEU of reefer plugs per vehicle (None: no limit below capacity_teu)
    accepts: int = ALL_CLASSES  # bit mask of the handling classes it carries

    @property
    def nominal_hours(self) -> float:
        """Mean travel time of the normal path, excluding waits."""
        return self.path.km / self.speed_kmh.mean


@dataclass(frozen=True)
class CompiledFacility:
    """A cargo or vehicle facility: ``servers`` parallel servers, a service time per job (per TEU when
    ``per_teu``), an optional dwell that holds no server, handling cost per TEU."""

    index: int
    id: str
    node: str
    kind: str
    servers: int
    service_h: Dist
    per_teu: bool
    dwell_h: Dist | None  # after service at a destination (e.g. import clearance to gate-out); holds no server
    cost_usd_per_teu: float
    closures: tuple[tuple[float, float], ...] = ()  # (start_h, end_h) windows with no service
    slowdowns: tuple[tuple[float, float, float], ...] = ()  # (start_h, end_h, service time multiplier)
    cutoff_h: Dist | None = None  # after service before a departure can load it (origin and transfer visits)
    background_per_h: float = 0.0  # Poisson arrivals of other traffic's jobs, served in the same FCFS queue
    reefer_plugs: int | None = None  # reefer boxes it can hold plugged in at once (None: no limit)
    priority_servers: int = 0  # servers reserved for time-critical cargo (a priority lane), on top of ``servers``
    accepts: int = ALL_CLASSES  # bit mask of the handling classes it handles


@dataclass(frozen=True)
class CompiledConvoy:
    """Scheduled canal convoys: a convoy every ``interval_h`` from ``first_h``; ``slots`` vessels per convoy of
    which background traffic takes a Poisson(``background_mean``) share; transit time ``transit_h``."""

    index: int
    id: str
    node: str
    interval_h: float
    first_h: float
    slots: int
    background_mean: float
    transit_h: Dist


@dataclass(frozen=True)
class CompiledEscort:
    """Icebreaker escort: ``icebreakers`` x ``convoy_size`` escorted ships at once, at ``speed_kmh``."""

    index: int
    id: str
    icebreakers: int
    convoy_size: int
    speed_kmh: Dist
    pickup_wait_h: Dist


@dataclass(frozen=True)
class CompiledFleet:
    """A finite fleet shared by the two directions of a service: ``units`` vehicles (ships, locomotive sets with
    their wagons) shuttling between end 0 (the forward origin) and end 1, each ready again ``turnaround_h``
    after it arrives; ``initial_at_end0`` of them start at end 0, the rest at end 1."""

    index: int
    id: str
    units: int
    turnaround_h: Dist
    initial_at_end0: int


@dataclass(frozen=True)
class CompiledIce:
    """Ice by water area: ``codes[area, year type, day]`` (0 F, 1 L, 2 M, 3 H); each area's ``sector``; the
    year type of each sector, fixed (``fixed``) or drawn per replication from ``probabilities[sector]``;
    speeds through L, M and H ice; the icebreaker escort (index in ``CompiledModel.escorts``) for ESCORT actions."""

    areas: tuple[str, ...]
    sector: tuple[int, ...]
    probabilities: tuple[tuple[float, float, float], ...]
    fixed: int | None
    codes: np.ndarray
    speeds_kmh: tuple[Dist, Dist, Dist]
    escort: int


@dataclass(frozen=True)
class Step:
    """One step of an itinerary: a facility visit or a service ride. A visit is followed by ``after``: nothing,
    the facility's cut-off before loading (CUTOFF, when a ride follows) or its dwell (DWELL, at the destination)."""

    kind: int
    ref: int
    node: str
    after: int = 0


@dataclass(frozen=True)
class Itinerary:
    """What a consignment on ``route`` (a route key such as 'suez' or 'suez:reverse') goes through."""

    index: int
    route: str
    route_id: str
    direction: str
    steps: tuple[Step, ...]
    handling_usd_per_teu: float
    min_hours: float  # analytic lower bound on transit: distance / max speed + minimum dwells and services
    # the itinerary's first service through ice (-1: none) and the hours from booking a late box allows for before
    # it leaves; with ``season_refuse`` (policy 'refuse') a booking is refused when that service could not leave
    # then; route choice reads them to price availability by month
    season_service: int = -1
    season_shift_h: float = 0.0
    season_refuse: bool = False
    # reroutes: (start_h, end_h, itinerary index or -1 to drop) for bookings in a closure window
    reroutes: tuple[tuple[float, float, int], ...] = ()
    # a delivered box is sent back empty on itinerary ``empty_return`` with probability ``empty_share`` (the part
    # of this direction's boxes that the opposite flow does not reuse); -1: never
    empty_return: int = -1
    empty_share: float = 0.0
    accepts: int = ALL_CLASSES  # bit mask of the handling classes every service and facility on it takes


@dataclass(frozen=True)
class Flow:
    """Demand: bookings from origin to destination split over itineraries, with commodities and sizes."""

    name: str
    teu_per_year: float
    month_factor: tuple[float, ...]
    itineraries: tuple[int, ...]
    itinerary_shares: tuple[float, ...]
    commodities: tuple[int, ...]
    commodity_shares: tuple[float, ...]
    sizes_teu: tuple[int, ...]
    size_shares: tuple[float, ...]
    # chosen routes: share of each itinerary by commodity (position in ``commodities``) and booking month,
    # shape (commodities, 12, itineraries); None: ``itinerary_shares`` for every booking (fixed shares)
    share_table: np.ndarray | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Trial:
    """A dedicated consignment on a fixed departure (a trial run or pilot): booked at ``created_h`` on
    ``itinerary``; it needs no fill wait (a dedicated vehicle leaves at once on when-full and fleet services;
    on timetabled services it boards the next departure first) and has priority at facilities (no queue)."""

    name: str
    created_h: float
    itinerary: int
    teu: int
    commodity: int


@dataclass(frozen=True)
class CompiledModel:
    """Everything one replication needs."""

    horizon_h: float
    warmup_h: float
    start_month: int  # month (1-12) at t = 0
    start_day_of_month: int
    month_at_day: np.ndarray  # month index 0-11 for each simulated day
    services: tuple[CompiledService, ...]
    facilities: tuple[CompiledFacility, ...]
    convoys: tuple[CompiledConvoy, ...]
    escorts: tuple[CompiledEscort, ...]
    itineraries: tuple[Itinerary, ...]
    flows: tuple[Flow, ...]
    commodity_names: tuple[str, ...]
    commodity_value_usd_per_teu: tuple[float, ...]
    commodity_time_value_per_day: tuple[float, ...] = ()  # share of the cargo value a day in transit is worth
    commodity_class: tuple[int, ...] = ()  # handling class of each commodity (GENERAL when empty)
    holds: tuple[tuple[float, float], ...] = ()  # disruption windows referenced by HOLD chunks
    snapshot_interval_h: float = 24.0
    drain_h: float = 0.0  # after the horizon no booking is made; the run goes on at most this long to deliver
    fleets: tuple[CompiledFleet, ...] = ()
    trials: tuple[Trial, ...] = ()
    ice: CompiledIce | None = None

    @property
    def end_h(self) -> float:
        """The latest time the run can reach: the horizon plus the drain."""
        return self.horizon_h + self.drain_h
