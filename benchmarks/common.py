"""What every benchmark section shares: interleaved timing, statistics, fresh-process points, machine facts.

Every ratio in the report comes from *interleaved, warmed-up rounds*: each round runs every contender once, the
order alternates between rounds (A B C, then C B A) so a drift of the machine's speed hits all alike, the first
``WARMUP`` rounds are thrown away, and each ratio is taken within a round before the median and range over the
rounds are reported.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "instc_vs_suez.yaml"
RESULTS = Path(__file__).resolve().parent / "results"
WARMUP = 1  # rounds run and discarded before the measured ones (imports, caches, allocator warm-up)
PACKAGES = ("simpy", "numpy", "pandas", "pyarrow", "matplotlib", "shapely", "dask", "distributed")

Timed = Callable[[], float]  # runs one contender once and returns the seconds it took


def timed(fn: Callable[[], Any]) -> float:
    """Seconds ``fn()`` takes with the cyclic GC paused, as the engine itself runs (so the bare floors are not
    charged for collections the engine skips); garbage is collected after the clock stops."""
    was = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0
    finally:
        if was:
            gc.enable()
        gc.collect()


def interleaved(contenders: dict[str, Timed], rounds: int, warmup: int = WARMUP) -> dict[str, list[float]]:
    """Seconds of each contender per measured round: every round runs each once, in alternating order."""
    names = list(contenders)
    out: dict[str, list[float]] = {n: [] for n in names}
    for r in range(warmup + rounds):
        order = names if r % 2 == 0 else names[::-1]
        got = {n: contenders[n]() for n in order}
        if r >= warmup:
            for n in names:
                out[n].append(got[n])
    return out


def spread(values: list[float]) -> dict:
    """Median, range and every value (rounded for the JSON)."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values),
            "values": [round(v, 6) for v in values]}


def ratio(num: list[float], den: list[float]) -> dict:
    """Per-round ratios ``num / den`` (same round, so the same machine state), summarised by ``spread``."""
    return spread([a / b for a, b in zip(num, den, strict=True)])


def fmt_ratio(r: dict, unit: str = "x") -> str:
    """'2.61x (2.50-2.74, n=7)'."""
    return f"{r['median']:.2f}{unit} ({r['min']:.2f}-{r['max']:.2f}, n={r['n']})"


def fresh(name: str, *args: object, timeout: float = 7200) -> dict:
    """Run point ``name`` of run.py's POINTS in a fresh Python process (so its peak memory is its own) and return
    the JSON it prints last."""
    cmd = [sys.executable, str(Path(__file__).with_name("run.py")), "--point", name, *map(str, args)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT, timeout=timeout)
    return json.loads(out.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> dict:
    """Peak resident memory of this process and of its largest finished child (workers), in MB.

    This process's peak is ``VmHWM`` from /proc/self/status: Linux keeps ``ru_maxrss`` across ``exec``, so a
    fresh point started from a big benchmark process would report its parent's size. A child's peak can only be
    read as ``ru_maxrss`` (KiB), so it is at least the size of the process that started it: an upper bound."""
    import resource

    main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                main = int(line.split()[1]) / 1024
    return {"main_peak_rss_mb": main,
            "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def machine() -> dict:
    """Where and with what the numbers were measured."""
    versions = {"python": platform.python_version()}
    for name in ("corridor-sim", *PACKAGES):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                                check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "sim", "benchmarks"], capture_output=True,
                                    text=True, cwd=ROOT, check=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "unknown", False
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(), "load_average_at_start": [round(x, 2) for x in load],
            "commit": commit + ("+dirty" if dirty else ""), "versions": versions,
            "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())}
