"""Scenario overrides of calibration items."""

from __future__ import annotations

import pytest

from sim.errors import ScenarioError
from sim.plan import apply_overrides

OVER = {"liner_innsa_irbnd": {"headway_h": 168, "sources": {"headway_h": "a weekly study service"}}}


def test_an_override_replaces_the_field_and_its_source_and_drops_the_old_range(calibration):
    old = next(s for s in calibration.services if s.id == "liner_innsa_irbnd")
    assert old.headway_h != 168
    cal = apply_overrides(calibration, OVER, {}, {}, "s.yaml")
    svc = next(s for s in cal.services if s.id == "liner_innsa_irbnd")
    assert svc.headway_h == 168 and svc.sources["headway_h"] == "a weekly study service"
    assert svc.sources["capacity_teu"] == old.sources["capacity_teu"]  # other sources kept
    assert "headway_h" not in svc.ranges  # the old value's range described the old assumption
    assert {k: v for k, v in old.ranges.items() if k != "headway_h"} == svc.ranges


def test_an_overridden_number_without_its_own_source_is_refused(calibration):
    with pytest.raises(ScenarioError, match=r"field 'services.liner_innsa_irbnd.headway_h': an overridden number "
                                            r"needs its own source"):
        apply_overrides(calibration, {"liner_innsa_irbnd": {"headway_h": 168}}, {}, {}, "s.yaml")


def test_an_override_may_give_its_own_assumption_range(calibration):
    over = {"liner_innsa_irbnd": {"headway_h": 168, "sources": {"headway_h": "ASSUMPTION: a weekly service"},
                                  "ranges": {"headway_h": [120, 240]}}}
    svc = next(s for s in apply_overrides(calibration, over, {}, {}, "s.yaml").services if s.id == "liner_innsa_irbnd")
    assert svc.ranges["headway_h"] == (120, 240)
    over["liner_innsa_irbnd"].pop("ranges")
    with pytest.raises(ScenarioError, match="an ASSUMPTION needs a plausible range"):
        apply_overrides(calibration, over, {}, {}, "s.yaml")


def test_cost_overrides_merge_into_the_cost_item(calibration):
    cal = apply_overrides(calibration, {}, {}, {"suez_toll_usd_per_teu": 99.0,
                                                "sources": {"suez_toll_usd_per_teu": "test"}}, "s.yaml")
    assert cal.costs.suez_toll_usd_per_teu == 99.0
    assert cal.costs.nsr_fee_usd_per_teu == calibration.costs.nsr_fee_usd_per_teu


def test_an_unknown_id_names_the_field_and_the_allowed_ids(calibration):
    with pytest.raises(ScenarioError, match=r"s.yaml: field 'facilities.nope': no such facility; allowed: .*"
                                            r"border_bolashak"):
        apply_overrides(calibration, {}, {"nope": {"servers": 2, "sources": {"servers": "x"}}}, {}, "s.yaml")


def test_an_invalid_value_is_refused_with_its_location(calibration):
    with pytest.raises(ScenarioError, match=r"s.yaml: override gives an invalid calibration at "
                                            r"'services.*capacity_teu'"):
        apply_overrides(calibration, {"liner_innsa_irbnd": {"capacity_teu": -5, "sources": {"capacity_teu": "x"}}},
                        {}, {}, "s.yaml")
