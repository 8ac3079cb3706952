"""Route and flow maps: the world map with every route (line width = TEU carried on a flow map), legends for
colour, mode and width, place names beside their points and off the lines, and a side panel only when it shows
something: the INSTC corridor close-up, or the Arctic for the Northern Sea Route.

Nodes inside the close-up's frame are named in the close-up only, so the crowded Caspian is labelled once, at a
scale where the names fit."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from ..land import LandMask  # noqa: E402
from ..network import Network  # noqa: E402
from .labels import Labeller  # noqa: E402
from .mapdraw import (  # noqa: E402
    LAND,
    MODE_LABELS,
    MODE_STYLES,
    ROUTE_COLOURS,
    SEA,
    WORLD,
    Bottleneck,
    MapRoute,
    draw_land,
    project_line,
    project_point,
    route_collection,
    short_name,
)
from .panels import Window, arctic_inset, detail_panel, detail_window, label_places, scale_bar  # noqa: E402

__all__ = ["MapRoute", "Bottleneck", "draw_route_map", "MODE_STYLES", "ROUTE_COLOURS", "LAND", "flow_width"]


ARCTIC_VIEW_BELOW = 0.5  # share of the world map's width the NSR spans, under which it gets its own view


def flow_width(teu: float | None, max_teu: float | None) -> float:
    """Line width (points) of a flow: its area grows with the TEU carried."""
    return 2.2 if not max_teu else 1.2 + 7.0 * math.sqrt((teu or 0.0) / max_teu)


def draw_route_map(network: Network, land: LandMask, routes: list[MapRoute], title: str,
                   bottlenecks: list[Bottleneck] | None = None, nsr_note: str | None = None):
    """Draw the study's routes (and flows and bottlenecks when given); return the matplotlib Figure."""
    nsr = [leg for r in routes if "nsr" in r.route.chokepoints for leg in r.route.legs]
    inland = [leg for r in routes for leg in r.route.legs
              if leg.mode in ("rail", "road") or "caspian" in leg.chokepoints]
    inland_pts = (np.vstack([project_line(network.leg_coords(leg.leg_id, leg.direction)) for leg in inland])
                  if inland else None)
    detail = (not nsr and inland_pts is not None
              and any(network.nodes[n].country in ("IR", "AZ", "TM", "KZ") for r in routes for n in r.route.nodes))
    flows = [r.teu for r in routes if r.teu]
    max_teu = max(flows) if flows else None
    widths = [3.0 if mr.baseline and max_teu is None else flow_width(mr.teu, max_teu) for mr in routes]
    pts = np.vstack([project_line(network.leg_coords(leg.leg_id, leg.direction)) for mr in routes
                     for leg in mr.route.legs])
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    # the Arctic view only when the world map shows the Northern Sea Route small (a study spanning the world);
    # where the route fills the world map already, the view would repeat it
    arctic = False
    if nsr:
        nsr_x = np.vstack([project_line(network.leg_coords(leg.leg_id, leg.direction)) for leg in nsr])[:, 0]
        arctic = (nsr_x.max() - nsr_x.min()) / (x1 - x0) < ARCTIC_VIEW_BELOW
    pad_x, pad_y = (x1 - x0) * 0.08 + 2e5, (y1 - y0) * 0.12 + 2e5
    xlim, ylim = (x0 - pad_x, x1 + pad_x), (y0 - pad_y, y1 + pad_y)
    main_w_in = 11.5
    metres_per_pt = (xlim[1] - xlim[0]) / (main_w_in * 72.0)
    # side by side: each route is offset by the widths of the routes drawn before it, centred on the lane
    centres, acc = [], 0.0
    for w in widths:
        centres.append(acc + w / 2)
        acc += w + 0.6
    offsets = [c - acc / 2 for c in centres]
    # size the figure to the map's aspect so no space is wasted
    main_h_in = main_w_in * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0])
    fig_w = main_w_in + (6.2 if arctic or detail else 0.0) + 0.3
    fig_h = main_h_in + 1.1
    # a Figure of its own, not pyplot's registry: the route map is drawn on a thread while the workers simulate
    fig = Figure(figsize=(fig_w, fig_h), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.15 / fig_w, 0.45 / fig_h, main_w_in / fig_w, main_h_in / fig_h))
    ax.set_facecolor(SEA)
    draw_land(ax, land, WORLD, arctic=False)
    for i, mr in enumerate(routes):
        ax.add_collection(route_collection(network, mr, ROUTE_COLOURS[i % len(ROUTE_COLOURS)], widths[i],
                                           offsets[i] * metres_per_pt, WORLD))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=13, fontweight="bold", loc="left")
    side = [(0.15 + main_w_in + 0.15) / fig_w, 0.45 / fig_h, 6.0 / fig_w, main_h_in / fig_h]
    window = detail_window(fig, side, inland_pts) if detail and inland_pts is not None else None
    if window is not None:
        ax.add_patch(Rectangle((window.x0, window.y0), window.x1 - window.x0, window.y1 - window.y0, fill=False,
                               edgecolor="#555", linestyle=(0, (4, 3)), linewidth=0.9, zorder=35))
    labeller = _legends(ax, routes, max_teu, bottlenecks, window)
    if nsr_note:
        labeller.block(ax.text(0.99, 0.985, nsr_note, transform=ax.transAxes, ha="right", va="top", fontsize=8.5,
                               color="#1f4e9c", zorder=40,
                               bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#1f4e9c", "alpha": 0.9}))
    for artist in scale_bar(ax):
        labeller.block(artist)
    _mark_bottlenecks(ax, network, bottlenecks or [])
    places = _places(network, routes, bottlenecks or [], window)
    label_places(ax, labeller, places, network)
    fig.text(0.15 / fig_w, 0.12 / fig_h, "Equal Earth projection centred at 85°E. Land: Natural Earth 1:10m (public "
             "domain). Parallel routes are drawn side by side where they share a lane."
             + (" Dashed frame: the close-up on the right." if window is not None else ""), fontsize=7.5,
             color="#555")
    if arctic:
        arctic_inset(fig, network, land, routes, side)
    elif window is not None:
        detail_panel(fig, network, land, routes, side, widths, offsets, window, bottlenecks or [],
                     _places(network, routes, bottlenecks or [], None, junctions=True))
    return fig


def _legends(ax: Axes, routes: list[MapRoute], max_teu: float | None, bottlenecks: list[Bottleneck] | None,
             window: Window | None) -> Labeller:
    """Legends for routes (colour), modes (line style), flow width and bottleneck size; a labeller that keeps off
    them."""
    title = "routes" + (" (TEU carried per replication)" if max_teu else "")
    route_legend = ax.legend(loc="lower left", fontsize=8.5, title=title, title_fontsize=8.5, framealpha=0.92)
    ax.add_artist(route_legend)
    used_modes = sorted({leg.mode for r in routes for leg in r.route.legs}, key=list(MODE_STYLES).index)
    handles = [Line2D([], [], color="#333", linestyle=MODE_STYLES[m], linewidth=1.8, label=MODE_LABELS[m])
               for m in used_modes]
    if max_teu:
        for teu in _width_steps(max_teu):
            handles.append(Line2D([], [], color="#777", linewidth=flow_width(teu, max_teu),
                                  label=f"{teu:,.0f} TEU / replication"))
    if bottlenecks:
        handles.append(Line2D([], [], marker="o", color="none", markerfacecolor="#c0392b", markeredgecolor="#7b241c",
                              alpha=0.6, markersize=9, label="facility: size = mean queue wait"))
    if window is not None:
        handles.append(Line2D([], [], color="#555", linestyle=(0, (4, 3)), linewidth=0.9,
                              label="frame of the close-up"))
    mode_legend = ax.legend(handles=handles, loc="lower right", fontsize=8.5, title_fontsize=8.5, framealpha=0.92,
                            title="line style: mode" + ("; width: flow" if max_teu else ""))
    ax.figure.figure.draw_without_rendering()  # the root figure lays out every axes
    labeller = Labeller(ax)
    labeller.block(route_legend)
    labeller.block(mode_legend)
    return labeller


def _width_steps(max_teu: float) -> list[float]:
    """Two or three round TEU values up to the largest flow, for the width legend."""
    top = 10 ** math.floor(math.log10(max_teu))
    top = max(m * top for m in (1, 2, 5) if m * top <= max_teu)
    return sorted({top, top / 5 if top / 5 >= 1 else top}, reverse=True) + ([top / 25] if top / 25 >= 1 else [])


def _mark_bottlenecks(ax: Axes, network: Network, bottlenecks: list[Bottleneck]) -> None:
    """Circles sized by mean queue wait."""
    worst = max((b.wait_h for b in bottlenecks), default=0.0) or 1.0
    for b in sorted(bottlenecks, key=lambda b: -b.wait_h):
        x, y = project_point(network.nodes[b.node].lon, network.nodes[b.node].lat)
        ax.scatter([x], [y], s=30 + 900 * b.wait_h / worst, color="#c0392b", alpha=0.45, edgecolor="#7b241c",
                   linewidth=0.8, zorder=20)


def _places(network: Network, routes: list[MapRoute], bottlenecks: list[Bottleneck], window: Window | None,
            junctions: bool = False) -> list[tuple[str, str, str]]:
    """(node, label, style) in the order they are labelled: route ends, facilities with waits, other ports and
    borders, then straits and canals (and rail junctions, for the close-up); nodes inside ``window`` other than
    route ends are left to the close-up."""
    waits: dict[str, list[Bottleneck]] = {}
    for b in sorted(bottlenecks, key=lambda b: -b.wait_h):
        waits.setdefault(b.node, []).append(b)
    on_routes = {n for r in routes for n in r.route.nodes}
    ends = list(dict.fromkeys([r.route.origin for r in routes] + [r.route.destination for r in routes]))
    key = [n for n in sorted(on_routes) if network.nodes[n].kind in ("border", "port", "rail_terminal")]
    passed = on_routes | {t for r in routes for t in r.route.chokepoints if t in network.nodes}
    chokes = sorted(n for n in passed if network.nodes[n].kind in ("strait", "canal", "cape"))
    minor = sorted(n for n in on_routes if network.nodes[n].kind == "junction") if junctions else []
    out = []
    for nid in dict.fromkeys([*ends, *waits, *key, *chokes, *minor]):
        node = network.nodes[nid]
        if window is not None and nid not in ends and window.contains(*project_point(node.lon, node.lat)):
            continue
        if nid in waits:
            told = ", ".join(f"{b.label} {b.wait_h:.1f} h" for b in waits[nid])
            out.append((nid, f"{short_name(node)}:\n{told} wait", "wait"))  # two short lines fit between lines
        else:
            style = "end" if nid in ends else "key" if nid in key else "minor" if nid in minor else "choke"
            out.append((nid, short_name(node), style))
    return out
