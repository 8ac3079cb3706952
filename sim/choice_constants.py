"""Fit the route-specific constants (penalties in USD per TEU) of route choice to observed base-year route
volumes: the only route-choice values set to reproduce observations (the scale, values of time and reliability
ratio come from published sources). Run ``python -m sim.choice_constants`` and copy the printed penalties into
``scenarios/defaults/calibration.yaml`` (``route_choice.penalty_usd_per_teu``), with the date.

Each round solves the route-choice equilibrium of the base study with the current penalties, then moves each
fitted route's penalty by ln(simulated share / observed share) / scale: the change that would bring its share to
the observed one if the other routes' utilities stayed put. The reference routes keep penalty 0.
"""

from __future__ import annotations

import math
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .equilibrium import solve
from .executors import Executor
from .experiment import prepare_study

__all__ = ["Target", "fit_penalties", "penalty_step", "main"]

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ROOT / "scenarios" / "defaults" / "base_year_shares.yaml"


@dataclass(frozen=True)
class Target:
    """An observed share of the study's TEU (both directions) for one route, with its plausible range."""

    route: str
    share: float
    low: float
    high: float


def penalty_step(simulated: float, observed: float, scale: float) -> float:
    """How much to raise a route's penalty (USD per TEU) so that its logit share moves from ``simulated`` to
    ``observed`` with everything else fixed."""
    return math.log(max(simulated, 1e-6) / observed) / scale


def _shares(rows: list[dict]) -> dict[str, float]:
    """Each route's share of all chosen TEU in the last iteration (both directions pooled)."""
    last = max(r["iteration"] for r in rows)
    teu: dict[str, float] = {}
    for r in rows:
        if r["iteration"] == last:
            teu[r["route"]] = teu.get(r["route"], 0.0) + r["teu_observed"]
    total = sum(teu.values())
    return {k: v / total for k, v in teu.items()}


def fit_penalties(scenario: Path, targets: list[Target], rounds: int = 6, replications: int = 2, workers: int = 2,
                  log=print, start: dict[str, float] | None = None) -> dict[str, float]:
    """Penalties that bring the base variant's equilibrium shares inside the observed ranges (or the last tried
    after ``rounds``), starting from ``start`` (default 0 for every fitted route)."""
    raw = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    raw.pop("variants", None)
    penalties = {t.route: float((start or {}).get(t.route, 0.0)) for t in targets}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(1, rounds + 1):
            raw["route_choice"] = {**raw.get("route_choice", {}), "penalty_usd_per_teu": penalties,
                                   "sources": {"penalty_usd_per_teu": f"fitting round {k}"}}
            path = Path(tmp) / f"round{k}.yaml"
            path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
            study = prepare_study(path)
            plan = study.variants[0].info.choice
            assert plan is not None, "the study must use route choice"
            with Executor([p.job for p in study.variants], workers) as ex:
                outcome = solve(study, ex, raw["seed"], replications)[study.variants[0].name]
            shares = _shares(outcome.rows)
            log(f"round {k}: " + ", ".join(f"{t.route} {shares.get(t.route, 0):.3f} (observed {t.share:.3f}, "
                                           f"penalty {penalties[t.route]:,.0f})" for t in targets))
            if all(t.low <= shares.get(t.route, 0.0) <= t.high for t in targets) or k == rounds:
                break  # the penalties returned are the ones just simulated
            for t in targets:
                penalties[t.route] += penalty_step(shares.get(t.route, 0.0), t.share, plan.scale_per_usd)
    return penalties


def main(argv: list[str] | None = None) -> None:
    """Fit and print the penalties for the study and targets of ``scenarios/defaults/base_year_shares.yaml``;
    ``--warm`` starts from the calibration's current penalties (a refit after a small change)."""
    args = sys.argv[1:] if argv is None else argv
    spec = yaml.safe_load(TARGETS.read_text(encoding="utf-8"))
    targets = [Target(r, float(v["share"]), float(v["range"][0]), float(v["range"][1]))
               for r, v in spec["targets"].items()]
    start = None
    if "--warm" in args:
        cal = yaml.safe_load((ROOT / "scenarios" / "defaults" / "calibration.yaml").read_text(encoding="utf-8"))
        start = cal["route_choice"]["penalty_usd_per_teu"]
    penalties = fit_penalties(ROOT / spec["study"], targets, start=start)
    print("penalty_usd_per_teu: {" + ", ".join(f"{r}: {round(v, -1):.0f}" for r, v in penalties.items()) + "}")


if __name__ == "__main__":  # pragma: no cover - a calibration tool, run by hand
    main()
