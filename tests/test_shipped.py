"""Every shipped study runs end to end through the command line (issue 14: `rasht_astara_link.yaml` validated but
its run failed after simulating every replication). One replication each; plots for the default study."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from clihelp import invoke

from sim.scenario import load_scenario

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))
WITH_PLOTS = "instc_vs_suez"


def test_every_shipped_scenario_is_covered():
    assert {p.stem for p in SCENARIOS} >= {"instc_vs_suez", "red_sea_closure", "nsr_seasonal", "instc_capacity_stress",
                                           "rasht_astara_link"}


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_study_runs_end_to_end(tmp_path, path):
    out = tmp_path / "run"
    plots = path.stem == WITH_PLOTS
    assert invoke("validate", path).exit_code == 0
    # two route-choice iterations: the run's whole path, without paying for an equilibrium in every test run
    result = invoke("run", path, "--out", out, "--replications", "1", "--workers", "2", "--choice-iterations", "2",
                    *(() if plots else ("--no-plots",)))
    assert result.exit_code == 0, result.output[-3000:]
    rows = list(csv.DictReader((out / "summary.csv").read_text().splitlines()))
    variants = list(load_scenario(path).variants)
    assert [v for v in dict.fromkeys(r["variant"] for r in rows)] == variants
    assert all(float(r["teu_created"]) > 0 for r in rows)
    ships = pq.read_table(out / "shipments.parquet", columns=["variant", "step_end_h"])
    assert set(ships.column("variant").to_pylist()) == set(variants)
    if plots:
        for name in ("report.html", "route_map.png", "transit_ecdf.png", *(f"flow_map_{v}.png" for v in variants)):
            assert (out / name).stat().st_size > 1000, name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"], "no temporary folder may remain"
