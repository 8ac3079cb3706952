"""Paths of the shipped scenarios used across tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
DEFAULT = SCENARIOS / "instc_vs_suez.yaml"
NSR = SCENARIOS / "nsr_seasonal.yaml"
SMALL = Path(__file__).resolve().parent / "data" / "small.yaml"


def test_the_shipped_scenarios_exist():
    assert DEFAULT.exists() and NSR.exists() and SMALL.exists()
