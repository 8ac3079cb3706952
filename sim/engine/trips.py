"""Vehicle trips: a vehicle (ship, train, truck) carries its load over a service path, chunk by chunk.

A trip is one state machine woken at the end of each chunk: open travel, a canal convoy, an icebreaker-escorted
stretch, a border inspection of the vehicle, or a hold while a closure lasts. When the last chunk ends, every
consignment on board advances to its next step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from ..distributions import sampler
from ..model import CHECK, CONVOY, ESCORT, ICE, TRAVEL, Chunk, CompiledEscort, ServicePath
from .capacity import ConvoySlots, FacilityQueue, Pool
from .clock import Callbacks, Clock, Wakeup
from .consignments import Consignment, Consignments
from .fleets import Shuttle
from .ice import CLOSED, ESCORT_ACTION, IceState
from .records import Records

__all__ = ["Trip", "Trips", "Carrier"]


class Carrier(Protocol):
    """What a trip reads of the service it runs for (``services.Service``)."""

    @property
    def speed(self) -> Callable[[], float]: ...  # draws a vehicle's speed, km/h
    @property
    def msf(self) -> Sequence[float]: ...  # speed factor by month, January first
    @property
    def ice_act(self) -> list[list[int]] | None: ...  # per ice area and day: independent, escort or closed
    @property
    def ice_speed(self) -> list[Callable[[], float] | None] | None: ...  # its ships' speed draws by ice code
    @property
    def fleet(self) -> Pool | None: ...  # the units a fleet service's trips take
    @property
    def return_h(self) -> float: ...  # hours before a truck is free again after delivering
    @property
    def shuttle(self) -> Shuttle | None: ...  # the finite fleet the vehicle belongs to
    @property
    def end(self) -> int: ...  # the fleet end the vehicle left from


class Trip(Wakeup):
    """One vehicle trip over a service path; it wakes at the end of each chunk."""

    __slots__ = ("by", "service", "chunks", "ci", "load", "speed", "path_ix", "held", "trucks", "unit")

    def __init__(self, by: Trips, service: Carrier, path: ServicePath, path_ix: int, load: list[Consignment],
                 trucks: int, unit: bool) -> None:
        self.by = by
        self.service = service
        self.chunks: tuple[Chunk, ...] = path.chunks
        self.ci = 0  # the next chunk
        self.load = load
        self.speed: float = service.speed()  # this vehicle's open-water / line speed, km/h
        self.path_ix = path_ix
        self.held: Pool | None = None  # the escort pool whose place this vehicle holds
        self.trucks = trucks  # trucks this trip uses (0: not a truck service)
        self.unit = unit  # a vehicle of a finite shuttle fleet

    def chunk_done(self) -> None:
        """SimPy callback: the current chunk is over."""
        self.by.step(self, self.t)

    def back(self) -> None:
        """SimPy callback: the fleet units of this trip are back and free again."""
        self.service.fleet.release(self.trucks, self.t)  # type: ignore[union-attr]


CHUNK_DONE: Callbacks = [Trip.chunk_done]
BACK: Callbacks = [Trip.back]


class Trips:
    """Runs vehicle trips: schedules each chunk's end, books convoys, escorts and inspections."""

    __slots__ = ("clock", "consignments", "ride_path", "checks", "convoys", "escorts", "escort_speed",
                 "escort_pickup", "facilities", "holds", "month_at_day", "last_day", "ice")

    def __init__(self, clock: Clock, consignments: Consignments, rec: Records, convoys: Sequence[ConvoySlots],
                 escorts: Sequence[CompiledEscort], facilities: Sequence[FacilityQueue],
                 holds: Sequence[tuple[float, float]], month_at_day: list[int], rngs: Sequence[np.random.Generator],
                 ice: IceState | None) -> None:
        self.clock = clock
        self.consignments = consignments
        self.ride_path = rec.ride_path
        self.checks = rec.checks
        self.convoys = convoys
        self.escorts = [Pool(e.icebreakers * e.convoy_size) for e in escorts]
        streams = [r.spawn(2) for r in rngs]  # per escort (``rngs``, one each): its speed and its pickup wait
        pairs = list(zip(escorts, streams, strict=True))
        self.escort_speed: list[Callable[[], float]] = [sampler(e.speed_kmh, s[0]) for e, s in pairs]
        self.escort_pickup: list[Callable[[], float]] = [sampler(e.pickup_wait_h, s[1]) for e, s in pairs]
        self.facilities = facilities
        self.holds = holds
        self.month_at_day = month_at_day
        self.last_day = len(month_at_day) - 1
        self.ice = ice

    def start(self, service: Carrier, load: list[Consignment], path: ServicePath, path_ix: int, trucks: int,
              now: float, unit: bool) -> None:
        """A vehicle of ``service`` leaves at ``now`` with ``load`` over ``path``."""
        self.step(Trip(self, service, path, path_ix, load, trucks, unit), now)

    def step(self, tr: Trip, now: float) -> None:
        """Run the trip's next chunk (schedule its end), or finish the trip. An icebreaker escorting the ship stays
        with it into the next ice area when that area needs escort today too (one pickup per escorted stretch)."""
        if tr.held is not None and not self.escort_continues(tr, now):
            tr.held.release(1, now)
            tr.held = None
        chunks = tr.chunks
        i = tr.ci
        while i < len(chunks):
            ch = chunks[i]
            i += 1
            kind = ch.kind
            if kind == ESCORT:
                tr.ci = i
                self.escorts[ch.ref].acquire(1, self.escort_granted, tr, now)
                return
            if kind == ICE:
                if self.ice_chunk(tr, ch, i, now):
                    return
                continue
            if kind == TRAVEL:
                d = int(now // 24.0)
                month = self.month_at_day[d if d <= self.last_day else self.last_day]
                delay = ch.km / (tr.speed * tr.service.msf[month] * ch.speed_factor)
            elif kind == CONVOY:
                convoy = self.convoys[ch.ref]
                delay = convoy.next_departure(now) - now + convoy.transit()
            elif kind == CHECK:
                start, end = self.facilities[ch.ref].book(now, 1.0)
                self.checks.append((now, start, end, ch.ref))
                delay = end - now
            else:  # HOLD
                a, b = self.holds[ch.ref]
                if not a <= now < b:
                    continue
                delay = b - now
            tr.ci = i
            self.clock.at(now + delay, tr, CHUNK_DONE)
            return
        self.arrive(tr, now)

    def arrive(self, tr: Trip, now: float) -> None:
        """The vehicle reached the end of its path: unload every consignment; trucks start back, a shuttle
        vehicle turns round at this end."""
        p = tr.path_ix
        advance = self.consignments.advance
        ride_path = self.ride_path
        for c in tr.load:
            ride_path[c.base + c.si] = p
            c.t = now
            advance(c)
        if tr.trucks:
            self.clock.at(now + tr.service.return_h, tr, BACK)
        elif tr.unit:
            shuttle = tr.service.shuttle
            assert shuttle is not None
            shuttle.arrived(1 - tr.service.end, now)

    def escort_granted(self, tr: Trip, now: float) -> None:
        """An escort place is free for ``tr``: pick up and sail the escorted stretch."""
        ch = tr.chunks[tr.ci - 1]
        tr.held = self.escorts[ch.ref]
        self.clock.at(now + self.escort_pickup[ch.ref]() + ch.km / self.escort_speed[ch.ref](), tr, CHUNK_DONE)

    def ice_chunk(self, tr: Trip, ch: Chunk, i: int, now: float) -> bool:
        """Start crossing ice area ``ch.ref`` as the ship's class allows today: on its own (in ice at ice speed),
        with escort, or not yet (it waits for the next day). False when there is nothing to schedule."""
        ice = self.ice
        acts = tr.service.ice_act
        assert ice is not None and acts is not None
        d = int(now // 24.0)
        day = d if d <= self.last_day else self.last_day
        action = acts[ch.ref][day]
        if action == CLOSED:
            tr.ci = i - 1  # the same area again tomorrow
            self.clock.at((d + 1) * 24.0, tr, CHUNK_DONE)
            return True
        tr.ci = i
        if action == ESCORT_ACTION:
            if tr.held is not None:  # the icebreaker that brought it here goes on
                self.escorted(tr, now, 0.0)
            else:
                self.escorts[ice.escort].acquire(1, self.ice_escort_granted, tr, now)
            return True
        code = ice.codes[ch.ref][day]
        ice_speed = tr.service.ice_speed[code]  # type: ignore[index]
        speed = ice_speed() if ice_speed is not None else tr.speed * tr.service.msf[self.month_at_day[day]]
        self.clock.at(now + ch.km / speed, tr, CHUNK_DONE)
        return True

    def ice_escort_granted(self, tr: Trip, now: float) -> None:
        """An icebreaker is free for ``tr``: it comes to pick the ship up, then takes it through the ice area."""
        ice = self.ice
        assert ice is not None
        tr.held = self.escorts[ice.escort]
        self.escorted(tr, now, self.escort_pickup[ice.escort]())

    def escorted(self, tr: Trip, now: float, pickup_h: float) -> None:
        """``tr`` crosses its current ice area behind an icebreaker at the convoy's speed in today's ice."""
        ice = self.ice
        assert ice is not None
        ch = tr.chunks[tr.ci - 1]
        d = int(now // 24.0)
        code = ice.codes[ch.ref][d if d <= self.last_day else self.last_day]
        ice_speed = tr.service.ice_speed[code]  # type: ignore[index]
        speed = ice_speed() if ice_speed is not None else tr.speed
        self.clock.at(now + pickup_h + ch.km / speed, tr, CHUNK_DONE)

    def escort_continues(self, tr: Trip, now: float) -> bool:
        """The trip's next chunk is an ice area its ship must cross with escort today (so it keeps its place)."""
        if self.ice is None or tr.ci >= len(tr.chunks) or tr.chunks[tr.ci].kind != ICE:
            return False
        acts = tr.service.ice_act
        d = int(now // 24.0)
        return acts is not None and acts[tr.chunks[tr.ci].ref][d if d <= self.last_day else self.last_day] == \
            ESCORT_ACTION
