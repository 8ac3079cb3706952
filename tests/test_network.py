"""Loading network data: bad features fail with a message that names the feature and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.errors import GeodataError
from sim.network import load_network


def _edit(path: Path, index: int, fn) -> str:
    data = json.loads(path.read_text())
    feat = data["features"][index]
    fn(feat)
    path.write_text(json.dumps(data))
    return feat["properties"]["id"]


def test_real_network_loads(network):
    assert len(network.nodes) > 50 and len(network.legs) > 80
    # every leg is an edge in both directions unless one-way
    assert network.graph.number_of_edges() == sum(1 if leg.oneway else 2 for leg in network.legs.values())


def test_leg_to_missing_node_names_the_feature(geodata_copy):
    fid = _edit(geodata_copy / "legs.geojson", 3, lambda f: f["properties"].__setitem__("to", "NOWHERE"))
    with pytest.raises(GeodataError) as err:
        load_network(geodata_copy)
    msg = str(err.value)
    assert fid in msg and "'to'" in msg and "NOWHERE" in msg and "legs.geojson" in msg


def test_invalid_geometry_names_the_feature(geodata_copy):
    fid = _edit(geodata_copy / "legs.geojson", 5, lambda f: f["geometry"].__setitem__("coordinates", [[10.0, 50.0]]))
    with pytest.raises(GeodataError, match=rf"feature '{fid}': field 'geometry'"):
        load_network(geodata_copy)


def test_line_not_ending_at_its_node_is_rejected(geodata_copy):
    def shift(f):
        f["geometry"]["coordinates"][-1][1] += 0.5

    fid = _edit(geodata_copy / "legs.geojson", 7, shift)
    with pytest.raises(GeodataError, match=rf"'{fid}'.*ends .* km from node"):
        load_network(geodata_copy)


@pytest.mark.parametrize("file", ["nodes.geojson", "legs.geojson"])
def test_missing_source_names_the_feature(geodata_copy, file):
    fid = _edit(geodata_copy / file, 2, lambda f: f["properties"].pop("source"))
    with pytest.raises(GeodataError, match=rf"{file}: feature '{fid}': field 'source'"):
        load_network(geodata_copy)


def test_unknown_mode_lists_allowed_modes(geodata_copy):
    fid = _edit(geodata_copy / "legs.geojson", 0, lambda f: f["properties"].__setitem__("mode", "airship"))
    with pytest.raises(GeodataError, match=rf"'{fid}'.*'mode'.*allowed: sea, rail, road, ferry, canal"):
        load_network(geodata_copy)


def test_rail_leg_without_gauge_is_rejected(geodata_copy, network):
    data = json.loads((geodata_copy / "legs.geojson").read_text())
    index = next(i for i, f in enumerate(data["features"]) if f["properties"]["mode"] == "rail")
    fid = _edit(geodata_copy / "legs.geojson", index, lambda f: f["properties"].__setitem__("gauge_mm", 1000))
    with pytest.raises(GeodataError, match=rf"'{fid}'.*gauge_mm"):
        load_network(geodata_copy)


def test_bad_season_names_the_feature(geodata_copy):
    data = json.loads((geodata_copy / "legs.geojson").read_text())
    index = next(i for i, f in enumerate(data["features"]) if f["properties"].get("season"))

    def breaks(f):
        f["properties"]["season"]["rules"][0]["open"] = [["02-30", "11-15"]]

    fid = _edit(geodata_copy / "legs.geojson", index, breaks)
    with pytest.raises(GeodataError, match=rf"'{fid}'.*'season'"):
        load_network(geodata_copy)


def test_not_json_is_reported_with_the_file(geodata_copy):
    (geodata_copy / "nodes.geojson").write_text("{not json")
    with pytest.raises(GeodataError, match="nodes.geojson.*not valid JSON"):
        load_network(geodata_copy)


def test_running_length_is_the_published_line_length_where_the_drawn_line_is_shorter(network):
    """Polylines through town centres are shorter than the track; vehicles run the published length."""
    longer = [leg for leg in network.legs.values()
              if leg.published_length_km and leg.published_length_km > leg.length_km]
    assert longer, "some rail leg has a published length above its drawn length"
    for leg in longer:
        assert leg.run_km == leg.published_length_km
    plain = [leg for leg in network.legs.values() if not leg.published_length_km]
    assert all(leg.run_km == leg.length_km for leg in plain)


def test_routes_measure_and_time_legs_by_their_running_length(network, specs):
    from sim.routes import resolve_route

    route = resolve_route(network, specs["instc_east"])
    for rl in route.legs:
        assert rl.length_km == network.legs[rl.leg_id].run_km
