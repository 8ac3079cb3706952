"""Broken network data is refused with one line naming the file, the feature and the field (issue 14): NaN or
infinite coordinates and approach radii used to be accepted (and gave NaN distances); strings, nulls, binary
files, a `features` that is not a list, non-object features and very deep JSON used to end in tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clihelp import invoke

from sim.errors import GeodataError
from sim.network import load_network


def _edit_feature(path: Path, index: int, fn) -> None:
    data = json.loads(path.read_text())
    fn(data["features"][index])
    path.write_text(json.dumps(data))  # json.dumps writes NaN and Infinity literals, as a careless tool would


def _routes(geodata: Path):
    result = invoke("routes", "--geodata", geodata, "--format", "csv")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1, result.output
    return result.stderr


def _set_coords(value):
    return lambda f: f["geometry"].__setitem__("coordinates", value)


@pytest.mark.parametrize(("file", "index", "edit", "field"), [
    ("legs.geojson", 4, lambda f: f["geometry"]["coordinates"][1].__setitem__(0, float("nan")), "geometry"),
    ("legs.geojson", 4, lambda f: f["geometry"]["coordinates"][1].__setitem__(1, float("inf")), "geometry"),
    ("legs.geojson", 4, lambda f: f["geometry"]["coordinates"].__setitem__(1, {"lon": 1, "lat": 2}), "geometry"),
    ("legs.geojson", 4, lambda f: f["geometry"]["coordinates"].__setitem__(1, ["10", "20"]), "geometry"),
    ("nodes.geojson", 3, _set_coords([float("nan"), 10.0]), "geometry"),
    ("nodes.geojson", 3, _set_coords(["52.1", 10.0]), "geometry"),
    ("nodes.geojson", 3, _set_coords([None, 10.0]), "geometry"),
    ("nodes.geojson", 3, _set_coords([float("inf"), 10.0]), "geometry"),
    ("nodes.geojson", 3, lambda f: f["properties"].__setitem__("approach_km", float("nan")), "approach_km"),
    ("nodes.geojson", 3, lambda f: f["properties"].__setitem__("approach_km", float("inf")), "approach_km"),
    ("nodes.geojson", 3, lambda f: f["properties"].__setitem__("approach_km", True), "approach_km"),
    ("legs.geojson", 4, lambda f: f["properties"].__setitem__("season", {"rules": 5, "source": "x"}), "season"),
    ("legs.geojson", 4, lambda f: f.__setitem__("properties", [1, 2]), "properties"),
], ids=["leg_nan_lon", "leg_inf_lat", "leg_position_object", "leg_position_strings", "node_nan", "node_string",
        "node_null", "node_inf", "approach_nan", "approach_inf", "approach_bool", "season_rules_not_list",
        "properties_not_object"])
def test_bad_feature_values_are_refused_naming_file_feature_field(geodata_copy, file, index, edit, field):
    _edit_feature(geodata_copy / file, index, edit)
    with pytest.raises(GeodataError) as err:
        load_network(geodata_copy)
    assert err.value.field == field and file in str(err.value)
    message = _routes(geodata_copy)
    assert file in message and f"field '{field}'" in message


@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    b'{"type": "FeatureCollection", "features": 7}',
    b'{"type": "FeatureCollection", "features": [1, 2]}',
    b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"type": "FeatureCollection", "features": [',
    b"",
], ids=["binary", "features_not_list", "feature_not_object", "deep_json", "truncated", "empty"])
def test_bad_nodes_files_are_refused_in_one_line(geodata_copy, content):
    (geodata_copy / "nodes.geojson").write_bytes(content)
    with pytest.raises(GeodataError):
        load_network(geodata_copy)
    assert "nodes.geojson" in _routes(geodata_copy)


def test_missing_or_looping_network_files_are_refused(geodata_copy):
    (geodata_copy / "legs.geojson").unlink()
    (geodata_copy / "legs.geojson").symlink_to(geodata_copy / "legs.geojson")
    assert "legs.geojson" in _routes(geodata_copy)
    (geodata_copy / "legs.geojson").unlink()
    assert "file not found" in _routes(geodata_copy)


@pytest.mark.parametrize("text", [
    "routes:\n  suez: {origin: INNSA, stages: [{to: RUMOW}]}\n  suez: {origin: INNSA, stages: [{to: RUMOW}]}\n",
    "routes:\n  suez: {origin: INNSA, stages: [{to: RUMOW, modes: sea}]}\n",
    "routes:\n  suez: {origin: INNSA, stages: [{to: RUMOW}], avoid: 5}\n",
    "routes: [1, 2]\n",
], ids=["duplicate_route_id", "modes_not_list", "avoid_not_list", "routes_not_mapping"])
def test_bad_route_catalogues_are_refused(geodata_copy, text):
    (geodata_copy / "routes.yaml").write_text(text)
    message = _routes(geodata_copy)
    assert "routes.yaml" in message


def test_a_missing_land_layer_is_noticed_before_the_simulation(tmp_path, monkeypatch):
    """The maps need geodata/land.gpkg; a run with plots must refuse to start without it, not fail after
    simulating every replication."""
    import sim.land
    import sim.runner

    monkeypatch.setattr(sim.land, "LAND_FILE", tmp_path / "missing" / "land.gpkg")
    started = []
    real_execute = sim.runner.execute
    monkeypatch.setattr(sim.runner, "execute", lambda *a, **k: started.append(1) or real_execute(*a, **k))
    small = Path(__file__).parent / "data" / "small.yaml"
    result = invoke("run", small, "--out", tmp_path / "run", "--replications", "1", "--workers", "1")
    assert result.exit_code == 2, result.output
    assert "land.gpkg" in result.stderr and "--no-plots" in result.stderr
    assert not started, "no replication may run before the land layer is known to be readable"
    assert not (tmp_path / "run").exists()
    assert invoke("map", small, "--out", tmp_path / "m.png").exit_code == 2
    assert not (tmp_path / "m.png").exists()
