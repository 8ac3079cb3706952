"""Demand for one replication: bookings drawn before the run, decisions made at booking time, and the source
that starts each consignment when its booking time comes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..model import LOADED, TRIAL, CompiledModel
from .clock import Callbacks, Clock, Wakeup
from .consignments import Consignments
from .eventlog import DropReason
from .records import Records

__all__ = ["Bookings", "generate_bookings", "decide_at_booking", "BookingSource"]

SEASON_CLOSED, ROUTE_CLOSED = int(DropReason.SEASON_CLOSED), int(DropReason.ROUTE_CLOSED)


@dataclass
class Bookings:
    """Demand for one replication, sorted by creation time: drawn bookings and trials (``kind`` LOADED or TRIAL).
    After a run, the result's bookings also hold the empty boxes sent back (``kind`` EMPTY, ``flow`` and
    ``commodity`` of the load they carried, value 0)."""

    created_h: np.ndarray
    itinerary: np.ndarray
    commodity: np.ndarray
    teu: np.ndarray
    value_usd: np.ndarray
    flow: np.ndarray  # the demand flow (-1 for trials)
    kind: np.ndarray  # LOADED, EMPTY or TRIAL

    def copy(self) -> Bookings:
        """An independent copy (the run rewrites ``itinerary`` for rerouted bookings)."""
        return Bookings(*(a.copy() for a in self.columns()))

    def columns(self) -> tuple[np.ndarray, ...]:
        return (self.created_h, self.itinerary, self.commodity, self.teu, self.value_usd, self.flow, self.kind)

    def take(self, index: np.ndarray) -> Bookings:
        """The rows ``index`` (an index array or mask)."""
        return Bookings(*(a[index] for a in self.columns()))


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
        times.append((day_of + rng.random(n)) * 24.0)
        if flow.share_table is None:
            itin.append(rng.choice(np.asarray(flow.itineraries), size=n, p=np.asarray(flow.itinerary_shares)))
            comm.append(rng.choice(np.asarray(flow.commodities), size=n, p=np.asarray(flow.commodity_shares)))
        else:
            kinds, routes = _chosen(flow, model.month_at_day[day_of], rng)
            itin.append(routes)
            comm.append(kinds)
        teu.append(rng.choice(np.asarray(flow.sizes_teu), size=n, p=np.asarray(flow.size_shares)))
        flow_ix.append(np.full(n, fi))
    for trial in model.trials:
        times.append(np.asarray([trial.created_h]))
        itin.append(np.asarray([trial.itinerary]))
        comm.append(np.asarray([trial.commodity]))
        teu.append(np.asarray([trial.teu]))
        flow_ix.append(np.asarray([-1]))
    if not times:
        z = np.zeros(0)
        zi = np.zeros(0, dtype=np.int64)
        return Bookings(z, zi, zi, zi, z, zi, zi)
    t = np.concatenate(times)
    flows = np.concatenate(flow_ix)
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
        flow=flows[order][mask],
        kind=np.where(flows[order][mask] < 0, TRIAL, LOADED),
    )


def _chosen(flow, months: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Commodity and itinerary of each booking of a flow whose routes are chosen: the commodity first, then the
    itinerary from the share table of that commodity and booking month. The draws do not depend on the shares
    (one uniform number per booking), so iterations with other shares keep common random numbers."""
    n = len(months)
    u = rng.random(n)
    local = rng.choice(len(flow.commodities), size=n, p=np.asarray(flow.commodity_shares))
    cumulative = np.cumsum(flow.share_table, axis=2)[local, months]  # (bookings, itineraries)
    pick = np.minimum((u[:, None] * cumulative[:, -1:] >= cumulative).sum(axis=1), len(flow.itineraries) - 1)
    return np.asarray(flow.commodities)[local], np.asarray(flow.itineraries)[pick]


def decide_at_booking(model: CompiledModel, bookings: Bookings, rec: Records,
                      departure_ok: Sequence[list[bool] | None]) -> list[int]:
    """Apply what is decided when a booking is made, which depends only on its time and itinerary: refusal when
    the itinerary's seasonal service could not leave by the time the cargo reaches it (policy 'refuse';
    ``departure_ok`` per service and day, this replication's ice), then the first booking-level reroute window
    that holds it (an itinerary index, or -1: no route, dropped). Rewrites ``bookings.itinerary``, fills
    ``rec.dropped``/``rec.diverted``; returns the indices of the bookings that go ahead, in time order."""
    its = bookings.itinerary
    target = its.copy()
    reason = np.zeros(len(its), dtype=np.int64)
    for it in model.itineraries:
        mine = np.flatnonzero(its == it.index)
        ok = departure_ok[it.season_service] if it.season_service >= 0 and it.season_refuse else None
        if ok is not None:
            reach = ((bookings.created_h[mine] + it.season_shift_h) // 24.0).astype(np.int64)
            refused = ~np.asarray(ok)[np.minimum(reach, len(ok) - 1)]
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
    for cid in np.flatnonzero((target != its) & (reason == 0)).tolist():
        rec.diverted[cid] = True
    for cid in np.flatnonzero(reason).tolist():
        rec.dropped[cid] = int(reason[cid])
    bookings.itinerary[:] = np.where(reason == 0, target, its)
    return np.flatnonzero(reason == 0).tolist()


class BookingSource(Wakeup):
    """Starts every booking that goes ahead at its time (one event per booking time), in booking order."""

    __slots__ = ("clock", "consignments", "live", "created", "itinerary", "teu", "trial", "cls", "next")

    def __init__(self, clock: Clock, consignments: Consignments, bookings: Bookings, live: list[int],
                 commodity_class: Sequence[int] = ()) -> None:
        self.clock = clock
        self.consignments = consignments
        self.live = live  # booking indices that go ahead, in time order
        self.created: list[float] = bookings.created_h.tolist()
        self.itinerary: list[int] = bookings.itinerary.tolist()
        self.teu: list[float] = bookings.teu.tolist()
        self.trial: list[bool] = (bookings.kind == TRIAL).tolist()
        classes = np.asarray(commodity_class, dtype=np.int64)
        self.cls: list[int] = (classes[bookings.commodity] if len(classes) else
                               np.zeros(len(bookings.commodity), dtype=np.int64)).tolist()
        self.next = 0
        if live:
            clock.at(self.created[live[0]], self, WAKE)

    def wake(self) -> None:
        """SimPy callback: start the bookings due now, then sleep until the next booking time."""
        live, created, start = self.live, self.created, self.consignments.start
        now = self.t
        j = self.next
        while j < len(live) and created[live[j]] <= now:
            cid = live[j]
            start(cid, self.itinerary[cid], self.teu[cid], now, self.trial[cid], self.cls[cid])
            j += 1
        if j < len(live):
            self.next = j
            self.clock.at(created[live[j]], self, WAKE)


WAKE: Callbacks = [BookingSource.wake]
