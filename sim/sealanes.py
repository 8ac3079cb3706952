"""A global sea-lane graph: route a sea leg that has no drawn geometry between two points at sea.

The graph is ``geodata/sea_lanes.json``, built by ``geodata/build_sea_lanes.py`` from the MARNET-based lane network
that ships in the ``searoute`` package (licence and attribution: ``geodata/SEA_LANES.md``). Every edge is a WGS84
geodesic between two nodes, checked off the project's land layer every 2 km, with its length in km and the passages
it uses (``suez``, ``red_sea``, ``bab_el_mandeb``, ``hormuz``, ``malacca``, ``gibraltar``, ``cape``, ``panama``,
``bering``, ``nsr``, ``northwest``, ...; the file lists them all with their definitions).

A route joins each end to the nearest lane nodes by a straight connector (the port approach: it is *not* checked
against land, so a point far inside a bay or up a river gets a connector across the shore) and finds the shortest
path by geodesic length. Closed passages are left out by the weight function (an edge carrying an avoided tag
weighs ``None``); the graph is never changed, so routes with different closures can be asked for in any order.

Example::

    >>> lanes = load_sea_lanes()
    >>> suez = lanes.route((72.97, 18.95), (30.21, 59.96), avoid=frozenset({"nsr", "northwest"}))
    >>> cape = lanes.route((72.97, 18.95), (30.21, 59.96), avoid=frozenset({"suez", "red_sea", "nsr", "northwest"}))
    >>> "suez" in suez.passages, "cape" in cape.passages, cape.length_km > 1.4 * suez.length_km
    (True, True, True)
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import networkx as nx
import numpy as np
import shapely
from numpy.typing import ArrayLike

from .errors import GeodataError, RouteError
from .geo import KM_PER_NM, densify, distance_km, normalise_lon, split_antimeridian

__all__ = ["SEA_LANES_FILE", "SeaPath", "SeaLanes", "LandAllowance", "load_sea_lanes", "land_hits", "haversine_km"]

SEA_LANES_FILE = Path(__file__).resolve().parent.parent / "geodata" / "sea_lanes.json"
FORMAT = "corridor-sim sea lanes 1"
EARTH_RADIUS_KM = 6371.0088  # mean radius: only for ranking nearby nodes; lengths are WGS84 geodesics
CANDIDATES = 3  # lane nodes tried at each end: the nearest ones, ...
CONNECTOR_SLACK_KM = 10.0  # ... at most this much farther than the nearest (a longer connector would cut corners)
MAX_CONNECTOR_KM = 300.0  # farther than this from every lane node is not a point at sea
ANTIMERIDIAN_NUDGE = 1e-6  # degrees

LonLat = tuple[float, float]


def haversine_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> np.ndarray:
    """Great-circle distances in km on the mean sphere, broadcast over the arguments (to rank and screen nearby
    points quickly; lengths of lanes and connectors are WGS84 geodesics)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(np.subtract(lon2, lon1)) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True)
class LandAllowance:
    """Where a point on land does not count: canal corridors and straits narrower than the land layer resolves
    (``zones``, polygons) and port approaches (``circles``: lon, lat, radius km round the dead end of a lane)."""

    zones: tuple[tuple[str, shapely.Geometry], ...]
    circles: np.ndarray

    def allowed(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Boolean array: True where a point lies inside a zone or an approach circle."""
        ok = np.zeros(len(lons), dtype=bool)
        for _, zone in self.zones:
            ok |= shapely.contains_xy(zone, lons, lats)
        if len(self.circles) and not ok.all():
            todo = np.flatnonzero(~ok)
            clon, clat, radius = self.circles[:, 0], self.circles[:, 1], self.circles[:, 2]
            dist = haversine_km(lons[todo][:, None], lats[todo][:, None], clon[None, :], clat[None, :])
            ok[todo] = (dist <= radius[None, :]).any(axis=1)
        return ok


def land_hits(coords: Sequence[LonLat], on_land: Callable[[np.ndarray, np.ndarray], np.ndarray],
              allowance: LandAllowance | None = None, step_km: float = 2.0) -> list[LonLat]:
    """Points every ``step_km`` along the geodesics of ``coords`` that ``on_land`` says are land, outside the
    ``allowance``; ``on_land`` is e.g. ``sim.land.load_land().on_land``."""
    lons, lats = densify(coords, step_km)
    on = on_land(lons, lats)
    seam = np.abs(lons) >= 180.0 - ANTIMERIDIAN_NUDGE
    if seam.any():  # land layers cut at +-180: a point on the cut is on no polygon's inside, so look either side
        for side in (-1.0, 1.0):
            on[seam] |= on_land(np.full(int(seam.sum()), side * (180.0 - ANTIMERIDIAN_NUDGE)), lats[seam])
    if not on.any():
        return []
    lons, lats = lons[on], lats[on]
    if allowance is not None:
        keep = ~allowance.allowed(lons, lats)
        lons, lats = lons[keep], lats[keep]
    return [(float(x), float(y)) for x, y in zip(lons, lats, strict=True)]


@dataclass(frozen=True)
class SeaPath:
    """A route on the lanes: ``coords`` (lon, lat; longitudes in [-180, 180), so a path over the antimeridian jumps
    from +179 to -179), geodesic ``length_km`` including both connectors, the ``passages`` it uses and, for each
    segment between consecutive coordinates, the passages of that segment (``segment_tags``; connectors: none)."""

    coords: tuple[LonLat, ...]
    length_km: float
    passages: frozenset[str]
    connectors_km: tuple[float, float]
    segment_tags: tuple[frozenset[str], ...] = ()

    @property
    def length_nm(self) -> float:
        """Length in nautical miles."""
        return self.length_km / KM_PER_NM

    def map_parts(self) -> list[list[LonLat]]:
        """The path split where it crosses +-180, for drawing on a flat map."""
        return split_antimeridian(self.coords)


@dataclass(frozen=True)
class SeaLanes:
    """The lane graph (read-only): nodes are integers with ``lon``/``lat``, edges carry ``km`` and ``tags``."""

    graph: nx.Graph
    lons: np.ndarray
    lats: np.ndarray
    passages: dict[str, str]
    allowance: LandAllowance
    file: Path

    def nearest(self, point: LonLat, k: int = CANDIDATES) -> list[tuple[int, float]]:
        """The ``k`` lane nodes nearest ``point`` as (node, geodesic km), nearest first."""
        lon, lat = _check_point(point)
        rough = haversine_km(lon, lat, self.lons, self.lats)
        best = np.argpartition(rough, k)[:k] if k < len(rough) else np.arange(len(rough))
        found = [(int(i), distance_km(lon, lat, float(self.lons[i]), float(self.lats[i]))) for i in best]
        return sorted(found, key=lambda item: item[1])

    def route(self, start: LonLat, end: LonLat, avoid: Iterable[str] | str = frozenset()) -> SeaPath:
        """The shortest path at sea from ``start`` to ``end`` (lon, lat) that uses no passage in ``avoid``.

        RouteError when a point is more than ``MAX_CONNECTOR_KM`` from every lane, an avoided name is not a
        passage of the graph (unlike searoute, which ignores unknown names), or the avoided passages leave no path.
        """
        closed = frozenset([avoid] if isinstance(avoid, str) else avoid)
        unknown = sorted(closed - self.passages.keys())
        if unknown:
            raise RouteError(f"sea lanes: unknown passage(s) {', '.join(unknown)} in avoid; known: "
                             f"{', '.join(sorted(self.passages))}")
        starts, ends = self._ends(start, "start"), self._ends(end, "end")
        weight = _weight(closed)
        best: tuple[float, int, int, dict[int, list[int]], float, float] | None = None
        for s, s_km in starts:
            pred, dist = nx.dijkstra_predecessor_and_distance(self.graph, s, weight=weight)
            for t, t_km in ends:
                if t in dist and (best is None or s_km + dist[t] + t_km < best[0]):
                    best = (s_km + dist[t] + t_km, s, t, pred, s_km, t_km)
        if best is None:
            raise RouteError(f"sea lanes: no path at sea from {_fmt(start)} to {_fmt(end)} avoiding "
                             f"{', '.join(sorted(closed)) or 'nothing'}")
        total, s, t, pred, s_km, t_km = best
        nodes = [t]
        while nodes[-1] != s:
            nodes.append(pred[nodes[-1]][0])
        nodes.reverse()
        none: frozenset[str] = frozenset()
        # each coordinate with the tags of the segment that reaches it (the connectors carry none)
        steps = [(_lonlat(start), none), ((float(self.lons[nodes[0]]), float(self.lats[nodes[0]])), none)]
        for u, v in zip(nodes[:-1], nodes[1:], strict=True):
            steps.append(((float(self.lons[v]), float(self.lats[v])), self.graph.edges[u, v]["tags"]))
        steps.append((_lonlat(end), none))
        steps = [s for i, s in enumerate(steps) if i == 0 or s[0] != steps[i - 1][0]]
        segment_tags = tuple(t for _, t in steps[1:])
        return SeaPath(tuple(c for c, _ in steps), total, frozenset().union(*segment_tags), (s_km, t_km),
                       segment_tags)

    def _ends(self, point: LonLat, which: str) -> list[tuple[int, float]]:
        found = self.nearest(point)
        if found[0][1] > MAX_CONNECTOR_KM:
            raise RouteError(f"sea lanes: {which} {_fmt(point)} is {found[0][1]:,.0f} km from the nearest sea lane "
                             f"(at most {MAX_CONNECTOR_KM:,.0f} km): is it inland?")
        return [(n, km) for n, km in found if km <= found[0][1] + CONNECTOR_SLACK_KM]


def _weight(closed: frozenset[str]) -> Callable[[int, int, dict], float | None]:
    """Edge length in km, or None (edge hidden) where the edge uses a closed passage."""
    if not closed:
        return lambda u, v, d: d["km"]
    return lambda u, v, d: None if d["tags"] & closed else d["km"]


def _check_point(point: LonLat) -> LonLat:
    lon, lat = _lonlat(point)
    if not (math.isfinite(lon) and math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise RouteError(f"sea lanes: not a (lon, lat) point: {point!r}")
    return lon, lat


def _lonlat(point: LonLat) -> LonLat:
    lon = float(point[0])
    return (lon if -180.0 <= lon < 180.0 else normalise_lon(lon)), float(point[1])


def _fmt(point: LonLat) -> str:
    return f"({float(point[0]):.4f}, {float(point[1]):.4f})"


def _bad(path: Path, feature: str, field: str, message: str) -> GeodataError:
    return GeodataError(str(path), feature, field, message)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _bad(path, "-", "-", f"cannot read the sea-lane graph ({exc}); rebuild it with "
                   "geodata/build_sea_lanes.py") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(path, "-", "format", f"expected {FORMAT!r}")
    for key, kind in (("nodes", list), ("edges", list), ("passages", dict), ("edge_passages", dict),
                      ("allowance", dict)):
        if not isinstance(data.get(key), kind) or (kind is list and not data[key]):
            raise _bad(path, "-", key, f"missing, empty or not a {kind.__name__}")
    return data


def _nodes(path: Path, raw: list) -> tuple[np.ndarray, np.ndarray]:
    for i, p in enumerate(raw):
        if not (isinstance(p, list) and len(p) == 2 and all(_number(x) for x in p)
                and -180.0 <= p[0] < 180.0 and -90.0 <= p[1] <= 90.0):
            raise _bad(path, f"node {i}", "coordinates", "expected [lon, lat] with lon in [-180, 180), lat in "
                       "[-90, 90]")
    arr = np.asarray(raw, dtype=float).reshape(-1, 2)
    return arr[:, 0].copy(), arr[:, 1].copy()


def _graph(path: Path, data: dict, n_nodes: int) -> nx.Graph:
    tags: dict[int, set[str]] = {}
    for name, indices in data["edge_passages"].items():
        if name not in data["passages"] or not isinstance(indices, list):
            raise _bad(path, f"passage {name}", "edge_passages", "not a listed passage with a list of edges")
        for k in indices:
            tags.setdefault(k, set()).add(name)
    graph = nx.Graph()
    graph.add_nodes_from(range(n_nodes))
    for k, e in enumerate(data["edges"]):
        if not (isinstance(e, list) and len(e) == 3 and all(isinstance(x, int) and 0 <= x < n_nodes for x in e[:2])
                and e[0] != e[1] and _number(e[2]) and e[2] > 0):
            raise _bad(path, f"edge {k}", "edge", "expected [node, node, km] with two different nodes and km > 0")
        graph.add_edge(e[0], e[1], km=float(e[2]), tags=frozenset(tags.pop(k, ())))
    if tags:
        raise _bad(path, f"edge {next(iter(tags))}", "edge_passages", "names an edge that does not exist")
    return graph


def _allowance(path: Path, raw: dict, lons: np.ndarray, lats: np.ndarray) -> LandAllowance:
    try:
        zones = tuple((str(z["name"]), shapely.Polygon(z["polygon"])) for z in raw["zones"])
        radius = float(raw["port_radius_km"])
        ports = np.asarray(raw["port_nodes"], dtype=int)
        if (ports < 0).any():
            raise IndexError("negative node index")
        circles = np.column_stack([lons[ports], lats[ports], np.full(len(ports), radius)])
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise _bad(path, "-", "allowance", f"expected zones (name, polygon), port_radius_km, port_nodes ({exc})"
                   ) from None
    for _, zone in zones:
        shapely.prepare(zone)
    return LandAllowance(zones, circles)


def load_sea_lanes(path: Path | str = SEA_LANES_FILE) -> SeaLanes:
    """Read the committed lane graph (cached per path); GeodataError naming the file when it is unusable."""
    return _load(str(path))


@lru_cache(maxsize=2)
def _load(path_text: str) -> SeaLanes:
    path = Path(path_text)
    data = _read(path)
    lons, lats = _nodes(path, data["nodes"])
    graph = _graph(path, data, len(lons))
    passages = {str(k): str(v) for k, v in data["passages"].items()}
    return SeaLanes(graph, lons, lats, passages, _allowance(path, data["allowance"], lons, lats), path)
