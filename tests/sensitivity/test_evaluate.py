"""Points run as experiments: unused assumptions have no effect, known effects have their sign, every point
uses the same random numbers, and collapsed ranges reproduce the base run."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.experiment import execute, prepare_study
from sim.results import Aggregator
from sim.sensitivity.design import lhs_design, oat_design
from sim.sensitivity.evaluate import OUTPUTS, Evaluator, Point
from sim.sensitivity.indices import oat_rows, targets_of
from sim.sensitivity.parameters import Parameter, list_parameters, select

SMALL = Path(__file__).resolve().parent.parent / "data" / "small.yaml"
WEST = ("delta_transport_usd_per_teu", "instc_west", "forward")


@pytest.fixture(scope="module")
def study():
    s = prepare_study(SMALL)
    s.variants = s.variants[:1]
    return s


def _oat(study, patterns, replications=1):
    ev = Evaluator(study, [], replications, seed=5)
    ev.params = select(list_parameters(ev.inputs), patterns)
    design = oat_design(ev.params)
    ev.run(design.points)
    targets = targets_of([ev.outcome(p) for p in design.points], list(OUTPUTS))
    return ev, design, oat_rows(ev.params, design.points, ev.outcome, targets)


@pytest.fixture(scope="module")
def swings(study):
    # the INSTC's first leg (Nhava Sheva - Bandar Abbas), its port, the NSR escort (unused here) and fees
    return _oat(study, ["services.liner_innsa_irbnd.*", "facilities.port_irbnd.*", "escorts.*", "costs.*"])


def test_an_assumption_the_model_does_not_use_has_zero_effect(swings):
    _, _, rows = swings
    escort = [r for r in rows if r["parameter"].startswith("escorts.")]
    assert escort and all(r["swing"] == 0.0 and r["effect_low"] == 0.0 for r in escort)
    used = [r for r in rows if r["parameter"] == "services.liner_innsa_irbnd.freight_usd_per_teu"]
    assert max(r["swing"] for r in used) > 0  # the comparison can fail: a used assumption does move


def test_a_routes_own_freight_rate_raises_its_cost_difference_and_swings_it_most(swings):
    _, _, rows = swings
    on_west = sorted((r for r in rows if (r["output"], r["route"], r["direction"]) == WEST), key=lambda r: r["rank"])
    top = on_west[0]
    assert top["parameter"] == "services.liner_innsa_irbnd.freight_usd_per_teu"
    assert top["effect_low"] < 0 < top["effect_high"]
    # USD 400 more per TEU on the leg (600 -> 1,000) is about USD 400 more per TEU delivered (plus empties)
    assert 0.9 * 400 <= top["effect_high"] <= 1.5 * 400
    assert all(r["swing"] < top["swing"] for r in on_west[1:])


def test_the_baselines_freight_rate_lowers_the_difference(study):
    _, _, rows = _oat(study, ["services.liner_innsa_ruled.freight_usd_per_teu"])
    row = next(r for r in rows if (r["output"], r["route"], r["direction"]) == WEST)
    assert row["effect_low"] > 0 > row["effect_high"]


def test_swings_use_common_random_numbers(study, swings):
    ev, design, _ = swings
    base = ev.outcome(design.points[0])
    again = Evaluator(study, ev.params, 1, seed=5)
    again.run([Point(0, {})])
    assert again.outcome(Point(0, {})) == base  # the same seeds at every point: a fresh base is identical
    assert all(ev.outcome(p) == base for p in design.points if p.parameter.startswith("escorts."))
    other = Evaluator(study, ev.params, 1, seed=6)
    other.run([Point(0, {})])
    assert other.outcome(Point(0, {})) != base  # and the seed does matter


def test_the_joint_sample_reproduces_the_base_run_when_ranges_collapse(study):
    ev = Evaluator(study, [], 2, seed=11)
    collapsed = [Parameter(p.id, p.section, p.item, p.field, p.base, p.base, p.base, p.kind, p.source)
                 for p in list_parameters(ev.inputs)]
    ev.params = collapsed
    design = lhs_design(collapsed, 3, seed=1)
    ev.run(design.points)
    agg = Aggregator(baseline=study.file.base.baseline, route_km={})
    for out in execute(study, 2, 11, keep_shipments=False):
        agg.add(out.variant, out.routes, out.facilities)
    expected = {(name, r["route"], r["direction"]): r[column] for r in agg.summary_rows() if not r["is_baseline"]
                for name, column in OUTPUTS.items() if column}
    for point in design.points:
        got = ev.outcome(point)
        assert got.keys() == expected.keys()
        for k, v in expected.items():
            assert got[k] == v or (math.isnan(v) and math.isnan(got[k])), k


def test_with_route_choice_shares_answer_costs_in_one_logit_step(tmp_path):
    path = tmp_path / "choice.yaml"
    path.write_text(SMALL.read_text().replace("baseline: suez_stp\n", "baseline: suez_stp\nroute_choice: "
                                              "{model: logit, max_iterations: 3}\n"))
    s = prepare_study(path)
    s.variants = s.variants[:1]
    ev = Evaluator(s, [], 1, seed=3)
    ev.params = select(list_parameters(ev.inputs), ["services.liner_innsa_irbnd.freight_usd_per_teu"])
    assert ev.chosen
    design = oat_design(ev.params)
    ev.run(design.points)
    base, low, high = (ev.outcome(p) for p in design.points)
    forward = {k: v for k, v in base.items() if k[0] == "share" and k[2] == "forward"}
    assert set(k[1] for k in forward) == {"suez_stp", "instc_west", "instc_east"}
    assert sum(forward.values()) == pytest.approx(1.0)
    share = ("share", "instc_west", "forward")
    assert low[share] > base[share] > high[share]  # a dearer first leg drives shippers off the INSTC
    assert high[("share", "suez_stp", "forward")] > base[("share", "suez_stp", "forward")]


def test_points_give_the_same_outputs_on_worker_processes(study, swings):
    ev, design, _ = swings
    points = design.points[:3]
    pooled = Evaluator(study, ev.params, 1, seed=5, workers=2)
    pooled.run(points)
    assert [pooled.outcome(p) for p in points] == [ev.outcome(p) for p in points]
