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


def queue_model(arrival_rate_per_h: float, service_mean_h: float, servers: int, horizon_h: float) -> CompiledModel:
    """Poisson arrivals of 1-TEU jobs to one FCFS facility with exponential service (M/M/c)."""
    days = int(horizon_h // 24) + 2
    facility = CompiledFacility(0, "queue", "A", "port", servers, Dist("exponential", service_mean_h), False, None, 0.0)
    itinerary = Itinerary(0, "q", "q", "forward", (Step(VISIT, 0, "A"),), 0.0, 0.0)
    flow = Flow("f", arrival_rate_per_h * HOURS_PER_YEAR, (1.0,) * 12, (0,), (1.0,), (0,), (1.0,), (1,), (1.0,))
    return CompiledModel(
        horizon_h=horizon_h, warmup_h=0.0, start_month=1, start_day_of_month=1,
        month_at_day=np.asarray([(d // 30) % 12 for d in range(days)]), services=(), facilities=(facility,),
        convoys=(), escorts=(), itineraries=(itinerary,), flows=(flow,), commodity_names=("c",),
        commodity_value_usd_per_teu=(1.0,))


def shuttle_model(teu_per_year: float, capacity_teu: float, headway_h: float, horizon_h: float,
                  sizes=(1, 2, 4), shares=(0.4, 0.4, 0.2)) -> CompiledModel:
    """Bookings ride one scheduled shuttle over 500 km at 25-30 km/h: a capacity-limited leg."""
    days = int(horizon_h // 24) + 400
    path = ServicePath(("l:forward",), (Chunk(TRAVEL, 500.0),), 500.0, 0.0, 0.0, frozenset())
    service = CompiledService(
        index=0, id="shuttle", direction="forward", mode="sea", origin="A", destination="B",
        capacity_teu=capacity_teu, departure="scheduled", headway_h=headway_h, offset_h=0.0, max_wait_h=0.0,
        fill_teu=capacity_teu, vehicles=0, return_h=0.0, speed_kmh=Dist("uniform", 25.0, 30.0),
        month_speed_factor=(1.0,) * 12, freight_usd_per_teu=10.0, freight_usd_per_teu_km=0.0, path=path)
    itinerary = Itinerary(0, "s", "s", "forward", (Step(RIDE, 0, "A"),), 0.0, 500.0 / 30.0)
    flow = Flow("f", teu_per_year, (1.0,) * 12, (0,), (1.0,), (0,), (1.0,), tuple(sizes), tuple(shares))
    return CompiledModel(
        horizon_h=horizon_h, warmup_h=0.0, start_month=1, start_day_of_month=1,
        month_at_day=np.asarray([(d // 30) % 12 for d in range(days)]), services=(service,), facilities=(),
        convoys=(), escorts=(), itineraries=(itinerary,), flows=(flow,), commodity_names=("c",),
        commodity_value_usd_per_teu=(1.0,))
