"""The committed global sea-lane graph (geodata/sea_lanes.json): routes agree with the independent searoute router,
stay off land, take the passages they should, and closing a passage reroutes without touching the graph.

The tests read the committed file; nothing here rebuilds it (geodata/build_sea_lanes.py is run by hand).
"""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pytest
import searoute

from sim.errors import GeodataError, RouteError
from sim.geo import distance_km, line_length_km
from sim.sealanes import SEA_LANES_FILE, haversine_km, land_hits, load_sea_lanes

# Ports as (lon, lat) and the radius (km) of their approach: the straight connector to the lanes and the harbour
# spur are not held to the land check inside it (like approach_km of the project's own port nodes).
PORTS = {
    "nhava_sheva": ((72.9667, 18.95), 25), "mumbai": ((72.85, 18.93), 25), "chennai": ((80.2833, 13.1), 25),
    "st_petersburg": ((30.2119, 59.9567), 25), "rotterdam": ((4.05, 51.95), 25), "shanghai": ((122.0, 30.9), 25),
    "vladivostok": ((131.8833, 43.1167), 25), "murmansk": ((33.0613, 68.9691), 25), "santos": ((-46.30, -23.98), 25),
    "los_angeles": ((-118.25, 33.72), 25), "singapore": ((103.84, 1.26), 25), "jebel_ali": ((55.03, 25.01), 40),
    "new_york": ((-74.03, 40.65), 25), "durban": ((31.05, -29.88), 25), "fremantle": ((115.74, -32.05), 25),
    "bandar_abbas": ((56.06, 27.11), 25), "novorossiysk": ((37.782, 44.7416), 25),
}
ARCTIC = frozenset({"nsr", "northwest"})
RED_SEA = frozenset({"suez", "red_sea"})

# (origin, destination, our avoid set, searoute restrictions, passages the path must use, passages it must not).
# searoute tags the Russian side of the Bering Strait 'northwest', so its 'northwest' restriction closes both
# Arctic routes from the Pacific; [] opens them (the NSR is then the shorter).
CASES = {
    "nhava_sheva-st_petersburg-suez": ("nhava_sheva", "st_petersburg", ARCTIC, ["northwest"],
                                       {"red_sea", "bab_el_mandeb", "suez", "gibraltar", "danish_straits"}, {"cape"}),
    "nhava_sheva-st_petersburg-cape": ("nhava_sheva", "st_petersburg", ARCTIC | RED_SEA,
                                       ["northwest", "suez", "babalmandab"], {"cape", "danish_straits"},
                                       {"suez", "red_sea"}),
    "shanghai-rotterdam-suez": ("shanghai", "rotterdam", ARCTIC, ["northwest"], {"malacca", "suez", "gibraltar"},
                                {"nsr", "cape"}),
    "shanghai-rotterdam-nsr": ("shanghai", "rotterdam", {"northwest"}, [], {"bering", "nsr"}, {"suez", "malacca"}),
    "chennai-vladivostok": ("chennai", "vladivostok", ARCTIC, ["northwest"], {"malacca"}, {"nsr"}),
    "vladivostok-murmansk-nsr": ("vladivostok", "murmansk", {"northwest"}, [], {"bering", "nsr"}, {"suez"}),
    "vladivostok-murmansk-suez": ("vladivostok", "murmansk", ARCTIC, ["northwest"], {"malacca", "suez"}, {"nsr"}),
    "santos-rotterdam": ("santos", "rotterdam", ARCTIC, ["northwest"], set(), {"gibraltar", "panama"}),
    "los_angeles-shanghai": ("los_angeles", "shanghai", ARCTIC, ["northwest"], set(), {"panama", "bering"}),
    "singapore-jebel_ali": ("singapore", "jebel_ali", ARCTIC, ["northwest"], {"malacca", "hormuz"}, {"suez"}),
    "new_york-rotterdam": ("new_york", "rotterdam", ARCTIC, ["northwest"], set(), {"gibraltar"}),
    "shanghai-new_york-panama": ("shanghai", "new_york", ARCTIC, ["northwest"], {"panama"}, {"suez"}),
    "shanghai-new_york-no_panama": ("shanghai", "new_york", ARCTIC | {"panama"}, ["northwest", "panama"],
                                    {"suez"}, {"panama"}),
    "durban-fremantle": ("durban", "fremantle", ARCTIC, ["northwest"], set(), {"cape", "malacca"}),
    "bandar_abbas-mumbai": ("bandar_abbas", "mumbai", ARCTIC, ["northwest"], {"hormuz"}, {"red_sea"}),
    "nhava_sheva-novorossiysk": ("nhava_sheva", "novorossiysk", ARCTIC, ["northwest"],
                                 {"suez", "turkish_straits"}, {"cape"}),
}


@pytest.fixture(scope="module")
def lanes():
    return load_sea_lanes()


def port(name: str) -> tuple[float, float]:
    return PORTS[name][0]


def searoute_nm(a: str, b: str, restrictions: list[str]) -> float:
    """searoute's length in nautical miles ('naut'; 'nm' is another unit). Restrictions are passed on every call:
    searoute keeps them in a shared cached graph."""
    feature = searoute.searoute(list(port(a)), list(port(b)), units="naut", restrictions=list(restrictions))
    return float(feature.properties["length"])


def off_land(path, land, lanes, a: str, b: str) -> list[tuple[float, float]]:
    """Points of ``path`` on land outside the graph's allowances and outside both ports' approach radius."""
    hits = land_hits(list(path.coords), land.on_land, lanes.allowance)
    out = []
    for lon, lat in hits:
        near = [distance_km(lon, lat, *PORTS[p][0]) <= PORTS[p][1] for p in (a, b)]
        if not any(near):
            out.append((lon, lat))
    return out


def test_the_committed_file_is_small_and_lengths_come_from_the_geometry(lanes):
    assert lanes.file == SEA_LANES_FILE and SEA_LANES_FILE.name == "sea_lanes.json"
    assert SEA_LANES_FILE.stat().st_size < 3_000_000
    assert lanes.graph.number_of_nodes() > 5000 and lanes.graph.number_of_edges() > 10000
    assert ((lanes.lons >= -180.0) & (lanes.lons < 180.0)).all()
    for u, v, data in lanes.graph.edges(data=True):
        assert data["km"] == pytest.approx(distance_km(lanes.lons[u], lanes.lats[u], lanes.lons[v], lanes.lats[v]),
                                           abs=1e-3)
    assert nx.is_connected(lanes.graph)


def test_every_edge_stays_off_land(lanes, land):
    """Every edge, densified every 2 km, is at sea except inside the canal and narrow-strait zones and within the
    port radius of a lane's dead end (the allowances recorded in the file)."""
    bad = []
    for u, v in lanes.graph.edges:
        coords = [(lanes.lons[u], lanes.lats[u]), (lanes.lons[v], lanes.lats[v])]
        if hits := land_hits(coords, land.on_land, lanes.allowance):
            bad.append((u, v, hits[0]))
    assert not bad, f"{len(bad)} edges on land, first: {bad[:5]}"


@pytest.mark.parametrize("case", list(CASES))
def test_routes_agree_with_searoute_take_their_passages_and_stay_at_sea(case, lanes, land):
    a, b, avoid, restrictions, must, must_not = CASES[case]
    path = lanes.route(port(a), port(b), avoid=frozenset(avoid))
    theirs = searoute_nm(a, b, restrictions)
    assert path.length_nm == pytest.approx(theirs, rel=0.05), (path.length_nm, theirs)
    assert must <= path.passages, path.passages
    assert not (must_not & path.passages), path.passages
    assert not (avoid & path.passages)
    assert not off_land(path, land, lanes, a, b)
    assert path.length_km == pytest.approx(line_length_km(path.coords), abs=0.5)


def test_closing_suez_and_the_red_sea_goes_round_the_cape(lanes):
    a, b = port("nhava_sheva"), port("st_petersburg")
    suez = lanes.route(a, b, avoid=ARCTIC)
    for closed in (RED_SEA, frozenset({"suez"}), frozenset({"red_sea"}), frozenset({"bab_el_mandeb"})):
        cape = lanes.route(a, b, avoid=ARCTIC | closed)
        assert "cape" in cape.passages and not ({"suez", "red_sea", "bab_el_mandeb"} & cape.passages)
        assert cape.length_km > 1.4 * suez.length_km
    assert "suez" in suez.passages and "cape" not in suez.passages


def test_the_suez_baseline_never_takes_the_arctic_and_the_nsr_is_taken_only_when_open(lanes):
    india_russia = lanes.route(port("nhava_sheva"), port("st_petersburg"))
    assert "suez" in india_russia.passages and not (ARCTIC & india_russia.passages)
    china_europe = lanes.route(port("shanghai"), port("rotterdam"))
    assert "nsr" in china_europe.passages  # the shortest, when nothing is closed
    no_nsr = lanes.route(port("shanghai"), port("rotterdam"), avoid={"nsr"})
    assert {"northwest", "bering"} <= no_nsr.passages and "nsr" not in no_nsr.passages  # the other Arctic way
    no_arctic = lanes.route(port("shanghai"), port("rotterdam"), avoid=ARCTIC)
    assert "suez" in no_arctic.passages and not ({"bering"} | ARCTIC) & no_arctic.passages
    assert china_europe.length_km < no_nsr.length_km < no_arctic.length_km


def test_nsr_and_northwest_passage_are_separate(lanes):
    """searoute tags the Russian side of the Bering Strait 'northwest'; here it is 'nsr', and the Canadian Arctic
    is 'northwest', so closing one leaves the other open."""
    junction = lanes.nearest((-169.1502, 65.9622), k=1)[0][0]
    russian = lanes.nearest((-171.7127, 67.2175), k=1)[0][0]
    alaskan = lanes.nearest((-167.7467, 67.16), k=1)[0][0]
    assert lanes.graph.edges[junction, russian]["tags"] == {"nsr"}
    assert lanes.graph.edges[junction, alaskan]["tags"] == {"northwest"}
    everything_else = frozenset({"nsr", "suez", "red_sea", "panama", "cape", "cape_horn", "magellan"})
    nwp = lanes.route(port("shanghai"), port("rotterdam"), avoid=everything_else)
    assert {"bering", "northwest"} <= nwp.passages and "nsr" not in nwp.passages
    nsr = lanes.route(port("vladivostok"), port("murmansk"), avoid={"northwest"})
    assert {"bering", "nsr"} <= nsr.passages and "northwest" not in nsr.passages


def test_the_cut_across_cape_olyutorsky_is_repaired(lanes, land):
    """searoute's Pacific-Bering lane from (180, 62.1) to (167.9, 59.6) crosses ~48 km of land at Cape Olyutorsky;
    the graph goes round it, and the NSR route from Vladivostok stays at sea there."""
    assert land_hits([(-180.0, 62.1), (167.9, 59.6)], land.on_land)
    data = json.loads(SEA_LANES_FILE.read_text(encoding="utf-8"))
    fixed = [r for r in data["repairs"]["rerouted"] if r["edge"] == [[-180.0, 62.1], [167.9, 59.6]]]
    assert fixed and fixed[0]["action"] == "rerouted by hand"
    u, v = lanes.nearest((-180.0, 62.1), k=1)[0][0], lanes.nearest((167.9, 59.6), k=1)[0][0]
    assert not lanes.graph.has_edge(u, v)
    path = lanes.route(port("vladivostok"), port("murmansk"), avoid={"northwest"})
    cape = [c for c in path.coords if 168.0 < c[0] < 172.0 and 59.0 < c[1] < 61.0]
    assert cape and not off_land(path, land, lanes, "vladivostok", "murmansk")


def test_the_antimeridian_is_crossed_with_normalised_longitudes(lanes):
    path = lanes.route(port("los_angeles"), port("shanghai"), avoid=ARCTIC)
    lons = np.array([c[0] for c in path.coords])
    assert ((lons >= -180.0) & (lons < 180.0)).all()
    assert (np.abs(np.diff(lons)) > 180.0).sum() == 1
    assert len(path.map_parts()) == 2
    assert path.length_km == pytest.approx(line_length_km(path.coords), abs=0.5)
    assert path.length_km < 11_500  # the great-circle side, not round the world


def test_avoiding_never_changes_the_graph(lanes):
    edges = lanes.graph.number_of_edges()
    first = lanes.route(port("nhava_sheva"), port("st_petersburg"))
    lanes.route(port("nhava_sheva"), port("st_petersburg"), avoid=ARCTIC | RED_SEA)
    again = lanes.route(port("nhava_sheva"), port("st_petersburg"))
    assert again == first and lanes.graph.number_of_edges() == edges


def test_no_path_unknown_passage_and_inland_points_are_route_errors(lanes):
    with pytest.raises(RouteError, match="no path at sea"):
        lanes.route(port("novorossiysk"), port("rotterdam"), avoid={"turkish_straits"})
    with pytest.raises(RouteError, match="unknown passage"):
        lanes.route(port("nhava_sheva"), port("rotterdam"), avoid={"babalmandab"})
    with pytest.raises(RouteError, match="inland"):
        lanes.route((37.62, 55.75), port("rotterdam"))  # Moscow
    with pytest.raises(RouteError, match="not a"):
        lanes.route((math.nan, 10.0), port("rotterdam"))


def test_points_snap_to_the_nearest_lane_and_the_connectors_count(lanes):
    path = lanes.route(port("chennai"), port("vladivostok"))
    assert path.coords[0] == port("chennai") and path.coords[-1] == port("vladivostok")
    nearest = lanes.nearest(port("chennai"))[0][1]
    assert nearest <= path.connectors_km[0] <= nearest + 10.0
    d = haversine_km(80.2833, 13.1, lanes.lons, lanes.lats).min()
    assert d == pytest.approx(nearest, rel=0.01)


def test_an_unreadable_file_is_a_geodata_error(tmp_path):
    small = tmp_path / "lanes.json"
    good = {"format": "corridor-sim sea lanes 1", "nodes": [[0.0, 0.0], [1.0, 0.0]], "edges": [[0, 1, 111.3]],
            "passages": {"suez": "the canal"}, "edge_passages": {"suez": [0]},
            "allowance": {"zones": [], "port_radius_km": 10, "port_nodes": [0]}}
    small.write_text(json.dumps(good), encoding="utf-8")
    assert load_sea_lanes(small).graph.edges[0, 1]["tags"] == {"suez"}
    for key, value, match in (("nodes", [[200.0, 0.0], [1.0, 0.0]], "node 0"), ("edges", [[0, 0, 1.0]], "edge 0"),
                              ("edges", [], "empty"), ("edge_passages", {"suez": [7]}, "edge 7"),
                              ("allowance", {"zones": []}, "allowance")):
        other = tmp_path / f"{key}-{match.replace(' ', '_')}.json"
        other.write_text(json.dumps(good | {key: value}), encoding="utf-8")
        with pytest.raises(GeodataError, match=match):
            load_sea_lanes(other)
    garbage = tmp_path / "garbage.json"  # a new path: loads are cached per path
    garbage.write_text("not json", encoding="utf-8")
    with pytest.raises(GeodataError, match="cannot read"):
        load_sea_lanes(garbage)
