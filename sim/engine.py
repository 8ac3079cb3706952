"""One replication of one scenario variant on SimPy.

Consignments ride services over legs and queue at facilities. The engine reads only the precomputed
``CompiledModel`` (arrays and small tuples): no graph queries, pandas or geometry per event. It returns an
append-only event log, per-consignment records and facility/service monitors.
"""

from __future__ import annotations

import gc
import heapq
import math
from collections import deque
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import simpy

from .distributions import Sampler
from .eventlog import DropReason, EventKind, EventLog
from .model import (
    CHECK,
    CONVOY,
    ESCORT,
    HOLD,
    TRAVEL,
    VISIT,
    CompiledConvoy,
    CompiledFacility,
    CompiledModel,
    CompiledService,
    ServicePath,
)

__all__ = ["RunResult", "run", "generate_bookings", "Bookings"]

# plain ints in the hot loop (enum members are slower to hash, compare and convert)
CREATED, QUEUE, START, END = int(EventKind.CREATED), int(EventKind.QUEUE), int(EventKind.START), int(EventKind.END)
BOARD_WAIT, DEPART, ARRIVE = int(EventKind.BOARD_WAIT), int(EventKind.DEPART), int(EventKind.ARRIVE)
DELIVERED, DROPPED = int(EventKind.DELIVERED), int(EventKind.DROPPED)
SEASON_CLOSED, ROUTE_CLOSED = int(DropReason.SEASON_CLOSED), int(DropReason.ROUTE_CLOSED)


@dataclass
class Bookings:
    """Pre-drawn demand for one replication, sorted by creation time."""

    created_h: np.ndarray
    itinerary: np.ndarray
    commodity: np.ndarray
    teu: np.ndarray
    value_usd: np.ndarray
    flow: np.ndarray


def generate_bookings(model: CompiledModel, rng: np.random.Generator) -> Bookings:
    """Poisson bookings per flow with monthly seasonality (piecewise-constant rate by calendar month)."""
    days = len(model.month_at_day)
    times, itin, comm, teu, flow_ix = [], [], [], [], []
    for fi, flow in enumerate(model.flows):
        mean_size = float(np.dot(flow.sizes_teu, flow.size_shares))
        per_hour = flow.teu_per_year / mean_size / (365.0 * 24.0)
        factors = np.asarray(flow.month_factor)[model.month_at_day]  # per simulated day
        counts = rng.poisson(per_hour * 24.0 * factors)
        n = int(counts.sum())
        if n == 0:
            continue
        day_of = np.repeat(np.arange(days), counts)
        t = (day_of + rng.random(n)) * 24.0
        times.append(t)
        itin.append(rng.choice(np.asarray(flow.itineraries), size=n, p=np.asarray(flow.itinerary_shares)))
        comm.append(rng.choice(np.asarray(flow.commodities), size=n, p=np.asarray(flow.commodity_shares)))
        teu.append(rng.choice(np.asarray(flow.sizes_teu), size=n, p=np.asarray(flow.size_shares)))
        flow_ix.append(np.full(n, fi))
    if not times:
        z = np.zeros(0)
        zi = np.zeros(0, dtype=np.int64)
        return Bookings(z, zi, zi, zi, z, zi)
    t = np.concatenate(times)
    order = np.argsort(t, kind="stable")
    commodity = np.concatenate(comm)[order]
    teu_arr = np.concatenate(teu)[order]
    values = np.asarray(model.commodity_value_usd_per_teu)[commodity] * teu_arr
    mask = t[order] < model.horizon_h
    return Bookings(
        created_h=t[order][mask],
        itinerary=np.concatenate(itin)[order][mask],
        commodity=commodity[mask],
        teu=teu_arr[mask],
        value_usd=values[mask],
        flow=np.concatenate(flow_ix)[order][mask],
    )


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
    horizon_h: float

    @cached_property
    def log(self) -> dict[str, np.ndarray]:
        """The event log as time-ordered column arrays (built on first use; rows after the horizon dropped)."""
        return self.event_log.to_arrays(self.horizon_h)


class _Facility:
    """A first-come-first-served facility with ``servers`` parallel servers.

    Service times are drawn when a job arrives, so its start time is known at once: the earliest time a
    server is free (a heap of free times), pushed past any closure window. This is the exact FCFS c-server
    queue (the same schedule a SimPy Resource produces) at the cost of one event per visit instead of four;
    utilisation, queue lengths and waits are computed afterwards from the arrival, start and end times.
    """

    __slots__ = ("spec", "free", "sample", "dwell", "arrivals", "starts", "ends", "closures", "slowdowns", "per_teu")

    def __init__(self, spec: CompiledFacility, rng: np.random.Generator) -> None:
        self.spec = spec
        self.free = [0.0] * spec.servers  # a heap of the times each server becomes free
        self.sample = Sampler(spec.service_h, rng)
        self.dwell = Sampler(spec.dwell_h, rng) if spec.dwell_h is not None else None
        self.arrivals: list[float] = []
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.closures = spec.closures
        self.slowdowns = spec.slowdowns
        self.per_teu = spec.per_teu

    def book(self, now: float, teu: float) -> tuple[float, float, float]:
        """Queue a job arriving ``now``: return (service start, service end, leave time after dwell)."""
        free = self.free
        start = free[0] if free[0] > now else now
        for a, b in self.closures:
            if a <= start < b:
                start = b
        st = self.sample() * (teu if self.per_teu else 1.0)
        for a, b, f in self.slowdowns:
            if a <= start < b:
                st *= f
        end = start + st
        heapq.heapreplace(free, end)
        self.arrivals.append(now)
        self.starts.append(start)
        self.ends.append(end)
        leave = end + self.dwell() if self.dwell is not None else end
        return start, end, leave

    def stats(self, horizon: float, snapshot_t: np.ndarray) -> tuple[dict, np.ndarray, np.ndarray]:
        """Summary over [0, horizon] and busy servers / queue length at each snapshot time."""
        a = np.asarray(self.arrivals)
        s = np.asarray(self.starts)
        e = np.asarray(self.ends)
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
        spec = self.spec
        return {
            "facility": spec.id,
            "node": spec.node,
            "kind": spec.kind,
            "servers": spec.servers,
            "jobs": int(inside.sum()),
            "utilisation": busy_area / (spec.servers * horizon),
            "mean_queue": queue_area / horizon,
            "wait_h_mean": float(waits.mean()) if len(waits) else 0.0,
            "wait_h_p95": float(np.percentile(waits, 95)) if len(waits) else 0.0,
            "max_queue": max_queue,
        }, busy_t, queue_t


class _Convoy:
    """Canal convoys with limited slots shared with background traffic drawn per convoy."""

    __slots__ = ("spec", "used", "background", "rng")

    def __init__(self, spec: CompiledConvoy, rng: np.random.Generator, horizon_h: float) -> None:
        self.spec = spec
        n = int(horizon_h * 3 / spec.interval_h) + 8  # trips may run past the horizon
        self.background = rng.poisson(spec.background_mean, n) if spec.background_mean > 0 else np.zeros(n, int)
        self.used = np.zeros(n, dtype=np.int64)
        self.rng = rng

    def next_departure(self, now: float) -> float:
        """Book the first convoy at or after ``now`` with a free slot; return its departure time."""
        s = self.spec
        k = max(0, math.ceil((now - s.first_h) / s.interval_h))
        while k < len(self.used):
            if self.background[k] + self.used[k] < s.slots:
                self.used[k] += 1
                return s.first_h + k * s.interval_h
            k += 1
        return s.first_h + k * s.interval_h


def run(model: CompiledModel, rng: np.random.Generator, bookings: Bookings | None = None) -> RunResult:
    """Simulate one replication of ``model`` with ``rng`` until the horizon; see RunResult.

    Consignments are state machines advanced by callbacks rather than SimPy processes: a facility visit is one
    timeout, a ride costs no event of its own (the vehicle's arrival advances every consignment it carries).
    """
    if bookings is None:
        bookings = generate_bookings(model, rng)
    bookings = Bookings(**{k: v.copy() for k, v in bookings.__dict__.items()})
    env = simpy.Environment()
    log = EventLog()
    append = log.rows.append
    visit = log.visits.append
    n = len(bookings.created_h)
    max_steps = max((len(it.steps) for it in model.itineraries), default=1)
    nan = float("nan")
    step_end = [nan] * (n * max_steps)
    delivered = [nan] * n
    dropped = [0] * n
    freight = [0.0] * n
    fees = [0.0] * n
    co2 = [0.0] * n
    diverted = [False] * n
    departures: list[tuple[int, float, float, float]] = []

    facilities = [_Facility(f, rng) for f in model.facilities]
    convoys = [_Convoy(c, rng, model.horizon_h) for c in model.convoys]
    escorts = [simpy.Resource(env, capacity=e.icebreakers * e.convoy_size) for e in model.escorts]
    escort_speed = [Sampler(e.speed_kmh, rng) for e in model.escorts]
    escort_pickup = [Sampler(e.pickup_wait_h, rng) for e in model.escorts]
    convoy_transit = [Sampler(c.transit_h, rng) for c in model.convoys]
    month_at_day = model.month_at_day.tolist()
    last_day = len(month_at_day) - 1
    holds = model.holds
    teu_of = bookings.teu.tolist()
    steps_of = [tuple((st.kind, st.ref) for st in it.steps) for it in model.itineraries]
    cost_of = [f.cost_usd_per_teu for f in model.facilities]
    # handling cost per step of each itinerary (0 for rides), charged for every visit completed
    step_cost = np.zeros((len(model.itineraries), max_steps))
    for it in model.itineraries:
        for k, st in enumerate(it.steps):
            if st.kind == VISIT:
                step_cost[it.index, k] = cost_of[st.ref]
    plan_of = [0] * n  # itinerary steps per consignment
    Timeout = simpy.Timeout

    def month_now() -> int:
        d = int(env.now // 24.0)
        return month_at_day[d if d <= last_day else last_day]

    # ----- consignments --------------------------------------------------------------------------------------
    def advance(cid: int, si: int) -> None:
        """Move consignment ``cid`` into step ``si`` at the current time."""
        steps = plan_of[cid]
        now = env.now
        if si == len(steps):
            delivered[cid] = now
            append((now, DELIVERED, cid, -1, -1))
            return
        kind, ref = steps[si]
        if kind == VISIT:
            start, _, leave = facilities[ref].book(now, teu_of[cid])
            visit((now, start, leave, cid, si, ref))
            ev = Timeout(env, leave - now)
            ev.cid = cid  # SimPy events carry no slots: the callback reads the consignment from the event
            ev.si = si
            ev.callbacks.append(_visited)
        else:
            services[ref].enqueue(cid, si)

    def _visited(ev) -> None:
        cid, si = ev.cid, ev.si
        step_end[cid * max_steps + si] = ev.env._now
        advance(cid, si + 1)

    def arrived(cid: int, si: int) -> None:
        step_end[cid * max_steps + si] = env.now
        advance(cid, si + 1)

    # ----- vehicle trips -------------------------------------------------------------------------------------
    def trip(svc: CompiledService, path: ServicePath, load: list, speed: float, was_diverted: bool):
        sx = svc.index
        msf = svc.month_speed_factor
        for ch in path.chunks:
            kind = ch.kind
            if kind == TRAVEL:
                yield Timeout(env, ch.km / (speed * msf[month_now()] * ch.speed_factor))
            elif kind == CONVOY:
                leave = convoys[ch.ref].next_departure(env.now)
                yield Timeout(env, leave - env.now + convoy_transit[ch.ref]())
            elif kind == ESCORT:
                needed = svc.escort_needed
                d = int(env.now // 24.0)
                if needed is not None and needed[min(d, len(needed) - 1)]:
                    res = escorts[ch.ref]
                    req = res.request()
                    yield req
                    yield Timeout(env, escort_pickup[ch.ref]() + ch.km / escort_speed[ch.ref]())
                    res.release(req)
                else:
                    yield Timeout(env, ch.km / (speed * msf[month_now()] * ch.speed_factor))
            elif kind == CHECK:
                leave = facilities[ch.ref].book(env.now, 1.0)[2]
                yield Timeout(env, leave - env.now)
            elif kind == HOLD:
                a, b = holds[ch.ref]
                if a <= env.now < b:
                    yield Timeout(env, b - env.now)
        now = env.now
        var = svc.freight_usd_per_teu + svc.freight_usd_per_teu_km * path.km
        path_co2, path_fees = path.co2_kg_per_teu, path.fees_usd_per_teu
        for cid, si in load:
            t = teu_of[cid]
            freight[cid] += var * t
            co2[cid] += path_co2 * t
            fees[cid] += path_fees * t
            if was_diverted:
                diverted[cid] = True
            append((now, ARRIVE, cid, si, sx))
            arrived(cid, si)

    def choose_path(svc: CompiledService) -> tuple[ServicePath, bool]:
        now = env.now
        for d, alt in svc.reroutes.items():
            a, b = holds[d]
            if a <= now + svc.reroute_offsets_h[d] < b:
                return alt, True
        return svc.path, False

    class _Service:
        __slots__ = ("svc", "queue", "queued_teu", "batch", "speed", "trucks", "kind")

        def __init__(self, svc: CompiledService) -> None:
            self.svc = svc
            self.kind = svc.departure
            self.queue: deque = deque()
            self.queued_teu = 0.0
            self.batch = 0
            self.speed = Sampler(svc.speed_kmh, rng)
            self.trucks = simpy.Container(env, capacity=svc.vehicles, init=svc.vehicles) if svc.departure == "fleet" else None

        def enqueue(self, cid: int, si: int) -> None:
            svc = self.svc
            append((env.now, BOARD_WAIT, cid, si, svc.index))
            if self.kind == "fleet":
                env.process(self.haul(cid, si))
                return
            self.queue.append((cid, si))
            self.queued_teu += teu_of[cid]
            if self.kind == "when_full":
                if self.queued_teu >= svc.fill_teu:
                    self.depart()
                elif len(self.queue) == 1:  # a new batch starts waiting: it leaves full or at its deadline
                    self.batch += 1
                    env.process(self.deadline(self.batch, env.now + svc.max_wait_h))

        def deadline(self, batch: int, at: float):
            yield Timeout(env, max(0.0, at - env.now))
            if batch == self.batch and self.queue:
                self.depart()

        def schedule(self):
            svc = self.svc
            t = svc.offset_h
            while t < model.horizon_h:
                if t > env.now:
                    yield Timeout(env, t - env.now)
                if self.queue:
                    self.depart()
                t += svc.headway_h

        def depart(self) -> None:
            svc = self.svc
            ok = svc.departure_ok
            if ok is not None:
                d = int(env.now // 24.0)
                if d >= len(ok) or not ok[d]:
                    return  # the seasonal leg is closed for this departure: cargo waits for the next one
            cap = svc.capacity_teu
            load, keep, used = [], deque(), 0.0
            for item in self.queue:  # first fit in booking order
                t = teu_of[item[0]]
                if used + t <= cap:
                    load.append(item)
                    used += t
                else:
                    keep.append(item)
            self.queue = keep
            self.queued_teu -= used
            if self.kind == "when_full":
                self.batch += 1
                if keep:
                    env.process(self.deadline(self.batch, env.now + svc.max_wait_h))
            if not load:
                return
            now = env.now
            departures.append((svc.index, now, used, cap))
            for cid, si in load:
                append((now, DEPART, cid, si, svc.index))
            path, div = choose_path(svc)
            env.process(trip(svc, path, load, self.speed(), div))

        def haul(self, cid: int, si: int):
            svc = self.svc
            n_trucks = max(1, math.ceil(teu_of[cid] / svc.capacity_teu))
            yield self.trucks.get(n_trucks)
            now = env.now
            for _ in range(n_trucks):
                departures.append((svc.index, now, teu_of[cid] / n_trucks, svc.capacity_teu))
            append((now, DEPART, cid, si, svc.index))
            path, div = choose_path(svc)
            yield env.process(trip(svc, path, [(cid, si)], self.speed(), div))
            yield Timeout(env, svc.return_h)
            self.trucks.put(n_trucks)

    services = [_Service(s) for s in model.services]
    for s in services:
        if s.kind == "scheduled":
            env.process(s.schedule())

    itineraries = model.itineraries

    def source():
        created = bookings.created_h.tolist()
        its = bookings.itinerary.tolist()
        for cid in range(n):
            t = created[cid]
            if t > env.now:
                yield Timeout(env, t - env.now)
            it_index = its[cid]
            it = itineraries[it_index]
            append((t, CREATED, cid, -1, it_index))
            if it.refuse is not None:
                d = int(t // 24.0)
                if it.refuse[min(d, len(it.refuse) - 1)]:
                    dropped[cid] = SEASON_CLOSED
                    append((t, DROPPED, cid, -1, SEASON_CLOSED))
                    continue
            target = it_index
            for a, b, alt in it.reroutes:
                if a <= t < b:
                    target = alt
                    break
            if target < 0:
                dropped[cid] = ROUTE_CLOSED
                append((t, DROPPED, cid, -1, ROUTE_CLOSED))
                continue
            if target != it_index:
                diverted[cid] = True
                bookings.itinerary[cid] = target
            plan_of[cid] = steps_of[target]
            advance(cid, 0)

    env.process(source())
    # The log holds ~10^6 tuples; Python's cyclic GC would rescan them again and again (no cycles are made).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        env.run(until=model.horizon_h)
    finally:
        if gc_was_enabled:
            gc.enable()
    events = next(env._eid)  # SimPy numbers every scheduled event; the next id is the count so far

    horizon = model.horizon_h
    snap_t = np.arange(0.0, horizon + 1e-9, model.snapshot_interval_h)
    facility_stats = []
    busy_cols, queue_cols = [], []
    for f in facilities:
        st, busy_t, queue_t = f.stats(horizon, snap_t)
        facility_stats.append(st)
        busy_cols.append(busy_t)
        queue_cols.append(queue_t)
    dep = np.asarray(departures, dtype=np.float64).reshape(-1, 4)
    step_end_arr = np.asarray(step_end).reshape(n, max_steps)
    service_stats = []
    for s in model.services:
        mask = dep[:, 0] == s.index
        service_stats.append({
            "service": s.id,
            "direction": s.direction,
            "departures": int(mask.sum()),
            "teu": float(dep[mask, 2].sum()),
            "mean_load_factor": float((dep[mask, 2] / dep[mask, 3]).mean()) if mask.any() else 0.0,
        })
    return RunResult(
        bookings=bookings,
        delivered_h=np.asarray(delivered),
        dropped=np.asarray(dropped, dtype=np.int8),
        step_end_h=step_end_arr,
        freight_usd=np.asarray(freight),
        handling_usd=(~np.isnan(step_end_arr) * step_cost[bookings.itinerary]).sum(axis=1) * bookings.teu,
        fees_usd=np.asarray(fees),
        co2_kg=np.asarray(co2),
        diverted=np.asarray(diverted, dtype=bool),
        event_log=log,
        facility_stats=facility_stats,
        service_stats=service_stats,
        departures=dep,
        snapshots={
            "time_h": snap_t,
            "busy": np.asarray(busy_cols, dtype=np.int32).reshape(len(facilities), len(snap_t)).T,
            "queue": np.asarray(queue_cols, dtype=np.int32).reshape(len(facilities), len(snap_t)).T,
        },
        events_processed=events,
        horizon_h=horizon,
    )
