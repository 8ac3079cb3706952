"""The discrete-event engine: one replication of a compiled variant on SimPy.

Consignments ride services over legs and queue at facilities. The engine reads only the precomputed
``CompiledModel`` (arrays and small tuples): no graph queries, pandas or geometry per event. It records when
each step of each consignment ended into flat arrays; the event log, costs and facility and service monitors
are derived from them after the run.

Modules, one concept each: ``clock`` (SimPy, and the only module touching its internals), ``bookings``
(demand and booking-time decisions), ``capacity`` (facility queues, unit pools, convoy slots), ``consignments``,
``trips`` (vehicles over a path), ``services`` (departure rules), ``records`` (what the loop writes),
``collect`` (results after the run), ``eventlog`` and ``run`` (the entry point).
"""

from .bookings import Bookings, generate_bookings
from .collect import RunResult
from .eventlog import DropReason, EventKind, EventLog
from .run import run

__all__ = ["run", "RunResult", "Bookings", "generate_bookings", "EventKind", "DropReason", "EventLog"]
