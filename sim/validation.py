"""Validation against published figures: run the validation study once, measure each figure's statistic, and
compare it with the published range (`corridor-sim validate --against-published`, tests/validation/)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from .engine import run
from .engine.eventlog import EventKind
from .errors import ScenarioError
from .experiment import Study, prepare_study
from .model import CompiledModel
from .replication import child_seed
from .results import summarise_replication
from .routes import RouteSpec, Stage, resolve_route

__all__ = ["VALIDATION_DIR", "Figure", "load_figures", "Measurements", "measure", "evaluate", "print_validation"]

VALIDATION_DIR = Path(__file__).resolve().parent.parent / "scenarios" / "validation"


@dataclass(frozen=True)
class Figure:
    """One published figure and how to measure it."""

    id: str
    what: str
    measure: dict
    low: float
    high: float
    unit: str
    tolerance: str
    kind: str
    sources: list[dict]


def load_figures(path: Path = VALIDATION_DIR / "published.yaml") -> list[Figure]:
    """The table of published figures."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Figure(**f) for f in data["figures"]]


@dataclass
class Measurements:
    """What one validation run measured."""

    study: Study
    route_p50: dict[tuple[str, str], list[float]]  # (variant, route key) -> p50 per replication
    route_cost: dict[tuple[str, str], list[float]]
    service_days: dict[str, list[float]]  # service id (forward) -> per-consignment departure-to-arrival days
    sea_days: dict[tuple[str, str], list[float]]  # (first service, last service) -> per-consignment days


def measure(scenario: Path = VALIDATION_DIR / "validation.yaml", replications: int | None = None) -> Measurements:
    """Run the validation study once (every variant, ``replications`` each) and collect the statistics: route
    summaries from every variant, ride times of services from the base variant's event logs."""
    study = prepare_study(scenario)
    reps = replications or study.file.base.replications
    seed = study.file.base.seed
    m = Measurements(study, {}, {}, {}, {})
    pairs = [(f.measure["first_service"], f.measure["last_service"]) for f in load_figures()
             if f.measure["stat"] == "sea_days"]
    for plan in study.variants:
        job = plan.job
        for r in range(reps):
            result = run(plan.model, np.random.default_rng(child_seed(seed, r)))
            for key, s in summarise_replication(result, plan.model, job.itinerary_routes, job.rates).items():
                m.route_p50.setdefault((plan.name, key), []).append(s["transit_days_p50"])
                m.route_cost.setdefault((plan.name, key), []).append(s["cost_usd_per_teu"])
            if plan.name == "base":
                _ride_days(plan.model, result.log, pairs, m)
    return m


def _ride_days(model: CompiledModel, log: dict[str, np.ndarray], pairs: list[tuple[str, str]],
               m: Measurements) -> None:
    """Departure-to-arrival days of each forward service, and from the first to the last service of each pair."""
    dep = log["kind"] == EventKind.DEPART
    arr = log["kind"] == EventKind.ARRIVE

    def times(mask: np.ndarray, service: int) -> dict[int, float]:
        sel = mask & (log["entity"] == service)
        return dict(zip(log["consignment"][sel].tolist(), log["time_h"][sel].tolist(), strict=True))

    forward = {s.id: s.index for s in model.services if s.direction == "forward"}
    for sid, index in forward.items():
        d, a = times(dep, index), times(arr, index)
        m.service_days.setdefault(sid, []).extend((a[c] - d[c]) / 24.0 for c in a if c in d)
    for first, last in pairs:
        if first in forward and last in forward:
            d, a = times(dep, forward[first]), times(arr, forward[last])
            m.sea_days.setdefault((first, last), []).extend((a[c] - d[c]) / 24.0 for c in a if c in d)


def _mean(values) -> float:
    vals = [v for v in values if not math.isnan(v)]
    return float(np.mean(vals)) if vals else math.nan


def simulated_value(fig: Figure, m: Measurements) -> float:
    """The statistic ``fig.measure`` asks for."""
    spec = fig.measure
    stat = spec["stat"]
    study = m.study
    baseline = study.file.base.baseline
    if stat == "route_p50_days":
        return _mean(m.route_p50[("base", spec["route"])])
    if stat == "route_delta_days":
        return _mean(np.subtract(m.route_p50[("base", spec["route"])], m.route_p50[("base", baseline)]))
    if stat == "route_cost_ratio":
        return _mean(np.divide(m.route_cost[("base", spec["route"])], m.route_cost[("base", baseline)]))
    if stat == "variant_delta_days":
        return _mean(np.subtract(m.route_p50[(spec["variant"], spec["route"])], m.route_p50[("base", spec["route"])]))
    if stat == "service_p50_days":
        days = m.service_days.get(spec["service"], [])
        return float(np.median(days)) if days else math.nan
    if stat == "sea_days":
        days = m.sea_days.get((spec["first_service"], spec["last_service"]), [])
        return float(np.median(days)) if days else math.nan
    if stat == "sea_nm":
        spec_r = RouteSpec("v", "v", spec["origin"], (Stage(spec["destination"], ("sea", "canal")),), ("nsr",))
        return resolve_route(study.network, spec_r).sea_nm
    if stat == "season_days":
        season = next(leg.season for leg in study.network.legs.values() if leg.season is not None)
        year = study.file.base.start_date.year
        dates = [dt.date(year, 1, 1) + dt.timedelta(days=k) for k in range(365)]
        return float(sum(season.is_open(spec["ice_class"], day) for day in dates))
    if stat == "section_days":
        spec_r = RouteSpec("v", "v", spec["origin"], (Stage(spec["destination"], ("sea",)),))
        km = resolve_route(study.network, spec_r).distance_km
        svc = next(s for s in study.calibration.services if s.id == spec["service"])
        mode_kmh = svc.speed.c if svc.speed.kind == "triangular" else svc.speed.mean
        return km / mode_kmh / 24.0
    if stat == "canal_transit_hours":
        return study.calibration.convoys[0].transit_h.mean
    raise ScenarioError(f"published.yaml: figure '{fig.id}': unknown statistic '{stat}'")


def evaluate(m: Measurements, figures: list[Figure] | None = None) -> list[dict]:
    """One row per figure: published range, simulated value, pass/fail."""
    rows = []
    for fig in figures or load_figures():
        value = simulated_value(fig, m)
        ok = not math.isnan(value) and fig.low <= value <= fig.high
        rows.append({"id": fig.id, "what": fig.what, "unit": fig.unit, "low": fig.low, "high": fig.high, "value": value,
                     "pass": ok, "kind": fig.kind, "source": fig.sources[0]["title"]})
    return rows


def print_validation(scenario: Path | None, console) -> bool:
    """Run the validation and print the table; True when every figure passes."""
    from rich.table import Table

    path = scenario or VALIDATION_DIR / "validation.yaml"
    with console.status(f"running the validation study {path.name} ..."):
        rows = evaluate(measure(path))
    table = Table(title="simulated against published figures", show_lines=False)
    for col in ("figure", "published", "simulated", "", "kind", "source"):
        table.add_column(col, overflow="fold")
    for r in rows:
        unit = r["unit"]
        table.add_row(r["id"], f"{r['low']:g} - {r['high']:g} {unit}", f"{r['value']:,.1f} {unit}",
                      "[green]pass[/]" if r["pass"] else "[red]FAIL[/]", r["kind"], r["source"])
    from rich.console import Console

    Console(width=max(console.width, 180)).print(table)
    passed = sum(r["pass"] for r in rows)
    console.print(f"{passed}/{len(rows)} figures inside their published ranges")
    return passed == len(rows)
