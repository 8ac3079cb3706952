"""corridor-sim benchmarks: one command, a table on screen and a JSON file in benchmarks/results/.

    python benchmarks/run.py            # everything (about 10 minutes on 2 cores)
    python benchmarks/run.py --quick    # smaller sizes, for a smoke check

1. engine overhead: the default scenario's events per second and the ratio to a bare SimPy loop that schedules
   the same number of events, measured in the same process;
2. scaling: time and peak memory as demand goes 10k -> 100k -> 1M TEU/yr (one replication) and as replications
   go 1 -> 10 -> 100 (each point in a fresh process so peak memory is its own);
3. parallel speed-up: replications of the default scenario (every variant) serial, on 2 local worker processes and
   on a Dask LocalCluster with 2 workers; and the wall time of ``corridor-sim run`` with 100 replications on 2
   workers, outputs included;
4. peer: N vessels sailing a chain graph of 10, 100, 1,000 nodes (one event per edge) in our engine, in bare SimPy
   and in OpenTNSim (installed in its own virtual environment under benchmarks/.venv-opentnsim);
5. sensitivity: the default study's one-at-a-time analysis over every assumption on 2 workers (benchmarks/
   sensitivity.py; the target is under 10 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import simpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT / "scenarios" / "instc_vs_suez.yaml"
RESULTS = Path(__file__).resolve().parent / "results"


def bare_simpy(events: int) -> float:
    """Seconds for one process to schedule ``events`` timeouts (the SimPy floor)."""
    env = simpy.Environment()

    def proc():
        for _ in range(events):
            yield env.timeout(1.0)

    env.process(proc())
    t0 = time.perf_counter()
    env.run()
    return time.perf_counter() - t0


def bare_simpy_at_depth(events: int, depth: int) -> float:
    """Seconds for ``depth`` concurrent processes to schedule ``events`` timeouts in all (random delays), so the
    event heap holds about ``depth`` entries, as in a model run: the floor including the heap's log(depth) cost."""
    env = simpy.Environment()
    delays = np.random.default_rng(0).exponential(1.0, events).tolist()
    per = events // depth

    def proc(k):
        for i in range(k * per, (k + 1) * per):
            yield env.timeout(delays[i])

    for k in range(depth):
        env.process(proc(k))
    t0 = time.perf_counter()
    env.run()
    return time.perf_counter() - t0


def engine_overhead(reps: int = 5) -> dict:
    """The default scenario's base variant, ``reps`` times, each followed by the bare SimPy floor for the same
    event count; the ratio reported is the median of the per-run ratios (this VM's timings vary by 10-40%)."""
    from sim.engine import run
    from sim.experiment import prepare_study

    plan = prepare_study(DEFAULT).variants[0]
    rows = []
    depth_samples: list[int] = []
    for r in range(reps):
        t0 = time.perf_counter()
        result = run(plan.model, np.random.default_rng(r))
        seconds = time.perf_counter() - t0
        floor = bare_simpy(result.events_processed)
        rows.append((result, seconds, floor))
    # the mean event-heap depth of one run, measured separately (sampling slows the run down)
    step = simpy.Environment.step

    def sampling_step(env):
        depth_samples.append(len(env._queue))
        return step(env)

    simpy.Environment.step = sampling_step
    try:
        run(plan.model, np.random.default_rng(0))
    finally:
        simpy.Environment.step = step
    depth = int(np.mean(depth_samples))
    ratios = [s / f for _, s, f in rows]
    mid = int(np.argsort(ratios)[len(ratios) // 2])
    result, seconds, floor = rows[mid]
    deep = bare_simpy_at_depth(result.events_processed, depth)
    return {"events": result.events_processed, "seconds": seconds, "events_per_s": result.events_processed / seconds,
            "bare_simpy_seconds": floor, "ratio_to_bare_simpy": seconds / floor, "ratios": ratios,
            "mean_heap_depth": depth, "bare_simpy_same_depth_seconds": deep, "ratio_to_same_depth": seconds / deep,
            "teu": float(result.bookings.teu.sum()), "consignments": int(len(result.bookings.teu))}


def point(kind: str, value: int) -> dict:
    """One scaling point, run in this (fresh) process."""
    from sim.engine import run
    from sim.experiment import execute, prepare_study

    study = prepare_study(DEFAULT)
    study.variants = study.variants[:1]
    plan = study.variants[0]
    t0 = time.perf_counter()
    if kind == "demand":
        from dataclasses import replace

        total = sum(f.teu_per_year for f in plan.model.flows)
        flows = tuple(replace(f, teu_per_year=f.teu_per_year * value / total) for f in plan.model.flows)
        model = replace(plan.model, flows=flows)
        result = run(model, np.random.default_rng(1))
        extra = {"events": result.events_processed, "teu_created": float(result.bookings.teu.sum())}
    else:
        from sim.results import Aggregator

        agg = Aggregator(baseline="suez", route_km={})
        events = 0
        for out in execute(study, value, 1, keep_shipments=False):
            agg.add(out.variant, out.routes, out.facilities)
            events += out.events
        extra = {"events": events}
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": kind, "value": value, "seconds": seconds, "peak_rss_mb": peak_mb, **extra}


def run_point(kind: str, value: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--point", kind, str(value)], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


EXECUTORS = {"serial": ("serial", 1, None), "processes": ("2 processes", 2, None),
             "dask": ("Dask LocalCluster, 2 workers", 2, "local")}


def executor_point(kind: str, replications: int) -> dict:
    """The default study (every variant) with ``replications`` each on one executor, timed in this (fresh) process."""
    from sim.experiment import execute, prepare_study

    label, workers, scheduler = EXECUTORS[kind]
    study = prepare_study(DEFAULT)
    t0 = time.perf_counter()
    n = sum(1 for _ in execute(study, replications, 7, workers=workers, scheduler=scheduler, keep_shipments=False))
    return {"executor": label, "tasks": n, "replications": replications, "seconds": time.perf_counter() - t0}


def parallel(replications: int) -> list[dict]:
    """Serial, 2 local processes and a Dask LocalCluster, each in a fresh process so all start alike."""
    rows = [run_point(kind, replications) for kind in EXECUTORS]
    for row in rows:
        row["speedup"] = rows[0]["seconds"] / row["seconds"]
    return rows


def full_study(replications: int) -> dict:
    """Wall time of what a user runs: ``corridor-sim run`` on the default scenario with ``replications`` on 2 worker
    processes, from start-up to the last output file (tables, shipments, maps, charts, report)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "sim.cli", "run", str(DEFAULT), "--replications", str(replications),
               "--workers", "2", "--out", str(Path(tmp) / "run")]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        seconds = time.perf_counter() - t0
        manifest = json.loads((Path(tmp) / "run" / "manifest.json").read_text())
    return {"replications": replications, "variants": len(manifest.get("variants", [])) or None, "seconds": seconds}


def vessel_model(vessels: int, nodes: int):
    """Our engine on the peer workload: ``vessels`` departures, each sailing ``nodes - 1`` edges of ~10 km with one
    event per edge (as if every node had a lock or bridge to pass)."""
    from sim.distributions import Dist
    from sim.model import RIDE, TRAVEL, Chunk, CompiledModel, CompiledService, Flow, Itinerary, ServicePath, Step

    chunks = tuple(Chunk(TRAVEL, 10.0) for _ in range(nodes - 1))
    path = ServicePath(tuple(f"e{i}" for i in range(nodes - 1)), chunks, 10.0 * (nodes - 1), 0.0, 0.0, frozenset())
    service = CompiledService(
        index=0, id="vessels", direction="forward", mode="sea", origin="0", destination=str(nodes - 1),
        capacity_teu=1.0, departure="when_full", headway_h=0.0, offset_h=0.0, max_wait_h=1.0, fill_teu=1.0,
        vehicles=0, return_h=0.0, speed_kmh=Dist("fixed", 14.4), month_speed_factor=(1.0,) * 12,
        freight_usd_per_teu=0.0,
        detour_usd_per_teu_km=0.0, path=path)
    horizon = vessels * 0.001 + 1e-6
    itinerary = Itinerary(0, "v", "v", "forward", (Step(RIDE, 0, "0"),), 0.0, 0.0)
    flow = Flow("f", 1.0, (1.0,) * 12, (0,), (1.0,), (0,), (1.0,), (1,), (1.0,))
    return CompiledModel(horizon_h=horizon, warmup_h=0.0, start_month=1, start_day_of_month=1,
                         month_at_day=np.zeros(400, dtype=np.int64), services=(service,), facilities=(), convoys=(),
                         escorts=(), itineraries=(itinerary,), flows=(flow,), commodity_names=("c",),
                         commodity_value_usd_per_teu=(1.0,))


def our_vessels(vessels: int, nodes: int) -> dict:
    """Vessel-edge moves per second in our engine: each vessel carries one booking made at t=0."""
    from sim.engine import Bookings, run

    model = vessel_model(vessels, nodes)
    z = np.zeros(vessels)
    zi = np.zeros(vessels, dtype=np.int64)
    bookings = Bookings(created_h=z, itinerary=zi, commodity=zi, teu=np.ones(vessels, dtype=np.int64), value_usd=z,
                        flow=zi)
    bookings.created_h = np.arange(vessels) * 0.001  # each booking fills a vessel, which sails at once
    from dataclasses import replace

    model = replace(model, horizon_h=1e7)
    t0 = time.perf_counter()
    run(model, np.random.default_rng(0), bookings)
    seconds = time.perf_counter() - t0
    moves = vessels * (nodes - 1)
    return {"nodes": nodes, "vessels": vessels, "moves": moves, "seconds": seconds, "moves_per_s": moves / seconds}


def bare_vessels(vessels: int, nodes: int) -> dict:
    env = simpy.Environment()

    def vessel():
        for _ in range(nodes - 1):
            yield env.timeout(10.0 / 14.4)

    for _ in range(vessels):
        env.process(vessel())
    t0 = time.perf_counter()
    env.run()
    seconds = time.perf_counter() - t0
    moves = vessels * (nodes - 1)
    return {"nodes": nodes, "moves": moves, "seconds": seconds, "moves_per_s": moves / seconds}


def opentnsim(vessels: int, sizes: list[int]) -> list[dict] | str:
    venv = Path(__file__).resolve().parent / ".venv-opentnsim"
    py = venv / "bin" / "python"
    try:
        if not py.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            # OpenTNSim imports pyyaml, IPython and pytz without declaring them
            subprocess.run([str(py), "-m", "pip", "install", "-q", "opentnsim", "pyyaml", "ipython", "pytz"],
                           check=True,
                           capture_output=True, timeout=900)
        out = subprocess.run([str(py), str(Path(__file__).with_name("opentnsim_workload.py")), str(vessels),
                              *map(str, sizes)], capture_output=True, text=True, check=True, timeout=3600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        return f"OpenTNSim not measured: {exc}"
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a smoke check")
    parser.add_argument("--point", nargs=2, metavar=("KIND", "VALUE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.point:
        kind, value = args.point[0], int(args.point[1])
        print(json.dumps(executor_point(kind, value) if kind in EXECUTORS else point(kind, value)))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    report = {"machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
                          "processor": platform.processor() or platform.machine()},
              "date": time.strftime("%Y-%m-%d %H:%M:%S")}
    console.print("[bold]1. engine overhead[/] (default scenario, one replication; median of 5 runs)")
    report["engine_overhead"] = eo = engine_overhead()
    t = Table()
    for c in ("events", "seconds", "events/s", "bare SimPy s", "ratio", f"same heap depth ({eo['mean_heap_depth']:,}) "
              f"s", "ratio"):
        t.add_column(c, justify="right")
    t.add_row(f"{eo['events']:,}", f"{eo['seconds']:.2f}", f"{eo['events_per_s']:,.0f}",
              f"{eo['bare_simpy_seconds']:.2f}", f"{eo['ratio_to_bare_simpy']:.1f}x",
              f"{eo['bare_simpy_same_depth_seconds']:.2f}", f"{eo['ratio_to_same_depth']:.1f}x")
    console.print(t)
    console.print("   ratios of the 5 runs: " + ", ".join(f"{r:.2f}x" for r in eo["ratios"]))

    console.print("[bold]2. scaling[/] (each point in a fresh process)")
    demand = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    reps = [1, 5] if args.quick else [1, 10, 100]
    report["scaling"] = rows = [run_point("demand", d) for d in demand] + [run_point("replications", r) for r in reps]
    t = Table()
    for c in ("series", "value", "seconds", "peak RSS (MB)", "events"):
        t.add_column(c, justify="right")
    for r in rows:
        t.add_row("TEU/yr" if r["kind"] == "demand" else "replications", f"{r['value']:,}", f"{r['seconds']:.1f}",
                  f"{r['peak_rss_mb']:.0f}", f"{r['events']:,}")
    console.print(t)

    reps = 4 if args.quick else 50
    console.print(f"[bold]3. parallel speed-up[/] (default scenario, every variant, {reps} replications each)")
    report["parallel"] = par = parallel(reps)
    t = Table()
    for c in ("executor", "tasks", "seconds", "speed-up"):
        t.add_column(c, justify="right")
    for r in par:
        t.add_row(r["executor"], str(r["tasks"]), f"{r['seconds']:.1f}", f"{r['speedup']:.2f}x")
    console.print(t)
    reps = 4 if args.quick else 100
    console.print(f"[bold]   the whole study[/]: corridor-sim run, default scenario, {reps} replications, 2 worker "
                  f"processes")
    report["full_study"] = full = full_study(reps)
    console.print(f"   {full['seconds']:.1f} s from start-up to the last output file")

    console.print("[bold]4. peer: vessel moves per second[/] (one event per edge)")
    sizes = [10, 100] if args.quick else [10, 100, 1000]
    vessels = 200
    ours = [our_vessels(vessels, n) for n in sizes]
    bare = [bare_vessels(vessels, n) for n in sizes]
    peer = opentnsim(20, sizes)
    report["peer"] = {"ours": ours, "bare_simpy": bare, "opentnsim": peer}
    t = Table()
    for c in ("nodes", "ours moves/s", "bare SimPy moves/s", "ours / bare", "OpenTNSim moves/s", "ours / OpenTNSim"):
        t.add_column(c, justify="right")
    for i, n in enumerate(sizes):
        otn = peer[i]["moves_per_s"] if isinstance(peer, list) and i < len(peer) else float("nan")
        t.add_row(str(n), f"{ours[i]['moves_per_s']:,.0f}", f"{bare[i]['moves_per_s']:,.0f}",
                  f"{bare[i]['moves_per_s'] / ours[i]['moves_per_s']:.2f}x slower",
                  f"{otn:,.0f}", f"{ours[i]['moves_per_s'] / otn:.0f}x")
    console.print(t)
    if isinstance(peer, str):
        console.print(peer)
    console.print("[bold]5. sensitivity[/]: corridor-sim sensitivity, default study, one-at-a-time, 2 workers")
    from sensitivity import oat_default

    report["sensitivity"] = sens = oat_default(quick=args.quick)
    console.print(f"   {sens['parameters']} assumptions, {sens['points']} points ({sens['distinct_models']} distinct "
                  f"models): {sens['seconds']:.1f} s (limit {sens['limit_s']:.0f} s)")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"benchmarks-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    console.print(f"saved {path}")


if __name__ == "__main__":
    main()
