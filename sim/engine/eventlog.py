"""The engine's event log: what happened to each consignment, as time-ordered column arrays.

The hot loop records only per-step times into flat arrays (when each step ended; when a facility service
started or a vehicle departed). Every event row follows from those and the itinerary's steps, so the log is
built from them once, on demand, instead of being appended to per event.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

__all__ = ["EventKind", "DropReason", "EventLog"]


class EventKind(IntEnum):
    """What happened to a consignment (or the vehicle carrying it)."""

    CREATED = 0
    QUEUE = 1  # joined a facility queue
    START = 2  # facility service started
    END = 3  # facility service (and dwell) ended
    BOARD_WAIT = 4  # waiting for a vehicle with space
    DEPART = 5  # left on a vehicle
    ARRIVE = 6  # vehicle arrived at the end of the service
    DELIVERED = 7
    DROPPED = 8


class DropReason(IntEnum):
    """Why a consignment was refused or dropped."""

    NONE = 0
    SEASON_CLOSED = 1  # seasonal route refused the booking (policy 'refuse')
    ROUTE_CLOSED = 2  # a disruption closed the route and no reroute was possible


@dataclass
class EventLog:
    """Per-step records of one replication; ``to_arrays`` turns them into event rows.

    ``step_kind``/``step_ref`` are per itinerary (-1 pads short itineraries): the step kind (0 facility visit,
    1 service ride) and the facility or service index. ``step_end`` and ``step_mark`` are per consignment and
    step: when the step ended, and when the facility service started (visits) or the vehicle left (rides).
    """

    created_h: np.ndarray
    booked_itinerary: np.ndarray  # the itinerary booked (before any booking-level reroute)
    itinerary: np.ndarray  # the itinerary followed
    dropped: np.ndarray
    delivered_h: np.ndarray
    step_kind: np.ndarray
    step_ref: np.ndarray
    step_end: np.ndarray
    step_mark: np.ndarray

    def to_arrays(self, until_h: float = np.inf) -> dict[str, np.ndarray]:
        """Column arrays sorted by time, then consignment, then lifecycle order: time_h (float64), kind,
        consignment, step, entity (int32). ``entity`` is a facility or service index (CREATED: the itinerary
        booked; DROPPED: the DropReason; -1: none). Rows after ``until_h`` are left out."""
        n, ms = self.step_end.shape
        cid = np.arange(n)
        live = self.dropped == 0
        kinds = self.step_kind[self.itinerary] if n else np.zeros((0, ms), dtype=np.int64)
        refs = self.step_ref[self.itinerary] if n else np.zeros((0, ms), dtype=np.int64)
        arrival = (np.column_stack([np.where(live, self.created_h, np.nan), self.step_end[:, :-1]]) if n
                   else self.step_end)
        is_step = kinds >= 0
        step_ix = np.broadcast_to(np.arange(ms), (n, ms))
        cids = np.broadcast_to(cid[:, None], (n, ms))
        parts = [(self.created_h, np.full(n, EventKind.CREATED), cid, np.full(n, -1), self.booked_itinerary,
                  np.full(n, -2))]
        drop = ~live
        parts.append((self.created_h[drop], np.full(drop.sum(), EventKind.DROPPED), cid[drop], np.full(drop.sum(), -1),
                      self.dropped[drop], np.full(drop.sum(), -1)))
        # visits: QUEUE, START, END; rides: BOARD_WAIT, DEPART, ARRIVE (kind = 1 + 3 * step kind + phase)
        for phase, times in enumerate((arrival, self.step_mark, self.step_end)):
            sel = is_step & ~np.isnan(times)
            kind = 1 + 3 * kinds[sel] + phase
            parts.append((times[sel], kind, cids[sel], step_ix[sel], refs[sel], step_ix[sel] * 8 + kind))
        done = ~np.isnan(self.delivered_h)
        parts.append((self.delivered_h[done], np.full(done.sum(), EventKind.DELIVERED), cid[done],
                      np.full(done.sum(), -1),
                      np.full(done.sum(), -1), np.full(done.sum(), 8 * ms + 8)))
        time_h, kind, cons, step, entity, seq = (np.concatenate([np.asarray(p[j]) for p in parts]) for j in range(6))
        keep = time_h <= until_h
        time_h, kind, cons, step, entity, seq = (a[keep] for a in (time_h, kind, cons, step, entity, seq))
        order = np.lexsort((seq, cons, time_h))
        return {"time_h": time_h[order].astype(np.float64), "kind": kind[order].astype(np.int32),
                "consignment": cons[order].astype(np.int32), "step": step[order].astype(np.int32),
                "entity": entity[order].astype(np.int32)}
