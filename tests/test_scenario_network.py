"""A planner's own corridor: nodes, legs, routes, services and facilities defined in a scenario run end to end;
numbers without a source and ids that clash with shipped ones are refused naming the field; `validate` refuses
exactly what `run` refuses; `routes --scenario`, `map` and `schema` cover the new block."""

from __future__ import annotations

import copy
import csv
import json
import pickle
from pathlib import Path

import pytest
import yaml
from clihelp import invoke

from sim.experiment import load_study_network, prepare_study
from sim.limits import MAX_ROUTED_LEGS, MAX_SCENARIO_NODES
from sim.model import CONVOY
from sim.scenario import scenario_json_schema

DATA = Path(__file__).parent / "data"
OWN = DATA / "own_corridor.yaml"
EXAMPLE = Path(__file__).resolve().parent.parent / "scenarios" / "shanghai_stp_nsr_vs_suez.yaml"


def own() -> dict:
    return copy.deepcopy(yaml.safe_load(OWN.read_text()))


def write(tmp_path: Path, doc: dict, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def rows(path: Path) -> list[dict]:
    return list(csv.DictReader(path.read_text().splitlines()))


@pytest.mark.slow
def test_a_scenario_defined_node_leg_route_and_service_run_end_to_end(tmp_path):
    assert invoke("validate", OWN).exit_code == 0
    out = tmp_path / "run"
    result = invoke("run", OWN, "--out", out, "--replications", "1", "--workers", "1", "--no-plots")
    assert result.exit_code == 0, result.output[-3000:]
    summary = {(r["variant"], r["route"], r["direction"]): r for r in rows(out / "summary.csv")}
    whole = summary[("base", "colombo_vorsino", "forward")]
    part = summary[("base", "colombo_vorsino@LKCMB-RUMOW", "forward")]  # the flow on part of the route
    for r in (whole, part):
        assert float(r["teu_delivered"]) > 0
    # physics: Colombo - St Petersburg (about 7,600 nm via Suez) at the ships' top speed of 16 kn takes 20 days
    sea_km = float(whole["distance_km"]) - 700 - 150  # less the rail and road legs (about 700 and 150 km)
    assert float(whole["transit_days_p05"]) > sea_km / (16 * 1.852) / 24
    services = {(r["variant"], r["service"], r["direction"]): r for r in rows(out / "services.csv")}
    for sid in ("liner_lkcmb_ruled", "trucks_rumow_vorsino"):
        assert int(services[("base", sid, "forward")]["departures"]) > 0
    steps = " | ".join(r["steps"] for r in rows(out / "itineraries.csv"))
    assert "port_lkcmb > liner_lkcmb_ruled" in steps and "trucks_rumow_vorsino > terminal_vorsino" in steps
    closed = summary[("suez_closed", "colombo_vorsino", "forward")]
    assert float(closed["diverted_share"]) > 0 and float(whole["diverted_share"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_closing_suez_reroutes_the_ships_on_a_routed_leg_round_the_cape():
    study = prepare_study(OWN)
    plan = next(p for p in study.variants if p.name == "suez_closed")
    svc = next(s for s in plan.model.services if s.id == "liner_lkcmb_ruled" and s.direction == "forward")
    assert svc.reroutes, "the closure must give the ships a way round"
    (path,) = svc.reroutes.values()
    legs = [study.network.legs[key.split(":")[0]] for key in path.legs]
    assert any("cape" in leg.chokepoints for leg in legs) and not any("suez" in leg.chokepoints for leg in legs)
    assert path.km > 1.3 * svc.path.km
    assert CONVOY in [ch.kind for ch in svc.path.chunks], "the routed Suez piece is a canal leg with its convoys"


def test_the_example_study_compiles_ice_on_its_routed_nsr_leg_and_convoys_on_its_suez_leg():
    study = prepare_study(EXAMPLE)
    base = study.variants[0]
    nsr = next(s for s in base.model.services if s.id == "nsr_liner_cnsha_ruled")
    assert nsr.ice_actions is not None and len(nsr.ice_route) >= 5  # the ice areas from the Chukchi to the Kara Sea
    suez = next(s for s in base.model.services if s.id == "liner_cnsha_ruled")
    assert CONVOY in [ch.kind for ch in suez.path.chunks]
    closed = next(p for p in study.variants if p.name == "red_sea_closed")
    suez_closed = next(s for s in closed.model.services if s.id == "liner_cnsha_ruled" and s.direction == "forward")
    (detour,) = suez_closed.reroutes.values()
    assert "cape" in detour.tags and "panama" not in detour.tags  # the line avoids Panama


def _single_error(result) -> str:
    assert result.exit_code == 2, result.output[-2000:]
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) >= 1, result.output
    return errors[0]


def refused(tmp_path: Path, doc: dict, *fragments: str) -> str:
    """validate and run both refuse ``doc`` with the same first error line, naming ``fragments``; run leaves
    nothing behind."""
    path = write(tmp_path, doc)
    checked = _single_error(invoke("validate", path))
    before = sorted(p.name for p in tmp_path.iterdir())
    ran = _single_error(invoke("run", path, "--out", tmp_path / "run", "--replications", "1", "--workers", "1",
                               "--no-plots"))
    assert checked == ran, (checked, ran)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    for fragment in fragments:
        assert fragment in checked, (fragment, checked)
    assert checked.startswith(f"error: {path}:"), checked  # file and line
    return checked


def _service(doc):
    return doc["services"]["liner_lkcmb_ruled"]


UNSOURCED = {
    "node_source_missing": (lambda d: d["network"]["nodes"][0].pop("source"),
                            ["network.nodes.0.source", "required"]),
    "node_source_blank": (lambda d: d["network"]["nodes"][0].update(source="  "),
                          ["network.nodes.0.source", "where the coordinates come from"]),
    "station_source_missing": (lambda d: d["network"]["legs"][1]["stations"][0].pop("source"),
                               ["network.legs.1.stations.0.source"]),
    "published_length_unsourced": (lambda d: d["network"]["legs"][1].update(published_length_km=180),
                                   ["network.legs.1.published_length_source"]),
    "service_number_unsourced": (lambda d: _service(d)["sources"].pop("headway_h"),
                                 ["services.liner_lkcmb_ruled", "sources.headway_h"]),
    "facility_number_unsourced": (lambda d: d["facilities"]["port_lkcmb"]["sources"].pop("servers"),
                                  ["facilities.port_lkcmb", "sources.servers"]),
    "assumption_without_range": (lambda d: _service(d)["sources"].update(capacity_teu="ASSUMPTION: a guess"),
                                 ["services.liner_lkcmb_ruled", "ranges.capacity_teu"]),
    "demand_unsourced": (lambda d: d["demand"][0].pop("source"), ["demand.0.source"]),
}


@pytest.mark.parametrize("case", UNSOURCED)
def test_every_scenario_defined_number_needs_a_source(tmp_path, case):
    edit, fragments = UNSOURCED[case]
    doc = own()
    edit(doc)
    refused(tmp_path, doc, *fragments)


CLASHES = {
    "node": (lambda d: d["network"]["nodes"][0].update(id="INNSA"), ["network.nodes.0.id", "shipped node"]),
    "leg": (lambda d: d["network"]["legs"][0].update(id="sea_innsa_inmun"), ["network.legs.0.id", "shipped leg"]),
    "route": (lambda d: d["network"].update(routes={"suez_stp": d["network"]["routes"]["colombo_vorsino"]})
              or d.update(routes=["suez_stp"], baseline="suez_stp"), ["network.routes.suez_stp", "shipped route"]),
    "service": (lambda d: d["services"].update(liner_innsa_ruled=d["services"].pop("liner_lkcmb_ruled")),
                ["services.liner_innsa_ruled.origin", "shipped service", "id of its own"]),
    "facility": (lambda d: d["facilities"].update(port_innsa=d["facilities"].pop("port_lkcmb")),
                 ["facilities.port_innsa.node", "shipped facility"]),
    "hand_drawn_pair": (lambda d: d["network"]["legs"].append({"id": "sea_x", "from": "INNSA", "to": "INMUN",
                                                               "mode": "sea", "source": "t"}),
                        ["network.legs.2", "hand-drawn leg 'sea_innsa_inmun'"]),
}


@pytest.mark.parametrize("case", CLASHES)
def test_ids_that_clash_with_shipped_ones_are_refused(tmp_path, case):
    edit, fragments = CLASHES[case]
    doc = own()
    edit(doc)
    refused(tmp_path, doc, *fragments)


def _leg(**fields) -> dict:
    return {"id": "extra", "mode": "sea", "source": "t", **fields}


BAD = {
    "inland_node": (lambda d: d["network"]["nodes"][0].update(lon=66.9, lat=48.0),  # Kazakh steppe
                    ["network.legs.0", "cannot be routed at sea", "nearest sea lane"]),
    "crosses_land": (lambda d: d["network"]["nodes"].append({"id": "DEHAM", "name": "Hamburg", "kind": "port",
                                                             "lon": 9.93, "lat": 53.54, "source": "t"})
                     or d["network"]["legs"].append(_leg(**{"from": "DEHAM", "to": "RULED"})),
                     ["network.legs.2.geometry", "crosses land", "approach_km"]),
    "unknown_node": (lambda d: d["network"]["legs"][0].update(to="ATLANTIS"), ["network.legs.0.to", "ATLANTIS"]),
    "line_off_its_node": (lambda d: d["network"]["legs"][1].update(stations=None, geometry=[[37.0, 55.0],
                                                                                            [36.62, 55.08]]),
                          ["network.legs.1.geometry", "km from node 'RUMOW'"]),
    "rail_without_gauge": (lambda d: d["network"]["legs"][1].update(mode="rail"), ["network.legs.1.gauge_mm"]),
    "road_without_line": (lambda d: d["network"]["legs"][1].pop("stations"), ["network.legs.1.geometry",
                                                                               "geometry or stations"]),
    "leg_to_itself": (lambda d: d["network"]["legs"][0].update(to="LKCMB"), ["network.legs.0.to", "two different"]),
    "station_on_its_node": (lambda d: d["network"]["legs"][1]["stations"].insert(0, {
        "name": "Moscow again", "lon": 37.61781, "lat": 55.75204, "source": "t"}),
        ["network.legs.1.stations", "repeated"]),
    "typed_chokepoints": (lambda d: d["network"]["legs"][0].update(chokepoints=["suez"]),
                          ["network.legs.0.chokepoints", "computed"]),
    "route_unknown_node": (lambda d: d["network"]["routes"]["colombo_vorsino"]["stages"][0].update(to="XX"),
                           ["network.routes.colombo_vorsino.stages.0.to", "XX"]),
    "route_unknown_tag": (lambda d: d["network"]["routes"]["colombo_vorsino"]["avoid"].append("nowhere"),
                          ["network.routes.colombo_vorsino.avoid", "nowhere"]),
    "service_unknown_node": (lambda d: _service(d).update(destination="XX"),
                             ["services.liner_lkcmb_ruled.destination", "XX"]),
    "facility_unknown_node": (lambda d: d["facilities"]["port_lkcmb"].update(node="XX"),
                              ["facilities.port_lkcmb.node", "XX"]),
    "new_service_incomplete": (lambda d: _service(d).pop("capacity_teu"),
                               ["services.liner_lkcmb_ruled.capacity_teu", "required"]),
    "override_typo": (lambda d: d["services"].update(liner_inna_ruled={"headway_h": 100,
                                                                       "sources": {"headway_h": "t"}}),
                      ["services.liner_inna_ruled", "no such service"]),
    "flow_not_reached": (lambda d: d["demand"][1].update(destination="RUNVS"),
                         ["demand.1", "LKCMB", "RUNVS"]),
    "duplicate_node": (lambda d: d["network"]["nodes"].append(dict(d["network"]["nodes"][0])),
                       ["network.nodes.2.id", "used twice"]),
    "variant_network": (lambda d: d["variants"]["suez_closed"].update(network={"nodes": []}),
                        ["variants.suez_closed.network", "not overridable"]),
    "too_many_nodes": (lambda d: d["network"]["nodes"].extend(
        {"id": f"n{i}", "name": "n", "kind": "waypoint", "lon": 0, "lat": 0, "source": "t"}
        for i in range(MAX_SCENARIO_NODES)), ["network.nodes", str(MAX_SCENARIO_NODES)]),
    "too_many_routed_legs": (lambda d: d["network"]["legs"].extend(
        _leg(id=f"x{i}", **{"from": "LKCMB", "to": "RUMMK"}) for i in range(MAX_ROUTED_LEGS)),
        [f"network.legs.{MAX_ROUTED_LEGS + 1}", f"at most {MAX_ROUTED_LEGS}"]),
}


@pytest.mark.parametrize("case", BAD)
def test_validate_refuses_what_run_refuses(tmp_path, case):
    edit, fragments = BAD[case]
    doc = own()
    edit(doc)
    refused(tmp_path, doc, *fragments)


def test_the_schema_covers_the_network_block():
    schema = scenario_json_schema()
    assert "network" in schema["properties"]
    defs = schema["$defs"]
    assert set(defs["NetworkInput"]["properties"]) == {"nodes", "legs", "routes"}
    assert {"id", "from", "to", "mode", "source", "geometry", "stations"} <= set(defs["LegInput"]["properties"])
    assert {"id", "name", "kind", "lon", "lat", "source"} <= set(defs["NodeInput"]["required"])
    assert invoke("schema").exit_code == 0


def test_routes_lists_the_shipped_and_the_scenarios_routes_in_every_format(tmp_path):
    table = invoke("routes", "--scenario", OWN)
    assert table.exit_code == 0 and "colombo_vorsino" in table.stdout and "suez_stp" in table.stdout
    text = invoke("routes", "--scenario", OWN, "--format", "csv", "--direction", "forward").stdout
    listed = {r["route"]: r for r in csv.DictReader(text.splitlines())}
    assert {"colombo_vorsino", "suez_stp", "instc_west"} <= set(listed)
    assert "suez" in listed["colombo_vorsino"]["chokepoints"] and "cape" not in listed["colombo_vorsino"]["chokepoints"]
    out = tmp_path / "r.geojson"
    assert invoke("routes", "--scenario", OWN, "--format", "geojson", "--out", out).exit_code == 0
    features = [f for f in json.loads(out.read_text())["features"] if f["properties"]["route"] == "colombo_vorsino"]
    legs = [f["properties"]["leg"] for f in features if f["properties"]["direction"] == "forward"]
    assert legs[0].startswith("sea_lkcmb_ruled") and legs[-1] == "road_rumow_vorsino"
    assert all(len(f["geometry"]["coordinates"]) >= 2 for f in features)
    bad = invoke("routes", "--scenario", DATA / "missing.yaml")
    assert bad.exit_code == 2 and "missing.yaml" in bad.stderr


def test_the_lane_graph_is_loaded_once_and_the_engine_never_sees_geometry():
    import sim.sealanes

    first = load_study_network(OWN)[1]
    loads = sim.sealanes._load.cache_info().misses
    assert load_study_network(OWN)[1] is first  # the study network itself is cached by content
    study = prepare_study(OWN)
    assert sim.sealanes._load.cache_info().misses == loads
    for plan in study.variants:
        blob = pickle.dumps(plan.job)
        for module in (b"sim.network", b"sim.sealanes", b"shapely", b"networkx"):
            assert module not in blob, module


def test_the_map_draws_the_scenarios_nodes_and_routed_legs(tmp_path):
    out = tmp_path / "m.png"
    result = invoke("map", OWN, "--out", out)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 50_000
    from matplotlib.collections import LineCollection

    from sim.report.figures import study_map

    fig = study_map(prepare_study(OWN))
    main = fig.axes[0]
    labels = {t.get_text() for t in main.texts}
    assert {"Colombo", "Vorsino", "Suez Canal"} <= labels
    (artist,) = [c for c in main.collections
                 if isinstance(c, LineCollection) and c.get_gid() == "route:colombo_vorsino"]
    assert len(artist.get_segments()) >= 5  # the routed pieces, rail and road


def test_the_readme_example_of_the_network_block_is_valid(tmp_path):
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = text[text.index("```yaml\nnetwork:") + len("```yaml\n"):]
    example = yaml.safe_load(block[: block.index("```")])
    doc = yaml.safe_load((DATA / "small.yaml").read_text())
    doc.pop("variants")
    doc.update(example, routes=["shanghai_suez"], baseline="shanghai_suez")
    doc["demand"] = [{"name": "x", "origin": "CNSHA", "destination": "RUMOW", "teu_per_year": 1000, "source": "t",
                      "commodities": {"metals": 1.0}}]
    result = invoke("validate", write(tmp_path, doc))
    assert result.exit_code == 0, result.output
