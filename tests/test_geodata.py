"""The committed network data: real geometry, sea lanes off land, sources everywhere, lengths from geometry."""

from __future__ import annotations

import json

import pytest

from sim.geo import line_length_km
from sim.land import sea_leg_land_hits

REQUIRED_NODES = [
    "INNSA", "INMUN", "INMAA", "IRBND", "IRZBR", "IRTHR", "qazvin", "rasht", "astara_ir", "astara_az", "IRBAZ",
    "amirabad", "sarakhs_ir", "inche_burun", "AZBAK", "alat", "RUMCX", "RUASF", "olya", "RUMOW", "RULED", "RUNVS",
    "RUMMK", "RUVVO", "hormuz", "bab_el_mandeb", "suez_canal", "gibraltar", "dover", "skagen", "great_belt",
    "bosporus", "malacca_strait", "singapore_strait", "cape_of_good_hope", "korea_strait", "bering_strait",
    "kara_gates", "cape_zhelaniya", "vilkitsky_strait", "cape_dezhnev",
]


def test_required_nodes_exist(network):
    missing = [n for n in REQUIRED_NODES if n not in network.nodes]
    assert not missing


def test_every_node_and_leg_has_a_source(network):
    assert all(n.source.strip() for n in network.nodes.values())
    assert all(leg.source.strip() for leg in network.legs.values())


def test_sea_legs_stay_off_land(network, land):
    """Every sea leg, densified every 2 km, lies at sea except inside port approaches and narrow straits
    (each node's approach_km). Canal legs are exempt: land layers mark canals as land."""
    hits = []
    for leg in network.legs.values():
        if leg.mode in ("sea", "ferry"):
            hits.extend(sea_leg_land_hits(network, leg, land))
    assert not hits, f"{len(hits)} points on land, first: {hits[:5]}"


def test_approach_allowances_are_modest(network):
    # An allowance is for a port approach or a narrow strait; anything wide would hide a bad lane.
    assert max(n.approach_km for n in network.nodes.values()) <= 60


def test_lengths_come_from_geometry(network):
    for leg in network.legs.values():
        assert leg.length_km == pytest.approx(line_length_km(leg.coords), rel=1e-12)
        assert leg.length_km > 0


def test_rail_lengths_do_not_exceed_published_line_lengths(network):
    """A polyline through real stations is never longer than the track (which curves between them) and, with
    stations every ~100 km, not much shorter; published line lengths are recorded in legs.geojson."""
    data = json.loads((network_dir() / "legs.geojson").read_text())
    checked = 0
    for feat in data["features"]:
        props = feat["properties"]
        published = props.get("published_length_km")
        if published:
            length = network.legs[props["id"]].length_km
            assert length <= published * 1.03, (props["id"], length, published)
            assert length >= published * 0.70, (props["id"], length, published)
            checked += 1
    assert checked >= 8


def test_rail_legs_carry_a_real_gauge_and_iran_is_standard_gauge(network):
    for leg in network.legs.values():
        if leg.mode != "rail":
            continue
        countries = {network.nodes[leg.start].country, network.nodes[leg.end].country}
        if countries == {"IR"}:
            assert leg.gauge_mm == 1435, leg.id
        elif "IR" not in countries:
            assert leg.gauge_mm == 1520, leg.id


def test_nsr_legs_are_seasonal_and_nothing_else_is(network):
    for leg in network.legs.values():
        assert (leg.season is not None) == ("nsr" in leg.chokepoints), leg.id


def test_longitudes_normalised(network):
    for leg in network.legs.values():
        assert all(-180.0 <= lon < 180.0 for lon, _ in leg.coords)
    for node in network.nodes.values():
        assert -180.0 <= node.lon < 180.0


def network_dir():
    from sim.network import DEFAULT_GEODATA

    return DEFAULT_GEODATA
