"""``corridor-sim compare RUN_A RUN_B``: how the headline table changed from one run folder to another."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .app import app, console, warn

__all__ = ["compare"]


def _json_number(v: float) -> float | None:
    return None if math.isnan(v) else round(v, 6)


@app.command()
def compare(
    run_a: Annotated[Path, typer.Argument(help="the first run folder (the reference)")],
    run_b: Annotated[Path, typer.Argument(help="the second run folder")],
    as_json: Annotated[bool, typer.Option("--json", help="print the changes as JSON")] = False,
) -> None:
    """Compare two run folders: how each route's headline numbers changed from A to B.

    Per variant, route and direction in both runs: the route's difference from the baseline route in A and in B
    and the change B - A with its 95% interval; on-time, still-moving and chosen shares."""
    from ..comparison import compare_runs, read_run
    from ..report.headline import signed
    from ..report.text import number

    a, b = read_run(run_a, "RUN_A"), read_run(run_b, "RUN_B")
    rows, only_a, only_b = compare_runs(a, b)
    if as_json:
        sys.stdout.write(json.dumps({
            "run_a": str(run_a), "run_b": str(run_b),
            "rows": [{**{k: v for k, v in r.items() if k != "changes"},
                      "changes": [{"metric": c.metric, "label": c.label, "a": _json_number(c.a), "b": _json_number(c.b),
                                   "change": _json_number(c.change), "ci_low": _json_number(c.low),
                                   "ci_high": _json_number(c.high)} for c in r["changes"]]} for r in rows],
            "only_in_a": [list(k) for k in only_a], "only_in_b": [list(k) for k in only_b]},
            indent=2, ensure_ascii=False) + "\n")
        return
    from rich.table import Table

    table = Table(title=f"B - A: {run_b} minus {run_a} (Δ: the route minus the baseline route, same run)")
    for col in ("variant", "route", "dir", "what", "A", "B", "B - A [95% CI]"):
        table.add_column(col, justify="left" if col in ("variant", "route", "dir", "what") else "right")
    for r in rows:
        if r["baseline"]:
            continue  # its differences from itself are zero in both runs
        for i, c in enumerate(r["changes"]):
            share = "share" in c.metric
            digits = 0 if "usd" in c.metric else 1
            scale = 100.0 if share else 1.0
            ci = "" if math.isnan(c.low) else f" [{signed(c.low * scale, digits)}, {signed(c.high * scale, digits)}]"
            unit = " pp" if share else ""
            table.add_row(r["variant"] if i == 0 else "", r["route"] if i == 0 else "",
                          ("fwd" if r["direction"] == "forward" else "rev") if i == 0 else "", c.label,
                          number(c.a * scale, digits) + ("%" if share else ""),
                          number(c.b * scale, digits) + ("%" if share else ""),
                          f"{signed(c.change * scale, digits)}{unit}{ci}", end_section=i == len(r["changes"]) - 1)
    Console(width=max(console.width, 130)).print(table)
    for what, keys in (("only in RUN_A", only_a), ("only in RUN_B", only_b)):
        if keys:
            warn(f"{what}: " + ", ".join(f"{v}/{rt}/{d}" for v, rt, d in keys))
