"""Route choice in the report: the shares each variant's shippers chose, how the iterations converged, how shares
respond to cost and time, and the convergence chart."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ..equilibrium import ChoiceOutcome  # noqa: E402
from .charts import route_colours  # noqa: E402
from .text import markdown_table, number  # noqa: E402

__all__ = ["CONVERGENCE_NOTE", "convergence_lines", "share_rows", "elasticity_rows", "choice_markdown",
           "convergence_chart"]

CONVERGENCE_NOTE = (
    "Shares are iterated with the simulation: each iteration simulates the current shares, prices every route from "
    "the simulation (transport cost, value of time x (mean transit + reliability ratio x SD of transit), route "
    "penalty) and moves the shares part of the way to the logit shares those costs imply. *Change* is how far the "
    "latest step moved any flow's share; *averaged gap* is the largest difference between a share and the mean of "
    "the shares its costs implied over the last four iterations; a variant has converged when both are within the "
    "tolerance. *Gap* compares with the latest implied share only: it stays large where a route runs near "
    "capacity, because a small change of its share changes its transit time a lot.")


def convergence_lines(choice: dict[str, ChoiceOutcome]) -> list[str]:
    """One line per variant: iterations, converged or not, change and gap."""
    return [f"- **{name}**: {'converged' if o.converged else '**not converged**'} after {o.iterations} iterations "
            f"(latest change {number(o.change, 3)}, averaged gap {number(o.averaged_gap, 3)}, tolerance "
            f"{o.tolerance:g}; gap {number(o.gap, 3)})"
            for name, o in choice.items()]


def share_rows(rows: list[dict]) -> list[dict]:
    """The chosen share of each route per variant and direction, from the summary rows."""
    return [{"variant": r["variant"], "route": r["route"], "direction": r["direction"],
             "share": f"{number(100 * r['teu_share'], 1)}%", "teu": number(r["teu_created"], 0),
             "p50": number(r["transit_days_p50"]), "gcost": number(r["generalized_cost_usd_per_teu"], 0)}
            for r in rows if not math.isnan(r.get("teu_share", math.nan))]


def elasticity_rows(choice: dict[str, ChoiceOutcome]) -> list[dict]:
    """Each route's own-cost and own-time elasticity of its share, per variant and flow."""
    return [{"variant": e["variant"], "flow": e["flow"], "route": e["route"],
             "share": f"{number(100 * e['share'], 1)}%", "cost": number(e["cost_elasticity"], 2),
             "time": number(e["time_elasticity"], 2)} for o in choice.values() for e in o.elasticity_rows]


def choice_markdown(rows: list[dict], choice: dict[str, ChoiceOutcome]) -> list[str]:
    """The report's route-choice section as markdown lines."""
    lines = ["## Route choice", "", CONVERGENCE_NOTE, "", *convergence_lines(choice), "",
             "Shares chosen (TEU booked on the route over its flow's TEU):", "",
             markdown_table(share_rows(rows), [("variant", "variant"), ("route", "route"), ("direction", "direction"),
                                               ("share", "share"), ("teu", "TEU booked / rep"),
                                               ("p50", "transit p50 (days)"), ("gcost", "generalized USD/TEU")]),
             "", "How shares respond (computed from the logit at the final simulated costs): the relative change of "
             "a route's share per relative rise of its own transport cost or its own time cost (e.g. -1.5: a 10% "
             "rise cuts its share by about 15%).", "",
             markdown_table(elasticity_rows(choice), [("variant", "variant"), ("flow", "flow"), ("route", "route"),
                                                      ("share", "share"), ("cost", "cost elasticity"),
                                                      ("time", "time elasticity")])]
    return lines


def convergence_chart(choice: dict[str, ChoiceOutcome], routes: list[str], title: str) -> Figure:
    """Per variant: each route's share of the India-to-Russia flow by iteration (top), change and gap (bottom)."""
    colours = route_colours(routes)
    names = list(choice)
    fig, axes = plt.subplots(2, len(names), figsize=(6.4 * len(names), 7.6), squeeze=False, dpi=110,
                             sharex="col", gridspec_kw={"height_ratios": [2, 1]})
    for j, name in enumerate(names):
        o = choice[name]
        ax, ax_gap = axes[0][j], axes[1][j]
        forward = [r for r in o.rows if r["direction"] == "forward"]
        for route in routes:
            pts = [(r["iteration"], r["share"]) for r in forward if r["route"] == route]
            if pts:
                ax.plot(*zip(*pts, strict=True), marker="o", markersize=3, color=colours[route], label=route)
        ax.set_title(f"variant: {name}", fontsize=10, loc="left")
        ax.set_ylabel("share of the flow (forward direction)")
        ax.set_ylim(0, ax.get_ylim()[1] * 1.45)  # headroom: the legend sits above the lines, not on them
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper center", ncols=3, frameon=True, framealpha=0.9)
        steps = sorted({r["iteration"]: (r["change"], r["gap"], r["averaged_gap"]) for r in o.rows}.items())
        its = [k for k, _ in steps]
        ax_gap.plot(its, [v[0] for _, v in steps], marker="o", markersize=3, color="#333",
                    label="change (largest share move)")
        ax_gap.plot(its, [v[2] for _, v in steps], marker="^", markersize=3, color="#2a6",
                    label="averaged gap (share vs mean implied share, last 4)")
        ax_gap.plot(its, [v[1] for _, v in steps], marker="s", markersize=3, color="#b44",
                    linestyle="--", label="gap (share vs latest implied share)")
        ax_gap.axhline(o.tolerance, color="#333", linewidth=0.8, linestyle=":", label=f"tolerance {o.tolerance:g}")
        ax_gap.set_xlabel("iteration")
        ax_gap.xaxis.set_major_locator(MaxNLocator(integer=True))  # iterations are whole numbers
        ax_gap.set_ylim(0, None)
        ax_gap.grid(alpha=0.3)
        # below the panel: four entries would cover the lines inside it
        ax_gap.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.32), ncols=2, frameon=False)
    fig.suptitle(title, fontsize=12, fontweight="bold", x=0.01, ha="left")
    fig.tight_layout()
    return fig
