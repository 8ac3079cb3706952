"""After the run: turn the flat records into the replication's result arrays, costs, facility and service
monitors (numpy over whole arrays; nothing here runs per event)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..model import EMPTY, VISIT, CompiledFacility, CompiledModel
from .bookings import Bookings
from .capacity import FacilityQueue
from .eventlog import EventLog
from .records import PathTable, Records

__all__ = ["RunResult", "collect", "facility_stats"]


@dataclass
class RunResult:
    """What one replication produced."""

    bookings: Bookings
    delivered_h: np.ndarray  # NaN while in transit or dropped
    dropped: np.ndarray  # DropReason per consignment
    step_end_h: np.ndarray  # (consignments, max steps) time each step ended, NaN if not reached
    freight_usd: np.ndarray
    handling_usd: np.ndarray
    fees_usd: np.ndarray
    co2_kg: np.ndarray
    diverted: np.ndarray  # True when a vehicle carrying the consignment took a reroute path
    event_log: EventLog
    facility_stats: list[dict]
    service_stats: list[dict]
    departures: np.ndarray  # rows: service index, time_h, load_teu, capacity_teu
    snapshots: dict[str, np.ndarray]
    events_processed: int
    horizon_h: float  # bookings stop here; facility statistics cover [0, horizon]
    end_h: float  # when the run stopped: everything delivered, or the drain cap reached
    empty_of: np.ndarray  # per consignment: the loaded consignment whose box it returns empty (-1: not an empty)
    # per service: whether a ship leaving on each simulated day gets through the ice (None: not seasonal)
    departure_open: tuple[list[bool] | None, ...] = ()

    @cached_property
    def log(self) -> dict[str, np.ndarray]:
        """The event log as time-ordered column arrays (built on first use)."""
        return self.event_log.to_arrays(self.end_h)


def facility_stats(spec: CompiledFacility, a: np.ndarray, s: np.ndarray, e: np.ndarray, horizon: float,
                   snapshot_t: np.ndarray) -> tuple[dict, np.ndarray, np.ndarray]:
    """Summary of one facility's jobs (arrival, start, end) over [0, horizon], and busy servers / queue length at
    each snapshot time."""
    inside = a < horizon
    waits = (s - a)[inside]
    busy_area = float(np.clip(np.minimum(e, horizon) - np.minimum(s, horizon), 0, None).sum())
    queue_area = float(np.clip(np.minimum(s, horizon) - np.minimum(a, horizon), 0, None).sum())
    sa, ss, se = np.sort(a), np.sort(s), np.sort(e)
    # queue just after each arrival = arrivals so far - starts so far
    if len(sa):
        q_after = np.arange(1, len(sa) + 1) - np.searchsorted(ss, sa, side="right")
        max_queue = int(q_after[sa < horizon].max(initial=0))
    else:
        max_queue = 0
    busy_t = np.searchsorted(ss, snapshot_t, side="right") - np.searchsorted(se, snapshot_t, side="right")
    queue_t = np.searchsorted(sa, snapshot_t, side="right") - np.searchsorted(ss, snapshot_t, side="right")
    return {
        "facility": spec.id,
        "node": spec.node,
        "kind": spec.kind,
        "servers": spec.servers + spec.priority_servers,
        "jobs": int(inside.sum()),
        "utilisation": busy_area / ((spec.servers + spec.priority_servers) * horizon),
        "mean_queue": queue_area / horizon,
        "wait_h_mean": float(waits.mean()) if len(waits) else 0.0,
        "wait_h_p95": float(np.percentile(waits, 95)) if len(waits) else 0.0,
        "max_queue": max_queue,
    }, busy_t, queue_t


def _step_tables(model: CompiledModel, ms: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per itinerary and step: kind (-1 pads), facility or service index, and handling cost per TEU."""
    rows = max(len(model.itineraries), 1)
    kind = np.full((rows, ms), -1, dtype=np.int64)
    ref = np.full((rows, ms), -1, dtype=np.int64)
    cost = np.zeros((rows, ms))
    for it in model.itineraries:
        for k, st in enumerate(it.steps):
            kind[it.index, k] = st.kind
            ref[it.index, k] = st.ref
            if st.kind == VISIT:
                cost[it.index, k] = model.facilities[st.ref].cost_usd_per_teu
    return kind, ref, cost


def _facility_monitors(model: CompiledModel, bookings: Bookings, rec: Records, rows: np.ndarray,
                       queues: list[FacilityQueue], step_kind: np.ndarray, step_ref: np.ndarray, end: np.ndarray,
                       mark: np.ndarray) -> tuple[list[dict], dict[str, np.ndarray]]:
    """Facility statistics and daily snapshots from consignment visits (arrival = end of the previous step, or
    the booking), vehicle inspections and the other traffic's jobs."""
    ms = end.shape[1]
    horizon = model.horizon_h
    itin = bookings.itinerary
    arrival = np.column_stack([bookings.created_h, end[:, :-1]])
    visit = (step_kind[itin] == VISIT) & ~np.isnan(mark)
    chk = np.asarray(rec.checks, dtype=np.float64).reshape(-1, 4)
    service_end = np.frombuffer(rec.service_end, dtype=np.float64).reshape(-1, ms)[rows]
    bg = [(q.bg_times[:q.bg_next], np.frombuffer(q.bg_start, dtype=np.float64),
           np.frombuffer(q.bg_end, dtype=np.float64), np.full(q.bg_next, f)) for f, q in enumerate(queues)]
    job_a = np.concatenate([arrival[visit], chk[:, 0], *(b[0] for b in bg)])
    job_s = np.concatenate([mark[visit], chk[:, 1], *(b[1] for b in bg)])
    job_e = np.concatenate([service_end[visit], chk[:, 2], *(b[2] for b in bg)])
    job_f = np.concatenate([step_ref[itin][visit], chk[:, 3].astype(np.int64), *(b[3].astype(np.int64) for b in bg)])
    order = np.argsort(job_f, kind="stable")
    bounds = np.searchsorted(job_f[order], np.arange(len(model.facilities) + 1))
    snap_t = np.arange(0.0, horizon + 1e-9, model.snapshot_interval_h)
    stats, busy_cols, queue_cols = [], [], []
    for f in model.facilities:
        sel = order[bounds[f.index]:bounds[f.index + 1]]
        st, busy_t, queue_t = facility_stats(f, job_a[sel], job_s[sel], job_e[sel], horizon, snap_t)
        stats.append(st)
        busy_cols.append(busy_t)
        queue_cols.append(queue_t)
    nf = len(model.facilities)
    return stats, {
        "time_h": snap_t,
        "busy": np.asarray(busy_cols, dtype=np.int32).reshape(nf, len(snap_t)).T,
        "queue": np.asarray(queue_cols, dtype=np.int32).reshape(nf, len(snap_t)).T,
    }


def _service_stats(model: CompiledModel, dep: np.ndarray) -> list[dict]:
    out = []
    for s in model.services:
        mask = dep[:, 0] == s.index
        out.append({
            "service": s.id,
            "direction": s.direction,
            "departures": int(mask.sum()),
            "teu": float(dep[mask, 2].sum()),
            "mean_load_factor": float((dep[mask, 2] / dep[mask, 3]).mean()) if mask.any() else 0.0,
        })
    return out


def _with_empties(model: CompiledModel, bookings: Bookings, booked_itinerary: np.ndarray, rec: Records
                  ) -> tuple[Bookings, np.ndarray, np.ndarray, np.ndarray]:
    """The bookings followed by the empties the run sent back; their record rows; the itinerary each row booked;
    and for each row the loaded consignment an empty returns (-1 for bookings)."""
    n = rec.booked
    sent = np.flatnonzero(~np.isnan(np.frombuffer(rec.empty_created, dtype=np.float64))) if len(rec.empty_created) \
        else np.zeros(0, dtype=np.int64)
    if not len(sent):
        return bookings, np.arange(n), booked_itinerary, np.full(n, -1)
    back = np.asarray([it.empty_return for it in model.itineraries], dtype=np.int64)[bookings.itinerary[sent]]
    empties = Bookings(np.frombuffer(rec.empty_created, dtype=np.float64)[sent], back, bookings.commodity[sent],
                       bookings.teu[sent], np.zeros(len(sent)), bookings.flow[sent], np.full(len(sent), EMPTY))
    combined = Bookings(*(np.concatenate([a, b]) for a, b in zip(bookings.columns(), empties.columns(), strict=True)))
    return (combined, np.concatenate([np.arange(n), n + sent]), np.concatenate([booked_itinerary, back]),
            np.concatenate([np.full(n, -1), sent]))


def collect(model: CompiledModel, bookings: Bookings, booked_itinerary: np.ndarray, rec: Records,
            paths: PathTable, queues: list[FacilityQueue], events: int, end_h: float) -> RunResult:
    """The run's records as a RunResult: per-consignment costs and CO2, monitors, the event log."""
    for q in queues:
        q.other_traffic(model.horizon_h)  # other traffic up to the horizon counts in the statistics
    bookings, rows, booked_itinerary, empty_of = _with_empties(model, bookings, booked_itinerary, rec)
    ms = rec.steps
    step_kind, step_ref, step_cost = _step_tables(model, ms)
    end = np.frombuffer(rec.step_end, dtype=np.float64).reshape(-1, ms)[rows]
    mark = np.frombuffer(rec.step_mark, dtype=np.float64).reshape(-1, ms)[rows]
    teu = bookings.teu
    itin = bookings.itinerary
    dropped = np.concatenate([np.asarray(rec.dropped, dtype=np.int8), np.zeros(len(rows) - rec.booked, np.int8)])
    diverted = np.concatenate([np.asarray(rec.diverted, dtype=bool), np.zeros(len(rows) - rec.booked, bool)])
    # ride costs: index -1 (no ride) picks the appended zero
    rp = np.frombuffer(rec.ride_path, dtype=np.int64).reshape(-1, ms)[rows]
    cost, co2, fees, rerouted, empty_cost, empty_co2 = (
        np.asarray([*p, 0]) for p in (paths.cost, paths.co2, paths.fees, paths.rerouted, paths.empty_cost,
                                      paths.empty_co2))
    # one gather per table from a (loaded, empty) pair of rows, picking the empty row for empty boxes
    empty = (bookings.kind == EMPTY).astype(np.int64)[:, None]
    cost, co2, fees = (np.stack([x, e])[empty, rp] for x, e in ((cost, empty_cost), (co2, empty_co2),
                                                                (fees, np.zeros_like(fees))))
    stats, snapshots = _facility_monitors(model, bookings, rec, rows, queues, step_kind, step_ref, end, mark)
    dep = np.frombuffer(rec.departures, dtype=np.float64).reshape(-1, 4)
    delivered = np.frombuffer(rec.delivered, dtype=np.float64)[rows]
    return RunResult(
        bookings=bookings,
        delivered_h=delivered,
        dropped=dropped,
        step_end_h=end,
        freight_usd=cost.sum(axis=1) * teu,
        handling_usd=(~np.isnan(end) * step_cost[itin]).sum(axis=1) * teu,
        fees_usd=fees.sum(axis=1) * teu,
        co2_kg=co2.sum(axis=1) * teu,
        diverted=diverted | rerouted.astype(bool)[rp].any(axis=1),
        event_log=EventLog(bookings.created_h, booked_itinerary, itin, dropped, delivered, step_kind, step_ref, end,
                           mark),
        facility_stats=stats,
        service_stats=_service_stats(model, dep),
        departures=dep,
        snapshots=snapshots,
        events_processed=events,
        horizon_h=model.horizon_h,
        end_h=end_h,
        empty_of=empty_of,
    )
