"""Sea legs without a drawn geometry, routed on the global sea-lane graph and turned into ordinary legs.

A scenario may give a sea leg only its two ends. It is routed on ``geodata/sea_lanes.json`` (``sim.sealanes``) and
becomes legs the rest of the model treats exactly like hand-drawn ones:

* **Alternatives.** Closures and route policies act on legs by their chokepoint tags, and one leg has one line. So
  a routed leg becomes one path per combination of *closable* passages it can avoid (the passages a study closes
  or avoids anywhere, plus the NSR, which is seasonal): the shortest path, then for each closable passage on it the
  shortest path avoiding that passage too, and so on (at most ``MAX_ROUTED_ALTERNATIVES``). For any set of closed
  passages the shortest path avoiding them is then one of the alternatives, and route resolution picks it like any
  other leg. The Northwest Passage is never used: the model has no ice or season data for it.
* **Pieces.** Each path is cut where it enters or leaves a canal (the lane graph's canal zones: a ``canal`` leg,
  so Suez convoys apply) or the Northern Sea Route (a leg with the NSR's season and ice areas, so the ice model,
  escorts and fees apply). Pieces are joined by generated waypoint nodes private to the path.
* **Tags.** A piece carries the passages of its lane edges (``suez``, ``red_sea``, ``cape``, ``nsr``, ...) and the
  ids of the network's strait, canal and cape nodes it passes within ``NEAR_CHOKEPOINT_KM`` (like a hand-drawn leg
  that ends at such a node), so closing ``suez_canal`` or ``red_sea`` blocks it.

Ids: the leg keeps its id when it is one path of one piece; otherwise alternative ``k`` is ``<id>~k`` and its pieces
``<id>~k.1``, ``<id>~k.2``, ... joined at nodes ``<id>~k@1``, ...; every generated leg has ``group`` = the leg's id.
Paths are cached per process, so a study routes each leg once however many variants and commands use it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely

from .errors import RouteError
from .geo import densify, line_length_km
from .limits import MAX_ROUTED_ALTERNATIVES
from .network import CHOKEPOINT_KINDS, Leg, Network, Node
from .sealanes import SEA_LANES_FILE, SeaLanes, SeaPath, haversine_km, load_sea_lanes

__all__ = ["RoutedLeg", "route_sea_leg", "sea_alternatives", "passages_near", "NEAR_CHOKEPOINT_KM", "CANAL_ZONES",
           "ALWAYS_AVOIDED", "ROUTED_SOURCE"]

#: A routed piece passing a strait, canal or cape node of the network within this distance carries the node's id.
NEAR_CHOKEPOINT_KM = 50.0
#: Allowance zones of the lane graph that are canals: lane edges inside become ``canal`` legs.
CANAL_ZONES = ("suez_canal", "panama_canal")
#: Never used by a routed leg: the model has no ice or season data for the Northwest Passage.
ALWAYS_AVOIDED = frozenset({"northwest"})
ROUTED_SOURCE = "routed on the global sea-lane graph (geodata/sea_lanes.json; geodata/SEA_LANES.md)"
STEP_KM = 5.0  # densification for proximity and ice-area checks


@dataclass(frozen=True)
class RoutedLeg:
    """What one sea leg became: the alternative paths as routed, the legs (pieces) and waypoint nodes they were cut
    into, and the NSR ice segments of the pieces in the Northern Sea Route (leg id -> (area, share) in order)."""

    id: str
    paths: tuple[SeaPath, ...]
    nodes: tuple[Node, ...]
    legs: tuple[Leg, ...]
    ice_segments: dict[str, list[tuple[str, float]]]


@lru_cache(maxsize=4096)
def _path(file: str, start: tuple[float, float], end: tuple[float, float], avoid: frozenset[str]) -> SeaPath:
    return load_sea_lanes(file).route(start, end, avoid)


def sea_alternatives(lanes: SeaLanes, start: tuple[float, float], end: tuple[float, float],
                     closable: frozenset[str], limit: int = MAX_ROUTED_ALTERNATIVES) -> list[SeaPath]:
    """Distinct shortest paths from ``start`` to ``end``: the shortest, then (breadth first) the shortest avoiding
    each closable passage of a path found, cumulatively, up to ``limit`` paths. RouteError when the ends cannot
    be joined at all (e.g. a point inland)."""
    file = str(lanes.file)
    closable = closable & frozenset(lanes.passages)
    found = [_path(file, start, end, ALWAYS_AVOIDED)]  # errors here are the user's: an end far from every lane
    queue = deque(ALWAYS_AVOIDED | {t} for t in sorted(found[0].passages & closable))
    tried = {ALWAYS_AVOIDED}
    while queue and len(found) < limit:
        avoid = queue.popleft()
        if avoid in tried:
            continue
        tried.add(avoid)
        try:
            path = _path(file, start, end, avoid)
        except RouteError:
            continue  # no way round this combination: closing it leaves the leg unusable, like a drawn one
        if all(path.coords != p.coords for p in found):
            found.append(path)
        queue.extend(avoid | {t} for t in sorted((path.passages & closable) - avoid))
    return found


def passages_near(lanes: SeaLanes, lon: float, lat: float, km: float = NEAR_CHOKEPOINT_KM) -> frozenset[str]:
    """Passages of lane edges that come within ``km`` of (lon, lat): what closing a chokepoint node there closes."""
    out: set[str] = set()
    for u, v, data in lanes.graph.edges(data=True):
        if not data["tags"] or data["tags"] <= out:
            continue
        lons, lats = densify([(lanes.lons[u], lanes.lats[u]), (lanes.lons[v], lanes.lats[v])], STEP_KM)
        if float(haversine_km(lon, lat, lons, lats).min()) <= km:
            out |= data["tags"]
    return frozenset(out)


def route_sea_leg(network: Network, leg_id: str, start: str, end: str, source: str, closable: frozenset[str],
                  status: str = "open", oneway: bool = False, lanes_file: Path | str = SEA_LANES_FILE) -> RoutedLeg:
    """Route sea leg ``leg_id`` from node ``start`` to node ``end`` of ``network`` (see the module docstring)."""
    lanes = load_sea_lanes(lanes_file)
    a, b = network.nodes[start], network.nodes[end]
    paths = sea_alternatives(lanes, (a.lon, a.lat), (b.lon, b.lat), closable)
    if len(paths[0].coords) < 2:
        raise RouteError(f"sea lanes: '{start}' and '{end}' are at the same point")
    cutter = _Cutter(network, lanes, leg_id, source, status, oneway)
    for k, path in enumerate(paths, start=1):
        cutter.cut(path, k, single=len(paths) == 1, ends=(start, end))
    return RoutedLeg(leg_id, tuple(paths), tuple(cutter.nodes), tuple(cutter.legs), cutter.ice_segments)


class _Cutter:
    """Cuts routed paths into pieces (open sea, canal, NSR) with their tags, seasons and ice areas."""

    def __init__(self, network: Network, lanes: SeaLanes, leg_id: str, source: str, status: str, oneway: bool):
        self.network, self.lanes, self.leg_id = network, lanes, leg_id
        self.source, self.status, self.oneway = source, status, oneway
        self.nodes: list[Node] = []
        self.legs: list[Leg] = []
        self.ice_segments: dict[str, list[tuple[str, float]]] = {}
        self.zones = [(name, zone) for name, zone in lanes.allowance.zones if name in CANAL_ZONES]
        chokes = [n for n in network.nodes.values() if n.kind in CHOKEPOINT_KINDS]
        self.choke_ids = [n.id for n in chokes]
        self.choke_xy = np.asarray([(n.lon, n.lat) for n in chokes], dtype=float).reshape(-1, 2)
        self.nsr = _NsrAreas(network)

    def _kind(self, a: tuple[float, float], b: tuple[float, float], tags: frozenset[str]) -> str:
        for name, zone in self.zones:
            if shapely.contains_xy(zone, a[0], a[1]) and shapely.contains_xy(zone, b[0], b[1]):
                return name
        return "nsr" if "nsr" in tags else "sea"

    def cut(self, path: SeaPath, k: int, single: bool, ends: tuple[str, str]) -> None:
        """Add the pieces of alternative ``k`` (named without suffix when it is the only path and one piece)."""
        coords, tags = path.coords, path.segment_tags
        runs: list[tuple[str, int, int]] = []  # (kind, first segment, last segment + 1)
        for i in range(len(coords) - 1):
            kind = self._kind(coords[i], coords[i + 1], tags[i])
            if runs and runs[-1][0] == kind:
                runs[-1] = (kind, runs[-1][1], i + 1)
            else:
                runs.append((kind, i, i + 1))
        many = len(runs) > 1
        base = self.leg_id if single else f"{self.leg_id}~{k}"
        for p, (kind, i, j) in enumerate(runs, start=1):
            start = ends[0] if p == 1 else f"{base}@{p - 1}"
            end = ends[1] if p == len(runs) else f"{base}@{p}"
            if p < len(runs):
                lon, lat = coords[j]
                self.nodes.append(Node(end, f"{self.leg_id}: waypoint {p} of path {k}", "waypoint", "", lon, lat,
                                       f"computed: {ROUTED_SOURCE}"))
            piece_id = f"{base}.{p}" if many else base
            self.legs.append(self._piece(piece_id, kind, coords[i:j + 1], tags[i:j], start, end))

    def _piece(self, piece_id: str, kind: str, coords, tags, start: str, end: str) -> Leg:
        lons, lats = densify(coords, STEP_KM)
        passages = frozenset().union(*tags)
        if self.choke_xy.size:
            near = haversine_km(lons[:, None], lats[:, None], self.choke_xy[None, :, 0], self.choke_xy[None, :, 1])
            passages |= {self.choke_ids[m] for m in np.flatnonzero(near.min(axis=0) <= NEAR_CHOKEPOINT_KM)}
        season = None
        if kind == "nsr":
            season = self.nsr.season(lons, lats)
            segments = self.nsr.segments(lons, lats)
            if segments:
                self.ice_segments[piece_id] = segments
        mode = "canal" if kind in CANAL_ZONES else "sea"
        what = {"nsr": "Northern Sea Route", "sea": "open sea"}.get(kind, kind.replace("_", " "))
        return Leg(id=piece_id, start=start, end=end, mode=mode, coords=tuple(coords),
                   length_km=line_length_km(coords), chokepoints=frozenset(passages), gauge_mm=None, season=season,
                   status=self.status, oneway=self.oneway, source=f"{self.source} ({what}; {ROUTED_SOURCE})",
                   group=self.leg_id)


class _NsrAreas:
    """The NSR water areas of ``geodata/nsr_ice.yaml`` located on the hand-drawn NSR legs (each leg's segments are
    shares of its length in travel order), so a routed NSR piece takes at each point the area of the nearest
    point of a hand-drawn NSR leg, and that leg's season."""

    def __init__(self, network: Network) -> None:
        lons: list[np.ndarray] = []
        lats: list[np.ndarray] = []
        self.areas: list[str] = []
        self.legs: list[str] = []
        ice = network.ice
        for leg in network.legs.values():
            if "nsr" not in leg.chokepoints or leg.season is None or leg.group:
                continue
            x, y = densify(leg.coords, STEP_KM)
            parts = ice.segments.get(leg.id, []) if ice is not None else []
            along = np.concatenate([[0.0], np.cumsum(haversine_km(x[:-1], y[:-1], x[1:], y[1:]))])
            bounds = np.cumsum([share for _, share in parts]) * along[-1]
            names = [a for a, _ in parts] or [""]
            self.areas += [names[min(int(np.searchsorted(bounds, d, side="right")), len(names) - 1)] for d in along]
            self.legs += [leg.id] * len(x)
            lons.append(x)
            lats.append(y)
        self.lons = np.concatenate(lons) if lons else np.zeros(0)
        self.lats = np.concatenate(lats) if lats else np.zeros(0)
        self.network = network

    def _nearest(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        d = haversine_km(lons[:, None], lats[:, None], self.lons[None, :], self.lats[None, :])
        return np.argmin(d, axis=1)

    def season(self, lons: np.ndarray, lats: np.ndarray):
        """The season of the hand-drawn NSR leg nearest the piece (None without hand-drawn NSR legs)."""
        if not self.legs:
            return None
        nearest = self._nearest(lons, lats)
        ids, counts = np.unique(np.asarray(self.legs)[nearest], return_counts=True)
        return self.network.legs[str(ids[np.argmax(counts)])].season

    def segments(self, lons: np.ndarray, lats: np.ndarray) -> list[tuple[str, float]]:
        """(area, share of the piece's length) in travel order; [] without ice data."""
        if not self.legs or not any(self.areas):
            return []
        labels = np.asarray(self.areas)[self._nearest(lons, lats)]
        km = haversine_km(lons[:-1], lats[:-1], lons[1:], lats[1:])
        runs: list[list] = []
        for label, d in zip(labels[:-1], km, strict=True):
            if runs and runs[-1][0] == label:
                runs[-1][1] += float(d)
            else:
                runs.append([str(label), float(d)])
        runs = [r for r in runs if r[0]]  # points nearest a hand-drawn NSR leg without ice data: no area known
        total = sum(d for _, d in runs) or 1.0
        merged: list[list] = []
        for label, d in runs:  # a sliver under 1% (where two areas' nearest points alternate) joins its neighbour
            if merged and (d < 0.01 * total or merged[-1][0] == label):
                merged[-1][1] += d
            else:
                merged.append([label, d])
        if len(merged) > 1 and merged[0][1] < 0.01 * total:
            merged[1][1] += merged.pop(0)[1]
        return [(label, d / total) for label, d in merged]
