"""Simulated transit times, distances and seasons against published figures (scenarios/validation/).

Each published range and its tolerance are stated, with the reason, in published.yaml; promotional claims are
tested against the defensible range. No model parameter was fitted to these figures (docs/calibration.md)."""

from __future__ import annotations

import pytest

from sim.validation import evaluate, load_figures, measure

FIGURES = load_figures()


@pytest.fixture(scope="module")
def measured():
    return measure()


def test_the_table_cites_enough_sources():
    assert len(FIGURES) >= 12
    for fig in FIGURES:
        assert fig.low <= fig.high, fig.id
        assert fig.kind in ("official", "press", "study", "promotional", "input"), fig.id
        assert fig.tolerance.strip(), fig.id
        for src in fig.sources:
            assert src["url"].startswith("http") and src["quote"].strip() and src["title"].strip(), fig.id
    independent = [f for f in FIGURES if f.kind != "input"]
    assert len(independent) >= 12


@pytest.mark.parametrize("fig", FIGURES, ids=[f.id for f in FIGURES])
def test_simulated_value_lies_inside_the_published_range(measured, fig):
    row = next(r for r in evaluate(measured, [fig]))
    assert fig.low <= row["value"] <= fig.high, (f"{fig.id}: simulated {row['value']:.2f} {fig.unit}, "
                                                 f"published {fig.low}-{fig.high}")


def test_spread_is_physical(measured):
    """The NSR voyages that sail all fall inside the published 11-38 days, not only their median."""
    days = measured.service_days["nsr_ruvvo_rummk"]
    assert len(days) > 50
    assert min(days) >= 11 and max(days) <= 38
