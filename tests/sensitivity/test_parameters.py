"""The assumptions of a study with their ranges, and values applied to copies of the inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import CorridorError, ScenarioError
from sim.experiment import prepare_study
from sim.scenario import load_scenario
from sim.sensitivity.parameters import apply_values, list_parameters, select, study_inputs

DATA = Path(__file__).resolve().parent.parent / "data"
DEFAULT = Path(__file__).resolve().parent.parent.parent / "scenarios" / "instc_vs_suez.yaml"


@pytest.fixture(scope="module")
def inputs():
    study = prepare_study(DEFAULT)
    return study_inputs(study.calibration, study.variants[0].scenario)


def test_every_ranged_field_of_the_calibration_and_the_demand_is_a_parameter(inputs):
    params = list_parameters(inputs)
    ids = {p.id for p in params}
    cal = inputs.calibration
    expected = sum(len(item.ranges) for section in ("services", "facilities", "convoys", "escorts", "commodities")
                   for item in getattr(cal, section))
    expected += len(cal.costs.ranges) + len(cal.route_choice.ranges)
    assert len(params) == expected + 2  # both demand flows of the default study carry a range
    assert {"services.liner_innsa_runvs.freight_usd_per_teu", "route_choice.scale_per_usd",
            "demand.india_to_russia.teu_per_year", "commodities.pharmaceuticals.time_value_per_day"} <= ids
    for p in params:
        assert p.low <= p.base <= p.high, p.id
        if "ASSUMPTION" in p.source:
            assert p.high > p.low, p.id


def test_values_are_applied_to_a_copy_by_kind(inputs):
    params = list_parameters(inputs)
    by = {p.id: p for p in params}
    values = {"services.liner_innsa_runvs.freight_usd_per_teu": 1500.0,  # a number
              "services.rail_runvs_rumow.speed_kmh": by["services.rail_runvs_rumow.speed_kmh"].high,  # a distribution
              "services.caspian_irbaz_ruasf.fleet": by["services.caspian_irbaz_ruasf.fleet"].low,  # a fleet's units
              "services.caspian_irbaz_ruasf.month_speed_factor": 0.8,  # a multiplier of a list
              "facilities.port_innsa.servers": by["facilities.port_innsa.servers"].high + 0.4,  # an integer
              "demand.russia_to_india.teu_per_year": 41000.0}
    out = apply_values(inputs, params, values)
    svc = {s.id: s for s in out.calibration.services}
    old = {s.id: s for s in inputs.calibration.services}
    assert svc["liner_innsa_runvs"].freight_usd_per_teu == 1500.0
    assert old["liner_innsa_runvs"].freight_usd_per_teu == 2300.0  # the original is untouched
    assert svc["rail_runvs_rumow"].speed.mean == pytest.approx(by["services.rail_runvs_rumow.speed_kmh"].high)
    assert svc["rail_runvs_rumow"].speed_kmh.kind == old["rail_runvs_rumow"].speed_kmh.kind
    assert svc["caspian_irbaz_ruasf"].fleet.units == round(by["services.caspian_irbaz_ruasf.fleet"].low)
    assert svc["caspian_irbaz_ruasf"].month_speed_factor == pytest.approx(
        [v * 0.8 for v in old["caspian_irbaz_ruasf"].month_speed_factor])
    port = next(f for f in out.calibration.facilities if f.id == "port_innsa")
    assert isinstance(port.servers, int) and port.servers == round(by["facilities.port_innsa.servers"].high + 0.4)
    assert next(d for d in out.scenario.demand if d.name == "russia_to_india").teu_per_year == 41000.0
    assert apply_values(inputs, params, {}) is inputs


def test_select_by_pattern_and_refuse_a_pattern_that_matches_nothing(inputs):
    params = list_parameters(inputs)
    picked = select(params, ["services.liner_*.freight_usd_per_teu"])
    assert picked and all(p.id.startswith("services.liner_") and p.field == "freight_usd_per_teu" for p in picked)
    with pytest.raises(CorridorError, match="--parameters 'nothing.like.this'"):
        select(params, ["nothing.like.this"])


def test_an_assumed_demand_needs_a_range_containing_its_value(tmp_path):
    text = (DATA / "small.yaml").read_text().replace("source: test fixture", "source: ASSUMPTION for a test", 1)
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=r"demand\.0\.ranges.*needs a plausible range"):
        load_scenario(path)
    path.write_text(text.replace("teu_per_year: 12000\n", "teu_per_year: 12000\n    ranges: {teu_per_year: [1, 2]}\n",
                                 1))
    with pytest.raises(ScenarioError, match="must contain the value 12000"):
        load_scenario(path)
    path.write_text(text.replace("teu_per_year: 12000\n",
                                 "teu_per_year: 12000\n    ranges: {teu_per_year: [9000, 15000]}\n", 1))
    assert load_scenario(path).base.demand[0].ranges == {"teu_per_year": (9000.0, 15000.0)}


def test_a_range_of_a_field_the_item_does_not_give_is_refused():
    from pydantic import ValidationError

    from sim.calibration import CostCal

    fields = {"suez_toll_usd_per_teu": 62, "nsr_fee_usd_per_teu": 100, "empty_freight_share": 0.6,
              "empty_sea_freight_share": 0.17, "max_empty_share": 0.35, "empty_co2_share": 0.2}
    sources = {k: "a source" for k in fields}
    CostCal(**fields, sources=sources, ranges={"nsr_fee_usd_per_teu": [50, 250]})
    with pytest.raises(ValidationError, match="ranges.nsr_fee_usd_per_tue: not a number given"):
        CostCal(**fields, sources=sources, ranges={"nsr_fee_usd_per_tue": [50, 250]})
    with pytest.raises(ValidationError, match="an ASSUMPTION needs a plausible range"):
        CostCal(**fields, sources={**sources, "nsr_fee_usd_per_teu": "ASSUMPTION: a guess"})


def test_a_scenarios_own_route_choice_and_overrides_are_the_parameters(tmp_path):
    text = (DATA / "small.yaml").read_text().replace("baseline: suez_stp\n", """baseline: suez_stp
route_choice:
  model: logit
  scale_per_usd: 0.0005
  sources: {scale_per_usd: "ASSUMPTION: a test value"}
  ranges: {scale_per_usd: [0.0002, 0.001]}
services:
  liner_innsa_irbnd:
    freight_usd_per_teu: 700
    sources: {freight_usd_per_teu: "ASSUMPTION: a test override"}
    ranges: {freight_usd_per_teu: [650, 900]}
""")
    path = tmp_path / "s.yaml"
    path.write_text(text)
    study = prepare_study(path)
    inputs = study_inputs(study.calibration, study.variants[0].scenario)
    params = {p.id: p for p in list_parameters(inputs)}
    rc = params["route_choice.scale_per_usd"]
    assert (rc.section, rc.base, rc.low, rc.high) == ("scenario_route_choice", 0.0005, 0.0002, 0.001)
    assert [p for p in params.values() if p.field == "scale_per_usd"] == [rc]  # the calibration's default is unused
    fr = params["services.liner_innsa_irbnd.freight_usd_per_teu"]
    assert (fr.base, fr.low, fr.high) == (700.0, 650.0, 900.0) and "test override" in fr.source
    out = apply_values(inputs, list(params.values()), {rc.id: 0.001, fr.id: 900.0})
    assert out.scenario.route_choice.scale_per_usd == 0.001
    assert next(s for s in out.calibration.services if s.id == "liner_innsa_irbnd").freight_usd_per_teu == 900.0
    assert out.scenario.services == {}  # merged into the calibration: an override cannot undo an applied value
