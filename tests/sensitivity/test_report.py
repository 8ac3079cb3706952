"""Tornado charts and the markdown report, from synthetic index rows."""

from __future__ import annotations

import math

from sim.sensitivity.design import oat_design
from sim.sensitivity.indices import oat_rows, ranking
from sim.sensitivity.parameters import Parameter
from sim.sensitivity.report import tornado, write_markdown

PARAMS = [Parameter("services.liner.freight_usd_per_teu", "services", "liner", "freight_usd_per_teu", 600.0, 300.0,
                    1000.0, "number", "ASSUMPTION: no lane rate published"),
          Parameter("escorts.ice.icebreakers", "escorts", "ice", "icebreakers", 4.0, 2.0, 6.0, "integer",
                    "ASSUMPTION: fleet plans")]
TARGETS = [("delta_transport_usd_per_teu", "instc_west", "forward"), ("delta_transport_usd_per_teu", "cape", "forward")]


def _rows():
    def outcome(point):  # instc_west's difference follows the liner's rate; nothing moves cape's
        rate = point.values.get(PARAMS[0].id, 600.0)
        return {TARGETS[0]: rate - 800.0, TARGETS[1]: 120.0}

    return oat_rows(PARAMS, oat_design(PARAMS).points, outcome, TARGETS)


def test_tornado_writes_one_png_with_a_panel_per_route(tmp_path):
    path = tmp_path / "tornado.png"
    tornado(_rows(), "delta_transport_usd_per_teu", path, {p.id: p for p in PARAMS})
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    tornado(_rows(), "share", tmp_path / "none.png", {p.id: p for p in PARAMS})
    assert not (tmp_path / "none.png").exists()  # no rows for that output: no chart


def test_report_names_the_top_assumptions_with_evidence_and_the_ones_without_effect(tmp_path):
    rows = _rows()
    top = ranking(rows)
    assert top[0][0] == PARAMS[0].id and math.isclose(top[0][1], 1.0)
    meta = {"scenario": "s", "method": "oat", "points": 3, "distinct": 3, "replications": 1, "seed": 1,
            "outputs": ["delta_transport_usd_per_teu"], "chosen": False}
    write_markdown(tmp_path / "report.md", meta, top, {p.id: p for p in PARAMS}, rows, [], [PARAMS[1].id])
    text = (tmp_path / "report.md").read_text()
    first = text.split("## The five assumptions that matter most")[1].splitlines()[4]
    assert first.startswith(f"| 1 | `{PARAMS[0].id}` | 300 - 600 - 1000 |")
    assert "quoted all-in rates on the lane" in first
    # score 1 (the largest effect wherever anything moves); flips once: -500 at low, +200 at high
    assert "| 1.00 | delta_transport_usd_per_teu, instc_west (forward) | 1 |" in first
    assert f"`{PARAMS[1].id}`" in text.split("## Assumptions with no effect (1)")[1]
