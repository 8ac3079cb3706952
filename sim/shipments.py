"""shipments.parquet: one row per consignment and replication (loads, trials and empty boxes sent back)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from .costs import CostRates, consignment_costs
from .engine import RunResult
from .engine.eventlog import DropReason
from .model import CompiledModel

__all__ = ["shipments_table", "KIND_NAMES", "STATUS_NAMES", "status_codes", "itinerary_labels"]

KIND_NAMES = ("loaded", "empty", "trial")
#: ``status`` of a consignment, by the code ``status_codes`` gives it
STATUS_NAMES = ("delivered", "dropped:season_closed", "dropped:route_closed", "in_transit")
DELIVERED, SEASON_CLOSED, ROUTE_CLOSED, IN_TRANSIT = range(4)


def status_codes(result: RunResult) -> np.ndarray:
    """Each consignment's status as an index into STATUS_NAMES: delivered, refused out of season, dropped by a
    closure, else still in transit when the run ended."""
    return np.where(~np.isnan(result.delivered_h), DELIVERED,
                    np.where(result.dropped == DropReason.SEASON_CLOSED, SEASON_CLOSED,
                             np.where(result.dropped == DropReason.ROUTE_CLOSED, ROUTE_CLOSED, IN_TRANSIT)))


def itinerary_labels(itinerary_routes: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Each itinerary's route name (its key without ``:reverse``) and whether it runs in reverse."""
    return ([r.split(":")[0] for r in itinerary_routes],
            np.asarray([r.endswith(":reverse") for r in itinerary_routes] or [False], dtype=bool))


def shipments_table(result: RunResult, model: CompiledModel, itinerary_routes: Sequence[str], variant: str,
                    replication: int, rates: CostRates, step_width: int = 0) -> pa.Table:
    """One row per consignment (``itinerary_routes`` gives each itinerary's route key) with its kind (loaded,
    empty, trial), route, status, costs, CO2 and the end time of every step. ``step_width``: columns of
    ``step_end_h`` (NaN-padded), the same for every variant of a study so that one file holds them all (variants
    can have itineraries of different lengths)."""
    b = result.bookings
    n = len(b.created_h)
    transit = (result.delivered_h - b.created_h) / 24.0
    status = np.asarray(STATUS_NAMES, dtype=object)[status_codes(result)]
    # route and direction per itinerary first, then per row (not a string split per consignment)
    names, reverse = itinerary_labels(itinerary_routes)
    route_names = np.asarray(names or [""], dtype=object)[b.itinerary]
    directions = np.where(reverse, "reverse", "forward").astype(object)[b.itinerary]
    steps = result.step_end_h
    if step_width > steps.shape[1]:
        steps = np.pad(steps, ((0, 0), (0, step_width - steps.shape[1])), constant_values=np.nan)
    step_end = pa.FixedSizeListArray.from_arrays(pa.array(steps.reshape(-1)), steps.shape[1]) if n else pa.array(
        [], pa.list_(pa.float64(), steps.shape[1]))
    costs = consignment_costs(result, rates)
    return pa.table({
        "variant": pa.array([variant] * n, pa.string()),
        "replication": pa.array(np.full(n, replication, dtype=np.int32)),
        "consignment": pa.array(np.arange(n, dtype=np.int32)),
        "kind": pa.array(np.asarray(KIND_NAMES, dtype=object)[b.kind].tolist(), pa.string()),
        "empty_of": pa.array(result.empty_of.astype(np.int32)),
        "itinerary": pa.array(b.itinerary.astype(np.int32)),
        "route": pa.array(route_names.tolist(), pa.string()),
        "direction": pa.array(directions.tolist(), pa.string()),
        "commodity": pa.array(np.asarray(model.commodity_names, dtype=object)[b.commodity].tolist(), pa.string()),
        "teu": pa.array(b.teu.astype(np.int16)),
        "value_usd": pa.array(b.value_usd),
        "created_h": pa.array(b.created_h),
        "delivered_h": pa.array(result.delivered_h),
        "transit_days": pa.array(transit),
        "status": pa.array(status.tolist(), pa.string()),
        "diverted": pa.array(result.diverted),
        "in_warmup": pa.array(b.created_h < model.warmup_h),
        "freight_usd": pa.array(result.freight_usd),
        "handling_usd": pa.array(result.handling_usd),
        "fees_usd": pa.array(result.fees_usd),
        "transport_usd": pa.array(costs.transport_usd),
        "empty_return_usd": pa.array(costs.empty_usd),
        "time_cost_usd": pa.array(costs.time_usd),
        "co2_kg": pa.array(result.co2_kg),
        "step_end_h": step_end,
    })
