"""The headline table and what it rests on, from summary-shaped rows (made up here: the formatting and the
warnings must hold whatever the numbers)."""

from __future__ import annotations

import math

import pytest

from sim.equilibrium import ChoiceOutcome
from sim.report.basis import SATURATED, UNDELIVERED_WARNING, run_warnings, sensitivity_drivers
from sim.report.headline import direction_rows, has_shares, headline_cells, headline_rows, signed


def _row(variant, route, direction="forward", baseline=False, delta=0.0, share=math.nan, undelivered=0.0):
    row = {"variant": variant, "route": route, "direction": direction, "is_baseline": baseline,
           "transit_days_p50": 30.0 + delta, "transport_usd_per_teu": 3000.0, "generalized_cost_usd_per_teu": 5000.0,
           "on_time_share": 0.9, "undelivered_share": undelivered, "teu_share": share, "teu_created": 100.0}
    for name in ("delta_days_p50", "delta_transport_usd_per_teu", "delta_generalized_usd_per_teu"):
        row[f"{name}_vs_baseline"] = 0.0 if baseline else delta
        row[f"{name}_ci_low"] = 0.0 if baseline else delta - 1.0
        row[f"{name}_ci_high"] = 0.0 if baseline else delta + 1.0
    return row


def test_rows_grouped_by_direction_forward_first_baseline_first_within_a_variant():
    rows = [_row("b", "x", "reverse", delta=-2), _row("b", "x", delta=-3), _row("b", "s", baseline=True),
            _row("b", "s", "reverse", baseline=True)]
    grouped = direction_rows(headline_rows(rows, {"x": "Route X", "s": "Sea"}))
    assert list(grouped) == ["forward", "reverse"]
    assert [r.route for r in grouped["forward"]] == ["s", "x"] and grouped["forward"][1].name == "Route X"


def test_cells_show_value_difference_and_interval_and_share_only_with_route_choice():
    rows = headline_rows([_row("b", "s", baseline=True), _row("b", "x", delta=-3.0)])
    cells, columns = headline_cells(rows, has_shares(rows))
    assert "share" not in [k for k, _ in columns]
    assert cells[0]["transit"] == "30.0 (baseline)"
    assert cells[1]["transit"] == "27.0 (-3.0 [-4.0, -2.0])"
    assert cells[1]["transport"] == "3,000 (-3 [-4, -2])"
    chosen = headline_rows([_row("b", "s", baseline=True, share=0.25)])
    cells, columns = headline_cells(chosen, has_shares(chosen))
    assert cells[0]["share"] == "25%" and "share" in [k for k, _ in columns]


def test_signed_numbers():
    assert signed(2.0, 1) == "+2.0" and signed(-2.0, 0) == "-2" and signed(0.0, 1) == "±0.0"
    assert signed(math.nan, 1) == "n/a"


@pytest.mark.parametrize("header,expected", [
    ("parameter,output,S1,ST\nvot,transit,0.1,0.5\nfreight,cost,0.3,0.2\nvot,cost,0.05,0.6\nice,transit,0,0.01\n",
     [("vot", 0.6), ("freight", 0.2), ("ice", 0.01)]),
    ("factor,mu_star\nA,2\nB,-5\n", [("B", 5.0), ("A", 2.0)]),
])
def test_sensitivity_drivers_read_the_largest_indices_whatever_the_column_names(tmp_path, header, expected):
    (tmp_path / "indices.csv").write_text(header)
    found = sensitivity_drivers(tmp_path)
    assert [n for n, _ in found] == [n for n, _ in expected]
    assert [v for _, v in found] == pytest.approx([v for _, v in expected])


def test_no_sensitivity_folder_or_file_means_none():
    assert sensitivity_drivers(None) is None
    from pathlib import Path

    assert sensitivity_drivers(Path("/nonexistent-folder")) is None


def test_warnings_name_unconverged_choice_cargo_still_moving_and_saturated_facilities():
    rows = [_row("v", "x", undelivered=UNDELIVERED_WARNING + 0.05), _row("v", "y", undelivered=0.01)]
    facilities = [{"variant": "v", "facility": "border_a", "node": "A", "kind": "border", "utilisation": SATURATED,
                   "wait_h_mean": 4.0},
                  {"variant": "v", "facility": "port_b", "node": "B", "kind": "port", "utilisation": 0.5,
                   "wait_h_mean": 1.0}]
    choice = {"v": ChoiceOutcome("v", {}, iterations=15, converged=False, change=0.03),
              "w": ChoiceOutcome("w", {}, iterations=4, converged=True, change=0.001)}
    found = run_warnings(rows, facilities, choice, {"A": "Astara", "x": "Route X"})
    assert len(found) == 3
    assert "did not converge in v (15 iterations" in found[0] and "w (" not in found[0]
    assert "(v, forward): Route X 15%" in found[1] and "y" not in found[1]
    assert "border at Astara" in found[2] and "90%" in found[2] and "(v)" in found[2]
    assert run_warnings([_row("v", "y")], facilities[1:], None) == []
    # a facility saturated in several variants is one warning
    twice = [facilities[0], {**facilities[0], "variant": "w", "utilisation": 0.97}, {**facilities[1], "variant": "w"}]
    (line,) = run_warnings([], twice, None, {"A": "Astara"})
    assert "90-97%" in line and "every variant" in line


def test_the_lead_sentence_names_the_route_with_the_lowest_generalized_cost_of_the_first_variant():
    from sim.report.headline import lead_sentence

    rows = [_row("b", "s", baseline=True), _row("b", "x", delta=-3.0), _row("b", "y", delta=2.0),
            _row("c", "z", delta=-50.0)]
    text = lead_sentence(headline_rows(rows, {"x": "Route X"}))
    assert text.startswith("In b, Route X is 3.0 days faster [95% CI -4.0 to -2.0] and USD 3 per TEU cheaper")
    assert lead_sentence(headline_rows([_row("b", "s", baseline=True)])) is None
