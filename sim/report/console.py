"""The comparison table the command line prints after a run (rich), from the summary rows."""

from __future__ import annotations

import math

from rich.table import Table

from .text import number

__all__ = ["results_table"]


def results_table(rows: list[dict], title: str) -> Table:
    """One row per variant, route and direction: TEU booked (and the share of its flow), transit, the difference
    to the baseline with its interval, transport and generalized cost, CO2, on-time and undelivered shares."""
    table = Table(title=title)
    for col in ("variant", "route", "dir", "TEU booked/rep", "share", "p50 days", "p05-p95",
                "Δp50 vs baseline route [95% CI]", "transport USD/TEU", "generalized USD/TEU", "kg CO2/TEU", "on time",
                "undelivered"):
        table.add_column(col, justify="left" if col in ("variant", "route", "dir") else "right")

    def f(v, d=1):
        return number(v, d, missing="")

    for r in rows:
        ci = ("" if math.isnan(r["delta_days_p50_ci_low"])  # one replication: no interval
              else f" [{f(r['delta_days_p50_ci_low'])}, {f(r['delta_days_p50_ci_high'])}]")
        delta = "baseline" if r["is_baseline"] else f"{f(r['delta_days_p50_vs_baseline'])}{ci}"
        share = r.get("teu_share", math.nan)
        table.add_row(r["variant"], r["route"], "fwd" if r["direction"] == "forward" else "rev",
                      f(r["teu_created"], 0), "" if math.isnan(share) else f"{f(100 * share, 0)}%",
                      f(r["transit_days_p50"]), f"{f(r['transit_days_p05'])}-{f(r['transit_days_p95'])}", delta,
                      f(r["transport_usd_per_teu"], 0), f(r["generalized_cost_usd_per_teu"], 0),
                      f(r["co2_kg_per_teu"], 0), f"{f(100 * r['on_time_share'], 0)}%",
                      f"{f(100 * r['undelivered_share'], 0)}%")
    return table
