"""The cost-time trade-off chart: median transit against transport cost per TEU for every route, one panel per
variant on shared axes (small multiples), so no variant's points hide another's; each point named beside it
(with its CO2) by the same labeller as the maps, which keeps names off the markers and off each other."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402

from .charts import panels, route_colours  # noqa: E402
from .labels import Labeller  # noqa: E402

__all__ = ["cost_vs_time", "MARKERS"]

MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">"]


def cost_vs_time(summary: pd.DataFrame, routes: list[str], baseline: str, title: str,
                 names: dict[str, str] | None = None):
    """Median transit (5-95% range as bars) against transport cost per TEU delivered, forward direction; colour
    and marker = route (as on the maps), black edge = the baseline route; a flow on part of a route (``names``
    gives its places) in its route's colour, hollow; one panel per variant."""
    names = names or {}
    data = summary[summary.direction == "forward"].dropna(subset=["transit_days_p50", "transport_usd_per_teu"])
    variants = list(dict.fromkeys(summary.variant))
    colours = route_colours(routes)
    fig, axes = panels(len(variants), width=5.6, height=4.4, sharex=True, sharey=True)
    for ax, variant in zip(axes, variants, strict=True):
        sub = data[data.variant == variant]
        for r in sub.itertuples():
            base = r.route == baseline
            parent = r.route.partition("@")[0]
            part = parent != r.route
            colour = colours.get(parent, "#777")
            ax.errorbar([r.transit_days_p50], [r.transport_usd_per_teu],
                        xerr=[[r.transit_days_p50 - r.transit_days_p05], [r.transit_days_p95 - r.transit_days_p50]],
                        fmt="none", ecolor=colour, alpha=0.45, elinewidth=1.2, zorder=1)
            marker = MARKERS[routes.index(parent) % len(MARKERS)] if parent in routes else "o"
            ax.scatter([r.transit_days_p50], [r.transport_usd_per_teu], s=75, marker=marker,
                       color="white" if part else colour, alpha=0.85,
                       edgecolor="black" if base else colour if part else "white",
                       linewidth=1.8 if base or part else 0.6, zorder=3,
                       label=names.get(r.route, r.route) + (" (baseline route)" if base else ""))
        ax.set_title(f"variant: {variant}", fontsize=10, loc="left")
        ax.grid(alpha=0.3)
    data_x = pd.concat([data.transit_days_p05, data.transit_days_p95])
    for ax in axes:
        ax.set_xlim(max(0.0, float(data_x.min()) * 0.9), float(data_x.max()) * 1.05)
        ax.set_ylim(float(data.transport_usd_per_teu.min()) * 0.92, float(data.transport_usd_per_teu.max()) * 1.08)
    for ax in axes:  # every panel reads on its own (shared axes hide inner tick labels by default)
        ax.tick_params(labelbottom=True, labelleft=True)
        ax.set_xlabel("median transit (days); bars: 5-95% range", fontsize=8.5)
        ax.set_ylabel("transport USD per TEU delivered", fontsize=8.5)
    handles, labels = _legend_entries(axes)
    rows = -(-len(labels) // 4)
    fig.legend(handles, labels, loc="lower center", fontsize=8, ncols=min(4, len(labels)), frameon=False)
    fig.suptitle(title, fontsize=12, fontweight="bold", x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0.25 * rows / fig.get_figheight(), 1, 0.97))
    fig.draw_without_rendering()
    for ax, variant in zip(axes, variants, strict=True):
        _name_points(ax, data[data.variant == variant], baseline, names)
    return fig


def _legend_entries(axes) -> tuple[list, list]:
    seen: dict[str, object] = {}
    for ax in axes:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, h)
    return list(seen.values()), list(seen)


def _name_points(ax, sub: pd.DataFrame, baseline: str, names: dict[str, str]) -> None:
    """Name each point (route and kg CO2 per TEU) beside it, off the other markers and names."""
    labeller = Labeller(ax)
    for r in sub.itertuples():
        labeller.mark(r.transit_days_p50, r.transport_usd_per_teu, radius_px=6.0)
    for r in sub.sort_values("transport_usd_per_teu").itertuples():
        name = names.get(r.route, r.route)
        text = f"{name}{' (baseline)' if r.route == baseline else ''}, {r.co2_kg_per_teu / 1000:.1f} t CO2/TEU"
        labeller.place(r.transit_days_p50, r.transport_usd_per_teu, text, size=7.0)
