"""Scenario overrides of calibration items."""

from __future__ import annotations

import pytest

from sim.errors import ScenarioError
from sim.plan import apply_overrides


def test_an_override_replaces_the_field_and_adds_its_source(calibration):
    cal = apply_overrides(calibration, {"liner_innsa_irbnd": {"headway_h": 84, "sources": {"headway_h": "new"}}},
                          {}, {}, "s.yaml")
    svc = next(s for s in cal.services if s.id == "liner_innsa_irbnd")
    old = next(s for s in calibration.services if s.id == "liner_innsa_irbnd")
    assert svc.headway_h == 84 and old.headway_h != 84
    assert svc.sources["headway_h"] == "new"
    assert svc.sources["capacity_teu"] == old.sources["capacity_teu"]  # other sources kept


def test_cost_overrides_merge_into_the_cost_item(calibration):
    cal = apply_overrides(calibration, {}, {}, {"suez_toll_usd_per_teu": 99.0}, "s.yaml")
    assert cal.costs.suez_toll_usd_per_teu == 99.0
    assert cal.costs.nsr_fee_usd_per_teu == calibration.costs.nsr_fee_usd_per_teu


def test_an_unknown_id_names_the_field_and_the_allowed_ids(calibration):
    with pytest.raises(ScenarioError, match=r"s.yaml: field 'facilities.nope': no such facility; allowed: "
                       r".*border_astara"):
        apply_overrides(calibration, {}, {"nope": {"servers": 2}}, {}, "s.yaml")


def test_an_invalid_value_is_refused_with_its_location(calibration):
    with pytest.raises(ScenarioError, match=r"s.yaml: override gives an invalid calibration at "
                       r"'services.*capacity_teu'"):
        apply_overrides(calibration, {"liner_innsa_irbnd": {"capacity_teu": -5}}, {}, {}, "s.yaml")
