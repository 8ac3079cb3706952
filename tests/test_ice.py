"""NSR ice (geodata/nsr_ice.yaml, sim/ice.py): admission rules by ice class as the sources state them, year
types, and the per-day actions the planner gives a service's ships."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.ice import CLOSED, ESCORT, INDEPENDENT, half_month


@pytest.fixture(scope="module")
def ice(network):
    assert network.ice is not None
    return network.ice


def test_half_months_count_from_the_first_half_of_january():
    days = ((1, 1), (1, 15), (1, 16), (7, 1), (12, 31))
    assert [half_month(dt.date(2025, m, d)) for m, d in days] == [0, 0, 1, 12, 23]


def test_ships_without_arctic_class_are_kept_out_of_the_nsr_from_16_november_to_30_june(ice):
    """Mintrans rules (2013, amended 2017): no ice class and Ice1-Ice3 may not navigate 16 Nov - 30 Jun, even in
    ice-free water."""
    for ice_class in ("none", "ice1", "ice2", "ice3"):
        for day in (dt.date(2025, 11, 16), dt.date(2025, 2, 1), dt.date(2025, 6, 30)):
            assert ice.action(ice_class, "F", day, "kara_sw") == CLOSED, (ice_class, day)
        assert ice.action(ice_class, "F", dt.date(2025, 8, 1), "kara_sw") == INDEPENDENT


def test_the_2013_matrix_rows_for_weak_classes(ice):
    """No ice class: escorted in light ice only, never independent in ice; Ice1: independent in light ice; Ice2:
    escorted in medium ice only in the Kara Sea."""
    aug = dt.date(2025, 8, 20)
    assert ice.action("none", "L", aug, "laptev_w") == ESCORT
    assert ice.action("none", "M", aug, "laptev_w") == CLOSED
    assert ice.action("ice1", "L", aug, "laptev_w") == INDEPENDENT
    assert ice.action("ice1", "M", aug, "laptev_w") == CLOSED
    assert ice.action("ice2", "M", aug, "kara_ne") == ESCORT
    assert ice.action("ice2", "M", aug, "laptev_w") == CLOSED


def test_double_acting_arc7_sails_alone_in_january_and_june_to_december_and_with_icebreakers_in_between(ice):
    """Rules amended Feb 2024: Arc7/Arc8 independent 1-31 Jan and 1 Jun - 31 Dec in any ice conditions."""
    for day, expected in ((dt.date(2025, 1, 20), INDEPENDENT), (dt.date(2025, 3, 10), ESCORT),
                          (dt.date(2025, 6, 1), INDEPENDENT), (dt.date(2025, 12, 31), INDEPENDENT)):
        assert ice.action("arc7", "H", day, "ess_e") == expected, day


def test_heavy_years_close_the_route_longer_than_light_years(compile_variant):
    """For the NSR study's ship, the number of days some area on its path is closed grows light < normal < heavy."""
    from pathlib import Path

    nsr = Path(__file__).resolve().parent.parent / "scenarios" / "nsr_seasonal.yaml"
    closed = {}
    for year in ("light", "normal", "heavy"):
        model, _ = compile_variant(nsr, ice_year=year)
        svc = next(s for s in model.services if s.ice_actions is not None and s.direction == "forward")
        areas = [a for a, _, _ in svc.ice_route]
        y = model.ice.fixed
        closed[year] = int((svc.ice_actions[areas, y, :365] == CLOSED).any(axis=0).sum())
    assert closed["light"] < closed["normal"] < closed["heavy"]
