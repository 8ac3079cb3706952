"""Tornado charts (one PNG per decision output) and the markdown report of a sensitivity study."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .parameters import Parameter  # noqa: E402

__all__ = ["UNITS", "EVIDENCE", "tornado", "write_markdown"]

UNITS = {"delta_days_p50": "median transit minus the baseline's (days)",
         "delta_transport_usd_per_teu": "transport cost minus the baseline's (USD/TEU)",
         "delta_generalized_usd_per_teu": "generalized cost minus the baseline's (USD/TEU)",
         "share": "route share of its flow (one logit step from the base equilibrium)"}

#: What evidence would pin a field down, by field name.
EVIDENCE = {
    "freight_usd_per_teu": "quoted all-in rates on the lane (forwarder tariffs, a freight index, shipper invoices)",
    "capacity_teu": "the operator's slot allocation for this trade (TEU per sailing offered to India cargo)",
    "headway_h": "the published timetable over a season (sailings or departures actually made)",
    "max_wait_h": "departure records of the service (how long the first box waits before the train or ship leaves)",
    "fleet": "the operator's fleet list for the service (vehicles or wagon sets in rotation)",
    "vehicles": "the carrier's fleet on the lane",
    "return_h": "trip logs of the vehicles (turnaround between loaded trips)",
    "speed_kmh": "timestamps of departures and arrivals (AIS for ships, station records for trains)",
    "speed_kn": "AIS tracks of the ships on the lane",
    "month_speed_factor": "AIS tracks by month (weather and ice slow-downs)",
    "detour_usd_per_teu_km": "carriers' surcharge notices for the detour",
    "servers": "the terminal's equipment and lanes in operation (berths, cranes, inspection lanes)",
    "service_h": "terminal handling or inspection times per box (terminal or customs statistics)",
    "cutoff_h": "the terminal's published cut-off before departure",
    "dwell_h": "import dwell statistics (handling to gate-out) from the port or customs",
    "cost_usd_per_teu": "the terminal's tariff (terminal handling charges per box)",
    "background_per_day": "the facility's throughput counts of other traffic",
    "background_per_convoy": "Suez Canal Authority daily transit counts",
    "value_usd_per_teu": "customs declared values per TEU of the commodity on this trade",
    "time_value_per_day": "a stated-preference survey of the trade's shippers (value of a day in transit)",
    "scale_per_usd": "an observed route-share shift after a rate change (a natural experiment), or a choice survey",
    "reliability_ratio": "a shipper survey valuing reliability against mean transit",
    "teu_per_year": "customs counts of containers on the trade (TEU by direction)",
    "empty_freight_share": "rail tariffs for empty boxes on the lines used",
    "empty_sea_freight_share": "carriers' repositioning rates for empties on the lane",
    "max_empty_share": "the operators' laden/empty statistics by direction",
    "nsr_fee_usd_per_teu": "the NSR administration's fee decisions for container ships",
}


def _short(label: str, width: int = 44) -> str:
    return label if len(label) <= width else "..." + label[-(width - 3):]


def tornado(rows: Sequence[dict], output: str, path: Path, params: dict[str, Parameter], top: int = 10) -> None:
    """One panel per route and direction: the ``top`` assumptions that move the output, bars from the base result
    to the result at the assumption's low (blue, upper half) and high (orange, lower half), so both show when
    they move the same way; the dashed line is parity with the baseline."""
    mine = [r for r in rows if r["output"] == output and not math.isnan(r["swing"])]
    targets = list(dict.fromkeys((r["route"], r["direction"]) for r in mine))
    if not targets:
        return
    cols = min(2, len(targets))
    nrows = math.ceil(len(targets) / cols)
    bars = max(1, min(top, max(sum(1 for r in mine if (r["route"], r["direction"]) == t and r["swing"] > 0)
                               for t in targets)))
    fig, axes = plt.subplots(nrows, cols, figsize=(7.6 * cols, (0.34 * bars + 1.2) * nrows + 0.9), squeeze=False,
                             dpi=110)
    for ax in axes.flat[len(targets):]:
        ax.set_visible(False)
    for ax, (route, direction) in zip(axes.flat, targets, strict=False):
        _panel(ax, [r for r in mine if (r["route"], r["direction"]) == (route, direction)], output, params, bars)
        ax.set_title(f"{route} ({direction})", fontsize=10)
    handles = [Patch(color=LOW, label="assumption at its low"), Patch(color=HIGH, label="assumption at its high"),
               Line2D([], [], color="#222", lw=1, label="base")]
    if output != "share":
        handles.append(Line2D([], [], color="#b22", lw=1, ls="--", label="parity with the baseline"))
    height = fig.get_figheight()
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
    fig.suptitle(f"Tornado: {UNITS.get(output, output)}", fontsize=11, y=1 - 0.12 / height)
    # keep fixed room in inches for the legend below and the title above, whatever the number of panels
    fig.tight_layout(rect=(0, 0.35 / height, 1, 1 - 0.45 / height))
    fig.savefig(path)
    plt.close(fig)


LOW, HIGH = "#4c78a8", "#f58518"


def _panel(ax, group: list[dict], output: str, params: dict[str, Parameter], top: int) -> None:
    base = group[0]["result_base"] if group else 0.0
    moving = sorted((r for r in group if r["swing"] > 0), key=lambda r: -r["swing"])[:top][::-1]
    ax.axvline(base, color="#222", lw=1)
    if not moving:
        ax.text(0.5, 0.5, "no assumption moves this output", transform=ax.transAxes, ha="center", fontsize=9)
        ax.set_yticks([])
        return
    ys = list(range(len(moving)))
    ax.barh([y + 0.2 for y in ys], [r["result_low"] - base for r in moving], left=base, height=0.4, color=LOW)
    ax.barh([y - 0.2 for y in ys], [r["result_high"] - base for r in moving], left=base, height=0.4, color=HIGH)
    if output != "share":
        lo, hi = ax.get_xlim()
        if lo < 0 < hi:
            ax.axvline(0, color="#b22", lw=1, ls="--")
    ax.set_yticks(ys, [_short(params[r["parameter"]].label) for r in moving], fontsize=7.5)
    ax.set_ylim(-0.7, top - 0.3)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)


def write_markdown(path: Path, meta: dict, top: list[tuple[str, float, int]], params: dict[str, Parameter],
                   rows: Sequence[dict], uncertainty: Sequence[dict], unused: list[str]) -> None:
    """report.md: what was run, the five assumptions that matter most with the evidence that would pin them
    down, the joint uncertainty (when sampled) and the assumptions with no effect."""
    lines = [f"# Sensitivity of {meta['scenario']}: {meta['method']}", "",
             f"{meta['points']} points ({meta['distinct']} distinct models) x {meta['replications']} replication(s), "
             f"seed {meta['seed']}, base variant only, {len(params)} assumptions; common random numbers (every point "
             f"uses the same seeds). Outputs: {', '.join(meta['outputs'])}.", ""]
    if meta.get("chosen"):
        lines += ["Route choice is on: every point is simulated with the shares of the base equilibrium, and its "
                  "route shares are one logit response to the costs simulated at that point (congestion held at the "
                  "base; the equilibrium is not solved again per point). A swing that leaves a service short of "
                  "capacity at the held shares shows as a very large transit difference (cargo queues for the rest "
                  "of the study); shippers would move away, which is what the share output shows.", ""]
    by_param: dict[str, dict] = {}
    for r in rows:
        key = {"sobol": "ST", "morris": "mu_star", "uncertainty": "rank_correlation"}.get(r["method"], "swing")
        if not math.isnan(r[key]) and (r["parameter"] not in by_param
                                       or abs(r[key]) > abs(by_param[r["parameter"]][key])):
            by_param[r["parameter"]] = r
    lines += ["## The five assumptions that matter most", "",
              "| # | assumption | low - base - high | score | largest effect | flips | evidence that would pin it "
              "down |", "|---|---|---|---|---|---|---|"]
    for k, (pid, score, flips) in enumerate(top[:5], 1):
        p, biggest = params[pid], by_param.get(pid)
        where = f"{biggest['output']}, {biggest['route']} ({biggest['direction']})" if biggest else ""
        lines.append(f"| {k} | `{pid}` | {p.low:g} - {p.base:g} - {p.high:g} | {score:.2f} | {where} | {flips} | "
                     f"{EVIDENCE.get(p.field, 'a published figure for it')} |")
    measure = {"morris": "Morris mu*", "uncertainty": "absolute rank correlation in the joint sample"}.get(
        meta["method"], "one-at-a-time swing")
    lines += ["", f"Score: the mean over decision outputs of the assumption's effect ({measure}) relative to the "
              "largest effect of any assumption on that output (1: the largest everywhere). Flips: outputs on which "
              "the route goes from beating the baseline to losing to it between the assumption's low and high "
              "(one-at-a-time only).", "", "Sources:", ""]
    for pid, _, _ in top[:5]:
        lines.append(f"- `{pid}`: {params[pid].source.strip()[:400]}")
    if uncertainty:
        lines += ["", "## Joint uncertainty (all assumptions sampled together)", "",
                  "| output | route | base | p05 | p50 | p95 | P(beats baseline) |", "|---|---|---|---|---|---|---|"]
        for u in uncertainty:
            prob = "" if math.isnan(u["prob_beats_baseline"]) else f"{u['prob_beats_baseline']:.2f}"
            lines.append(f"| {u['output']} | {u['route']} ({u['direction']}) | {u['base']:.4g} | {u['p05']:.4g} | "
                         f"{u['p50']:.4g} | {u['p95']:.4g} | {prob} |")
    why = ("Each of them, moved alone to its low and to its high, leaves every decision output exactly as at the "
           "base (common random numbers make this exact)" if meta["method"] in ("oat", "sobol") else
           "Moving them within their ranges leaves the compiled model unchanged, so they were left out of the sample")
    lines += ["", f"## Assumptions with no effect ({len(unused)})", "",
              f"{why}: " + (", ".join(f"`{u}`" for u in unused) if unused else "none") + ".", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
