"""Tidy results: per-replication route summaries, streaming aggregation over replications, comparison
against the baseline with 95% confidence intervals, facility tables and the shipments table.

Summaries are small (a few numbers per route and facility), so memory stays flat as replications grow;
shipments are written replication by replication by the caller.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .engine import RunResult
from .engine.eventlog import DropReason
from .model import CompiledModel

__all__ = [
    "SUMMARY_COLUMNS", "FACILITY_COLUMNS", "SERVICE_COLUMNS", "RouteCosts", "summarise_replication", "Aggregator",
    "shipments_table",
]

SUMMARY_COLUMNS = (
    "variant", "route", "direction", "is_baseline", "replications", "teu_created", "teu_delivered",
    "teu_in_transit", "teu_dropped", "transit_days_mean", "transit_days_p05", "transit_days_p50",
    "transit_days_p95", "cost_usd_per_teu", "co2_kg_per_teu", "on_time_share", "delta_days_p50_vs_baseline",
    "delta_days_ci_low", "delta_days_ci_high", "delta_cost_usd_per_teu_vs_baseline", "distance_km",
    "diverted_share",
)
SERVICE_COLUMNS = ("variant", "service", "direction", "replications", "departures", "teu", "mean_load_factor")
FACILITY_COLUMNS = (
    "variant", "facility", "node", "kind", "servers", "replications", "jobs", "utilisation", "mean_queue",
    "wait_h_mean", "wait_h_p95", "max_queue",
)
METRICS = ("teu_created", "teu_delivered", "teu_in_transit", "teu_dropped", "transit_days_mean", "transit_days_p05",
           "transit_days_p50", "transit_days_p95", "cost_usd_per_teu", "co2_kg_per_teu", "on_time_share",
           "diverted_share")


@dataclass(frozen=True)
class RouteCosts:
    """Rates applied after the run: holding cost and empty repositioning."""

    holding_rate_per_year: float
    empty_reposition_usd_per_teu: float
    empty_reposition_co2_kg_per_teu: float
    on_time_days: float


def summarise_replication(result: RunResult, model: CompiledModel, itinerary_routes: Sequence[str],
                          rates: RouteCosts) -> dict[str, dict]:
    """Per route key (``itinerary_routes`` gives each itinerary's): TEU counts, transit-time statistics, cost and
    CO2 per delivered TEU, on-time share.

    Bookings made during the warm-up are excluded. Cost per TEU = (freight + handling + fees + inventory
    holding) per delivered TEU + the route's share of empty repositioning (the heavier direction of each route
    pays for returning the imbalance empty).
    """
    b = result.bookings
    keep = b.created_h >= model.warmup_h
    keys = list(dict.fromkeys(itinerary_routes))
    route_of = np.asarray([keys.index(r) for r in itinerary_routes], dtype=np.int64)[b.itinerary]
    transit = (result.delivered_h - b.created_h) / 24.0
    delivered = ~np.isnan(result.delivered_h)
    dropped = result.dropped != DropReason.NONE
    teu = b.teu.astype(float)
    holding = b.value_usd * np.nan_to_num(transit) * rates.holding_rate_per_year / 365.0
    direct = result.freight_usd + result.handling_usd + result.fees_usd + holding
    out: dict[str, dict] = {}
    created_by_route: dict[str, float] = {}
    for code, key in enumerate(keys):
        m = keep & (route_of == code)
        d = m & delivered
        t = transit[d]
        teu_d = float(teu[d].sum())
        created_by_route[key] = float(teu[m].sum())
        out[key] = {
            "teu_created": float(teu[m].sum()),
            "teu_delivered": teu_d,
            "teu_in_transit": float(teu[m & ~delivered & ~dropped].sum()),
            "teu_dropped": float(teu[m & dropped].sum()),
            "transit_days_mean": float(np.average(t, weights=teu[d])) if teu_d else math.nan,
            "transit_days_p05": float(np.percentile(t, 5)) if len(t) else math.nan,
            "transit_days_p50": float(np.percentile(t, 50)) if len(t) else math.nan,
            "transit_days_p95": float(np.percentile(t, 95)) if len(t) else math.nan,
            "cost_usd_per_teu": float(direct[d].sum() / teu_d) if teu_d else math.nan,
            "co2_kg_per_teu": float(result.co2_kg[d].sum() / teu_d) if teu_d else math.nan,
            "on_time_share": (float(teu[d][t <= rates.on_time_days].sum() / teu[m & ~dropped].sum())
                              if teu[m & ~dropped].sum() else math.nan),
            "diverted_share": float(teu[m & result.diverted].sum() / teu[m].sum()) if teu[m].sum() else 0.0,
        }
    for key, s in out.items():
        rid = key.split(":")[0]
        other = f"{rid}:reverse" if key == rid else rid
        here, there = created_by_route.get(key, 0.0), created_by_route.get(other, 0.0)
        if here > there and s["teu_delivered"] > 0:
            empties = (here - there) / here  # empty TEU to return per loaded TEU
            s["cost_usd_per_teu"] += empties * rates.empty_reposition_usd_per_teu
            s["co2_kg_per_teu"] += empties * rates.empty_reposition_co2_kg_per_teu
    return out


def _t_interval(values: list[float]) -> tuple[float, float, float]:
    arr = np.asarray([v for v in values if not math.isnan(v)])
    if len(arr) == 0:
        return math.nan, math.nan, math.nan
    mean = float(arr.mean())
    if len(arr) < 2:
        return mean, math.nan, math.nan
    from scipy import stats  # imported here: scipy.stats takes most of a second to import

    half = float(stats.t.ppf(0.975, len(arr) - 1) * arr.std(ddof=1) / math.sqrt(len(arr)))
    return mean, mean - half, mean + half


@dataclass
class Aggregator:
    """Collects per-replication summaries (in replication order) and builds the output tables."""

    baseline: str
    route_km: dict[str, float]
    # (variant, route key) -> metric -> one value per replication
    routes: dict[tuple[str, str], dict[str, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    facilities: dict[tuple[str, str], dict] = field(default_factory=dict)
    services: dict[tuple[str, str, str], dict] = field(default_factory=dict)
    replications: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    variant_order: list[str] = field(default_factory=list)

    def add(self, variant: str, route_summary: dict[str, dict], facility_stats: list[dict],
            service_stats: Sequence[dict] = ()) -> None:
        """Fold one replication of ``variant`` in."""
        for sv in service_stats:
            acc = self.services.setdefault((variant, sv["service"], sv["direction"]),
                                           {"n": 0, "departures": 0.0, "teu": 0.0, "mean_load_factor": 0.0})
            acc["n"] += 1
            for m in ("departures", "teu", "mean_load_factor"):
                acc[m] += sv[m]
        if variant not in self.variant_order:
            self.variant_order.append(variant)
        self.replications[variant] += 1
        for key, s in route_summary.items():
            bucket = self.routes[(variant, key)]
            for metric in METRICS:
                bucket[metric].append(s[metric])
        for f in facility_stats:
            k = (variant, f["facility"])
            acc = self.facilities.setdefault(k, {"node": f["node"], "kind": f["kind"], "servers": f["servers"],
                                                 "n": 0, "jobs": 0.0, "utilisation": 0.0, "mean_queue": 0.0,
                                                 "wait_h_mean": 0.0, "wait_h_p95": 0.0, "max_queue": 0})
            acc["n"] += 1
            for m in ("jobs", "utilisation", "mean_queue", "wait_h_mean", "wait_h_p95"):
                acc[m] += f[m]
            acc["max_queue"] = max(acc["max_queue"], f["max_queue"])

    def summary_rows(self) -> list[dict]:
        """One row per variant and route key (SUMMARY_COLUMNS); means over replications and paired deltas."""
        rows = []
        for variant in self.variant_order:
            keys = [k for (v, k) in self.routes if v == variant]
            for key in keys:
                bucket = self.routes[(variant, key)]
                rid, direction = (key.split(":") + ["forward"])[:2]
                base_key = self.baseline if direction == "forward" else f"{self.baseline}:reverse"
                row = {"variant": variant, "route": rid, "direction": direction, "is_baseline": rid == self.baseline,
                       "replications": len(bucket["teu_created"])}
                for metric in METRICS:
                    vals = [v for v in bucket[metric] if not math.isnan(v)]
                    row[metric] = float(np.mean(vals)) if vals else math.nan
                base = self.routes.get((variant, base_key))
                if base is not None:
                    deltas = [a - b for a, b in zip(bucket["transit_days_p50"], base["transit_days_p50"], strict=True)]
                    mean, lo, hi = _t_interval(deltas)
                    costs = [a - b for a, b in zip(bucket["cost_usd_per_teu"], base["cost_usd_per_teu"], strict=True)]
                    cost_delta = _t_interval(costs)[0]
                else:
                    mean = lo = hi = cost_delta = math.nan
                row.update({"delta_days_p50_vs_baseline": mean, "delta_days_ci_low": lo, "delta_days_ci_high": hi,
                            "delta_cost_usd_per_teu_vs_baseline": cost_delta,
                            "distance_km": self.route_km.get(key, math.nan)})
                rows.append({c: row[c] for c in SUMMARY_COLUMNS})
        return rows

    def service_rows(self) -> list[dict]:
        """One row per variant, service and direction (SERVICE_COLUMNS), means over replications."""
        return [{"variant": v, "service": sid, "direction": d, "replications": a["n"],
                 "departures": a["departures"] / a["n"],
                 "teu": a["teu"] / a["n"], "mean_load_factor": a["mean_load_factor"] / a["n"]}
                for (v, sid, d), a in self.services.items()]

    def facility_rows(self) -> list[dict]:
        """One row per variant and facility (FACILITY_COLUMNS), averaged over replications (max of max queue)."""
        rows = []
        for (variant, fid), acc in self.facilities.items():
            n = acc["n"]
            rows.append({
                "variant": variant, "facility": fid, "node": acc["node"], "kind": acc["kind"],
                "servers": acc["servers"],
                "replications": n, "jobs": acc["jobs"] / n, "utilisation": acc["utilisation"] / n,
                "mean_queue": acc["mean_queue"] / n, "wait_h_mean": acc["wait_h_mean"] / n,
                "wait_h_p95": acc["wait_h_p95"] / n, "max_queue": acc["max_queue"],
            })
        return rows


def shipments_table(result: RunResult, model: CompiledModel, itinerary_routes: Sequence[str], variant: str,
                    replication: int, holding_rate_per_year: float, step_width: int = 0) -> pa.Table:
    """One row per consignment (``itinerary_routes`` gives each itinerary's route key) with its route, status, costs,
    CO2 and the end time of every step. ``step_width``: columns of ``step_end_h`` (NaN-padded), the same for every
    variant of a study so that one file holds them all (variants can have itineraries of different lengths)."""
    b = result.bookings
    n = len(b.created_h)
    transit = (result.delivered_h - b.created_h) / 24.0
    status = np.where(~np.isnan(result.delivered_h), "delivered",
                      np.where(result.dropped == DropReason.SEASON_CLOSED, "dropped:season_closed",
                               np.where(result.dropped == DropReason.ROUTE_CLOSED, "dropped:route_closed",
                                        "in_transit")))
    routes = np.asarray(itinerary_routes, dtype=object)[b.itinerary]
    steps = result.step_end_h
    if step_width > steps.shape[1]:
        steps = np.pad(steps, ((0, 0), (0, step_width - steps.shape[1])), constant_values=np.nan)
    step_end = pa.FixedSizeListArray.from_arrays(pa.array(steps.reshape(-1)), steps.shape[1]) if n else pa.array(
        [], pa.list_(pa.float64(), steps.shape[1]))
    holding = b.value_usd * np.nan_to_num(transit) * holding_rate_per_year / 365.0
    return pa.table({
        "variant": pa.array([variant] * n, pa.string()),
        "replication": pa.array(np.full(n, replication, dtype=np.int32)),
        "consignment": pa.array(np.arange(n, dtype=np.int32)),
        "itinerary": pa.array(b.itinerary.astype(np.int32)),
        "route": pa.array([r.split(":")[0] for r in routes], pa.string()),
        "direction": pa.array(["reverse" if r.endswith(":reverse") else "forward" for r in routes], pa.string()),
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
        "holding_usd": pa.array(holding),
        "co2_kg": pa.array(result.co2_kg),
        "step_end_h": step_end,
    })
