"""Route and flow maps over the committed land polygons (matplotlib; no tiles, no downloads).

The world map uses an Equal Earth projection centred at 85 E, which keeps every study route -- from the
Atlantic (Cape, Gibraltar) to the Bering Strait -- on one side of the projection's cut (95 W). Studies that use
the Northern Sea Route get an Arctic inset in a north polar stereographic projection. Each route is one
LineCollection (legs styled by mode) with gid ``route:<id>``; parallel routes are offset so shared lanes stay
visible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from pyproj import Transformer  # noqa: E402

from ..geo import densify  # noqa: E402
from ..land import LandMask  # noqa: E402
from ..network import Network  # noqa: E402
from ..routes import Route  # noqa: E402
from .labels import Labeller  # noqa: E402

__all__ = ["MapRoute", "Bottleneck", "draw_route_map", "MODE_STYLES", "ROUTE_COLOURS"]

CENTRE_LON = 85.0
WORLD = Transformer.from_crs("EPSG:4326", f"+proj=eqearth +lon_0={CENTRE_LON} +datum=WGS84 +units=m", always_xy=True)
ARCTIC = Transformer.from_crs("EPSG:4326", "+proj=stere +lat_0=90 +lon_0=105 +lat_ts=70 +datum=WGS84 +units=m",
                              always_xy=True)
MODE_STYLES: dict[str, Any] = {"sea": "solid", "canal": "solid", "ferry": (0, (6, 2)), "rail": (0, (5, 1.5, 1, 1.5)),
                               "road": (0, (1, 1.2))}
MODE_LABELS = {"sea": "sea lane", "canal": "canal", "ferry": "ferry", "rail": "rail", "road": "road"}
ROUTE_COLOURS = ["#1f4e9c", "#d1495b", "#edae49", "#00798c", "#6a4c93", "#3d9970", "#f26419", "#8d6a9f", "#2e4057",
                 "#b07d62", "#4f772d"]
CUT_LON = CENTRE_LON - 180.0  # -95: the world map's seam


@dataclass
class MapRoute:
    """A route to draw, its label, and optionally the TEU it carried (for a flow map)."""

    key: str
    label: str
    route: Route
    teu: float | None = None
    baseline: bool = False


@dataclass
class Bottleneck:
    """A facility to mark, sized by its mean queue wait."""

    node: str
    label: str
    wait_h: float
    utilisation: float = 0.0


def _short(node) -> str:
    """A map label: drop parenthetical detail except the country of a border post (two Astaras, two Sarakhs)."""
    return node.name if node.kind == "border" else node.name.split(" (")[0]


def _unwrap(lons: np.ndarray) -> np.ndarray:
    # keep longitudes on the map's side of its seam so projected lines never jump across the map
    return np.where(lons < CUT_LON, lons + 360.0, lons)


def _project_line(coords, transformer=WORLD, step_km: float = 40.0) -> np.ndarray:
    lons, lats = densify(coords, step_km)
    x, y = transformer.transform(_unwrap(lons) if transformer is WORLD else lons, lats)
    return np.column_stack([x, y])


# (land geometry, projection, window) -> (the land, its rings, its holes): every map of a run draws the same land,
# and clipping, densifying and projecting the world's coastlines took about as long as drawing a map
_RINGS: dict[tuple[int, int, tuple[float, ...]], tuple[LandMask, list[np.ndarray], list[np.ndarray]]] = {}


def _land_rings(land: LandMask, transformer, window) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Exterior rings and holes (inland seas such as the Caspian) clipped to a lon/lat window and projected,
    computed once per land layer, projection and window (the land is kept with them so its id stays its own)."""
    key = (id(land.geometry), id(transformer), tuple(window))
    if key not in _RINGS:
        if len(_RINGS) > 16:
            _RINGS.clear()
        _RINGS[key] = (land, *_clip_and_project(land, transformer, window))
    _, outer, holes = _RINGS[key]
    return outer, holes


def _clip_and_project(land: LandMask, transformer, window) -> tuple[list[np.ndarray], list[np.ndarray]]:
    outer: list[np.ndarray] = []
    holes: list[np.ndarray] = []
    clipped = shapely.segmentize(shapely.clip_by_rect(land.geometry, *window), 0.5)  # clip edges bend when projected
    for poly in shapely.get_parts(clipped):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring, bucket in [(poly.exterior, outer), *((r, holes) for r in poly.interiors)]:
            xs, ys = ring.xy
            px, py = transformer.transform(np.asarray(xs), np.asarray(ys))
            bucket.append(np.column_stack([px, py]))
    return outer, holes


SEA = "#d8e6f0"
LAND = "#e9e4d8"


def _draw_land(ax, land: LandMask, transformer, arctic: bool) -> None:
    from matplotlib.collections import PolyCollection

    if arctic:
        windows = [(-180.0, 40.0, 180.0, 90.0)]
    else:
        windows = [(CUT_LON + 0.5, -85.0, 180.0, 85.0), (-180.0, -85.0, CUT_LON - 0.5, 85.0)]
    outer, holes = [], []
    for w in windows:
        o, h = _land_rings(land, transformer, w)
        outer += o
        holes += h
    ax.add_collection(PolyCollection(outer, facecolor=LAND, edgecolor="#b9b2a2", linewidth=0.3, zorder=1))
    ax.add_collection(PolyCollection(holes, facecolor=SEA, edgecolor="#b9b2a2", linewidth=0.3, zorder=1.5))


def _offset(line: np.ndarray, metres: float) -> np.ndarray:
    if metres == 0 or len(line) < 2:
        return line
    geom = shapely.offset_curve(shapely.LineString(line), metres, join_style="round")
    if geom.is_empty or geom.geom_type != "LineString":
        return line
    return np.asarray(geom.coords)


def _route_collection(network: Network, mr: MapRoute, colour: str, width: float, offset_m: float, transformer,
                      mask_lat: float | None = None) -> LineCollection:
    segments, styles = [], []
    for leg in mr.route.legs:
        coords = network.leg_coords(leg.leg_id, leg.direction)
        if mask_lat is not None and max(c[1] for c in coords) < mask_lat:
            continue
        line = _offset(_project_line(coords, transformer), offset_m)
        segments.append(line)
        styles.append(MODE_STYLES[leg.mode])
    lc = LineCollection(segments, colors=colour, linewidths=width, linestyles=styles,
                        zorder=10 + (3 if mr.baseline else 0),
                        capstyle="round", label=mr.label)
    lc.set_gid(f"route:{mr.key}")
    return lc


def draw_route_map(network: Network, land: LandMask, routes: list[MapRoute], title: str,
                   bottlenecks: list[Bottleneck] | None = None, nsr_note: str | None = None):
    """Draw the study's routes (and flows and bottlenecks when given); return the matplotlib Figure."""
    arctic = any("nsr" in r.route.chokepoints for r in routes)
    inland = [leg for r in routes for leg in r.route.legs
              if leg.mode in ("rail", "road") or "caspian" in leg.chokepoints]
    inland_pts = (np.vstack([_project_line(network.leg_coords(leg.leg_id, leg.direction)) for leg in inland])
                  if inland else None)
    detail = (not arctic and inland_pts is not None
              and any(network.nodes[n].country in ("IR", "AZ", "TM", "KZ") for r in routes for n in r.route.nodes))
    flows = [r.teu for r in routes if r.teu]
    max_teu = max(flows) if flows else None
    widths = []
    for mr in routes:
        w = 2.2 if max_teu is None else 1.2 + 7.0 * math.sqrt((mr.teu or 0) / max_teu)
        widths.append(3.0 if mr.baseline and max_teu is None else w)
    raw = [_project_line(network.leg_coords(leg.leg_id, leg.direction)) for mr in routes for leg in mr.route.legs]
    pts = np.vstack(raw)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    pad_x, pad_y = (x1 - x0) * 0.08 + 2e5, (y1 - y0) * 0.12 + 2e5
    xlim, ylim = (x0 - pad_x, x1 + pad_x), (y0 - pad_y, y1 + pad_y)
    main_w_in = 11.5
    metres_per_pt = (xlim[1] - xlim[0]) / (main_w_in * 72.0)
    # side by side: each route is offset by the widths of the routes drawn before it, centred on the lane
    centres, acc = [], 0.0
    for w in widths:
        centres.append(acc + w / 2)
        acc += w + 0.6
    shift = acc / 2
    collections = [
        _route_collection(network, mr, ROUTE_COLOURS[i % len(ROUTE_COLOURS)], widths[i],
                          (centres[i] - shift) * metres_per_pt, WORLD)
        for i, mr in enumerate(routes)
    ]
    # size the figure to the map's aspect so no space is wasted
    main_h_in = main_w_in * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0])
    fig_w = main_w_in + (6.2 if arctic or detail else 0.0) + 0.3
    fig_h = main_h_in + 1.1
    fig = plt.figure(figsize=(fig_w, fig_h), dpi=110)
    ax = fig.add_axes((0.15 / fig_w, 0.45 / fig_h, main_w_in / fig_w, main_h_in / fig_h))
    ax.set_facecolor(SEA)
    _draw_land(ax, land, WORLD, arctic=False)
    for lc in collections:
        ax.add_collection(lc)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=13, fontweight="bold", loc="left")

    labeller = _legends(ax, routes, max_teu, bottlenecks)
    if bottlenecks:
        _mark_bottlenecks(ax, network, labeller, bottlenecks)
    _mark_nodes(ax, network, labeller, routes)
    if nsr_note:
        ax.text(0.99, 0.985, nsr_note, transform=ax.transAxes, ha="right", va="top", fontsize=8.5, color="#1f4e9c",
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#1f4e9c", "alpha": 0.9}, zorder=40)
    _scale_bar(ax)
    fig.text(0.15 / fig_w, 0.12 / fig_h, "Equal Earth projection centred at 85°E. Land: Natural Earth 1:10m (public "
             "domain). "
             "Parallel routes are drawn side by side where they share a lane.", fontsize=7.5, color="#555")
    side = [(0.15 + main_w_in + 0.15) / fig_w, 0.45 / fig_h, 6.0 / fig_w, main_h_in / fig_h]
    if arctic:
        _arctic_inset(fig, network, land, routes, side)
    elif detail and inland_pts is not None:
        _detail_panel(fig, network, land, routes, side, widths, centres, shift, inland_pts, bottlenecks)
    return fig


def _legends(ax: Axes, routes: list[MapRoute], max_teu: float | None, bottlenecks: list[Bottleneck] | None
             ) -> Labeller:
    """Legends for routes (colour), modes (line style) and bottleneck size; a labeller that keeps off them."""
    title = "routes" + (" (line width: TEU carried per replication)" if max_teu else "")
    route_legend = ax.legend(loc="lower left", fontsize=8.5, title=title, title_fontsize=8.5, framealpha=0.92)
    ax.add_artist(route_legend)
    used_modes = sorted({leg.mode for r in routes for leg in r.route.legs}, key=list(MODE_STYLES).index)
    mode_handles = [Line2D([], [], color="#333", linestyle=MODE_STYLES[m], linewidth=1.8, label=MODE_LABELS[m])
                    for m in used_modes]
    if bottlenecks:
        mode_handles.append(Line2D([], [], marker="o", color="none", markerfacecolor="#c0392b",
                                   markeredgecolor="#7b241c", alpha=0.6, markersize=9,
                                   label="facility: size = mean queue wait"))
    mode_legend = ax.legend(handles=mode_handles, loc="lower right", fontsize=8.5, title="mode", title_fontsize=8.5,
                            framealpha=0.92)
    ax.figure.canvas.draw()
    labeller = Labeller(ax)
    labeller.block(route_legend)
    labeller.block(mode_legend)
    return labeller


def _mark_bottlenecks(ax: Axes, network: Network, labeller: Labeller, bottlenecks: list[Bottleneck]) -> None:
    """Circles sized by mean queue wait; the six worst labelled."""
    worst = max(b.wait_h for b in bottlenecks) or 1.0
    ranked = sorted(bottlenecks, key=lambda b: -b.wait_h)
    for b in ranked:
        node = network.nodes[b.node]
        x, y = WORLD.transform(_unwrap(np.asarray([node.lon]))[0], node.lat)
        size = 30 + 900 * b.wait_h / worst
        ax.scatter([x], [y], s=size, color="#c0392b", alpha=0.45, edgecolor="#7b241c", linewidth=0.8, zorder=20)
    for b in ranked[:6]:
        node = network.nodes[b.node]
        x, y = WORLD.transform(_unwrap(np.asarray([node.lon]))[0], node.lat)
        labeller.place(x, y, f"{b.label}: {b.wait_h:.1f} h wait", size=7.5, colour="#7b241c", weight="bold")


def _mark_nodes(ax: Axes, network: Network, labeller: Labeller, routes: list[MapRoute]) -> None:
    """Chokepoints and key nodes the routes pass: ends first, then borders and ports, then straits and canals."""
    on_routes = {n for r in routes for n in r.route.nodes}
    ends = list(dict.fromkeys([r.route.origin for r in routes] + [r.route.destination for r in routes]))
    extra = [nid for nid in sorted(on_routes) if network.nodes[nid].kind in ("border", "port", "rail_terminal")]
    ports = [nid for nid in dict.fromkeys([*ends, *extra]) if nid in on_routes]
    # a sea leg routed on the lane graph passes straits without ending at them: its tags name them
    passed = on_routes | {t for r in routes for t in r.route.chokepoints if t in network.nodes}
    chokes = [nid for nid in passed if network.nodes[nid].kind in ("strait", "canal", "cape") and nid not in ports]
    for nid in ports + sorted(chokes):
        node = network.nodes[nid]
        x, y = WORLD.transform(_unwrap(np.asarray([node.lon]))[0], node.lat)
        is_port = nid in ports
        ax.plot([x], [y], marker="o" if is_port else "D", markersize=4.5 if is_port else 3.5,
                color="#111" if is_port else "#555", zorder=25)
        labeller.place(x, y, _short(node), size=8 if is_port else 7, weight="bold" if is_port else "normal",
                       colour="#111" if is_port else "#444")


def _detail_panel(fig, network: Network, land: LandMask, routes: list[MapRoute], rect, widths, centres, shift,
                  inland_pts: np.ndarray, bottlenecks: list[Bottleneck] | None) -> None:
    """A regional close-up of the land and Caspian legs (the INSTC corridor), same projection and styles."""
    ax = fig.add_axes(rect)
    ax.set_facecolor(SEA)
    _draw_land(ax, land, WORLD, arctic=False)
    (x0, y0), (x1, y1) = inland_pts.min(axis=0), inland_pts.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    width_in, height_in = rect[2] * fig.get_figwidth(), rect[3] * fig.get_figheight()
    half_h = (y1 - y0) / 2 * 1.08 + 1.5e5
    half_w = max((x1 - x0) / 2 * 1.15 + 1.5e5, half_h * width_in / height_in)
    half_h = half_w * height_in / width_in
    metres_per_pt = 2 * half_w / (width_in * 72.0)
    for i, mr in enumerate(routes):
        lc = _route_collection(network, mr, ROUTE_COLOURS[i % len(ROUTE_COLOURS)], widths[i],
                               (centres[i] - shift) * metres_per_pt, WORLD)
        lc.set_gid(f"detail:{mr.key}")
        lc.set_label(None)
        ax.add_collection(lc)
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("Corridor detail: Iran, the Caspian, the Caucasus and Central Asia", fontsize=10, loc="left")
    fig.canvas.draw()
    labeller = Labeller(ax)
    if bottlenecks:
        worst = max(b.wait_h for b in bottlenecks) or 1.0
        for b in bottlenecks:
            node = network.nodes[b.node]
            x, y = WORLD.transform(_unwrap(np.asarray([node.lon]))[0], node.lat)
            ax.scatter([x], [y], s=30 + 900 * b.wait_h / worst, color="#c0392b", alpha=0.45, edgecolor="#7b241c",
                       linewidth=0.8, zorder=20)
    on_routes = {n for r in routes for n in r.route.nodes}
    for nid in sorted(on_routes, key=lambda k: (network.nodes[k].kind not in ("port", "border", "rail_terminal"), k)):
        node = network.nodes[nid]
        if node.kind == "waypoint":
            continue
        x, y = WORLD.transform(_unwrap(np.asarray([node.lon]))[0], node.lat)
        if not (cx - half_w < x < cx + half_w and cy - half_h < y < cy + half_h):
            continue
        ax.plot([x], [y], "o", markersize=3.5, color="#111", zorder=25)
        labeller.place(x, y, _short(node), size=7.5, weight="bold" if node.kind in ("port", "border") else "normal")


def _scale_bar(ax) -> None:
    """A 1,000 km bar measured at the latitude of the map's centre (Equal Earth scale varies with latitude), right
    of the legends in the lower left corner."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    inv = Transformer.from_crs(WORLD.target_crs, "EPSG:4326", always_xy=True)
    lon_c, lat_c = inv.transform((x0 + x1) / 2, (y0 + y1) / 2)
    from ..geo import GEOD

    lon2, lat2, _ = GEOD.fwd(lon_c, lat_c, 90.0, 1_000_000.0)
    xa, ya = WORLD.transform(_unwrap(np.asarray([lon_c]))[0], lat_c)
    xb, _ = WORLD.transform(_unwrap(np.asarray([lon2]))[0], lat2)
    length = abs(xb - xa)
    ax.figure.canvas.draw()
    to_axes = ax.transAxes.inverted()
    left_legends = [to_axes.transform(leg.get_window_extent())[1, 0] for leg in [ax.get_legend(), *ax.artists]
                    if hasattr(leg, "get_texts") and to_axes.transform(leg.get_window_extent())[0, 0] < 0.3]
    bx = x0 + (x1 - x0) * max([0.36] + [right + 0.03 for right in left_legends])
    by = y0 + (y1 - y0) * 0.035
    ax.plot([bx, bx + length], [by, by], color="#222", linewidth=3, solid_capstyle="butt", zorder=40)
    ax.text(bx + length / 2, by + (y1 - y0) * 0.012, f"1,000 km (at {lat_c:.0f}°{'N' if lat_c >= 0 else 'S'})",
            ha="center", va="bottom", fontsize=7.5, zorder=40)


def _arctic_inset(fig, network: Network, land: LandMask, routes: list[MapRoute], rect) -> None:
    ax = fig.add_axes(rect)
    ax.set_facecolor(SEA)
    _draw_land(ax, land, ARCTIC, arctic=True)
    pts = []
    for i, mr in enumerate(routes):
        if "nsr" not in mr.route.chokepoints:
            continue
        colour = ROUTE_COLOURS[i % len(ROUTE_COLOURS)]
        lc = _route_collection(network, mr, colour, 2.4, 0.0, ARCTIC, mask_lat=62.0)
        lc.set_gid(f"inset:{mr.key}")
        lc.set_label(None)
        ax.add_collection(lc)
        pts += list(lc.get_segments())
    p = np.vstack(pts)
    (x0, y0), (x1, y1) = p.min(axis=0), p.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = (x1 - x0) / 2 * 1.12 + 2e5
    width_in, height_in = rect[2] * fig.get_figwidth(), rect[3] * fig.get_figheight()
    half_h = half_w * height_in / width_in
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for nid in ("bering_strait", "vilkitsky_strait", "kara_gates", "cape_zhelaniya", "RUMMK", "cape_dezhnev"):
        if nid in network.nodes:
            node = network.nodes[nid]
            x, y = ARCTIC.transform(node.lon, node.lat)
            if cx - half_w < x < cx + half_w and cy - half_h < y < cy + half_h:
                ax.plot([x], [y], "D", markersize=3, color="#444", zorder=25)
                ax.annotate(node.name.split(" (")[0], (x, y), xytext=(4, 3), textcoords="offset points", fontsize=6.5,
                            zorder=30, bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})
    ax.set_title("Arctic view (polar stereographic): the Northern Sea Route", fontsize=10, loc="left")
    for spine in ax.spines.values():
        spine.set_edgecolor("#1f4e9c")
