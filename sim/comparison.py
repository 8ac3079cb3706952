"""Two run folders side by side: for every variant, route and direction in both, the change from run A to run B
of the headline numbers (difference from the baseline route in transit days, transport and generalized cost, with
a 95% interval; on-time and still-moving shares; chosen share)."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from .errors import CorridorError

__all__ = ["RunTables", "read_run", "compare_runs", "METRICS", "Change"]

# (summary.csv prefix of the difference from the baseline route, label)
METRICS = (("delta_days_p50", "Δ median transit, days"),
           ("delta_transport_usd_per_teu", "Δ transport, USD/TEU"),
           ("delta_generalized_usd_per_teu", "Δ generalized, USD/TEU"))
SHARES = (("on_time_share", "on-time share"), ("undelivered_share", "still moving at end, share"),
          ("teu_share", "share of cargo"))


@dataclass
class RunTables:
    """A run folder's summary rows keyed by (variant, route, direction)."""

    folder: Path
    rows: dict[tuple[str, str, str], dict[str, float]]


def _float(text: str) -> float:
    try:
        return float(text) if text != "" else math.nan
    except ValueError:
        return math.nan


def read_run(folder: Path, what: str = "RUN") -> RunTables:
    """The summary of the run folder ``folder``; CorridorError (one line) when it is not one."""
    folder = Path(folder)
    if not folder.exists():
        raise CorridorError(f"{what} {folder}: does not exist")
    if not folder.is_dir():
        raise CorridorError(f"{what} {folder}: is not a folder; give a run folder written by 'corridor-sim run'")
    summary = folder / "summary.csv"
    if not summary.is_file() or not (folder / "manifest.json").is_file():
        raise CorridorError(f"{what} {folder}: not a run folder (no summary.csv and manifest.json); give a folder "
                            "written by 'corridor-sim run'")
    try:
        with summary.open(encoding="utf-8", newline="") as fh:
            records = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CorridorError(f"{what} {summary}: cannot be read: {exc}") from None
    needed = {"variant", "route", "direction", *(f"{m}_vs_baseline" for m, _ in METRICS)}
    if not records or not needed <= set(records[0]):
        raise CorridorError(f"{what} {summary}: not a summary written by 'corridor-sim run' (missing columns)")
    rows = {(r["variant"], r["route"], r["direction"]): {
        k: float(v == "true") if k == "is_baseline" else _float(v) for k, v in r.items()
        if k not in ("variant", "route", "direction")} for r in records}
    return RunTables(folder, rows)


@dataclass
class Change:
    """One headline number in run A and run B and the change B - A with its 95% interval (NaN where none)."""

    metric: str  # the summary.csv column (the difference's prefix for the METRICS)
    label: str
    a: float
    b: float
    change: float
    low: float
    high: float


def _interval(row: dict[str, float], prefix: str) -> tuple[float, float]:
    """The difference and the half width of its 95% interval (NaN when the run had one replication)."""
    mid = row.get(f"{prefix}_vs_baseline", math.nan)
    lo, hi = row.get(f"{prefix}_ci_low", math.nan), row.get(f"{prefix}_ci_high", math.nan)
    return mid, (hi - lo) / 2 if not (math.isnan(lo) or math.isnan(hi)) else math.nan


def compare_runs(a: RunTables, b: RunTables) -> tuple[list[dict], list[tuple[str, str, str]], list[tuple]]:
    """Rows of changes for the (variant, route, direction) in both runs, then those only in A and only in B.
    The two runs are independent, so the half width of the change's interval is the root of the sum of the
    squared half widths."""
    common = [k for k in a.rows if k in b.rows]
    out = []
    for key in common:
        ra, rb = a.rows[key], b.rows[key]
        changes = []
        for prefix, label in METRICS:
            (va, ha), (vb, hb) = _interval(ra, prefix), _interval(rb, prefix)
            half = math.hypot(ha, hb)
            changes.append(Change(prefix, label, va, vb, vb - va, vb - va - half, vb - va + half))
        for col, label in SHARES:
            va, vb = ra.get(col, math.nan), rb.get(col, math.nan)
            changes.append(Change(col, label, va, vb, vb - va, math.nan, math.nan))
        out.append({"variant": key[0], "route": key[1], "direction": key[2],
                    "baseline": ra.get("is_baseline") == 1.0,
                    "changes": changes})
    return out, [k for k in a.rows if k not in b.rows], [k for k in b.rows if k not in a.rows]
