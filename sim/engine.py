"""One replication of one scenario variant on SimPy.

Consignments ride services over legs and queue at facilities. The engine reads only the precomputed
``CompiledModel`` (arrays and small tuples): no graph queries, pandas or geometry per event. It records when
each step of each consignment ended into flat arrays; the event log, costs and facility and service monitors
are derived from them after the run.

SimPy's environment is the scheduler. Consignments, vehicle trips, departure schedules and the booking source
are callback-driven state machines rather than generator processes: each is its own event object (a slotted
class with SimPy's ``callbacks``/``_ok`` protocol) and is put back on SimPy's queue for its next step, so one
scheduled event costs one heap push and one callback, with no generator resume or new Event per step.
"""

from __future__ import annotations

import gc
import math
from array import array
from collections import deque
from dataclasses import dataclass
from functools import cached_property
from heapq import heappush, heapreplace

import numpy as np
import simpy

from .distributions import sampler
from .eventlog import DropReason, EventLog
from .model import (
    CHECK,
    CONVOY,
    ESCORT,
    RIDE,
    TRAVEL,
    VISIT,
    CompiledConvoy,
    CompiledFacility,
    CompiledModel,
    CompiledService,
)

__all__ = ["RunResult", "run", "generate_bookings", "Bookings"]

# plain ints in the hot loop (enum members are slower to hash, compare and convert)
SEASON_CLOSED, ROUTE_CLOSED = int(DropReason.SEASON_CLOSED), int(DropReason.ROUTE_CLOSED)
NORMAL = 1  # SimPy's priority for ordinary events
DELIVER = -1  # the step kind closing every itinerary in the engine


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


def bookings_decided(model: CompiledModel, bookings: Bookings, dropped: list[int], diverted: list[bool]) -> list[int]:
    """Apply what is decided when a booking is made, which depends only on its time and itinerary: refusal by a
    closed season (policy 'refuse'), then the first booking-level reroute window that holds it (an itinerary index,
    or -1: no route, dropped). Rewrites ``bookings.itinerary``, fills ``dropped``/``diverted``; returns the
    indices of the bookings that go ahead, in time order."""
    its = bookings.itinerary
    day = (bookings.created_h // 24.0).astype(np.int64)
    target = its.copy()
    reason = np.zeros(len(its), dtype=np.int64)
    for it in model.itineraries:
        mine = np.flatnonzero(its == it.index)
        if it.refuse is not None:
            refused = np.asarray(it.refuse)[np.minimum(day[mine], len(it.refuse) - 1)]
            reason[mine[refused]] = SEASON_CLOSED
            mine = mine[~refused]
        for a, b, alt in it.reroutes:
            t = bookings.created_h[mine]
            hit = mine[(a <= t) & (t < b)]
            if alt < 0:
                reason[hit] = ROUTE_CLOSED
            else:
                target[hit] = alt
            mine = np.setdiff1d(mine, hit)
    rerouted = np.flatnonzero((target != its) & (reason == 0))
    for cid in rerouted.tolist():
        diverted[cid] = True
    for cid in np.flatnonzero(reason).tolist():
        dropped[cid] = int(reason[cid])
    bookings.itinerary[:] = np.where(reason == 0, target, its)
    return np.flatnonzero(reason == 0).tolist()


class _Facility:
    """A first-come-first-served facility with ``servers`` parallel servers.

    Service times are drawn when a job arrives, so its start time is known at once: the earliest time a
    server is free (a heap of free times), pushed past any closure window. This is the exact FCFS c-server
    queue (the same schedule a SimPy Resource produces) at the cost of one event per visit instead of four;
    utilisation, queue lengths and waits are computed after the run from the arrival, start and end times.
    """

    __slots__ = ("free", "service", "dwell", "per_teu", "closures", "slowdowns", "plain")

    def __init__(self, spec: CompiledFacility, rng: np.random.Generator) -> None:
        self.free = [0.0] * spec.servers  # a heap of the times each server becomes free
        self.service = sampler(spec.service_h, rng)
        self.dwell = sampler(spec.dwell_h, rng) if spec.dwell_h is not None else None
        self.per_teu = spec.per_teu
        self.closures = spec.closures
        self.slowdowns = spec.slowdowns
        self.plain = not spec.closures and not spec.slowdowns  # the engine then inlines book() (keep them alike)

    def book(self, now: float, teu: float) -> tuple[float, float, float]:
        """Queue a job arriving ``now``: return (service start, service end, leave time after dwell)."""
        free = self.free
        start = free[0] if free[0] > now else now
        for a, b in self.closures:
            if a <= start < b:
                start = b
        st = self.service() * teu if self.per_teu else self.service()
        for a, b, f in self.slowdowns:
            if a <= start < b:
                st *= f
        end = start + st
        heapreplace(free, end)
        return start, end, (end + self.dwell() if self.dwell is not None else end)


def _facility_stats(spec: CompiledFacility, a: np.ndarray, s: np.ndarray, e: np.ndarray, horizon: float,
                    snapshot_t: np.ndarray) -> tuple[dict, np.ndarray, np.ndarray]:
    """Summary of one facility's jobs (arrival, start, end) over [0, horizon], and busy servers / queue length
    at each snapshot time."""
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

    __slots__ = ("spec", "used", "background")

    def __init__(self, spec: CompiledConvoy, rng: np.random.Generator, horizon_h: float) -> None:
        self.spec = spec
        n = int(horizon_h * 3 / spec.interval_h) + 8  # trips may run past the horizon
        self.background = (rng.poisson(spec.background_mean, n) if spec.background_mean > 0 else np.zeros(n, int)).tolist()
        self.used = [0] * n

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


class _Pool:
    """Identical units (icebreaker escort places, trucks) granted first come, first served."""

    __slots__ = ("free", "size", "waiting")

    def __init__(self, units: int) -> None:
        self.free = units
        self.size = units
        self.waiting: deque = deque()

    def acquire(self, need: int, grant, arg) -> None:
        """Call ``grant(arg)`` as soon as ``need`` units are free and everyone who asked earlier was served."""
        if not self.waiting and self.free >= need:
            self.free -= need
            grant(arg)
        else:
            self.waiting.append((need, grant, arg))

    def release(self, units: int) -> None:
        """Return ``units`` and serve waiting requests in order."""
        self.free += units
        waiting = self.waiting
        while waiting and waiting[0][0] <= self.free:
            need, grant, arg = waiting.popleft()
            self.free -= need
            grant(arg)


# The state machines below are their own SimPy events: step() pops (time, priority, id, event), calls each of
# event.callbacks with the event and then checks event._ok. Callback lists are shared (step never mutates them).
class _Consignment:
    """A consignment in flight; scheduled as its own event when a facility visit ends."""

    __slots__ = ("callbacks", "cid", "base", "si", "steps", "teu")
    _ok = True


class _Trip:
    """One vehicle trip over a service path; scheduled as its own event at the end of each chunk."""

    __slots__ = ("callbacks", "service", "chunks", "ci", "load", "speed", "path_ix", "held", "trucks")
    _ok = True


class _Wake:
    """A plain timer for the booking source and when-full deadlines."""

    __slots__ = ("callbacks", "owner", "tag")
    _ok = True


WHEN_FULL, SCHEDULED, FLEET = "when_full", "scheduled", "fleet"


def run(model: CompiledModel, rng: np.random.Generator, bookings: Bookings | None = None) -> RunResult:
    """Simulate one replication of ``model`` with ``rng`` until the horizon; see RunResult.

    A facility visit is one event; a ride costs no event per consignment (the vehicle's chunks are the events
    and its arrival advances every consignment it carries).

    Python's cyclic GC is paused for the whole call: the run allocates ~10^5 short-lived objects that it would
    rescan for nothing. Everything the run leaves behind (its closures form a few reference cycles) therefore
    sits in the youngest GC generation, and ``gc.collect(0)`` frees it cheaply, however big the calling process.
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(model, rng, bookings)
    finally:
        if gc_was_enabled:
            gc.enable()


def _run(model: CompiledModel, rng: np.random.Generator, bookings: Bookings | None) -> RunResult:
    if bookings is None:
        bookings = generate_bookings(model, rng)
    bookings = Bookings(**{k: v.copy() for k, v in bookings.__dict__.items()})
    booked_itinerary = bookings.itinerary.copy()
    env = simpy.Environment()
    queue = env._queue  # SimPy's event heap of (time, priority, id, event) and its id counter
    eid = env._eid
    n = len(bookings.created_h)
    ms = max((len(it.steps) for it in model.itineraries), default=1)
    nan = float("nan")
    # flat per (consignment, step) records: step end; service start (visits) or departure (rides);
    # service end before dwell (visits); index of the path ridden (rides)
    # (array.array: stores cost a little more than list stores, but the arrays reach numpy without a copy)
    step_end = array("d", [nan]) * (n * ms)
    step_mark = array("d", [nan]) * (n * ms)
    service_end = array("d", [nan]) * (n * ms)
    ride_path = array("q", [-1]) * (n * ms)
    delivered = array("d", [nan]) * n
    dropped = [0] * n
    diverted = [False] * n
    departures = array("d")  # service index, time, load TEU, capacity TEU per vehicle departure
    checks: list[tuple[float, float, float, int]] = []  # vehicle inspections: arrival, start, end, facility

    facilities = [_Facility(f, rng) for f in model.facilities]
    convoys = [_Convoy(c, rng, model.horizon_h) for c in model.convoys]
    convoy_transit = [sampler(c.transit_h, rng) for c in model.convoys]
    escorts = [_Pool(e.icebreakers * e.convoy_size) for e in model.escorts]
    escort_speed = [sampler(e.speed_kmh, rng) for e in model.escorts]
    escort_pickup = [sampler(e.pickup_wait_h, rng) for e in model.escorts]
    month_at_day = model.month_at_day.tolist()
    last_day = len(month_at_day) - 1
    holds = model.holds
    horizon = model.horizon_h
    # every (service, path) pair gets an index; ride costs and CO2 are summed per consignment after the run
    path_cost: list[float] = []
    path_co2: list[float] = []
    path_fees: list[float] = []
    path_rerouted: list[bool] = []

    def path_index(svc: CompiledService, path, rerouted: bool) -> int:
        path_cost.append(svc.freight_usd_per_teu + svc.freight_usd_per_teu_km * path.km)
        path_co2.append(path.co2_kg_per_teu)
        path_fees.append(path.fees_usd_per_teu)
        path_rerouted.append(rerouted)
        return len(path_cost) - 1

    # ----- consignments --------------------------------------------------------------------------------------
    def advance(c: _Consignment) -> None:
        """End step ``c.si`` of consignment ``c`` now and start the next one (or deliver the consignment).

        A new consignment starts at step -1. This is also the callback that ends a facility visit.
        """
        si = c.si
        now = env._now
        if si >= 0:
            step_end[c.base + si] = now
        si += 1
        c.si = si
        kind, target = c.steps[si]
        if kind == VISIT:
            if target.plain:  # _Facility.book without closures or slowdowns, inlined: 4% of a run (measured A/B)
                free = target.free
                start = free[0] if free[0] > now else now
                end = start + (target.service() * c.teu if target.per_teu else target.service())
                heapreplace(free, end)
                leave = end if target.dwell is None else end + target.dwell()
            else:
                start, end, leave = target.book(now, c.teu)
            k = c.base + si
            step_mark[k] = start
            service_end[k] = end
            c.callbacks = visited_cb
            heappush(queue, (leave, NORMAL, next(eid), c))
        elif kind == RIDE:
            target.enqueue(c)
        else:  # the end of the itinerary
            delivered[c.cid] = now

    visited_cb = [advance]

    # ----- vehicle trips -------------------------------------------------------------------------------------
    def start_trip(service, load: list, path, path_ix: int, trucks: int) -> None:
        tr = _Trip()
        tr.service = service
        tr.chunks = path.chunks
        tr.ci = 0
        tr.load = load
        tr.speed = service.speed()
        tr.path_ix = path_ix
        tr.held = None
        tr.trucks = trucks
        trip_step(tr)

    def trip_step(tr: _Trip) -> None:
        """Run the trip's next chunk (schedule its end), or finish the trip."""
        if tr.held is not None:
            tr.held.release(1)
            tr.held = None
        chunks = tr.chunks
        i = tr.ci
        now = env._now
        while i < len(chunks):
            ch = chunks[i]
            i += 1
            kind = ch.kind
            if kind == ESCORT:
                needed = tr.service.escort_needed
                d = int(now // 24.0)
                if needed is not None and needed[d if d < len(needed) else len(needed) - 1]:
                    tr.ci = i
                    escorts[ch.ref].acquire(1, escort_granted, tr)
                    return
                kind = TRAVEL  # no escort needed today: sail it like open water
            if kind == TRAVEL:
                d = int(now // 24.0)
                delay = ch.km / (tr.speed * tr.service.msf[month_at_day[d if d <= last_day else last_day]] * ch.speed_factor)
            elif kind == CONVOY:
                delay = convoys[ch.ref].next_departure(now) - now + convoy_transit[ch.ref]()
            elif kind == CHECK:
                start, end, leave = facilities[ch.ref].book(now, 1.0)
                checks.append((now, start, end, ch.ref))
                delay = leave - now
            else:  # HOLD
                a, b = holds[ch.ref]
                if not a <= now < b:
                    continue
                delay = b - now
            tr.ci = i
            tr.callbacks = trip_cb
            heappush(queue, (now + delay, NORMAL, next(eid), tr))
            return
        p = tr.path_ix
        for c in tr.load:
            ride_path[c.base + c.si] = p
            advance(c)
        if tr.trucks:
            tr.callbacks = trucks_back_cb
            heappush(queue, (now + tr.service.return_h, NORMAL, next(eid), tr))

    def escort_granted(tr: _Trip) -> None:
        ch = tr.chunks[tr.ci - 1]
        tr.held = escorts[ch.ref]
        tr.callbacks = trip_cb
        heappush(queue, (env._now + escort_pickup[ch.ref]() + ch.km / escort_speed[ch.ref](), NORMAL, next(eid), tr))

    def trucks_back(tr: _Trip) -> None:
        tr.service.fleet.release(tr.trucks)

    trip_cb = [trip_step]
    trucks_back_cb = [trucks_back]

    # ----- services ------------------------------------------------------------------------------------------
    class _Service:
        """One direction of a service; scheduled as its own event for timetabled departures."""

        __slots__ = ("callbacks", "index", "kind", "queue", "queued_teu", "batch", "speed", "fleet", "cap", "fill",
                     "max_wait", "ok", "msf", "escort_needed", "path", "path_ix", "reroutes", "next_t", "headway",
                     "return_h")
        _ok = True

        def __init__(self, svc: CompiledService) -> None:
            self.index = svc.index
            self.kind = svc.departure
            self.queue: list[_Consignment] = []
            self.queued_teu = 0.0
            self.batch = 0
            self.speed = sampler(svc.speed_kmh, rng)
            self.fleet = _Pool(svc.vehicles) if svc.departure == FLEET else None
            self.cap = svc.capacity_teu
            self.fill = svc.fill_teu
            self.max_wait = svc.max_wait_h
            self.ok = svc.departure_ok.tolist() if svc.departure_ok is not None else None
            self.msf = svc.month_speed_factor
            self.escort_needed = svc.escort_needed.tolist() if svc.escort_needed is not None else None
            self.path = svc.path
            self.path_ix = path_index(svc, svc.path, False)
            self.reroutes = [(d, alt, svc.reroute_offsets_h[d], path_index(svc, alt, True)) for d, alt in svc.reroutes.items()]
            self.next_t = svc.offset_h
            self.headway = svc.headway_h
            self.return_h = svc.return_h

        def enqueue(self, c: _Consignment) -> None:
            if self.fleet is not None:
                need = min(max(1, math.ceil(c.teu / self.cap)), self.fleet.size)
                self.fleet.acquire(need, haul, (self, c, need))
                return
            self.queue.append(c)
            self.queued_teu += c.teu
            if self.kind == WHEN_FULL:
                if self.queued_teu >= self.fill:
                    self.depart()
                elif len(self.queue) == 1:  # a new batch starts waiting: it leaves full or at its deadline
                    self.batch += 1
                    self.set_deadline()

        def set_deadline(self) -> None:
            w = _Wake()
            w.callbacks = deadline_cb
            w.owner = self
            w.tag = self.batch
            heappush(queue, (env._now + self.max_wait, NORMAL, next(eid), w))

        def choose_path(self, now: float):
            for d, alt, offset, p in self.reroutes:
                a, b = holds[d]
                if a <= now + offset < b:
                    return alt, p
            return self.path, self.path_ix

        def depart(self) -> None:
            now = env._now
            ok = self.ok
            if ok is not None:
                d = int(now // 24.0)
                if d >= len(ok) or not ok[d]:
                    return  # the seasonal leg is closed for this departure: cargo waits for the next one
            cap = self.cap
            if self.queued_teu <= cap:
                load, keep, used = self.queue, [], self.queued_teu
            else:
                load, keep, used = [], [], 0
                for c in self.queue:  # first fit in booking order
                    if used + c.teu <= cap:
                        load.append(c)
                        used += c.teu
                    else:
                        keep.append(c)
            self.queue = keep
            self.queued_teu -= used
            if self.kind == WHEN_FULL:
                self.batch += 1
                if keep:
                    self.set_deadline()
            if not load:
                return
            departures.extend((self.index, now, used, cap))
            for c in load:
                step_mark[c.base + c.si] = now
            path, p = self.choose_path(now)
            start_trip(self, load, path, p, 0)

    def deadline(w: _Wake) -> None:
        s = w.owner
        if w.tag == s.batch and s.queue:
            s.depart()

    def tick(s: _Service) -> None:
        if s.queue:
            s.depart()
        s.next_t += s.headway
        if s.next_t < horizon:
            s.callbacks = tick_cb
            heappush(queue, (s.next_t, NORMAL, next(eid), s))

    def haul(arg) -> None:
        s, c, need = arg
        now = env._now
        per = c.teu / need
        for _ in range(need):
            departures.extend((s.index, now, per, s.cap))
        step_mark[c.base + c.si] = now
        path, p = s.choose_path(now)
        start_trip(s, [c], path, p, need)

    deadline_cb = [deadline]
    tick_cb = [tick]
    services = [_Service(s) for s in model.services]
    for s in services:
        if s.kind == SCHEDULED and s.next_t < horizon:
            s.callbacks = tick_cb
            heappush(queue, (s.next_t, NORMAL, next(eid), s))

    # ----- bookings ------------------------------------------------------------------------------------------
    itineraries = model.itineraries
    # (kind, facility or service) per step, closed by a (DELIVER, None) sentinel
    steps_of = [(*((st.kind, facilities[st.ref] if st.kind == VISIT else services[st.ref]) for st in it.steps),
                 (DELIVER, None)) for it in itineraries]

    live = bookings_decided(model, bookings, dropped, diverted)
    created = bookings.created_h.tolist()
    its = bookings.itinerary.tolist()
    teus = bookings.teu.tolist()

    def source(w: _Wake) -> None:
        """Start every booking made now (one event per booking time), then wait for the next."""
        j = w.tag
        now = env._now
        while j < len(live) and created[live[j]] <= now:
            cid = live[j]
            c = _Consignment()
            c.cid = cid
            c.base = cid * ms
            c.si = -1
            c.steps = steps_of[its[cid]]
            c.teu = teus[cid]
            advance(c)
            j += 1
        if j < len(live):
            w.tag = j
            w.callbacks = source_cb
            heappush(queue, (created[live[j]], NORMAL, next(eid), w))

    source_cb = [source]
    if live:
        w = _Wake()
        w.callbacks = source_cb
        w.tag = 0
        heappush(queue, (created[live[0]], NORMAL, next(eid), w))

    env.run(until=horizon)
    events = next(eid)  # SimPy numbers every scheduled event; the next id is the count so far
    return _collect(model, bookings, booked_itinerary, ms, step_end, step_mark, service_end, ride_path, delivered,
                    dropped, diverted, departures, checks, (path_cost, path_co2, path_fees, path_rerouted), events)


def _collect(model: CompiledModel, bookings: Bookings, booked_itinerary: np.ndarray, ms: int, step_end: array,
             step_mark: array, service_end: array, ride_path: array, delivered: array, dropped: list, diverted: list,
             departures: array, checks: list, paths: tuple, events: int) -> RunResult:
    """Turn the run's flat records into the RunResult arrays, costs and monitors."""
    n = len(bookings.created_h)
    horizon = model.horizon_h
    its = model.itineraries
    step_kind = np.full((max(len(its), 1), ms), -1, dtype=np.int64)
    step_ref = np.full((max(len(its), 1), ms), -1, dtype=np.int64)
    step_cost = np.zeros((max(len(its), 1), ms))
    for it in its:
        for k, st in enumerate(it.steps):
            step_kind[it.index, k] = st.kind
            step_ref[it.index, k] = st.ref
            if st.kind == VISIT:
                step_cost[it.index, k] = model.facilities[st.ref].cost_usd_per_teu
    end_arr = np.frombuffer(step_end, dtype=np.float64).reshape(n, ms)
    mark_arr = np.frombuffer(step_mark, dtype=np.float64).reshape(n, ms)
    teu = bookings.teu
    itin = bookings.itinerary
    dropped_arr = np.asarray(dropped, dtype=np.int8)

    # ride costs: index -1 (no ride) picks the appended zero
    rp = np.frombuffer(ride_path, dtype=np.int64).reshape(n, ms)
    cost, co2, fees, rerouted = (np.asarray([*p, 0]) for p in paths)
    freight_usd = cost[rp].sum(axis=1) * teu
    co2_kg = co2[rp].sum(axis=1) * teu
    fees_usd = fees[rp].sum(axis=1) * teu
    diverted_arr = np.asarray(diverted, dtype=bool) | rerouted.astype(bool)[rp].any(axis=1)

    # facility jobs: consignment visits (arrival = end of the previous step, or the booking) and vehicle checks
    kinds = step_kind[itin]
    arrival = np.column_stack([bookings.created_h, end_arr[:, :-1]])
    visit = (kinds == VISIT) & ~np.isnan(mark_arr)
    chk = np.asarray(checks, dtype=np.float64).reshape(-1, 4)
    job_a = np.concatenate([arrival[visit], chk[:, 0]])
    job_s = np.concatenate([mark_arr[visit], chk[:, 1]])
    job_e = np.concatenate([np.frombuffer(service_end, dtype=np.float64).reshape(n, ms)[visit], chk[:, 2]])
    job_f = np.concatenate([step_ref[itin][visit], chk[:, 3].astype(np.int64)])
    order = np.argsort(job_f, kind="stable")
    bounds = np.searchsorted(job_f[order], np.arange(len(model.facilities) + 1))
    snap_t = np.arange(0.0, horizon + 1e-9, model.snapshot_interval_h)
    facility_stats, busy_cols, queue_cols = [], [], []
    for f in model.facilities:
        sel = order[bounds[f.index]:bounds[f.index + 1]]
        st, busy_t, queue_t = _facility_stats(f, job_a[sel], job_s[sel], job_e[sel], horizon, snap_t)
        facility_stats.append(st)
        busy_cols.append(busy_t)
        queue_cols.append(queue_t)

    dep = np.frombuffer(departures, dtype=np.float64).reshape(-1, 4)
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
    delivered_arr = np.frombuffer(delivered, dtype=np.float64)
    nf = len(model.facilities)
    return RunResult(
        bookings=bookings,
        delivered_h=delivered_arr,
        dropped=dropped_arr,
        step_end_h=end_arr,
        freight_usd=freight_usd,
        handling_usd=(~np.isnan(end_arr) * step_cost[itin]).sum(axis=1) * teu,
        fees_usd=fees_usd,
        co2_kg=co2_kg,
        diverted=diverted_arr,
        event_log=EventLog(bookings.created_h, booked_itinerary, itin, dropped_arr, delivered_arr, step_kind, step_ref,
                           end_arr, mark_arr),
        facility_stats=facility_stats,
        service_stats=service_stats,
        departures=dep,
        snapshots={
            "time_h": snap_t,
            "busy": np.asarray(busy_cols, dtype=np.int32).reshape(nf, len(snap_t)).T,
            "queue": np.asarray(queue_cols, dtype=np.int32).reshape(nf, len(snap_t)).T,
        },
        events_processed=events,
        horizon_h=horizon,
    )
