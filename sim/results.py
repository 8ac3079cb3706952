"""Tidy results: per-replication route summaries (censoring-aware transit statistics, transport, time and
generalized cost, empty moves), streaming aggregation over replications and the comparison against the baseline
with 95% confidence intervals, plus facility and service tables.

Summaries are small (a few numbers per route and facility), so memory stays flat as replications grow;
shipments are written replication by replication by the caller (``shipments.py``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .costs import CostRates, consignment_costs
from .engine import RunResult
from .engine.eventlog import DropReason
from .model import LOADED, CompiledModel
from .survival import km_summary

__all__ = ["SUMMARY_COLUMNS", "FACILITY_COLUMNS", "SERVICE_COLUMNS", "summarise_replication", "Aggregator"]

# per replication and route key, averaged over replications in summary.csv
METRICS = ("teu_created", "teu_share", "teu_delivered", "teu_undelivered", "teu_dropped",
           "undelivered_share",
           "transit_days_mean", "transit_days_p05", "transit_days_p50", "transit_days_p95", "transit_trend",
           "transport_usd_per_teu", "time_cost_usd_per_teu", "generalized_cost_usd_per_teu", "co2_kg_per_teu",
           "on_time_share", "empty_teu", "empty_cost_usd_per_teu", "diverted_share")
# paired differences against the baseline route in the same replication and direction, with 95% intervals
DELTAS = (("transit_days_p50", "delta_days_p50"), ("transport_usd_per_teu", "delta_transport_usd_per_teu"),
          ("generalized_cost_usd_per_teu", "delta_generalized_usd_per_teu"))
SUMMARY_COLUMNS = (
    "variant", "route", "direction", "is_baseline", "replications", *METRICS,
    *(f"{name}_{part}" for _, name in DELTAS for part in ("vs_baseline", "ci_low", "ci_high")),
    "distance_km",
)
SERVICE_COLUMNS = ("variant", "service", "direction", "replications", "departures", "teu", "mean_load_factor")
FACILITY_COLUMNS = (
    "variant", "facility", "node", "kind", "servers", "replications", "jobs", "utilisation", "mean_queue",
    "wait_h_mean", "wait_h_p95", "max_queue",
)


def summarise_replication(result: RunResult, model: CompiledModel, itinerary_routes: Sequence[str],
                          rates: CostRates) -> dict[str, dict]:
    """Per route key (``itinerary_routes`` gives each itinerary's) for loads booked after the warm-up (not
    trials, not empties): TEU created, delivered, still in transit when the run ended (undelivered), dropped;
    Kaplan-Meier transit statistics (undelivered cargo censored at the end of the run); transport, time and
    generalized cost and CO2 per delivered TEU (with the empty moves the loads caused); on-time share of the TEU
    not dropped (undelivered counts as late); empty TEU sent back and their cost per delivered TEU."""
    b = result.bookings
    load = (b.kind == LOADED) & (b.created_h >= model.warmup_h)
    keys = list(dict.fromkeys(itinerary_routes[i] for i in _demand_itineraries(model)))
    route_of = np.asarray([keys.index(r) if r in keys else -1 for r in itinerary_routes], dtype=np.int64)[b.itinerary]
    delivered = ~np.isnan(result.delivered_h)
    dropped = result.dropped != DropReason.NONE
    days = np.where(delivered, result.delivered_h - b.created_h, result.end_h - b.created_h) / 24.0
    c = consignment_costs(result, rates)
    teu = b.teu.astype(float)
    vot = np.asarray(rates.time_value_per_day)[b.commodity] if len(b.commodity) else np.zeros(0)
    per_day = b.value_usd * vot  # what a day of each load's transit is worth to its shipper
    out = {}
    for code, key in enumerate(keys):
        m = load & (route_of == code)
        # the flows that booked on the route: their cargo mix prices every route they use alike
        flows = load & np.isin(b.flow, np.unique(b.flow[m]))
        mix_per_teu_day = float(per_day[flows].sum() / teu[flows].sum()) if teu[flows].sum() else math.nan
        out[key] = _route_summary(m, delivered, dropped, days, teu, c, result, rates, mix_per_teu_day)
        out[key]["transit_trend"] = _trend(m & ~dropped, b.created_h, days, delivered, teu, model)
        # the share of its flow's TEU booked on the route (of the flows that booked on it)
        flow_teu = float(teu[flows].sum())
        out[key]["teu_share"] = out[key]["teu_created"] / flow_teu if flow_teu else math.nan
    return out


def _demand_itineraries(model: CompiledModel) -> list[int]:
    """The itineraries loads can follow: the flows' own and the reroutes they may take, in order (empty returns
    and unused itineraries get no summary row of their own)."""
    out: list[int] = []
    todo = [i for f in model.flows for i in f.itineraries]
    while todo:
        i = todo.pop(0)
        if i not in out:
            out.append(i)
            todo.extend(alt for _, _, alt in model.itineraries[i].reroutes if alt >= 0)
    return sorted(out)


def _trend(live: np.ndarray, created: np.ndarray, days: np.ndarray, delivered: np.ndarray, teu: np.ndarray,
           model: CompiledModel) -> float:
    """Median transit of the loads booked in the last quarter of the booking period over that of the first
    quarter (Kaplan-Meier; a median not reached is the longest time seen, a lower bound). Near 1 in a steady
    state; well above 1 when queues grow through the study, so that its figures depend on its length."""
    start, end = model.warmup_h, model.horizon_h
    quarter = (end - start) / 4.0
    medians = []
    for lo, hi in ((start, start + quarter), (end - quarter, end)):
        q = live & (created >= lo) & (created < hi)
        if not q.any():
            return math.nan
        _, (p50,) = km_summary(days[q], delivered[q], teu[q], (0.5,))
        medians.append(float(days[q].max()) if math.isnan(p50) else p50)
    return medians[1] / medians[0] if medians[0] > 0 else math.nan


def _route_summary(m, delivered, dropped, days, teu, c, result: RunResult, rates: CostRates,
                   mix_per_teu_day: float) -> dict:
    d = m & delivered
    live = m & ~dropped
    teu_d = float(teu[d].sum())
    teu_live = float(teu[live].sum())

    def per_teu(values: np.ndarray) -> float:
        return float(values[d].sum() / teu_d) if teu_d else math.nan

    transport = per_teu(c.transport_usd + c.empty_usd)
    # the time cost of the flows' whole cargo mix over this route's mean transit, not of the cargo that chose
    # it: under route choice valuable cargo picks fast routes, and its own time cost would not compare routes
    # like with like (with fixed shares every route carries the same mix, and the two agree on average)
    mean, (p05, p50, p95) = km_summary(days[live], delivered[live], teu[live], (0.05, 0.50, 0.95))
    time_cost = mix_per_teu_day * mean if teu_d else math.nan  # the route's (censoring-aware) mean transit
    undelivered = float(teu[live & ~delivered].sum())
    return {
        "teu_created": float(teu[m].sum()),
        "teu_delivered": teu_d,
        "teu_undelivered": undelivered,
        "teu_dropped": float(teu[m & dropped].sum()),
        "undelivered_share": undelivered / teu_live if teu_live else math.nan,
        "transit_days_mean": mean,
        "transit_days_p05": p05,
        "transit_days_p50": p50,
        "transit_days_p95": p95,
        "transport_usd_per_teu": transport,
        "time_cost_usd_per_teu": time_cost,
        "generalized_cost_usd_per_teu": transport + time_cost,
        "co2_kg_per_teu": per_teu(c.co2_kg + c.empty_co2_kg),
        "on_time_share": (float(teu[d & (days <= rates.on_time_days)].sum() / teu_live) if teu_live else math.nan),
        # the empties sent back by loads of this route (what np.isin(empty_of, flatnonzero(m)) selects)
        "empty_teu": float(teu[(result.empty_of >= 0) & m[result.empty_of]].sum()),
        "empty_cost_usd_per_teu": per_teu(c.empty_usd),
        "diverted_share": float(teu[m & result.diverted].sum() / teu[m].sum()) if teu[m].sum() else 0.0,
    }


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
                # a flow on part of a route (<route>@<A>-<B>) is compared with the same part of the baseline
                part = rid.partition("@")[2]
                base_rid = f"{self.baseline}@{part}" if part else self.baseline
                base_key = base_rid if direction == "forward" else f"{base_rid}:reverse"
                row = {"variant": variant, "route": rid, "direction": direction, "is_baseline": rid == base_rid,
                       "replications": len(bucket["teu_created"])}
                for metric in METRICS:
                    vals = [v for v in bucket[metric] if not math.isnan(v)]
                    row[metric] = float(np.mean(vals)) if vals else math.nan
                base = self.routes.get((variant, base_key))
                for metric, name in DELTAS:
                    if base is None:
                        mean = lo = hi = math.nan
                    else:
                        diffs = [a - b for a, b in zip(bucket[metric], base[metric], strict=True)]
                        mean, lo, hi = _t_interval(diffs)
                    row.update({f"{name}_vs_baseline": mean, f"{name}_ci_low": lo, f"{name}_ci_high": hi})
                row["distance_km"] = self.route_km.get(key, math.nan)
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


