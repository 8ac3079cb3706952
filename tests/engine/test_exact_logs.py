"""Exact event logs of tiny hand-checkable models, in SimPy's own style (``assert log == [...]``).

Every time below is worked out by hand from the model's fixed inputs (no random draw reaches them), so any
change to the order of events or to a time fails here. Rows are (time_h, kind, consignment, step, entity):
``entity`` is the facility or service index (CREATED: the itinerary booked; DROPPED: the drop reason).
"""

from __future__ import annotations

import numpy as np

from sim.distributions import Dist
from sim.engine import Bookings, run
from sim.ice import CLOSED
from sim.model import (
    CONVOY,
    CUTOFF,
    ESCORT,
    HOLD,
    ICE,
    RIDE,
    TRAVEL,
    VISIT,
    Chunk,
    CompiledConvoy,
    CompiledEscort,
    CompiledFacility,
    CompiledIce,
    CompiledModel,
    CompiledService,
    Flow,
    Itinerary,
    ServicePath,
    Step,
)

HORIZON_H = 200.0
DAYS = 60


def facility(index: int, service_h: float, cutoff_h: float | None = None, servers: int = 1) -> CompiledFacility:
    return CompiledFacility(index, f"f{index}", "A", "port", servers, Dist("fixed", service_h), False, None, 0.0,
                            cutoff_h=None if cutoff_h is None else Dist("fixed", cutoff_h))


def path(*chunks: Chunk) -> ServicePath:
    return ServicePath(("l:forward",), chunks, sum(c.km for c in chunks), 0.0, 0.0, frozenset())


def service(index: int, chunks: tuple[Chunk, ...], departure: str = "when_full", headway_h: float = 0.0,
            capacity: float = 1.0, max_wait_h: float = 1.0, vehicles: int = 0, return_h: float = 0.0,
            speed_kmh: float = 50.0, **extra) -> CompiledService:
    return CompiledService(
        index=index, id=f"s{index}", direction="forward", mode="sea", origin="A", destination="B",
        capacity_teu=capacity, departure=departure, headway_h=headway_h, offset_h=0.0, max_wait_h=max_wait_h,
        fill_teu=capacity, vehicles=vehicles, return_h=return_h, speed_kmh=Dist("fixed", speed_kmh),
        month_speed_factor=(1.0,) * 12, freight_usd_per_teu=0.0, detour_usd_per_teu_km=0.0, path=path(*chunks),
        **extra)


def itinerary(index: int, *steps: Step, **extra) -> Itinerary:
    return Itinerary(index, f"r{index}", f"r{index}", "forward", steps, 0.0, 0.0, **extra)


def model(itineraries, services=(), facilities=(), convoys=(), escorts=(), holds=(), horizon_h=HORIZON_H,
          **extra) -> CompiledModel:
    flow = Flow("f", 0.0, (1.0,) * 12, (0,), (1.0,), (0,), (1.0,), (1,), (1.0,))
    days = max(DAYS, int(horizon_h // 24) + 10)
    return CompiledModel(
        horizon_h=horizon_h, warmup_h=0.0, start_month=1, start_day_of_month=1,
        month_at_day=np.zeros(days, dtype=np.int64), services=tuple(services), facilities=tuple(facilities),
        convoys=tuple(convoys), escorts=tuple(escorts), itineraries=tuple(itineraries), flows=(flow,),
        commodity_names=("c",), commodity_value_usd_per_teu=(1.0,), holds=tuple(holds), **extra)


def bookings(*rows: tuple[float, int, int]) -> Bookings:
    """Bookings from (created_h, itinerary, teu) rows."""
    t = np.asarray([r[0] for r in rows], dtype=float)
    n = len(rows)
    return Bookings(created_h=t, itinerary=np.asarray([r[1] for r in rows], dtype=np.int64),
                    commodity=np.zeros(n, dtype=np.int64), teu=np.asarray([r[2] for r in rows], dtype=np.int64),
                    value_usd=np.ones(n), flow=np.zeros(n, dtype=np.int64), kind=np.zeros(n, dtype=np.int64))


def log_of(m: CompiledModel, b: Bookings) -> list[tuple]:
    from sim.engine.eventlog import EventKind

    log = run(m, np.random.default_rng(0), b).log
    return [(float(t), EventKind(k).name, int(c), int(s), int(e))
            for t, k, c, s, e in zip(log["time_h"], log["kind"], log["consignment"], log["step"], log["entity"],
                                     strict=True)]


def test_one_consignment_through_a_facility_and_a_timetabled_service():
    """Booked at 5 h: port service 2 h + cut-off 1 h ends at 8 h; the daily sailing leaves at 24 h and covers
    100 km at 50 km/h in 2 h."""
    m = model([itinerary(0, Step(VISIT, 0, "A", after=CUTOFF), Step(RIDE, 0, "A"))],
              services=[service(0, (Chunk(TRAVEL, 100.0),), departure="scheduled", headway_h=24.0, capacity=10.0)],
              facilities=[facility(0, 2.0, cutoff_h=1.0)])
    assert log_of(m, bookings((5.0, 0, 1))) == [
        (5.0, "CREATED", 0, -1, 0),
        (5.0, "QUEUE", 0, 0, 0),
        (5.0, "START", 0, 0, 0),
        (8.0, "END", 0, 0, 0),
        (8.0, "BOARD_WAIT", 0, 1, 0),
        (24.0, "DEPART", 0, 1, 0),
        (26.0, "ARRIVE", 0, 1, 0),
        (26.0, "DELIVERED", 0, -1, -1),
    ]


def test_two_consignments_compete_for_one_server():
    """The second job arrives at 1 h while the first is served (0-3 h): it starts at 3 h and ends at 6 h."""
    m = model([itinerary(0, Step(VISIT, 0, "A"))], facilities=[facility(0, 3.0)])
    assert log_of(m, bookings((0.0, 0, 1), (1.0, 0, 1))) == [
        (0.0, "CREATED", 0, -1, 0),
        (0.0, "QUEUE", 0, 0, 0),
        (0.0, "START", 0, 0, 0),
        (1.0, "CREATED", 1, -1, 0),
        (1.0, "QUEUE", 1, 0, 0),
        (3.0, "END", 0, 0, 0),
        (3.0, "DELIVERED", 0, -1, -1),
        (3.0, "START", 1, 0, 0),
        (6.0, "END", 1, 0, 0),
        (6.0, "DELIVERED", 1, -1, -1),
    ]


def test_when_full_departure_leaves_at_its_maximum_wait_or_when_full():
    """A 10-TEU vehicle waits at most 12 h for the first booking (0 h): the 1-TEU bookings of 0 h and 3 h leave
    at 12 h. A 10-TEU booking at 20 h fills a vehicle at once."""
    m = model([itinerary(0, Step(RIDE, 0, "A"))],
              services=[service(0, (Chunk(TRAVEL, 100.0),), capacity=10.0, max_wait_h=12.0)])
    assert log_of(m, bookings((0.0, 0, 1), (3.0, 0, 1), (20.0, 0, 10))) == [
        (0.0, "CREATED", 0, -1, 0),
        (0.0, "BOARD_WAIT", 0, 0, 0),
        (3.0, "CREATED", 1, -1, 0),
        (3.0, "BOARD_WAIT", 1, 0, 0),
        (12.0, "DEPART", 0, 0, 0),
        (12.0, "DEPART", 1, 0, 0),
        (14.0, "ARRIVE", 0, 0, 0),
        (14.0, "DELIVERED", 0, -1, -1),
        (14.0, "ARRIVE", 1, 0, 0),
        (14.0, "DELIVERED", 1, -1, -1),
        (20.0, "CREATED", 2, -1, 0),
        (20.0, "BOARD_WAIT", 2, 0, 0),
        (20.0, "DEPART", 2, 0, 0),
        (22.0, "ARRIVE", 2, 0, 0),
        (22.0, "DELIVERED", 2, -1, -1),
    ]


def test_season_gate_holds_cargo_until_the_first_open_departure_and_refuses_out_of_season_bookings():
    """The path's ice area is closed to the ship on days 0 and 1, and a ship leaving on day d is in it on days d
    and d + 1: the daily sailing of day 2 (48 h) takes the 1 h booking (50 km open water and 50 km of ice-free
    area at 50 km/h). On itinerary 1 (policy 'refuse', gated by that service), a booking at 2 h is dropped."""
    actions = np.zeros((1, 3, DAYS), dtype=np.int8)
    actions[0, :, :2] = CLOSED
    ice = CompiledIce(("a",), (0,), ((0.0, 1.0, 0.0),), 1, np.zeros((1, 3, DAYS), dtype=np.int8),
                      (Dist("fixed", 10.0),) * 3, 0)
    m = model([itinerary(0, Step(RIDE, 0, "A")),
               itinerary(1, Step(RIDE, 0, "A"), season_service=0, season_refuse=True)],
              services=[service(0, (Chunk(TRAVEL, 50.0), Chunk(ICE, 50.0, 0)), departure="scheduled",
                                headway_h=24.0, capacity=10.0, ice_actions=actions, ice_route=((0, 1.0, 1.0),))],
              ice=ice)
    assert log_of(m, bookings((1.0, 0, 1), (2.0, 1, 1))) == [
        (1.0, "CREATED", 0, -1, 0),
        (1.0, "BOARD_WAIT", 0, 0, 0),
        (2.0, "CREATED", 1, -1, 1),
        (2.0, "DROPPED", 1, -1, 1),
        (48.0, "DEPART", 0, 0, 0),
        (50.0, "ARRIVE", 0, 0, 0),
        (50.0, "DELIVERED", 0, -1, -1),
    ]


def test_closures_reroute_bookings_and_vehicles_and_hold_vehicles():
    """Closure 0 (0-10 h) sends bookings on itinerary 0 to itinerary 1 (service 1, 300 km: 6 h) and diverts
    service 2's vehicles to a 400 km path (8 h instead of 2 h); closure 1 (0-30 h) holds service 3's vehicles
    halfway (50 km, 1 h in) until it lifts."""
    detour = path(Chunk(TRAVEL, 400.0))
    m = model(
        [itinerary(0, Step(RIDE, 0, "A"), reroutes=((0.0, 10.0, 1),)), itinerary(1, Step(RIDE, 1, "A")),
         itinerary(2, Step(RIDE, 2, "A")), itinerary(3, Step(RIDE, 3, "A"))],
        services=[service(0, (Chunk(TRAVEL, 100.0),)), service(1, (Chunk(TRAVEL, 300.0),)),
                  service(2, (Chunk(TRAVEL, 100.0),), reroutes={0: detour}, reroute_offsets_h={0: 0.0}),
                  service(3, (Chunk(TRAVEL, 50.0), Chunk(HOLD, 0.0, 1), Chunk(TRAVEL, 50.0)))],
        holds=((0.0, 10.0), (0.0, 30.0)))
    b = bookings((5.0, 0, 1), (6.0, 2, 1), (7.0, 3, 1), (15.0, 0, 1), (16.0, 2, 1), (40.0, 3, 1))
    assert log_of(m, b) == [
        (5.0, "CREATED", 0, -1, 0),
        (5.0, "BOARD_WAIT", 0, 0, 1),
        (5.0, "DEPART", 0, 0, 1),
        (6.0, "CREATED", 1, -1, 2),
        (6.0, "BOARD_WAIT", 1, 0, 2),
        (6.0, "DEPART", 1, 0, 2),
        (7.0, "CREATED", 2, -1, 3),
        (7.0, "BOARD_WAIT", 2, 0, 3),
        (7.0, "DEPART", 2, 0, 3),
        (11.0, "ARRIVE", 0, 0, 1),
        (11.0, "DELIVERED", 0, -1, -1),
        (14.0, "ARRIVE", 1, 0, 2),
        (14.0, "DELIVERED", 1, -1, -1),
        (15.0, "CREATED", 3, -1, 0),
        (15.0, "BOARD_WAIT", 3, 0, 0),
        (15.0, "DEPART", 3, 0, 0),
        (16.0, "CREATED", 4, -1, 2),
        (16.0, "BOARD_WAIT", 4, 0, 2),
        (16.0, "DEPART", 4, 0, 2),
        (17.0, "ARRIVE", 3, 0, 0),
        (17.0, "DELIVERED", 3, -1, -1),
        (18.0, "ARRIVE", 4, 0, 2),
        (18.0, "DELIVERED", 4, -1, -1),
        (31.0, "ARRIVE", 2, 0, 3),
        (31.0, "DELIVERED", 2, -1, -1),
        (40.0, "CREATED", 5, -1, 3),
        (40.0, "BOARD_WAIT", 5, 0, 3),
        (40.0, "DEPART", 5, 0, 3),
        (42.0, "ARRIVE", 5, 0, 3),
        (42.0, "DELIVERED", 5, -1, -1),
    ]


def test_canal_convoy_slot_is_taken_by_the_first_vehicle_and_the_second_waits_a_day():
    """Convoys leave at 6 h, 30 h, ... with one slot and no background traffic; transit 12 h, 50 km either side
    at 50 km/h. Vehicle 1 (0 h) reaches the canal at 1 h, joins the 6 h convoy and arrives 6 + 12 + 1 = 19 h;
    vehicle 2 (1 h) finds it full and takes the 30 h convoy: 30 + 12 + 1 = 43 h."""
    convoy = CompiledConvoy(0, "canal", "C", 24.0, 6.0, 1, 0.0, Dist("fixed", 12.0))
    m = model([itinerary(0, Step(RIDE, 0, "A"))],
              services=[service(0, (Chunk(TRAVEL, 50.0), Chunk(CONVOY, 0.0, 0), Chunk(TRAVEL, 50.0)))],
              convoys=[convoy])
    assert log_of(m, bookings((0.0, 0, 1), (1.0, 0, 1))) == [
        (0.0, "CREATED", 0, -1, 0),
        (0.0, "BOARD_WAIT", 0, 0, 0),
        (0.0, "DEPART", 0, 0, 0),
        (1.0, "CREATED", 1, -1, 0),
        (1.0, "BOARD_WAIT", 1, 0, 0),
        (1.0, "DEPART", 1, 0, 0),
        (19.0, "ARRIVE", 0, 0, 0),
        (19.0, "DELIVERED", 0, -1, -1),
        (43.0, "ARRIVE", 1, 0, 0),
        (43.0, "DELIVERED", 1, -1, -1),
    ]


def test_icebreaker_escort_place_is_held_by_one_ship_at_a_time():
    """One escort place; each passage is a 2 h pickup wait plus 100 km at 10 km/h = 12 h. Ship 1 leaves at 0 h and
    arrives at 12 h; ship 2 (1 h) waits for the place and arrives at 24 h."""
    escort = CompiledEscort(0, "ib", 1, 1, Dist("fixed", 10.0), Dist("fixed", 2.0))
    m = model([itinerary(0, Step(RIDE, 0, "A"))],
              services=[service(0, (Chunk(ESCORT, 100.0, 0),))],
              escorts=[escort])
    assert log_of(m, bookings((0.0, 0, 1), (1.0, 0, 1))) == [
        (0.0, "CREATED", 0, -1, 0),
        (0.0, "BOARD_WAIT", 0, 0, 0),
        (0.0, "DEPART", 0, 0, 0),
        (1.0, "CREATED", 1, -1, 0),
        (1.0, "BOARD_WAIT", 1, 0, 0),
        (1.0, "DEPART", 1, 0, 0),
        (12.0, "ARRIVE", 0, 0, 0),
        (12.0, "DELIVERED", 0, -1, -1),
        (24.0, "ARRIVE", 1, 0, 0),
        (24.0, "DELIVERED", 1, -1, -1),
    ]


def test_a_truck_fleet_of_one_hauls_the_second_booking_after_its_return():
    """One 2-TEU truck: 100 km at 50 km/h, back 5 h after delivering. The 0 h booking arrives at 2 h; the truck is
    free again at 7 h, when the 1 h booking leaves (arriving at 9 h)."""
    m = model([itinerary(0, Step(RIDE, 0, "A"))],
              services=[service(0, (Chunk(TRAVEL, 100.0),), departure="fleet", capacity=2.0, vehicles=1,
                                return_h=5.0)])
    assert log_of(m, bookings((0.0, 0, 2), (1.0, 0, 2))) == [
        (0.0, "CREATED", 0, -1, 0),
        (0.0, "BOARD_WAIT", 0, 0, 0),
        (0.0, "DEPART", 0, 0, 0),
        (1.0, "CREATED", 1, -1, 0),
        (1.0, "BOARD_WAIT", 1, 0, 0),
        (2.0, "ARRIVE", 0, 0, 0),
        (2.0, "DELIVERED", 0, -1, -1),
        (7.0, "DEPART", 1, 0, 0),
        (9.0, "ARRIVE", 1, 0, 0),
        (9.0, "DELIVERED", 1, -1, -1),
    ]
