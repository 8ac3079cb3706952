"""Section ``choice``: what route choice costs a user. The default study as ``corridor-sim run`` runs it (route
choice iterated with the simulation, then the final replications, every output and chart, 2 workers) against the
same study with fixed shares (``route_choice: {model: fixed}``: its ``route_shares``, no iterations), in
interleaved rounds; the ratio is taken within a round. Issue 12's target: at most 2x."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import yaml

from .common import DEFAULT, fmt_ratio, interleaved, ratio, spread

__all__ = ["measure", "show", "markdown_rows"]


def _run(scenario: Path, workers: int, replications: int | None) -> tuple[float, dict, dict]:
    """Wall seconds of one ``run_study`` into a temporary folder, its route-choice summary and its phases'
    seconds (manifest.json's timings; outputs = total - compile - route choice - replications)."""
    from sim.runner import RunOptions, run_study

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        run_study(RunOptions(scenario, out=Path(tmp) / "run", workers=workers, replications=replications))
        seconds = time.perf_counter() - t0
        manifest = yaml.safe_load((Path(tmp) / "run" / "manifest.json").read_text(encoding="utf-8"))
        t = manifest["timings_s"]
        phases = {"compile": t["compile"], "route_choice": t["route_choice"], "replications": t["replications"],
                  "outputs": t["total"] - t["compile"] - t["route_choice"] - t["replications"],
                  # the manifest's total stops before the manifest is written, the folder renamed and the workers
                  # stopped; imports and the network cache are warm here (in-process), unlike a fresh command
                  "after_the_study": seconds - t["total"]}
        return seconds, manifest.get("route_choice") or {}, phases


def fixed_copy(folder: Path) -> Path:
    """The default scenario with fixed shares, written into ``folder`` (its relative paths do not matter: the
    scenario names no files)."""
    raw = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    raw["route_choice"] = {"model": "fixed"}
    path = folder / "fixed.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def measure(quick: bool, rounds: int) -> dict:
    """Interleaved rounds of the default study with and without route choice."""
    replications = 2 if quick else None
    iterations: list[dict] = []
    phases: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        fixed = fixed_copy(Path(tmp))

        def chosen() -> float:
            seconds, rc, ph = _run(DEFAULT, 2, replications)
            iterations.append({k: (v["iterations"], v["converged"]) for k, v in rc.items()})
            phases.append(ph)
            return seconds

        times = interleaved({"route_choice": chosen, "fixed_shares": lambda: _run(fixed, 2, replications)[0]},
                            1 if quick else rounds, 0 if quick else 1)
    return {"workload": "corridor-sim run scenarios/instc_vs_suez.yaml (every variant, all outputs, 2 workers) "
                        "with route choice, against the same study with route_choice: {model: fixed}",
            "replications": replications or "scenario default",
            "seconds": {k: spread(v) for k, v in times.items()},
            "ratio": ratio(times["route_choice"], times["fixed_shares"]),
            "iterations_last_round": iterations[-1] if iterations else {}, "target": 2.0,
            # the route-choice run's phases over the measured rounds (the warm-up round's are dropped)
            "phases_route_choice_run": {k: spread([ph[k] for ph in phases[-len(times["route_choice"]):]])
                                        for k in (phases[0] if phases else {})}}


def show(console, res: dict) -> None:
    """Print the section."""
    s = res["seconds"]
    console.print(f"route choice {s['route_choice']['median']:.1f} s, fixed shares {s['fixed_shares']['median']:.1f} s:"
                  f" {fmt_ratio(res['ratio'])} (target <= {res['target']:.0f}x); iterations "
                  f"{res['iterations_last_round']}")


def markdown_rows(res: dict) -> list[tuple[str, str]]:
    """The README table's row."""
    s, r = res["seconds"], res["ratio"]
    its = ", ".join(f"{k} {n} iterations{'' if ok else ' (not converged)'}"
                    for k, (n, ok) in res["iterations_last_round"].items())
    rows = [("default study with route choice / with fixed shares (all outputs, 2 workers)",
             f"{s['route_choice']['median']:.1f} s / {s['fixed_shares']['median']:.1f} s: **{r['median']:.2f}x** "
             f"({r['min']:.2f}-{r['max']:.2f}, n={r['n']}; target <= 2x); {its}")]
    ph = res.get("phases_route_choice_run")
    if ph:
        rows.append(("default run (`run_study` in a warm process, as `corridor-sim run` runs it: route choice, "
                     "2 workers, plots on): where the time goes",
                     "; ".join(f"{k.replace('_', ' ')} {v['median']:.1f} s ({v['min']:.1f}-{v['max']:.1f})"
                               for k, v in ph.items())))
    return rows
