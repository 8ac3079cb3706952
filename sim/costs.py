"""What each consignment cost and emitted, and what a shipper's time is worth, after the run.

Transport cost (freight, handling, canal/NSR/war-risk fees) is what carriers and terminals charge; an empty box
sent back pays each service's empty rate (set by the planner: a share of the loaded freight, by mode, fees
included) and handling, with the CO2 of its tare weight, and its cost and CO2 are added to the load whose box it
returned. Time cost is the cargo value times the shipper's value of time per day
in transit (share of value per day, per commodity); generalized cost is the sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import RunResult
from .model import EMPTY

__all__ = ["CostRates", "ConsignmentCosts", "consignment_costs"]


@dataclass(frozen=True)
class CostRates:
    """Rates applied after the run."""

    on_time_days: float
    time_value_per_day: tuple[float, ...]  # per commodity: share of the cargo value a day in transit is worth


@dataclass(frozen=True)
class ConsignmentCosts:
    """Per consignment (result rows): own transport cost and CO2; for loads, also the transport cost and CO2 of
    the empty that returned their box; time cost (loads delivered, else 0)."""

    transport_usd: np.ndarray
    co2_kg: np.ndarray
    empty_usd: np.ndarray
    empty_co2_kg: np.ndarray
    time_usd: np.ndarray


def consignment_costs(result: RunResult, rates: CostRates) -> ConsignmentCosts:
    """Transport, CO2 and time cost of every consignment of ``result``."""
    b = result.bookings
    empty = b.kind == EMPTY
    transport = result.freight_usd + result.handling_usd + result.fees_usd
    n = len(transport)
    empty_usd, empty_co2 = np.zeros(n), np.zeros(n)
    sent = np.flatnonzero(result.empty_of >= 0)
    np.add.at(empty_usd, result.empty_of[sent], transport[sent])
    np.add.at(empty_co2, result.empty_of[sent], result.co2_kg[sent])
    days = np.nan_to_num((result.delivered_h - b.created_h) / 24.0)
    vot = np.asarray(rates.time_value_per_day)[b.commodity] if len(b.commodity) else np.zeros(0)
    time_usd = np.where(empty, 0.0, b.value_usd * vot * days)
    return ConsignmentCosts(transport, result.co2_kg, empty_usd, empty_co2, time_usd)
