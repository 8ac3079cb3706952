"""Swings, rankings and joint-uncertainty summaries from outputs (synthetic outputs: the arithmetic alone)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.sensitivity.design import oat_design
from sim.sensitivity.indices import oat_rows, ranking, targets_of, uncertainty_rows
from sim.sensitivity.parameters import Parameter


def _param(name: str, low: float, base: float, high: float) -> Parameter:
    return Parameter(f"costs.{name}", "costs", "", name, base, low, high, "number", "ASSUMPTION")


def test_oat_swings_signs_flips_and_ranking():
    params = [_param("rate", 1.0, 2.0, 3.0), _param("idle", 0.0, 1.0, 2.0)]
    design = oat_design(params)
    t = ("delta_transport_usd_per_teu", "instc_west", "forward")

    def outcome(point):  # the output is 100 x (rate - 2) - 50; 'idle' does nothing
        rate = point.values.get("costs.rate", 2.0)
        return {t: 100.0 * (rate - 2.0) - 50.0}

    rows = oat_rows(params, design.points, outcome, [t])
    by = {r["parameter"]: r for r in rows}
    assert by["costs.rate"]["effect_low"] == -100.0 and by["costs.rate"]["effect_high"] == 100.0
    assert by["costs.rate"]["swing"] == 200.0 and by["costs.rate"]["rank"] == 1
    assert by["costs.rate"]["flips"]  # -150 at low, +50 at high: the route goes from cheaper to dearer
    assert by["costs.idle"]["swing"] == 0.0 and not by["costs.idle"]["flips"]
    assert [pid for pid, _, _ in ranking(rows)] == ["costs.rate", "costs.idle"]
    assert ranking(rows)[0][1:] == (1.0, 1)


def test_targets_keep_the_order_of_the_outputs_asked_for():
    outcomes = [{("share", "a", "forward"): 0.5, ("delta_days_p50", "a", "forward"): 1.0,
                 ("delta_days_p50", "b", "reverse"): 2.0}]
    assert targets_of(outcomes, ["delta_days_p50"]) == [("delta_days_p50", "a", "forward"),
                                                        ("delta_days_p50", "b", "reverse")]
    assert targets_of(outcomes, ["share", "delta_days_p50"])[0][0] == "share"


def test_uncertainty_gives_quantiles_and_the_probability_of_beating_the_baseline():
    t = [("delta_days_p50", "r", "forward"), ("share", "r", "forward")]
    y = np.column_stack([np.arange(-3.0, 7.0), np.full(10, 0.4)])
    rows = uncertainty_rows(y, {t[0]: 1.0, t[1]: 0.4}, t)
    assert rows[0]["prob_beats_baseline"] == pytest.approx(0.3)  # -3, -2, -1 of ten
    assert rows[0]["p50"] == pytest.approx(1.5) and rows[0]["base"] == 1.0 and rows[0]["samples"] == 10
    assert math.isnan(rows[1]["prob_beats_baseline"]) and rows[1]["sd"] == 0.0


def test_joint_sample_ranks_assumptions_by_rank_correlation():
    from sim.sensitivity.design import lhs_design
    from sim.sensitivity.indices import correlation_rows

    params = [_param("rate", 1.0, 2.0, 3.0), _param("noise", 0.0, 1.0, 2.0)]
    design = lhs_design(params, 40, seed=2)
    assert design.x is not None
    t = [("delta_transport_usd_per_teu", "r", "forward")]
    y = (-5.0 * design.x[:, 0] ** 3)[:, None]  # monotone falling in the rate, blind to the other
    rows = {r["parameter"]: r for r in correlation_rows(design, y, t)}
    assert rows["costs.rate"]["rank_correlation"] == pytest.approx(-1.0) and rows["costs.rate"]["rank"] == 1
    assert abs(rows["costs.noise"]["rank_correlation"]) < 0.5
    assert ranking(list(rows.values()), "rank_correlation")[0][0] == "costs.rate"
