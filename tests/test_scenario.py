"""Scenario files: validation errors name the file, line and field; variants; hypothesis-made bad files."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import CorridorError, ScenarioError
from sim.experiment import prepare_study
from sim.scenario import load_scenario, scenario_json_schema

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.yaml"
SHIPPED = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


def write(tmp_path: Path, data: dict | str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def small() -> dict:
    return yaml.safe_load(SMALL.read_text())


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_validates_and_compiles(path):
    study = prepare_study(path)
    assert study.variants and all(p.model.flows for p in study.variants)


def test_variants_override_the_base():
    sf = load_scenario(SMALL)
    assert set(sf.variants) == {"base", "busy"}
    assert sf.variants["busy"].demand_scale == 2.0 and sf.variants["base"].demand_scale == 1.0
    assert sf.variants["busy"].demand == sf.variants["base"].demand


@pytest.mark.parametrize(("mutate", "field", "words"), [
    (lambda d: d["demand"][0].__setitem__("teu_per_year", -5), "demand.0.teu_per_year", "greater than or equal to 0"),
    (lambda d: d.__setitem__("colour", "red"), "colour", "unknown field"),
    (lambda d: d.__setitem__("replications", "many"), "replications", "valid integer"),
    (lambda d: d.__setitem__("end_date", "2025-01-01"), "end_date", "must be after start_date"),
    (lambda d: d.pop("seed"), "seed", "required field is missing"),
    (lambda d: d.__setitem__("baseline", "cape"), "baseline", "baseline 'cape' must be one of routes"),
])
def test_schema_errors_name_file_line_and_field(tmp_path, mutate, field, words):
    data = small()
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    msg = str(err.value)
    assert str(path) in msg and f"field '{field}'" in msg and words in msg
    assert f"{path}:" in msg  # a line number follows the file name


def test_unknown_route_is_reported(tmp_path):
    data = small()
    data["routes"] = ["suez_stp", "teleport"]
    with pytest.raises(CorridorError, match="unknown route 'teleport'"):
        prepare_study(write(tmp_path, data))


def test_unknown_commodity_and_node_are_reported(tmp_path):
    data = small()
    data["demand"][0]["commodities"] = {"unobtainium": 1.0}
    with pytest.raises(CorridorError, match="unknown commodity 'unobtainium'"):
        prepare_study(write(tmp_path, data))
    data = small()
    data["demand"][0]["origin"] = "XXNOPE"
    with pytest.raises(CorridorError, match="unknown node 'XXNOPE'"):
        prepare_study(write(tmp_path, data))


def test_bad_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "name: x\nroutes: [suez\nseed: 1\n")
    with pytest.raises(ScenarioError, match=r"s\.yaml: line \d+, column \d+: not valid YAML"):
        load_scenario(path)


def test_yaml_tags_are_not_executed(tmp_path):
    path = write(tmp_path, "name: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(path)


def test_bad_variant_override_names_the_variant(tmp_path):
    data = small()
    data["variants"]["busy"] = {"demand_scale": -1}
    with pytest.raises(ScenarioError, match="variants.busy.demand_scale"):
        load_scenario(write(tmp_path, data))
    data["variants"]["busy"] = {"seed": 3}
    with pytest.raises(ScenarioError, match="variants.busy.seed.*not overridable"):
        load_scenario(write(tmp_path, data))


def test_service_override_must_name_a_real_service(tmp_path):
    data = small()
    data["services"] = {"warp_drive": {"capacity_teu": 5}}
    with pytest.raises(CorridorError, match="services.warp_drive.*no such service"):
        prepare_study(write(tmp_path, data))


def test_json_schema_lists_the_fields():
    schema = scenario_json_schema()
    assert {"name", "start_date", "routes", "baseline", "demand", "variants"} <= set(schema["properties"])
    assert set(schema["required"]) >= {"name", "start_date", "end_date", "seed", "routes", "baseline", "demand"}


# ----- hypothesis: malformed scenarios never produce anything but a ScenarioError/CorridorError ---------------
LEAF = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                 st.text(max_size=12), st.lists(st.integers(-5, 5), max_size=3),
                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


def paths(d, prefix=()):
    if isinstance(d, dict):
        for k, v in d.items():
            yield prefix + (k,)
            yield from paths(v, prefix + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield prefix + (i,)
            yield from paths(v, prefix + (i,))


ALL_PATHS = list(paths(yaml.safe_load(SMALL.read_text())))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(ALL_PATHS), value=LEAF, drop=st.booleans())
def test_malformed_scenarios_only_raise_clear_errors(tmp_path, where, value, drop):
    data = copy.deepcopy(small())
    parent = data
    for key in where[:-1]:
        parent = parent[key]
    if drop and isinstance(parent, dict):
        parent.pop(where[-1])
    else:
        parent[where[-1]] = value
    path = write(tmp_path, data, "h.yaml")
    try:
        prepare_study(path)
    except CorridorError as exc:
        assert str(path) in str(exc) or "scenario" in str(exc) or "route" in str(exc)


def test_demand_per_week_equals_demand_per_year(tmp_path):
    data = small()
    data["demand"][0].pop("teu_per_year")
    data["demand"][0]["teu_per_week"] = 12000 * 7 / 365
    weekly = prepare_study(write(tmp_path, data)).variants[0].model.flows[0].teu_per_year
    yearly = prepare_study(SMALL).variants[0].model.flows[0].teu_per_year
    assert weekly == pytest.approx(yearly)
    data["demand"][0]["teu_per_year"] = 5
    with pytest.raises(ScenarioError, match="exactly one of teu_per_year or teu_per_week"):
        load_scenario(write(tmp_path, data, "both.yaml"))
