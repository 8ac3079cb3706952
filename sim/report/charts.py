"""Charts for analysts: transit-time distributions, transit by booking month, facility load over time, and the
cost-time-CO2 trade-off. Plotting knows nothing of SimPy: it reads the run's tables and its chart data (binned
transit times, the same size however many replications ran)."""

from __future__ import annotations

import datetime as dt
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..chartdata import ChartData, MonthStats  # noqa: E402
from .maps import ROUTE_COLOURS  # noqa: E402

__all__ = ["transit_ecdf", "transit_by_month", "facility_load", "route_colours", "panels"]

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def route_colours(routes: list[str]) -> dict[str, str]:
    """The same colour per route on every map and chart (the order of the scenario's routes)."""
    return {r: ROUTE_COLOURS[i % len(ROUTE_COLOURS)] for i, r in enumerate(routes)}


def panels(n: int, width: float = 5.2, height: float = 3.8, sharex: bool = False, sharey: bool = False):
    """A grid of ``n`` panels, three to a row (small multiples); the unused cells hidden."""
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows + 0.6), squeeze=False, dpi=110,
                             sharex=sharex, sharey=sharey)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _legend_below(ax) -> None:
    """The panel's legend under its x axis label, where it hides no curve whatever the data."""
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)


def transit_ecdf(data: ChartData, routes: list[str], baseline: str, variants: list[str], title: str):
    """Share of consignments delivered within x days per route (of all booked and not refused: cargo still in
    transit at the end keeps the curve below 1), one panel per variant, India-to-Russia direction; baseline in
    black."""
    colours = route_colours(routes)
    fig, axes = panels(len(variants), height=3.8 + 0.17 * len(routes) + 0.5)
    xmax = data.delivered_percentile(99.5)
    xmax = 60.0 if math.isnan(xmax) else xmax
    for ax, variant in zip(axes, variants, strict=True):
        for route in routes:
            curve = data.ecdf(variant, route)
            if curve is None:
                continue
            days, y, median, left = curve
            if len(days) > 4000:  # a long tail: draw the ECDF at 4,000 points (off by at most 1/4,000)
                keep = np.unique(np.linspace(0, len(days) - 1, 4000).astype(np.int64))
                days, y = days[keep], y[keep]
            base = route == baseline
            told = f"median {median:.1f} d" if math.isfinite(median) else "median not reached"
            if left >= 0.005:
                told += f", {left:.0%} still in transit"
            ax.step(days, y, where="post", color="black" if base else colours[route], linewidth=2.6 if base else 1.6,
                    label=f"{route}{' (baseline route)' if base else ''}: {told}", zorder=3 if base else 2)
        ax.set_title(f"variant: {variant}", fontsize=10, loc="left")
        ax.set_xlim(0, xmax * 1.02)
        ax.set_ylim(0, 1.01)
        ax.set_xlabel("transit time, booking to delivery (days)")
        ax.set_ylabel("share of consignments delivered (of all booked)")
        ax.grid(alpha=0.3)
        _legend_below(ax)
    fig.suptitle(title, fontsize=12, fontweight="bold", x=0.01, ha="left")
    fig.tight_layout()
    return fig


def _month_top(data: ChartData) -> float:
    """The top of the by-month chart: above 99% of arrivals, and above every monthly median so a slow, seasonal
    route (the NSR, a small part of the cargo) stays in view."""
    top = data.delivered_percentile(99)
    top = 60.0 if math.isnan(top) else top * 1.05
    longest = data.longest_month_median()
    return top if math.isnan(longest) else max(top, longest * 1.1)


def transit_by_month(data: ChartData, routes: list[str], baseline: str, variants: list[str], title: str):
    """Median (line) and 5-95% band of transit days by booking month, per route; one panel per variant. Cargo
    still in transit at the end of the run counts as slower than anything delivered: a month whose median (or
    95th percentile) was not reached is marked with a triangle at the top (the band runs off the chart)."""
    colours = route_colours(routes)
    fig, axes = panels(len(variants), width=5.6, height=3.8 + 0.17 * len(routes) + 0.5)
    top = _month_top(data)
    for ax, variant in zip(axes, variants, strict=True):
        unreached = False
        for route in routes:
            stats = data.by_month(variant, route)
            if stats is None:
                continue
            colour = "black" if route == baseline else colours[route]
            unreached = _draw_months(ax, stats, route, route == baseline, colour, top) or unreached
        ax.set_xticks(range(1, 13), MONTHS, fontsize=8)
        ax.set_xlim(0.5, 12.5)
        ax.set_title(f"variant: {variant}", fontsize=10, loc="left")
        ax.set_xlabel("booking month")
        ax.set_ylabel("transit days (median, 5-95% band)")
        ax.set_ylim(0, top * 1.04)
        if unreached:
            ax.plot([], [], marker="^", linestyle="none", color="#555",
                    label="median not reached: cargo still in transit")
        ax.grid(alpha=0.3)
        _legend_below(ax)
    fig.suptitle(title, fontsize=12, fontweight="bold", x=0.01, ha="left")
    fig.tight_layout()
    return fig


def _draw_months(ax, stats: list[MonthStats], route: str, baseline: bool, colour: str, top: float) -> bool:
    """One route's monthly median line, 5-95% band, triangles where the median was not reached and grey months
    where most bookings were refused; True when a triangle was drawn."""
    live = [s for s in stats if s.live]
    month = np.asarray([s.month for s in live], dtype=float)
    med, lo, hi = (np.asarray([getattr(s, f) for s in live], dtype=float) for f in ("median", "low", "high"))
    ax.plot(month, np.where(np.isfinite(med), med, np.nan), marker="o", markersize=3.5, color=colour,
            linewidth=2.2 if baseline else 1.6, label=route + (" (baseline route)" if baseline else ""))
    ax.fill_between(month, np.where(np.isfinite(lo), lo, np.nan), np.minimum(hi, top), color=colour, alpha=0.12,
                    linewidth=0)
    beyond = month[~np.isfinite(med)]
    ax.plot(beyond, [top] * len(beyond), marker="^", linestyle="none", color=colour, markersize=7)
    for s in stats:
        if s.refused_share > 0.5:
            ax.axvspan(s.month - 0.5, s.month + 0.5, color="#999", alpha=0.15, linewidth=0)
    return len(beyond) > 0


def facility_load(series: pd.DataFrame, facilities: pd.DataFrame, variant: str, start: dt.date, title: str,
                  top: int = 6, places: dict[str, str] | None = None):
    """Utilisation (busy servers / servers, 7-day mean) and queue length over simulated time for the busiest
    facilities of ``variant`` (replication 0), named by place and kind (``places``: node id -> place name)."""
    places = places or {}
    fac = facilities[facilities.variant == variant].sort_values("utilisation", ascending=False).head(top)
    fig, (ax_u, ax_q) = plt.subplots(2, 1, figsize=(11, 6.6), sharex=True, dpi=110)
    for i, row in enumerate(fac.itertuples()):
        s = series[(series.variant == variant) & (series.facility == row.facility)].sort_values("time_h")
        if s.empty:
            continue
        when = pd.to_datetime(start) + pd.to_timedelta(s.time_h, unit="h")
        colour = plt.cm.tab10(i % 10)
        util = (s.busy / row.servers).rolling(7, min_periods=1).mean()
        name = f"{places.get(row.node, row.node)} {str(row.kind).replace('_', ' ')}"
        ax_u.plot(when, util * 100, color=colour, linewidth=1.5, label=f"{name} ({row.utilisation * 100:.0f}% mean)")
        ax_q.plot(when, s.queue, color=colour, linewidth=1.2, label=name)
    ax_u.set_ylabel("utilisation, 7-day mean (%)")
    ax_u.set_ylim(bottom=0)
    ax_q.set_ylabel("queue (consignments waiting)")
    locator = mdates.AutoDateLocator()
    ax_q.xaxis.set_major_locator(locator)
    ax_q.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    for ax in (ax_u, ax_q):
        ax.grid(alpha=0.3)
    ax_u.legend(fontsize=8, loc="upper left", ncols=2)
    ax_u.set_title(title, fontsize=12, fontweight="bold", loc="left")
    fig.tight_layout()
    return fig
