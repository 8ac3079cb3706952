"""corridor-sim benchmarks: one command, tables on screen and a JSON file in benchmarks/results/.

    python benchmarks/run.py                  # every section (see the README for its duration)
    python benchmarks/run.py --quick          # smaller sizes and 3 rounds: a smoke check of the whole script
    python benchmarks/run.py --only engine    # one section (repeat --only for more); merged into latest.json
    python benchmarks/run.py --markdown       # the README table from benchmarks/results/latest.json

Sections (each module's docstring says exactly what it measures):
  engine       one replication of the default scenario against floors with the same event count: a SimPy
               timeout loop, and the engine's own mechanism (slotted callbacks on SimPy's heap) at the model's
               heap depth (benchmarks/engine_bench.py, benchmarks/floors.py)
  scaling      time, events, cost per event and peak memory over demand, replications and study length, a fresh
               process per point (benchmarks/scaling.py)
  parallel     speed-up of 2 worker processes over serial on the real ``run`` path, shipments and plots included,
               beside the machine's ceiling for the engine's work on 2 processes (benchmarks/parallel.py)
  memory       main-process peak memory of a 100-replication run with plots (benchmarks/parallel.py)
  peer         vessel moves per second against bare SimPy and OpenTNSim with equal fleets (benchmarks/peer.py)
  choice       the default study with route choice against the same study with fixed shares, all outputs,
               2 workers, interleaved rounds (benchmarks/choice.py)
  sensitivity  present when benchmarks/sensitivity.py exists: it provides ``measure(quick: bool) -> dict``,
               ``show(console, result)`` and optionally ``markdown_rows(result) -> list[tuple[str, str]]``

Every ratio is a median over interleaved, warmed-up rounds (benchmarks/common.py) with its range. Timings on a
shared machine drift; ratios taken within a round stay comparable, absolute seconds do not.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable (sim and benchmarks), and keep
    # this folder off the path so its module names (markdown, parallel, ...) never shadow installed packages
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from benchmarks import choice, engine_bench, markdown, parallel, peer, scaling  # noqa: E402
from benchmarks.common import RESULTS, machine  # noqa: E402


@dataclass(frozen=True)
class Section:
    """A benchmark section: its heading, how to measure it (given --quick and --rounds) and how to print it."""

    title: str
    measure: Callable[[bool, int], dict]
    show: Callable[[object, dict], None]


SECTIONS: dict[str, Section] = {
    "engine": Section("1. engine against its floors (default scenario, one replication)",
                      lambda quick, rounds: engine_bench.measure(rounds), engine_bench.show),
    "scaling": Section("2. scaling (each point in a fresh process)",
                       lambda quick, rounds: scaling.measure(quick), scaling.show),
    "parallel": Section("3. 2-worker speed-up on the real run path (shipments written)",
                        # quick: one round of tiny runs, only to prove the path works (route choice alone takes
                        # 16 replications per variant)
                        lambda quick, rounds: parallel.measure_parallel(2, 1, warmup=0, plots_off=True) if quick
                        else parallel.measure_parallel(20, rounds),
                        parallel.show_parallel),
    "memory": Section("4. main-process peak memory of a run with plots",
                      lambda quick, rounds: parallel.measure_memory(10 if quick else 100), parallel.show_memory),
    "peer": Section("5. peer: vessel moves per second, equal fleets",
                    lambda quick, rounds: peer.measure([10, 100] if quick else [10, 100, 1000], rounds,
                                                       4_000 if quick else peer.MOVES), peer.show),
    "choice": Section("7. route choice: the default study against the same with fixed shares",
                      lambda quick, rounds: choice.measure(quick, rounds), choice.show),
}
markdown.ROW_MAKERS["choice"] = choice.markdown_rows
if importlib.util.find_spec("benchmarks.sensitivity") is not None:  # added by its own change
    _sens = importlib.import_module("benchmarks.sensitivity")
    SECTIONS["sensitivity"] = Section("6. sensitivity", lambda quick, rounds: _sens.measure(quick), _sens.show)
    if hasattr(_sens, "markdown_rows"):
        markdown.ROW_MAKERS["sensitivity"] = _sens.markdown_rows

#: points run in a fresh process by common.fresh: name -> function of the string arguments, returning JSON data
POINTS: dict[str, Callable[..., dict]] = {"scaling": scaling.point, "study": parallel.study_point}


def save(report: dict, path: Path | None = None) -> Path:
    """Write this run's JSON (to ``path`` when this run has one already), and merge its sections into
    latest.json (so --only refreshes single sections)."""
    RESULTS.mkdir(exist_ok=True)
    path = path or RESULTS / f"benchmarks-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    latest = RESULTS / "latest.json"
    merged = json.loads(latest.read_text(encoding="utf-8")) if latest.exists() else {}
    if report.get("quick") != merged.get("quick"):
        merged = {}  # never mix smoke-check sections with full ones
    merged.update(report)
    latest.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the chosen sections."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes and 3 rounds, for a smoke check")
    parser.add_argument("--only", action="append", choices=sorted(SECTIONS), metavar="NAME",
                        help=f"run only this section (repeatable): {', '.join(SECTIONS)}")
    parser.add_argument("--rounds", type=int, default=None, help="measured rounds per ratio (default 7; quick 3)")
    parser.add_argument("--markdown", nargs="?", const=RESULTS / "latest.json", type=Path, metavar="JSON",
                        help="print the README table from a results file and exit")
    parser.add_argument("--point", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.point:
        print(json.dumps(POINTS[args.point[0]](*args.point[1:])))
        return
    if args.markdown:
        print(markdown.table(args.markdown))
        return
    from rich.console import Console

    console = Console(width=150)
    rounds = args.rounds or (3 if args.quick else 7)
    report: dict = {"machine": machine(), "quick": args.quick, "rounds": rounds}
    path: Path | None = None
    for name in args.only or list(SECTIONS):
        section = SECTIONS[name]
        console.print(f"[bold]{section.title}[/]")
        t0 = time.perf_counter()
        report[name] = section.measure(args.quick, rounds)
        report[name]["section_seconds"] = round(time.perf_counter() - t0, 1)
        # each section keeps when, on what commit and under what load it ran (latest.json mixes runs)
        report[name]["measured"] = {k: v for k, v in machine().items() if k in ("date_utc", "commit")}
        report[name]["measured"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        section.show(console, report[name])
        path = save(report, path)  # after every section: a later failure keeps what was measured
    console.print(f"saved {path} (and merged into {RESULTS / 'latest.json'})")


if __name__ == "__main__":
    main()
