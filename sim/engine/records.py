"""What the event loop writes: flat per-(consignment, step) records and a few append-only lists.

The hot loop stores only times and indices here; costs, CO2, facility monitors and the event log are derived
from these after the run (``collect.py``). ``array.array`` stores cost a little more than list stores, but the
arrays reach numpy without a copy.
"""

from __future__ import annotations

from array import array

from ..model import CompiledService, ServicePath

__all__ = ["Records", "PathTable"]

NAN = float("nan")


class Records:
    """Per consignment ``cid`` and step ``k`` (flat index ``cid * steps + k``): when the step ended
    (``step_end``); when the facility service started or the vehicle left (``step_mark``); when the facility
    service ended, before any cut-off or dwell (``service_end``); which service path was ridden (``ride_path``).

    Rows ``0 .. booked - 1`` are the bookings; with empty returns, row ``booked + c`` is the empty box that loaded
    consignment ``c`` sent back (``empty_created`` holds when, NaN if it was reused for a backhaul load).
    """

    __slots__ = ("steps", "booked", "step_end", "step_mark", "service_end", "ride_path", "delivered", "dropped",
                 "diverted", "departures", "checks", "empty_created")

    def __init__(self, booked: int, steps: int, empties: bool) -> None:
        consignments = booked * (2 if empties else 1)
        n = consignments * steps
        self.steps = steps
        self.booked = booked
        self.step_end = array("d", [NAN]) * n
        self.step_mark = array("d", [NAN]) * n
        self.service_end = array("d", [NAN]) * n
        self.ride_path = array("q", [-1]) * n
        self.delivered = array("d", [NAN]) * consignments
        self.dropped = [0] * booked  # DropReason per booking
        self.diverted = [False] * booked  # rerouted at booking time
        self.departures = array("d")  # service index, time, load TEU, capacity TEU per vehicle departure
        self.checks: list[tuple[float, float, float, int]] = []  # vehicle inspections: arrival, start, end, facility
        self.empty_created = array("d", [NAN]) * (booked if empties else 0)


class PathTable:
    """Every (service, path) a vehicle can take, numbered; ride costs are summed per consignment after the run."""

    __slots__ = ("cost", "co2", "fees", "rerouted", "empty_cost", "empty_co2")

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.co2: list[float] = []
        self.fees: list[float] = []
        self.rerouted: list[bool] = []
        self.empty_cost: list[float] = []  # what an empty box pays for the ride, fees included
        self.empty_co2: list[float] = []

    def add(self, svc: CompiledService, path: ServicePath, rerouted: bool) -> int:
        """Number ``path`` of ``svc`` and record its freight, CO2 and fees per TEU, loaded and empty. A reroute's
        distance surcharge applies only to the distance it adds to the normal path."""
        extra_km = max(0.0, path.km - svc.path.km)
        self.cost.append(svc.freight_usd_per_teu + svc.detour_usd_per_teu_km * extra_km)
        self.co2.append(path.co2_kg_per_teu)
        self.fees.append(path.fees_usd_per_teu)
        self.rerouted.append(rerouted)
        self.empty_cost.append(svc.empty_freight_usd_per_teu)
        self.empty_co2.append(path.co2_kg_per_teu * svc.empty_co2_share)
        return len(self.cost) - 1
