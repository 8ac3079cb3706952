"""Small hand-built engine models for queueing and capacity tests (no network, no YAML)."""

from __future__ import annotations

import numpy as np

from sim.distributions import Dist
from sim.model import (
    RIDE,
    TRAVEL,
    VISIT,
    Chunk,
    CompiledFacility,
    CompiledModel,
    CompiledService,
    Flow,
    Itinerary,
    ServicePath,
    Step,
)

HOURS_PER_YEAR = 365.0 * 24.0


def one_flow_model(horizon_h: float, days: int, itinerary: Itinerary, flow: Flow, services=(), facilities=(),
                   escorts=()) -> CompiledModel:
    """A model with one itinerary and one flow of one commodity; months of 30 days for the calendar."""
    return CompiledModel(
        horizon_h=horizon_h, warmup_h=0.0, start_month=1, start_day_of_month=1,
        month_at_day=np.asarray([(d // 30) % 12 for d in range(days)]), services=tuple(services),
        facilities=tuple(facilities), convoys=(), escorts=tuple(escorts), itineraries=(itinerary,), flows=(flow,),
        commodity_names=("c",), commodity_value_usd_per_teu=(1.0,))


def queue_model(arrival_rate_per_h: float, service_mean_h: float, servers: int, horizon_h: float) -> CompiledModel:
    """Poisson arrivals of 1-TEU jobs to one FCFS facility with exponential service (M/M/c)."""
    days = int(horizon_h // 24) + 2
    facility = CompiledFacility(0, "queue", "A", "port", servers, Dist("exponential", service_mean_h), False, None, 0.0)
    itinerary = Itinerary(0, "q", "q", "forward", (Step(VISIT, 0, "A"),), 0.0, 0.0)
    flow = Flow("f", arrival_rate_per_h * HOURS_PER_YEAR, (1.0,) * 12, (0,), (1.0,), (0,), (1.0,), (1,), (1.0,))
    return one_flow_model(horizon_h, days, itinerary, flow, facilities=(facility,))


def shuttle_model(teu_per_year: float, capacity_teu: float, headway_h: float, horizon_h: float,
                  sizes=(1, 2, 4), shares=(0.4, 0.4, 0.2)) -> CompiledModel:
    """Bookings ride one scheduled shuttle over 500 km at 25-30 km/h: a capacity-limited leg."""
    days = int(horizon_h // 24) + 400
    path = ServicePath(("l:forward",), (Chunk(TRAVEL, 500.0),), 500.0, 0.0, 0.0, frozenset())
    service = CompiledService(
        index=0, id="shuttle", direction="forward", mode="sea", origin="A", destination="B",
        capacity_teu=capacity_teu, departure="scheduled", headway_h=headway_h, offset_h=0.0, max_wait_h=0.0,
        fill_teu=capacity_teu, vehicles=0, return_h=0.0, speed_kmh=Dist("uniform", 25.0, 30.0),
        month_speed_factor=(1.0,) * 12, freight_usd_per_teu=10.0, detour_usd_per_teu_km=0.0, path=path)
    itinerary = Itinerary(0, "s", "s", "forward", (Step(RIDE, 0, "A"),), 0.0, 500.0 / 30.0)
    flow = Flow("f", teu_per_year, (1.0,) * 12, (0,), (1.0,), (0,), (1.0,), tuple(sizes), tuple(shares))
    return one_flow_model(horizon_h, days, itinerary, flow, services=(service,))


def fleet_model(trucks: int, teu_per_year: float, km: float, speed_kmh: float, return_h: float,
                horizon_h: float) -> CompiledModel:
    """Bookings of 1-2 TEU hauled by a fleet of ``trucks`` 2-TEU trucks over ``km``; a truck is back ``return_h``
    after delivering."""
    days = int(horizon_h // 24) + 400
    path = ServicePath(("road:forward",), (Chunk(TRAVEL, km),), km, 0.0, 0.0, frozenset())
    service = CompiledService(
        index=0, id="trucks", direction="forward", mode="road", origin="A", destination="B",
        capacity_teu=2.0, departure="fleet", headway_h=0.0, offset_h=0.0, max_wait_h=0.0, fill_teu=2.0,
        vehicles=trucks, return_h=return_h, speed_kmh=Dist("fixed", speed_kmh), month_speed_factor=(1.0,) * 12,
        freight_usd_per_teu=0.0, detour_usd_per_teu_km=0.0, path=path)
    itinerary = Itinerary(0, "t", "t", "forward", (Step(RIDE, 0, "A"),), 0.0, km / speed_kmh)
    flow = Flow("f", teu_per_year, (1.0,) * 12, (0,), (1.0,), (0,), (1.0,), (1, 2), (0.5, 0.5))
    return one_flow_model(horizon_h, days, itinerary, flow, services=(service,))


def escort_model(places: int, ships_per_year: float, escort_km: float, escort_kmh: float, pickup_h: float,
                 horizon_h: float) -> CompiledModel:
    """Each booking fills a 1-TEU ship that must be escorted over ``escort_km`` (``places`` ships escorted at once,
    at ``escort_kmh`` after a ``pickup_h`` wait): the escorted stretch is the whole trip."""
    from sim.model import ESCORT, CompiledEscort

    days = int(horizon_h // 24) + 400
    path = ServicePath(("ice:forward",), (Chunk(ESCORT, escort_km, 0),), escort_km, 0.0, 0.0, frozenset({"nsr"}))
    service = CompiledService(
        index=0, id="ships", direction="forward", mode="sea", origin="A", destination="B",
        capacity_teu=1.0, departure="when_full", headway_h=0.0, offset_h=0.0, max_wait_h=1.0, fill_teu=1.0,
        vehicles=0, return_h=0.0, speed_kmh=Dist("fixed", 25.0), month_speed_factor=(1.0,) * 12,
        freight_usd_per_teu=0.0, detour_usd_per_teu_km=0.0, path=path)
    escort = CompiledEscort(0, "icebreakers", places, 1, Dist("fixed", escort_kmh), Dist("fixed", pickup_h))
    itinerary = Itinerary(0, "e", "e", "forward", (Step(RIDE, 0, "A"),), 0.0, escort_km / escort_kmh)
    flow = Flow("f", ships_per_year, (1.0,) * 12, (0,), (1.0,), (0,), (1.0,), (1,), (1.0,))
    return one_flow_model(horizon_h, days, itinerary, flow, services=(service,), escorts=(escort,))
