"""Benchmark: the default study's one-at-a-time sensitivity over every assumption, as a user runs it.

    python benchmarks/sensitivity.py           # the whole analysis (target: under 10 minutes on 2 cores)
    python benchmarks/sensitivity.py --quick   # the freight-rate assumptions only, for a smoke check

Runs ``corridor-sim sensitivity scenarios/instc_vs_suez.yaml --method oat --workers 2`` in a fresh process (one
replication per point, the base variant, the whole study year) and reports the wall time from start-up to the last
output file, with the number of points and of distinct models simulated. ``benchmarks/run.py`` calls it too.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "instc_vs_suez.yaml"
LIMIT_S = 600.0


def oat_default(quick: bool = False, workers: int = 2) -> dict:
    """Wall time of the default study's one-at-a-time sensitivity (all assumptions; freight rates when quick)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sensitivity"
        cmd = [sys.executable, "-m", "sim.cli", "sensitivity", str(DEFAULT), "--method", "oat", "--workers",
               str(workers), "--out", str(out)]
        if quick:
            cmd += ["--parameters", "services.*.freight_usd_per_teu"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        seconds = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU of the command and its workers: on a machine shared with other work the wall time overstates what
        # two free cores need; CPU / workers is that need (the main process mostly waits)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        manifest = json.loads((out / "manifest.json").read_text())
        top = (out / "report.md").read_text().split("## The five")[1].split("Score:")[0]
    return {"seconds": seconds, "cpu_s": cpu, "cpu_per_worker_s": cpu / workers, "limit_s": LIMIT_S,
            "within_limit": seconds <= LIMIT_S, "workers": workers,
            "points": manifest["points"], "distinct_models": manifest["distinct"],
            "parameters": manifest["parameters"], "replications": manifest["replications"], "quick": quick,
            "top5_table": top.strip()}


def measure(quick: bool) -> dict:
    """The section ``benchmarks/run.py`` runs."""
    return oat_default(quick)


def show(console, row: dict) -> None:
    """Print the section's result."""
    console.print(f"one-at-a-time sensitivity of the default study: {row['parameters']} assumptions, "
                  f"{row['points']} points ({row['distinct_models']} distinct models) on {row['workers']} workers: "
                  f"{row['seconds']:.0f} s wall (limit {row['limit_s']:.0f} s: "
                  f"{'met' if row['within_limit'] else 'MISSED'}); CPU {row['cpu_per_worker_s']:.0f} s per worker")


def markdown_rows(row: dict) -> list[tuple[str, str]]:
    """README table rows."""
    return [(f"sensitivity, default study, one-at-a-time ({row['parameters']} assumptions, {row['points']} points, "
             f"{row['workers']} workers)" + (" [quick: freight rates only]" if row["quick"] else ""),
             f"{row['seconds']:.0f} s wall, {row['cpu_per_worker_s']:.0f} s CPU per worker; target <= 600 s: "
             f"{'met' if row['within_limit'] else 'missed'}")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the freight-rate assumptions only")
    args = parser.parse_args()
    row = oat_default(args.quick)
    print(f"one-at-a-time sensitivity of the default study: {row['parameters']} assumptions, {row['points']} points "
          f"({row['distinct_models']} distinct models) x {row['replications']} replication on {row['workers']} "
          f"workers: {row['seconds']:.0f} s (limit {LIMIT_S:.0f} s: {'met' if row['within_limit'] else 'MISSED'}); "
          f"CPU {row['cpu_s']:.0f} s in all, {row['cpu_per_worker_s']:.0f} s per worker")
    print(row["top5_table"])
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    path = results / f"sensitivity-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(row, indent=2) + "\n")
    print(f"saved {path}")


if __name__ == "__main__":
    main()
