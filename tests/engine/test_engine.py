"""The discrete-event engine: analytic bounds, queueing theory, capacity, seasons, disruptions, conservation,
determinism. Every expected value comes from physics, queueing theory or the model's own inputs."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from builders import escort_model, fleet_model, queue_model, shuttle_model
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine import run
from sim.engine.eventlog import DropReason, EventKind
from sim.model import EMPTY

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DEFAULT = SCENARIOS / "instc_vs_suez.yaml"
NSR = SCENARIOS / "nsr_seasonal.yaml"
KMH_PER_KN = 1.852


def transit_days(result):
    return (result.delivered_h - result.bookings.created_h) / 24.0


def route_mask(result, info, key):
    its = [i for i, r in enumerate(info.itinerary_routes) if r == key]
    return np.isin(result.bookings.itinerary, its)


# ----- analytic bound ----------------------------------------------------------------------------------------
def test_uncongested_transit_is_at_least_distance_over_max_speed(compile_variant, calibration):
    model, info = compile_variant(DEFAULT, demand_scale=0.05)
    result = run(model, np.random.default_rng(11))
    vmax = max([s.speed.upper_bound for s in calibration.services] +
               [e.speed_kn.upper_bound * KMH_PER_KN for e in calibration.escorts])
    days = transit_days(result)
    checked = 0
    for key, route in info.routes.items():
        mask = route_mask(result, info, key) & ~np.isnan(days)
        if not mask.any():
            continue
        bound_days = route.distance_km / vmax / 24.0
        assert days[mask].min() >= bound_days, key
        # the model's own tighter bound (per-service max speeds, canal convoy minimum, minimum dwells) holds too
        its = [i for i, r in enumerate(info.itinerary_routes) if r == key]
        assert days[mask].min() >= min(model.itineraries[i].min_hours for i in its) / 24.0
        checked += 1
    assert checked == len(info.routes)


# ----- queueing theory ---------------------------------------------------------------------------------------
def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C)."""
    a = lam / mu
    rho = a / c
    tail = a**c / math.factorial(c) / (1 - rho)
    p_wait = tail / (sum(a**k / math.factorial(k) for k in range(c)) + tail)
    return p_wait / (c * mu - lam)


@pytest.mark.parametrize(("lam", "mean_service", "servers"), [(0.6, 1.0, 1), (2.4, 1.0, 3)])
def test_facility_reproduces_mm1_and_erlang_c_mean_wait(lam, mean_service, servers):
    """Four independent replications of 20,000 h (~12,000-48,000 jobs each, 4 weeks warm-up removed): the
    theoretical mean wait must lie within 4 standard errors of the replication mean and within 8%."""
    theory = erlang_c_wait(lam, 1.0 / mean_service, servers)
    means = []
    for seed in range(4):
        model = queue_model(lam, mean_service, servers, horizon_h=20_000.0)
        result = run(model, np.random.default_rng(seed))
        log = result.log
        queued = log["time_h"][log["kind"] == EventKind.QUEUE]
        started = log["time_h"][log["kind"] == EventKind.START]
        n = min(len(queued), len(started))
        waits = (started[:n] - queued[:n])[queued[:n] > 672.0]
        means.append(waits.mean())
    means = np.asarray(means)
    se = means.std(ddof=1) / math.sqrt(len(means))
    assert abs(means.mean() - theory) <= max(4 * se, 1e-9)
    assert means.mean() == pytest.approx(theory, rel=0.08)


def test_inlined_facility_booking_matches_the_general_one():
    """The engine inlines Facility.book for facilities without closures or slowdowns; a closure window after the
    horizon sends the same facility through the general path, which must give the identical schedule."""
    from dataclasses import replace

    from sim.distributions import Dist

    base = queue_model(1.5, 0.5, 3, horizon_h=2_000.0)
    base = replace(base, flows=(replace(base.flows[0], sizes_teu=(1, 2, 4), size_shares=(0.5, 0.3, 0.2)),))
    facility = replace(base.facilities[0], per_teu=True, dwell_h=Dist("exponential", 3.0))
    plain = replace(base, facilities=(facility,))
    general = replace(base, facilities=(replace(facility, closures=((1e9, 2e9),)),))
    a = run(plain, np.random.default_rng(4))
    b = run(general, np.random.default_rng(4))
    assert len(a.bookings.created_h) > 1000
    np.testing.assert_array_equal(a.step_end_h, b.step_end_h)
    np.testing.assert_array_equal(a.event_log.step_mark, b.event_log.step_mark)
    assert a.facility_stats == b.facility_stats


def test_facility_utilisation_matches_offered_load():
    model = queue_model(0.6, 1.0, 1, horizon_h=20_000.0)
    stats = run(model, np.random.default_rng(3)).facility_stats[0]
    assert stats["utilisation"] == pytest.approx(0.6, rel=0.05)


# ----- capacity ------------------------------------------------------------------------------------------------
def boarding_waits(result):
    log = result.log
    board = log["time_h"][log["kind"] == EventKind.BOARD_WAIT]
    who_b = log["consignment"][log["kind"] == EventKind.BOARD_WAIT]
    depart = dict(zip(log["consignment"][log["kind"] == EventKind.DEPART],
                      log["time_h"][log["kind"] == EventKind.DEPART], strict=True))
    return np.asarray([depart[c] - t for c, t in zip(who_b, board, strict=True) if c in depart])


def test_doubling_demand_on_a_capacity_limited_leg_raises_waits_and_utilisation():
    low = run(shuttle_model(2_500, 100, 168, 24 * 365 * 2), np.random.default_rng(5))
    high = run(shuttle_model(5_000, 100, 168, 24 * 365 * 2), np.random.default_rng(5))
    assert boarding_waits(high).mean() > boarding_waits(low).mean()
    assert high.service_stats[0]["mean_load_factor"] > low.service_stats[0]["mean_load_factor"]


def test_doubling_default_demand_raises_border_waits_and_utilisation(compile_variant):
    """At the default study's starting shares (equal over its six routes), a quarter and half of its demand."""
    base, _ = compile_variant(DEFAULT, end_date=dt.date(2025, 5, 1), demand_scale=0.25)
    double, _ = compile_variant(DEFAULT, end_date=dt.date(2025, 5, 1), demand_scale=0.5)
    a = {f["facility"]: f for f in run(base, np.random.default_rng(2)).facility_stats}
    b = {f["facility"]: f for f in run(double, np.random.default_rng(2)).facility_stats}
    for fid in ("terminal_astara", "gauge_inche_burun"):
        assert b[fid]["utilisation"] > a[fid]["utilisation"]
        assert b[fid]["wait_h_mean"] > a[fid]["wait_h_mean"]


def test_vehicle_loads_never_exceed_capacity(compile_variant):
    model, _ = compile_variant(DEFAULT, demand_scale=1.5)
    result = run(model, np.random.default_rng(4))
    dep = result.departures
    assert len(dep) > 100
    assert (dep[:, 2] <= dep[:, 3] + 1e-9).all()
    # only fleet vehicles move empty (keeping a timetable, or going back to where cargo waits)
    fleet = np.asarray([s.fleet >= 0 for s in model.services])[dep[:, 0].astype(int)]
    assert (dep[~fleet, 2] > 0).all() and (dep[:, 2] >= 0).all()
    assert (dep[fleet, 2] == 0).any()


def peak_concurrency(starts, ends) -> int:
    """Most intervals [start, end) open at once (an interval ending at t frees its place for one starting at t)."""
    events = sorted([(t, -1) for t in ends] + [(t, 1) for t in starts])
    level = peak = 0
    for _, delta in events:
        level += delta
        peak = max(peak, level)
    return peak


def test_a_truck_fleet_never_has_more_trucks_out_than_it_owns():
    """Demand (about 2.3 TEU/h) far beyond what 5 two-TEU trucks on a 24 h cycle can haul (0.42 TEU/h): every truck
    is out at some point, never more, and delivered TEU stay under the fleet's physical throughput."""
    trucks, km, speed, back, horizon = 5, 600.0, 50.0, 12.0, 24.0 * 120
    model = fleet_model(trucks, 20_000, km, speed, back, horizon)
    result = run(model, np.random.default_rng(6))
    log = result.log
    depart = dict(zip(log["consignment"][log["kind"] == EventKind.DEPART],
                      log["time_h"][log["kind"] == EventKind.DEPART], strict=True))
    arrive = dict(zip(log["consignment"][log["kind"] == EventKind.ARRIVE],
                      log["time_h"][log["kind"] == EventKind.ARRIVE], strict=True))
    starts, ends = [], []
    for cid, t in depart.items():
        n = math.ceil(result.bookings.teu[cid] / 2.0)
        starts += [t] * n
        ends += [arrive.get(cid, math.inf) + back] * n
    assert peak_concurrency(starts, ends) == trucks
    cycle = km / speed + back
    delivered = result.bookings.teu[~np.isnan(result.delivered_h)].sum()
    assert delivered <= trucks * 2.0 * (horizon / cycle + 1)


@pytest.mark.parametrize("places", [1, 2])
def test_icebreaker_escort_takes_at_most_its_places_at_once(places):
    """Ships needing escort arrive about every 4.4 h; one escorted passage takes 5 h pickup + 500 km at 20 km/h
    = 30 h. Passages overlap up to the number of escort places and never beyond."""
    passage = 5.0 + 500.0 / 20.0
    model = escort_model(places, 2_000, 500.0, 20.0, 5.0, 24.0 * 60)
    result = run(model, np.random.default_rng(9))
    log = result.log
    arrive = log["time_h"][log["kind"] == EventKind.ARRIVE]
    assert len(arrive) > 20
    eps = 1e-6
    assert peak_concurrency(arrive - passage + eps, arrive - eps) == places


# ----- seasons ---------------------------------------------------------------------------------------------------
def nsr_departures(result, model, info):
    nsr = {s.index for s in model.services if s.id == "nsr_ruvvo_rummk" and s.direction == "forward"}
    log = result.log
    sel = (log["kind"] == EventKind.DEPART) & np.isin(log["entity"], list(nsr))
    return dict(zip(log["consignment"][sel], log["time_h"][sel], strict=True))


def test_february_nsr_booking_waits_for_the_july_opening(compile_variant):
    model, info = compile_variant(NSR)
    result = run(model, np.random.default_rng(8))
    feb = (result.bookings.created_h >= 31 * 24) & (result.bookings.created_h < 59 * 24)
    on_nsr = route_mask(result, info, "emc_nsr") & feb
    assert on_nsr.sum() > 20
    departs = nsr_departures(result, model, info)
    july_1_h = (dt.date(2025, 7, 1) - dt.date(2025, 1, 1)).days * 24.0
    left = [departs[c] for c in np.flatnonzero(on_nsr) if c in departs]
    assert left, "February NSR cargo must sail once the season opens"
    assert min(left) >= july_1_h
    # no ship of ice class 'none'/'ice1' leaves for the NSR between 16 Nov and 30 Jun of any year (the run drains
    # into the next year's season)
    dates = [dt.date(2025, 1, 1) + dt.timedelta(hours=t) for t in departs.values()]
    assert all(dt.date(d.year, 7, 1) <= d < dt.date(d.year, 11, 16) for d in dates)


def test_february_nsr_booking_is_refused_under_the_refuse_policy(compile_variant):
    model, info = compile_variant(NSR, "refuse_out_of_season")
    result = run(model, np.random.default_rng(8))
    feb = (result.bookings.created_h >= 31 * 24) & (result.bookings.created_h < 59 * 24)
    on_nsr = route_mask(result, info, "emc_nsr") & feb
    assert on_nsr.sum() > 20
    assert (result.dropped[on_nsr] == DropReason.SEASON_CLOSED).all()
    assert np.isnan(result.delivered_h[on_nsr]).all()


def test_a_booking_accepted_under_the_refuse_policy_sails_in_the_same_season(compile_variant):
    """Refusal allows for late boxes (95th-percentile stays, full headways), so cargo accepted for the NSR does not
    miss the season's last sailing and wait for the next year's."""
    model, info = compile_variant(NSR, "refuse_out_of_season")
    result = run(model, np.random.default_rng(8))
    accepted = route_mask(result, info, "emc_nsr") & (result.dropped == DropReason.NONE) & (result.bookings.kind == 0)
    departs = nsr_departures(result, model, info)
    start = dt.date(2025, 1, 1)
    pairs = [(start + dt.timedelta(hours=float(result.bookings.created_h[c])), start + dt.timedelta(hours=departs[c]))
             for c in np.flatnonzero(accepted) if c in departs]
    assert len(pairs) > 20
    late = [(b, s) for b, s in pairs if s.year != b.year]
    assert not late, late[:5]


# ----- disruptions -------------------------------------------------------------------------------------------------
def test_red_sea_closure_moves_suez_traffic_to_the_cape_and_lengthens_transit(compile_variant, network, specs):
    from sim.routes import Policy, resolve_route

    base_model, base_info = compile_variant(DEFAULT)
    closed_model, closed_info = compile_variant(DEFAULT, "red_sea_closed")
    base = run(base_model, np.random.default_rng(21))
    closed = run(closed_model, np.random.default_rng(21))
    loads_base = route_mask(base, base_info, "suez_novorossiysk") & (base.bookings.kind == 0)
    loads_closed = route_mask(closed, closed_info, "suez_novorossiysk") & (closed.bookings.kind == 0)
    # every load booked in the first nine months (its ship reaches the Red Sea while the year-long closure lasts)
    # went round the Cape with its liner; none did in the base variant
    early = closed.bookings.created_h < 270 * 24.0
    assert closed.diverted[loads_closed & early].all() and not base.diverted[loads_base].any()
    # physics: the Cape adds sea distance that even the fastest ship needs days to cover
    extra_nm = (resolve_route(network, specs["suez_novorossiysk"], Policy(closed=frozenset({"red_sea"}))).sea_nm
                - resolve_route(network, specs["suez_novorossiysk"]).sea_nm)
    min_extra_days = extra_nm / 18.0 / 24.0
    d_base = np.nanmedian(transit_days(base)[loads_base & (base.bookings.created_h < 270 * 24.0)])
    d_closed = np.nanmedian(transit_days(closed)[loads_closed & early])
    assert extra_nm > 3000
    assert d_closed - d_base >= min_extra_days - 7.0  # allow half a fortnightly sailing of schedule offset


# ----- conservation and determinism ---------------------------------------------------------------------------------
def conservation(result, loaded_only: bool = False) -> tuple[float, float, float, float]:
    keep = result.bookings.kind != EMPTY if loaded_only else np.ones(len(result.bookings.teu), dtype=bool)
    teu = result.bookings.teu.astype(float)[keep]
    delivered = ~np.isnan(result.delivered_h[keep])
    dropped = result.dropped[keep] != DropReason.NONE
    in_transit = ~delivered & ~dropped
    return teu.sum(), teu[delivered].sum(), teu[in_transit].sum(), teu[dropped].sum()


@settings(max_examples=25, deadline=None)
@given(
    teu_per_year=st.floats(100, 20_000),
    capacity=st.integers(4, 400),
    headway=st.floats(12, 400),
    horizon_days=st.integers(20, 400),
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True),
    seed=st.integers(0, 2**31),
)
def test_teu_conservation_on_randomized_demand(teu_per_year, capacity, headway, horizon_days, sizes, seed):
    model = shuttle_model(teu_per_year, capacity, headway, horizon_days * 24.0, sizes=tuple(sizes),
                          shares=tuple([1.0 / len(sizes)] * len(sizes)))
    result = run(model, np.random.default_rng(seed))
    created, delivered, in_transit, dropped = conservation(result)
    assert created == delivered + in_transit + dropped
    kinds = result.log["kind"]
    assert (kinds == EventKind.CREATED).sum() == len(result.bookings.created_h)
    assert (kinds == EventKind.DELIVERED).sum() == (~np.isnan(result.delivered_h)).sum()
    assert (result.departures[:, 2] <= capacity + 1e-9).all()


def test_conservation_and_drop_reasons_on_the_nsr_scenario(compile_variant):
    """Without a drain, cargo booked late is still moving when the run stops; with the default drain it arrives.
    Every TEU is delivered, still moving or dropped with a reason, either way."""
    model, _ = compile_variant(NSR, "refuse_out_of_season", drain_days=0)
    result = run(model, np.random.default_rng(1))
    created, delivered, in_transit, dropped = conservation(result)
    assert created == delivered + in_transit + dropped
    assert dropped > 0 and delivered > 0 and in_transit > 0
    assert result.end_h == model.horizon_h
    model, _ = compile_variant(NSR, "refuse_out_of_season")
    result = run(model, np.random.default_rng(1))
    assert sum(conservation(result)[1:]) == conservation(result)[0]
    created, delivered, in_transit, dropped = conservation(result, loaded_only=True)
    assert created == delivered + in_transit + dropped
    assert in_transit == 0 and result.end_h > model.horizon_h  # every load arrived during the drain


def test_identical_seeds_give_identical_logs(compile_variant):
    model, _ = compile_variant(DEFAULT, end_date=dt.date(2025, 4, 1))
    a = run(model, np.random.default_rng(99))
    b = run(model, np.random.default_rng(99))
    c = run(model, np.random.default_rng(100))
    for key in a.log:
        np.testing.assert_array_equal(a.log[key], b.log[key])
    np.testing.assert_array_equal(a.delivered_h, b.delivered_h)
    assert len(a.log["time_h"]) != len(c.log["time_h"]) or not np.array_equal(a.log["time_h"], c.log["time_h"])


def test_event_log_is_time_ordered_with_known_kinds(compile_variant):
    model, _ = compile_variant(DEFAULT, end_date=dt.date(2025, 3, 1))
    log = run(model, np.random.default_rng(5)).log
    assert (np.diff(log["time_h"]) >= 0).all()
    assert set(np.unique(log["kind"])) <= {int(k) for k in EventKind}
