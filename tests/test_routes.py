"""Route resolution: named routes, policies, closures, seasons; sea distances against the searoute oracle."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.errors import RouteError
from sim.routes import DIRECTIONS, Policy, RouteSpec, Stage, resolve_route

ROUTE_IDS = ["suez_stp", "suez_rotterdam_2021", "suez_novorossiysk", "cape", "instc_west", "instc_caspian",
             "instc_east", "emc", "nsr", "transsib"]


def sea_path(network, origin, destination, *, via=(), avoid=()):
    stops = [*via, destination]
    spec = RouteSpec("probe", "probe", origin, tuple(Stage(s, ("sea", "canal")) for s in stops), tuple(avoid))
    return resolve_route(network, spec)


@pytest.mark.parametrize("rid", ROUTE_IDS)
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_every_named_route_is_connected_end_to_end(network, specs, rid, direction):
    route = resolve_route(network, specs[rid], direction=direction)
    spec = specs[rid]
    expected = (spec.origin, spec.destination) if direction == "forward" else (spec.destination, spec.origin)
    assert (route.origin, route.destination) == expected
    assert route.legs[0].start == route.origin and route.legs[-1].end == route.destination
    for a, b in zip(route.legs[:-1], route.legs[1:], strict=True):
        assert a.end == b.start


def test_reverse_is_the_same_path_backwards(network, specs):
    for rid in ROUTE_IDS:
        fwd = resolve_route(network, specs[rid])
        rev = resolve_route(network, specs[rid], direction="reverse")
        assert [leg.leg_id for leg in rev.legs] == [leg.leg_id for leg in reversed(fwd.legs)]
        assert rev.distance_km == pytest.approx(fwd.distance_km)


def test_branches_pass_their_defining_places(network, specs):
    west = resolve_route(network, specs["instc_west"]).nodes
    assert {"IRBND", "qazvin", "rasht", "astara_ir", "astara_az", "samur"} <= set(west)
    caspian = resolve_route(network, specs["instc_caspian"])
    assert "caspian" in caspian.chokepoints and "IRBAZ" in caspian.nodes
    east = resolve_route(network, specs["instc_east"]).nodes
    assert {"bereket", "bolashak"} <= set(east) and ({"sarakhs_ir", "inche_burun"} & set(east))
    assert "suez_canal" in resolve_route(network, specs["suez_stp"]).nodes
    assert "bosporus" in resolve_route(network, specs["suez_novorossiysk"]).nodes
    assert "cape_of_good_hope" in resolve_route(network, specs["cape"]).nodes


def test_break_of_gauge_happens_on_every_instc_land_branch(network, specs):
    for rid in ("instc_west", "instc_east"):
        legs = resolve_route(network, specs[rid]).legs
        gauges = [network.legs[leg.leg_id].gauge_mm for leg in legs if leg.mode == "rail"]
        assert 1435 in gauges and 1520 in gauges, rid


@pytest.mark.parametrize("month", range(1, 13))
def test_suez_baseline_never_takes_the_arctic(network, specs, month):
    for closed in (frozenset(), frozenset({"suez"}), frozenset({"bab_el_mandeb"})):
        policy = Policy(closed=closed, date=dt.date(2025, month, 15), ice_class="arc7")
        for direction in DIRECTIONS:
            route = resolve_route(network, specs["suez_stp"], policy, direction)
            assert "nsr" not in route.chokepoints and "bering_strait" not in route.nodes


@pytest.mark.parametrize("closure", ["suez", "suez_canal", "bab_el_mandeb", "red_sea"])
def test_closing_suez_or_bab_el_mandeb_reroutes_suez_via_the_cape(network, specs, closure):
    open_route = resolve_route(network, specs["suez_stp"])
    closed_route = resolve_route(network, specs["suez_stp"], Policy(closed=frozenset({closure})))
    assert "cape_of_good_hope" in closed_route.nodes
    assert "suez_canal" not in closed_route.nodes
    assert closed_route.sea_nm > open_route.sea_nm + 3000


def test_policy_does_not_leak_between_calls(network, specs):
    resolve_route(network, specs["suez_stp"], Policy(closed=frozenset({"suez"})))
    assert "suez_canal" in resolve_route(network, specs["suez_stp"]).nodes


def test_nsr_is_seasonal_for_ships_without_ice_class(network, specs):
    winter = Policy(date=dt.date(2025, 2, 15), ice_class="none")
    with pytest.raises(RouteError, match="no allowed path"):
        resolve_route(network, specs["nsr"], winter)
    summer = resolve_route(network, specs["nsr"], Policy(date=dt.date(2025, 8, 15), ice_class="none"))
    assert "nsr" in summer.chokepoints
    arc7_winter = resolve_route(network, specs["nsr"], Policy(date=dt.date(2025, 1, 10), ice_class="arc7"))
    assert "nsr" in arc7_winter.chokepoints


def test_planned_rasht_astara_rail_is_used_only_when_enabled(network, specs):
    today = resolve_route(network, specs["instc_west"])
    assert "road" in today.modes
    opened = resolve_route(network, specs["instc_west"], Policy(enabled_legs=frozenset({"rail_rasht_astara_ir"})))
    assert "road" not in opened.modes


def test_closing_a_required_stop_is_an_error(network, specs):
    with pytest.raises(RouteError, match="astara_ir"):
        resolve_route(network, specs["instc_west"], Policy(closed=frozenset({"astara_ir"})))


# Independent oracle: the searoute package (Eurostat MARNET-based). Its quirks (ecosystem notes): pass
# restrictions on every call; 'naut' is nautical miles; the default 'northwest' restriction blocks the NSR.
ORACLE_CASES = [
    # (our origin, destination, via, avoid), (searoute origin lon/lat, destination lon/lat, restrictions)
    pytest.param(("INNSA", "RULED", (), ("NLRTM",)), ([72.9667, 18.95], [30.2119, 59.9567], []),
                 id="nhava_sheva-st_petersburg-suez"),
    pytest.param(("INNSA", "RULED", (), ("NLRTM", "suez")),
                 ([72.9667, 18.95], [30.2119, 59.9567], ["suez", "babalmandab"]), id="nhava_sheva-st_petersburg-cape"),
    pytest.param(("INNSA", "IRBND", (), ()), ([72.9667, 18.95], [56.06, 27.11], []), id="nhava_sheva-bandar_abbas"),
    pytest.param(("INMAA", "RUVVO", (), ()), ([80.2833, 13.1], [131.8833, 43.1167], []), id="chennai-vladivostok"),
    pytest.param(("RUVVO", "RUMMK", ("kara_gates",), ()), ([131.8833, 43.1167], [33.0613, 68.9691], []),
                 id="vladivostok-murmansk-nsr"),
]


@pytest.mark.parametrize(("ours", "oracle"), ORACLE_CASES)
def test_sea_distances_agree_with_searoute_within_5_percent(network, ours, oracle):
    searoute = pytest.importorskip("searoute")
    origin, destination, via, avoid = ours
    route = sea_path(network, origin, destination, via=via, avoid=avoid)
    start, end, restrictions = oracle
    reference = searoute.searoute(start, end, units="naut", restrictions=restrictions)["properties"]["length"]
    assert route.sea_nm == pytest.approx(reference, rel=0.05)


def test_published_nsr_section_length(network):
    """Cape Zhelaniya - Cape Dezhnev is 2,193 nm (Christophe de Margerie record transit, gCaptain 2017)."""
    route = sea_path(network, "cape_zhelaniya", "cape_dezhnev")
    assert route.sea_nm == pytest.approx(2193, rel=0.05)
