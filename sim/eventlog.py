"""The engine's append-only event log: fixed fields, enum event kinds, built into arrays once at the end."""

from __future__ import annotations

from enum import IntEnum
from itertools import chain

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


class EventLog:
    """Rows of (time_h, kind, consignment, step, entity). ``entity`` is a facility or service index (-1: none)."""

    __slots__ = ("rows", "visits")

    def __init__(self) -> None:
        self.rows: list[tuple[float, int, int, int, int]] = []
        # facility visits as (arrival, start, leave, consignment, step, facility): one record in the hot loop,
        # expanded into QUEUE, START and END rows when the arrays are built
        self.visits: list[tuple[float, float, float, int, int, int]] = []

    def __len__(self) -> int:
        return len(self.rows) + 3 * len(self.visits)

    def to_arrays(self, until_h: float = np.inf) -> dict[str, np.ndarray]:
        """Column arrays sorted by time (stable, so simultaneous rows keep their order): time_h (float64),
        kind, consignment, step, entity (int32). Rows logged ahead for times after ``until_h`` are dropped."""
        flat = np.fromiter(chain.from_iterable(self.rows), dtype=np.float64, count=5 * len(self.rows))
        table = flat.reshape(-1, 5)
        if self.visits:
            v = np.fromiter(chain.from_iterable(self.visits), dtype=np.float64, count=6 * len(self.visits)).reshape(-1, 6)
            ids = v[:, 3:6]
            expanded = [np.column_stack([v[:, k], np.full(len(v), float(kind)), ids])
                        for k, kind in ((0, EventKind.QUEUE), (1, EventKind.START), (2, EventKind.END))]
            table = np.vstack([table, *expanded])
        table = table[table[:, 0] <= until_h]
        table = table[np.argsort(table[:, 0], kind="stable")]
        cols = {"time_h": table[:, 0].copy()}
        for j, name in enumerate(("kind", "consignment", "step", "entity"), start=1):
            cols[name] = table[:, j].astype(np.int32)
        return cols
