"""Charts for analysts: transit-time distributions, transit by booking month, facility load over time, and the
cost-time-CO2 trade-off. Plotting knows nothing of SimPy: it reads the run's tables."""

from __future__ import annotations

import datetime as dt
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

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


def _live(ships: pd.DataFrame) -> pd.DataFrame:
    """Loads booked after the warm-up, India to Russia, that were not refused: delivered or still in transit."""
    return ships[~ships.in_warmup & (ships.direction == "forward") & ships.status.isin(("delivered", "in_transit"))]


def _transit_or_inf(frame: pd.DataFrame) -> np.ndarray:
    """Transit days, with cargo still in transit at the end of the run as +inf (it took longer than anything
    observed), so that shares and quantiles count it instead of dropping it."""
    return np.where(frame.status.to_numpy() == "delivered", frame.transit_days.to_numpy(), np.inf)


def transit_ecdf(ships: pd.DataFrame, routes: list[str], baseline: str, variants: list[str], title: str):
    """Share of consignments delivered within x days per route (of all booked and not refused: cargo still in
    transit at the end keeps the curve below 1), one panel per variant, India-to-Russia direction; baseline in
    black."""
    colours = route_colours(routes)
    fig, axes = panels(len(variants), height=3.8 + 0.17 * len(routes) + 0.5)
    live = _live(ships)
    finite = live.transit_days[live.status == "delivered"]
    xmax = np.nanpercentile(finite, 99.5) if len(finite) else 60
    for ax, variant in zip(axes, variants, strict=True):
        sub = live[live.variant == variant]
        for route in routes:
            all_days = np.sort(_transit_or_inf(sub[sub.route == route]))
            if not len(all_days):
                continue
            median = float(np.quantile(all_days, 0.5, method="inverted_cdf"))
            left = float(np.isinf(all_days).mean())
            days = all_days[np.isfinite(all_days)]
            y = np.arange(1, len(days) + 1) / len(all_days)
            if len(days) > 4000:  # many replications: draw the ECDF at 4,000 points (off by at most 1/4,000)
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


def transit_by_month(ships: pd.DataFrame, routes: list[str], baseline: str, variants: list[str], start: dt.date,
                     title: str):
    """Median (line) and 5-95% band of transit days by booking month, per route; one panel per variant. Cargo
    still in transit at the end of the run counts as slower than anything delivered: a month whose median (or
    95th percentile) was not reached is marked with a triangle at the top (the band runs off the chart)."""
    colours = route_colours(routes)
    fig, axes = panels(len(variants), width=5.6, height=3.8 + 0.17 * len(routes) + 0.5)
    data = ships[~ships.in_warmup & (ships.direction == "forward")]
    created = pd.to_datetime(start) + pd.to_timedelta(data.created_h, unit="h")
    data = data.assign(month=created.dt.month.to_numpy())
    live = data[data.status.isin(("delivered", "in_transit"))]
    top = float(np.nanpercentile(live.transit_days, 99)) * 1.05 if live.transit_days.notna().any() else 60.0
    # a slow, seasonal route (the NSR) is a small part of the cargo: keep its monthly medians in view
    medians = live.groupby(["variant", "route", "month"], observed=True).transit_days.median()
    if medians.notna().any():
        top = max(top, float(medians.max()) * 1.1)
    for ax, variant in zip(axes, variants, strict=True):
        sub = data[data.variant == variant]
        unreached = False
        for route in routes:
            r = sub[sub.route == route]
            if r.empty:
                continue
            rl = r[r.status.isin(("delivered", "in_transit"))]
            by_month = rl.assign(days=_transit_or_inf(rl)).groupby("month").days
            med, lo, hi = (by_month.quantile(q, interpolation="lower") for q in (0.5, 0.05, 0.95))
            colour = "black" if route == baseline else colours[route]
            shown = med.where(np.isfinite(med))
            ax.plot(shown.index, shown.values, marker="o", markersize=3.5, color=colour,
                    linewidth=2.2 if route == baseline else 1.6,
                    label=route + (" (baseline route)" if route == baseline else ""))
            ax.fill_between(med.index, lo.where(np.isfinite(lo)), hi.clip(upper=top), color=colour, alpha=0.12,
                            linewidth=0)
            beyond = med.index[~np.isfinite(med)]
            ax.plot(beyond, [top] * len(beyond), marker="^", linestyle="none", color=colour, markersize=7)
            unreached = unreached or len(beyond) > 0
            refused = r.groupby("month").status.apply(lambda s: (s == "dropped:season_closed").mean())
            for m, share in refused.items():
                if share > 0.5:
                    ax.axvspan(m - 0.5, m + 0.5, color="#999", alpha=0.15, linewidth=0)
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
