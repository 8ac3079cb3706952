"""Sea legs a scenario gives without geometry, routed on the global lane graph through the scenario path
(``network:`` block -> study network -> named routes): they agree with the independent ``searoute`` router, stay
off land, pass the chokepoints they should, are cut where the model needs canal and NSR legs, and closing Suez
sends them round the Cape."""

from __future__ import annotations

import numpy as np
import pytest
import searoute
import yaml

from sim.experiment import load_study_network
from sim.geo import GEOD, densify, line_length_km
from sim.routes import Policy, resolve_route
from sim.sealanes import load_sea_lanes

# New ports (lon, lat): coastal terminals, so the straight approach to the lanes stays within 25 km of water.
PORTS = {
    "INBOM": ("Mumbai", "IN", 72.85, 18.93), "LKCMB": ("Colombo", "LK", 79.84, 6.95),
    "FRLEH": ("Le Havre", "FR", 0.11, 49.47), "SGSIN": ("Singapore", "SG", 103.84, 1.26),
    "AEJEA": ("Jebel Ali", "AE", 55.03, 25.01), "CNSHA": ("Shanghai", "CN", 122.067, 30.617),
    "USLAX": ("Los Angeles", "US", -118.25, 33.72), "USNYC": ("New York", "US", -74.03, 40.65),
    "KRPUS": ("Busan", "KR", 129.04, 35.1), "BRSSZ": ("Santos", "BR", -46.3, -23.98),
    "ZADUR": ("Durban", "ZA", 31.05, -29.88), "AUFRE": ("Fremantle", "AU", 115.74, -32.05),
    "GRPIR": ("Piraeus", "GR", 23.61, 37.94), "ROCND": ("Constanta", "RO", 28.66, 44.16),
    "PLGDN": ("Gdansk", "PL", 18.67, 54.4), "JPYOK": ("Yokohama", "JP", 139.67, 35.45),
    "CAVAN": ("Vancouver", "CA", -123.1, 49.29), "NGLOS": ("Lagos", "NG", 3.38, 6.43),
    "CLVAP": ("Valparaiso", "CL", -71.62, -33.03),
}
NO_ARCTIC = ["nsr"]
# (from, to, the route's avoid list, searoute restrictions, passages it must use, passages it must not). searoute
# tags the Russian side of the Bering Strait 'northwest', so its 'northwest' restriction also closes the NSR.
PAIRS = {
    "mumbai-le_havre-suez": ("INBOM", "FRLEH", NO_ARCTIC, ["northwest"], {"red_sea", "bab_el_mandeb", "suez",
                                                                          "gibraltar"}, {"cape"}),
    "colombo-le_havre-cape": ("LKCMB", "FRLEH", ["nsr", "suez", "red_sea"], ["northwest", "suez", "babalmandab"],
                              {"cape"}, {"suez", "red_sea"}),
    "singapore-jebel_ali": ("SGSIN", "AEJEA", NO_ARCTIC, ["northwest"], {"malacca", "hormuz"}, {"suez"}),
    "shanghai-los_angeles": ("CNSHA", "USLAX", NO_ARCTIC, ["northwest"], set(), {"panama", "bering"}),
    "shanghai-new_york-panama": ("CNSHA", "USNYC", NO_ARCTIC, ["northwest"], {"panama"}, {"suez"}),
    "busan-le_havre-nsr": ("KRPUS", "FRLEH", [], [], {"bering", "nsr"}, {"suez", "malacca"}),
    "santos-rotterdam": ("BRSSZ", "NLRTM", NO_ARCTIC, ["northwest"], set(), {"gibraltar", "panama"}),
    "durban-fremantle": ("ZADUR", "AUFRE", NO_ARCTIC, ["northwest"], set(), {"cape", "malacca"}),
    "piraeus-constanta": ("GRPIR", "ROCND", NO_ARCTIC, ["northwest"], {"turkish_straits"}, {"suez"}),
    "gdansk-rotterdam": ("PLGDN", "NLRTM", NO_ARCTIC, ["northwest"], {"danish_straits"}, {"gibraltar"}),
    "yokohama-vancouver": ("JPYOK", "CAVAN", NO_ARCTIC, ["northwest"], set(), {"panama", "nsr"}),
    "lagos-new_york": ("NGLOS", "USNYC", NO_ARCTIC, ["northwest"], set(), {"gibraltar", "panama"}),
    "valparaiso-santos": ("CLVAP", "BRSSZ", NO_ARCTIC, ["northwest"], set(), {"panama"}),
    "murmansk-yokohama-nsr": ("RUMMK", "JPYOK", [], [], {"nsr", "bering"}, {"suez"}),
}
TOLERANCE = 0.05  # the bound; the lane graph and searoute share their origin, so they differ by port snapping


def rid(name: str) -> str:
    return "r_" + name.replace("-", "_")


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """One scenario with every port a node, every pair a routed sea leg and a route over it."""
    from pathlib import Path

    doc = yaml.safe_load((Path(__file__).parent / "data" / "small.yaml").read_text())
    nodes = [{"id": k, "name": v[0], "kind": "port", "country": v[1], "lon": v[2], "lat": v[3], "approach_km": 25,
              "source": "test: port coordinates"} for k, v in PORTS.items()]
    legs = [{"id": f"sea_{name.replace('-', '_')}", "from": a, "to": b, "mode": "sea", "source": "test"}
            for name, (a, b, *_) in PAIRS.items()]
    routes = {rid(name): {"name": name, "origin": a, "stages": [{"to": b, "modes": ["sea", "canal"]}], "avoid": avoid}
              for name, (a, b, avoid, *_) in PAIRS.items()}
    doc["network"] = {"nodes": nodes, "legs": legs, "routes": routes}
    path = tmp_path_factory.mktemp("sealegs") / "pairs.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    _, network, specs, _ = load_study_network(path)
    return network, specs


def lonlat(network, node_id):
    node = network.nodes[node_id]
    return [node.lon, node.lat]


@pytest.mark.parametrize("name", PAIRS)
def test_routed_legs_agree_with_searoute_and_pass_the_right_chokepoints(study, name):
    network, specs = study
    a, b, _, restrictions, must, must_not = PAIRS[name]
    route = resolve_route(network, specs[rid(name)])
    assert all(leg.leg_id in network.groups[f"sea_{name.replace('-', '_')}"] for leg in route.legs)
    ref = searoute.searoute(lonlat(network, a), lonlat(network, b), units="naut", restrictions=list(restrictions))
    ref_nm = float(ref.properties["length"])
    assert abs(route.sea_nm / ref_nm - 1) <= TOLERANCE, (route.sea_nm, ref_nm)
    tags = set(route.chokepoints)
    assert must <= tags, must - tags
    assert not (must_not & tags), must_not & tags


def test_every_ocean_and_the_main_chokepoints_are_covered():
    passed = set().union(*(must for *_, must, _ in PAIRS.values()))
    assert {"suez", "red_sea", "cape", "malacca", "hormuz", "panama", "nsr", "bering", "gibraltar",
            "turkish_straits", "danish_straits"} <= passed
    assert len(PAIRS) >= 12


def test_routed_legs_stay_off_land(study, land):
    """Every 2 km of every piece is at sea, except within the end ports' approach radius and inside the lane
    graph's canal zones (the land layer closes the Suez and Panama canals) and harbour dead ends."""
    network, specs = study
    allowance = load_sea_lanes().allowance
    for name, (a, b, *_) in PAIRS.items():
        route = resolve_route(network, specs[rid(name)])
        for leg in route.legs:
            lons, lats = densify(network.legs[leg.leg_id].coords, 2.0)
            on = land.on_land(lons, lats) & ~allowance.allowed(lons, lats)
            for end in (a, b):
                node = network.nodes[end]
                _, _, d = GEOD.inv(np.full_like(lons, node.lon), np.full_like(lats, node.lat), lons, lats)
                on &= d / 1000.0 > node.approach_km
            assert not on.any(), (name, leg.leg_id, list(zip(lons[on][:3], lats[on][:3], strict=True)))


def test_pieces_carry_what_the_model_needs(study, network):
    """The NSR piece has the NSR's season and ice areas adding up to its length; the Suez piece is a canal leg
    tagged with the convoy's node; lengths come from the geometry; pieces chain from port to port."""
    routed, _ = study
    nsr = [routed.legs[leg.leg_id] for leg in resolve_route(routed, study[1][rid("busan-le_havre-nsr")]).legs]
    arctic = [leg for leg in nsr if "nsr" in leg.chokepoints]
    assert len(arctic) == 1 and arctic[0].season is not None
    shipped_nsr = next(leg for leg in network.legs.values() if "nsr" in leg.chokepoints)
    assert arctic[0].season == shipped_nsr.season
    parts = routed.ice.segments[arctic[0].id]
    assert sum(share for _, share in parts) == pytest.approx(1.0)
    assert {area for area, _ in parts} <= set(routed.ice.areas) and len(parts) >= 5  # Chukchi to the Kara Sea
    assert all(leg.season is None for leg in nsr if leg is not arctic[0])
    suez = [routed.legs[leg.leg_id] for leg in resolve_route(routed, study[1][rid("mumbai-le_havre-suez")]).legs]
    canal = [leg for leg in suez if leg.mode == "canal"]
    assert len(canal) == 1 and {"suez", "suez_canal"} <= canal[0].chokepoints
    assert 100 < canal[0].length_km < 200  # the canal is 193 km with its approaches (SCA)
    for leg in nsr + suez:
        assert leg.length_km == pytest.approx(line_length_km(leg.coords), rel=1e-12)
    assert [leg.start for leg in suez[1:]] == [leg.end for leg in suez[:-1]]


def test_closing_suez_sends_a_routed_leg_round_the_cape(study):
    network, specs = study
    spec = specs[rid("mumbai-le_havre-suez")]
    open_ = resolve_route(network, spec)
    for closed in ({"suez"}, {"red_sea"}, {"suez_canal"}):
        detour = resolve_route(network, spec, Policy(closed=frozenset(closed)))
        assert "cape" in detour.chokepoints and "suez" not in detour.chokepoints, closed
        # West India - Channel round the Cape is about 70% longer than via Suez (searoute: 10,300 vs 6,180 nm)
        assert detour.sea_nm > 1.4 * open_.sea_nm
        ref = searoute.searoute(lonlat(network, "INBOM"), lonlat(network, "FRLEH"), units="naut",
                                restrictions=["northwest", "suez", "babalmandab"]).properties["length"]
        assert abs(detour.sea_nm / ref - 1) <= TOLERANCE


def test_the_nsr_is_used_only_where_the_route_allows_it(study):
    """A route avoiding the NSR takes another alternative of the same routed leg; the Northwest Passage is never
    used (the model has no ice data for it)."""
    network, specs = study
    spec = specs[rid("busan-le_havre-nsr")]
    south = resolve_route(network, spec, Policy(closed=frozenset({"nsr"})))
    assert "nsr" not in south.chokepoints and "suez" in south.chokepoints
    assert south.sea_nm > resolve_route(network, spec).sea_nm
    assert not any("northwest" in leg.chokepoints for leg in network.legs.values())
