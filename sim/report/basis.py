"""What the headline rests on, in plain words: the assumptions that matter most (from a sensitivity run's
indices.csv when one is given) and the warnings a reader must see next to the answer (unconverged route choice,
much cargo still moving at the end, a saturated facility)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from ..equilibrium import ChoiceOutcome
from ..experiment import Study
from .text import number

__all__ = ["sensitivity_drivers", "basis_paragraph", "run_warnings", "UNDELIVERED_WARNING", "SATURATED",
           "GROWING_QUEUES"]

UNDELIVERED_WARNING = 0.10  # above this share still moving at the end, medians and costs describe a minority
SATURATED = 0.90  # utilisation at which queues grow without bound under any extra load
#: last-quarter over first-quarter median transit above which a route's queues are growing, not steady (a steady
#: route's quarters differ by the season and by noise: the shipped studies' open routes stay within about 10%)
GROWING_QUEUES = 1.2
_NAME_COLUMNS = ("parameter", "assumption", "factor", "input", "name", "variable")
_INDEX_COLUMNS = ("ST", "st", "total_order", "total", "S1", "s1", "mu_star", "index", "importance", "effect")


def _as_float(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "") else math.nan
    except ValueError:
        return math.nan


def sensitivity_drivers(folder: Path | None, top: int = 3) -> list[tuple[str, float]] | None:
    """The ``top`` assumptions with the largest sensitivity index in ``folder``/indices.csv (largest absolute
    index over the outputs it lists); None when there is no such file. The index column is the first of total
    order, first order, mu* or a generic index that the file has (a sensitivity run's format may vary)."""
    if folder is None:
        return None
    path = folder / "indices.csv" if folder.is_dir() else folder
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return []
    columns = list(rows[0])
    name_col = next((c for c in _NAME_COLUMNS if c in columns), columns[0])
    index_col = next((c for c in _INDEX_COLUMNS if c in columns),
                     next((c for c in columns if c != name_col and not math.isnan(_as_float(rows[0][c]))), None))
    if index_col is None:
        return []
    best: dict[str, float] = {}
    for r in rows:
        value = abs(_as_float(r.get(index_col)))
        if not math.isnan(value):
            best[r[name_col]] = max(best.get(r[name_col], 0.0), value)
    return sorted(best.items(), key=lambda kv: -kv[1])[:top]


def basis_paragraph(study: Study, replications: int, drivers: list[tuple[str, float]] | None,
                    sensitivity: Path | None = None) -> str:
    """One paragraph: what was simulated, what was taken as given, and which assumptions move the answer most
    (or that no sensitivity run was read)."""
    base = study.file.base
    teu = sum(d.teu_per_year if d.teu_per_year is not None else (d.teu_per_week or 0.0) * 365 / 7
              for d in base.demand) * base.demand_scale
    text = (f"This rests on {replications} simulated replication(s) per variant of {base.start_date} to "
            f"{base.end_date} (the first {base.warmup_days:g} days discarded), on the scenario's demand "
            f"(about {number(teu, 0)} TEU a year before any variant scales it) and on the calibration's freight rates, "
            f"handling times and values of time, taken as given. Intervals are over replications: they show the "
            f"simulation's own randomness, not doubt about those inputs. Cargo still moving when the run ends counts "
            f"as undelivered, not as fast.")
    if drivers is None:
        return text + (" No sensitivity run was read, so which of these assumptions matters most is not known "
                       "here (run `corridor-sim sensitivity` and pass its folder with --sensitivity).")
    if not drivers:
        return text + f" The sensitivity run in {sensitivity} lists no indices."
    named = ", ".join(f"{name} (index {number(value, 2)})" for name, value in drivers)
    return text + f" The assumptions that move the answer most, by the sensitivity run in {sensitivity}: {named}."


def run_warnings(rows: list[dict], facility_rows: list[dict], choice: dict[str, ChoiceOutcome] | None,
                 names: dict[str, str] | None = None) -> list[str]:
    """Plain-words warnings: route choice that did not converge, a route with much cargo still moving at the
    end, a facility at or above SATURATED utilisation."""
    names = names or {}
    out = []
    stuck = [(v, o) for v, o in (choice or {}).items() if not o.converged]
    if stuck:  # one line for every variant whose route choice did not settle
        told = ", ".join(f"{v} ({o.iterations} iterations, last step {number(o.change, 3)})" for v, o in stuck)
        out.append(f"Route choice did not converge in {told}: those shares are the latest, not an equilibrium.")
    growing: dict[str, list[str]] = {}
    for r in rows:
        trend = r.get("transit_trend", math.nan)
        if not math.isnan(trend) and trend > GROWING_QUEUES and r["teu_created"] > 0:
            growing.setdefault(r["variant"], []).append(
                f"{names.get(r['route'], r['route'])} ({r['direction']}) x{number(trend, 1)}")
    for variant, parts in growing.items():  # one line per variant
        out.append(f"Queues grow through the study ({variant}): the median transit of the last quarter's bookings "
                   f"over the first quarter's is {', '.join(parts)}. That is not a steady state: these routes "
                   "cannot carry what is booked on them, their figures (and every difference against them) "
                   "depend on the study's length.")
    moving: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        share = r["undelivered_share"]
        if not math.isnan(share) and share > UNDELIVERED_WARNING and r["teu_created"] > 0:
            moving.setdefault((r["variant"], r["direction"]), []).append(
                f"{names.get(r['route'], r['route'])} {number(100 * share, 0)}%")
    for (variant, direction), parts in moving.items():  # one line per variant and direction
        out.append(f"Cargo still moving when the run ended ({variant}, {direction}): {', '.join(parts)}; their "
                   "median transit and costs describe the cargo that arrived.")
    busy: dict[tuple[str, str], list[dict]] = {}
    for f in sorted(facility_rows, key=lambda f: -f["utilisation"]):
        if f["utilisation"] >= SATURATED:
            busy.setdefault((f["kind"], f["node"]), []).append(f)
    variants = {f["variant"] for f in facility_rows}
    for (kind, node), fs in busy.items():  # one line per facility, whichever variants it saturates in
        low, high = (100 * min(f["utilisation"] for f in fs), 100 * max(f["utilisation"] for f in fs))
        share = f"{number(low, 0)}%" if round(low) == round(high) else f"{number(low, 0)}-{number(high, 0)}%"
        where = "every variant" if {f["variant"] for f in fs} == variants and len(variants) > 1 else \
            ", ".join(f["variant"] for f in fs)
        waits = max(f["wait_h_mean"] for f in fs)
        out.append(f"The {kind.replace('_', ' ')} at {names.get(node, node)} is busy {share} of the time ({where}): "
                   f"its queue grows with any extra cargo (mean wait up to {number(waits)} h).")
    return out
