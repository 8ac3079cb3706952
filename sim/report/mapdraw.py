"""What every map draws with: projections, land, route lines styled by mode, and the routes and facilities to
draw (matplotlib; no tiles, no downloads).

The world map uses an Equal Earth projection centred at 85 E, which keeps every study route -- from the
Atlantic (Cape, Gibraltar) to the Bering Strait -- on one side of the projection's cut (95 W). Studies that use
the Northern Sea Route get an Arctic inset in a north polar stereographic projection. Each route is one
LineCollection (legs styled by mode) with gid ``route:<id>``; parallel routes are offset so shared lanes stay
visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from pyproj import Transformer  # noqa: E402

from ..geo import densify  # noqa: E402
from ..land import LandMask  # noqa: E402
from ..network import Network  # noqa: E402
from ..routes import Route  # noqa: E402

__all__ = ["MapRoute", "Bottleneck", "MODE_STYLES", "ROUTE_COLOURS", "WORLD", "ARCTIC", "project_point",
           "route_collection", "draw_land", "short_name", "unwrap", "project_line", "SEA", "LAND"]

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


def short_name(node) -> str:
    """A map label: drop parenthetical detail except the country of a border post (two Astaras, two Sarakhs)."""
    return node.name if node.kind == "border" else node.name.split(" (")[0]


def unwrap(lons: np.ndarray) -> np.ndarray:
    # keep longitudes on the map's side of its seam so projected lines never jump across the map
    return np.where(lons < CUT_LON, lons + 360.0, lons)


def project_line(coords, transformer=WORLD, step_km: float = 40.0) -> np.ndarray:
    lons, lats = densify(coords, step_km)
    x, y = transformer.transform(unwrap(lons) if transformer is WORLD else lons, lats)
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


def draw_land(ax, land: LandMask, transformer, arctic: bool) -> None:
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


def route_collection(network: Network, mr: MapRoute, colour: str, width: float, offset_m: float, transformer,
                      mask_lat: float | None = None) -> LineCollection:
    segments, styles = [], []
    for leg in mr.route.legs:
        coords = network.leg_coords(leg.leg_id, leg.direction)
        if mask_lat is not None and max(c[1] for c in coords) < mask_lat:
            continue
        line = _offset(project_line(coords, transformer), offset_m)
        segments.append(line)
        styles.append(MODE_STYLES[leg.mode])
    lc = LineCollection(segments, colors=colour, linewidths=width, linestyles=styles,
                        zorder=10 + (3 if mr.baseline else 0),
                        capstyle="round", label=mr.label)
    lc.set_gid(f"route:{mr.key}")
    return lc


def project_point(lon: float, lat: float, transformer=WORLD) -> tuple[float, float]:
    """A node's position on the map (longitudes unwrapped on the world map)."""
    x, y = transformer.transform(unwrap(np.asarray([lon]))[0] if transformer is WORLD else lon, lat)
    return float(x), float(y)
