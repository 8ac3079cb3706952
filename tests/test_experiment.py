"""Replications and executors: identical results serial, with local processes and on a Dask LocalCluster."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.experiment import execute, prepare_study, run_replication
from sim.runner import RunOptions, run_study

SMALL = Path(__file__).parent / "data" / "small.yaml"


@pytest.fixture(scope="module")
def study():
    return prepare_study(SMALL)


def test_replications_use_independent_spawned_seeds(study):
    plan = study.variants[0]
    a = run_replication(plan, 0, 42, keep_shipments=False)
    b = run_replication(plan, 1, 42, keep_shipments=False)
    again = run_replication(plan, 0, 42, keep_shipments=False)
    assert a.routes == again.routes
    assert a.routes != b.routes


def test_results_arrive_in_order_whatever_the_executor(study):
    serial = [(o.variant, o.replication) for o in execute(study, 3, 42, keep_shipments=False)]
    parallel = [(o.variant, o.replication) for o in execute(study, 3, 42, workers=2, keep_shipments=False)]
    assert serial == parallel == [(v.name, r) for v in study.variants for r in range(3)]


@pytest.mark.slow
def test_summary_is_byte_identical_serial_processes_and_dask(tmp_path):
    outputs = {}
    for name, workers, scheduler in (("serial", 1, None), ("processes", 2, None), ("dask", 2, "local")):
        summary = run_study(RunOptions(scenario=SMALL, out=tmp_path / name, replications=3, workers=workers,
                                       scheduler=scheduler, plots=False))
        outputs[name] = (summary.folder / "summary.csv").read_bytes()
        facilities = (summary.folder / "facilities.csv").read_bytes()
        outputs[name + "_fac"] = facilities
    assert outputs["serial"] == outputs["processes"] == outputs["dask"]
    assert outputs["serial_fac"] == outputs["processes_fac"] == outputs["dask_fac"]


def test_memory_stays_flat_in_replications(study):
    """The aggregator keeps a few numbers per route and replication, never the shipments."""
    from sim.results import Aggregator

    agg = Aggregator(baseline="suez_stp", route_km={})
    for out in execute(study, 4, 1, keep_shipments=False):
        agg.add(out.variant, out.routes, out.facilities, out.services)
    sizes = [len(v["teu_created"]) for v in agg.routes.values()]
    assert max(sizes) == 4
    assert all(isinstance(x, float) for v in agg.routes.values() for x in v["transit_days_p50"])


def test_delta_confidence_interval_brackets_the_mean(tmp_path):
    summary = run_study(RunOptions(scenario=SMALL, out=tmp_path / "r", replications=4, plots=False))
    for r in summary.rows:
        if r["is_baseline"]:
            assert r["delta_days_p50_vs_baseline"] == 0
            continue
        assert r["delta_days_p50_ci_low"] <= r["delta_days_p50_vs_baseline"] <= r["delta_days_p50_ci_high"]
        lo, hi = r["delta_transport_usd_per_teu_ci_low"], r["delta_transport_usd_per_teu_ci_high"]
        assert lo <= r["delta_transport_usd_per_teu_vs_baseline"] <= hi
        assert np.isfinite(r["transport_usd_per_teu"]) and r["transport_usd_per_teu"] > 0
        # generalized cost is transport plus the cargo's time, a positive amount
        assert r["generalized_cost_usd_per_teu"] > r["transport_usd_per_teu"]


def test_replication_workers_import_only_the_engine_and_summaries():
    """Worker processes import sim.replication; the planning, routing and geometry stack (and scipy) must stay out
    of it, or every worker pays about a second of imports before its first replication."""
    import subprocess
    import sys

    code = ("import sys, sim.replication; heavy = [m for m in ('sim.plan', 'sim.network', 'sim.scenario', 'networkx', "
            "'scipy', 'shapely', 'geopandas', 'matplotlib', 'pydantic') if m in sys.modules]; print(heavy); "
            "sys.exit(1 if heavy else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
