"""The parts of a map beside the world view: the INSTC close-up, the Arctic view of the Northern Sea Route, the
scale bar, and labelling a list of places with the shared labeller."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from pyproj import Transformer  # noqa: E402

from ..land import LandMask  # noqa: E402
from ..network import Network  # noqa: E402
from .labels import Labeller  # noqa: E402
from .mapdraw import ARCTIC, ROUTE_COLOURS, SEA, WORLD, Bottleneck, MapRoute, draw_land, project_point  # noqa: E402
from .mapdraw import route_collection as _collection  # noqa: E402

__all__ = ["Window", "detail_window", "detail_panel", "arctic_inset", "scale_bar", "label_places"]

# label style by kind of place: (font size, weight, colour)
STYLES = {"end": (8.0, "bold", "#111"), "wait": (7.5, "bold", "#7b241c"), "key": (7.5, "normal", "#222"),
          "choke": (7.0, "normal", "#444"), "minor": (6.8, "normal", "#444")}


@dataclass
class Window:
    """A rectangle in map coordinates (metres of the world projection)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def contains(self, x: float, y: float) -> bool:
        """Whether (x, y) lies inside."""
        return self.x0 < x < self.x1 and self.y0 < y < self.y1


def detail_window(fig, rect, inland_pts: np.ndarray) -> Window:
    """The close-up's extent: the land and Caspian legs with a margin, at the side panel's aspect."""
    (x0, y0), (x1, y1) = inland_pts.min(axis=0), inland_pts.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    width_in, height_in = rect[2] * fig.get_figwidth(), rect[3] * fig.get_figheight()
    half_h = (y1 - y0) / 2 * 1.08 + 1.5e5
    half_w = max((x1 - x0) / 2 * 1.15 + 1.5e5, half_h * width_in / height_in)
    half_h = half_w * height_in / width_in
    return Window(cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def label_places(ax: Axes, labeller: Labeller, places: list[tuple[str, str, str]], network: Network,
                 transformer=WORLD) -> None:
    """Mark every place's point, then label them in order (each beside its own point, off lines and other labels;
    a label that fits nowhere is left out). ``places``: (node, text, style) with style a key of STYLES."""
    points = []
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for nid, text, style in places:
        node = network.nodes[nid]
        x, y = project_point(node.lon, node.lat, transformer)
        if not (x0 < x < x1 and y0 < y < y1):
            continue
        is_end = style in ("end", "wait", "key")
        ax.plot([x], [y], marker="D" if style == "choke" else "o", markersize=4.0 if is_end else 3.0,
                color="#111" if is_end else "#555", zorder=25)
        labeller.mark(x, y)
        points.append((x, y, text, style))
    ax.figure.figure.draw_without_rendering()  # the root figure lays out every axes
    labeller.avoid_lines()
    for x, y, text, style in points:
        size, weight, colour = STYLES[style]
        labeller.place(x, y, text, size, weight, colour)


def detail_panel(fig, network: Network, land: LandMask, routes: list[MapRoute], rect, widths: list[float],
                 offsets: list[float], window: Window, bottlenecks: list[Bottleneck],
                 places: list[tuple[str, str, str]]) -> None:
    """A regional close-up of the land and Caspian legs (the INSTC corridor), same projection and styles."""
    ax = fig.add_axes(rect)
    ax.set_facecolor(SEA)
    draw_land(ax, land, WORLD, arctic=False)
    metres_per_pt = (window.x1 - window.x0) / (rect[2] * fig.get_figwidth() * 72.0)
    for i, mr in enumerate(routes):
        lc = _collection(network, mr, ROUTE_COLOURS[i % len(ROUTE_COLOURS)], widths[i], offsets[i] * metres_per_pt,
                         WORLD)
        lc.set_gid(f"detail:{mr.key}")
        lc.set_label(None)
        ax.add_collection(lc)
    ax.set_xlim(window.x0, window.x1)
    ax.set_ylim(window.y0, window.y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("Close-up: Iran, the Caspian, the Caucasus and Central Asia", fontsize=10, loc="left")
    worst = max((b.wait_h for b in bottlenecks), default=0.0) or 1.0
    for b in bottlenecks:
        x, y = project_point(network.nodes[b.node].lon, network.nodes[b.node].lat)
        ax.scatter([x], [y], s=30 + 900 * b.wait_h / worst, color="#c0392b", alpha=0.45, edgecolor="#7b241c",
                   linewidth=0.8, zorder=20)
    fig.draw_without_rendering()
    label_places(ax, Labeller(ax), places, network)


def scale_bar(ax) -> list:
    """A 1,000 km bar measured at the latitude of the map's centre (Equal Earth scale varies with latitude), right
    of the legends in the lower left corner; returns its artists (labels keep off them)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    inv = Transformer.from_crs(WORLD.target_crs, "EPSG:4326", always_xy=True)
    lon_c, lat_c = inv.transform((x0 + x1) / 2, (y0 + y1) / 2)
    from ..geo import GEOD

    lon2, lat2, _ = GEOD.fwd(lon_c, lat_c, 90.0, 1_000_000.0)
    xa, _ = project_point(lon_c, lat_c)
    xb, _ = project_point(lon2, lat2)
    length = abs(xb - xa)
    ax.figure.figure.draw_without_rendering()  # the root figure lays out every axes
    to_axes = ax.transAxes.inverted()
    left_legends = [to_axes.transform(leg.get_window_extent())[1, 0] for leg in [ax.get_legend(), *ax.artists]
                    if hasattr(leg, "get_texts") and to_axes.transform(leg.get_window_extent())[0, 0] < 0.3]
    bx = x0 + (x1 - x0) * max([0.36] + [right + 0.03 for right in left_legends])
    by = y0 + (y1 - y0) * 0.035
    (bar,) = ax.plot([bx, bx + length], [by, by], color="#222", linewidth=3, solid_capstyle="butt", zorder=40)
    text = ax.text(bx + length / 2, by + (y1 - y0) * 0.012,
                   f"1,000 km (at {lat_c:.0f}°{'N' if lat_c >= 0 else 'S'})", ha="center", va="bottom", fontsize=7.5,
                   zorder=40)
    return [bar, text]


ARCTIC_PLACES = ("bering_strait", "vilkitsky_strait", "kara_gates", "cape_zhelaniya", "RUMMK", "cape_dezhnev")


def arctic_inset(fig, network: Network, land: LandMask, routes: list[MapRoute], rect) -> None:
    """The Northern Sea Route in a polar view, framed on the route: the panel is only as tall as the route needs
    (top-aligned with the world map) so it is not mostly empty."""
    pts, drawn = [], []
    for i, mr in enumerate(routes):
        if "nsr" not in mr.route.chokepoints:
            continue
        lc = _collection(network, mr, ROUTE_COLOURS[i % len(ROUTE_COLOURS)], 2.4, 0.0, ARCTIC, mask_lat=62.0)
        lc.set_gid(f"inset:{mr.key}")
        lc.set_label(None)
        drawn.append(lc)
        pts += list(lc.get_segments())
    p = np.vstack(pts)
    (x0, y0), (x1, y1) = p.min(axis=0), p.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = (x1 - x0) / 2 * 1.12 + 2e5
    half_h = (y1 - y0) / 2 * 1.25 + 4e5
    width_in, height_in = rect[2] * fig.get_figwidth(), rect[3] * fig.get_figheight()
    height_in = min(height_in, width_in * half_h / half_w)
    half_h = half_w * height_in / width_in
    bottom = rect[1] + rect[3] - height_in / fig.get_figheight()
    ax = fig.add_axes((rect[0], bottom, rect[2], height_in / fig.get_figheight()))
    ax.set_facecolor(SEA)
    draw_land(ax, land, ARCTIC, arctic=True)
    for lc in drawn:
        ax.add_collection(lc)
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("Arctic view (polar stereographic): the Northern Sea Route", fontsize=10, loc="left")
    for spine in ax.spines.values():
        spine.set_edgecolor("#1f4e9c")
    fig.draw_without_rendering()
    places = [(nid, network.nodes[nid].name.split(" (")[0], "choke") for nid in ARCTIC_PLACES
              if nid in network.nodes]
    label_places(ax, Labeller(ax), places, network, ARCTIC)
