"""Golden tables of the shipped studies: summary, facility and service tables for a fixed seed and one
replication, compared byte for byte by tests/test_golden.py. Studies with route choice iterate at most
CHOICE_ITERATIONS times here: enough to pin the choice mechanism (shares, their update and its averaging) without
paying for a full equilibrium in every test run.

They pin the model's results across refactors. A change that is meant to alter results (a new mechanism, new
calibration) regenerates them on purpose, and the commit says why:

    python tests/golden_outputs.py
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
REPLICATIONS = 1
SEED = 7
TABLES = ("summary.csv", "facilities.csv", "services.csv")
CHOICE_ITERATIONS = 2


def write_tables(scenario: Path, folder: Path) -> None:
    """Run ``scenario`` (every variant, REPLICATIONS each, seed SEED, no shipments) and write its three tables."""
    from sim.equilibrium import CHOICE_COLUMNS, solve
    from sim.executors import Executor
    from sim.experiment import execute, prepare_study
    from sim.outputs import write_csv
    from sim.results import FACILITY_COLUMNS, SERVICE_COLUMNS, SUMMARY_COLUMNS, Aggregator

    study = prepare_study(scenario)
    for plan in study.variants:
        if plan.info.choice is not None:
            plan.info.choice = replace(plan.info.choice, max_iterations=min(CHOICE_ITERATIONS,
                                                                             plan.info.choice.max_iterations))
    route_km = {k: r.distance_km for p in study.variants for k, r in p.info.routes.items()}
    agg = Aggregator(baseline=study.file.base.baseline, route_km=route_km)
    with Executor([p.job for p in study.variants]) as executor:
        choice = solve(study, executor, SEED, REPLICATIONS)
        shares = {name: o.shares for name, o in choice.items()}
        for out in execute(study, REPLICATIONS, SEED, keep_shipments=False, executor=executor, shares=shares):
            agg.add(out.variant, out.routes, out.facilities, out.services)
    folder.mkdir(parents=True, exist_ok=True)
    if choice:
        write_csv(folder / "route_choice.csv", [r for o in choice.values() for r in o.rows], CHOICE_COLUMNS)
    write_csv(folder / "summary.csv", agg.summary_rows(), SUMMARY_COLUMNS)
    write_csv(folder / "facilities.csv", agg.facility_rows(), FACILITY_COLUMNS)
    write_csv(folder / "services.csv", agg.service_rows(), SERVICE_COLUMNS)


if __name__ == "__main__":
    for path in SCENARIOS:
        write_tables(path, GOLDEN / path.stem)
        print(f"wrote {GOLDEN / path.stem}", file=sys.stderr)
