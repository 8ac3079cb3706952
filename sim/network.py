"""The corridor network: nodes and legs loaded from GeoJSON, validated, measured on WGS84, as a graph.

Lengths always come from the geometry (``pyproj.Geod``), never from a typed number. Each leg is stored once
and becomes two directed graph edges (``forward`` from ``from`` to ``to`` and ``reverse``) unless it is
``oneway``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import networkx as nx

from .errors import GeodataError, ScenarioError
from .geo import distance_km, line_length_km, normalise_lon
from .ice import IceData, load_ice
from .limits import MAX_APPROACH_KM, MAX_GEODATA_BYTES, MAX_NESTING
from .seasons import Season, parse_season
from .yamlio import read_text_file

__all__ = ["MODES", "NODE_KINDS", "CHOKEPOINT_KINDS", "Node", "Leg", "Network", "load_network", "DEFAULT_GEODATA",
           "parse_node", "parse_leg", "build_graph"]

MODES = ("sea", "rail", "road", "ferry", "canal")
NODE_KINDS = ("port", "rail_terminal", "junction", "border", "canal", "strait", "cape", "waypoint")
# Nodes of these kinds are chokepoints: every leg that starts or ends at one carries the node id as a tag.
CHOKEPOINT_KINDS = ("canal", "strait", "cape")
LEG_STATUSES = ("open", "planned")
GAUGES_MM = (1435, 1520)
ENDPOINT_TOLERANCE_KM = 1.0

DEFAULT_GEODATA = Path(__file__).resolve().parent.parent / "geodata"


@dataclass(frozen=True)
class Node:
    """A place cargo can be: port, rail terminal, border crossing, canal, strait, cape or waypoint."""

    id: str
    name: str
    kind: str
    country: str
    lon: float
    lat: float
    source: str
    approach_km: float = 0.0


@dataclass(frozen=True)
class Leg:
    """A link between two nodes with one mode; ``coords`` follow the real lane or line as (lon, lat)."""

    id: str
    start: str
    end: str
    mode: str
    coords: tuple[tuple[float, float], ...]
    length_km: float
    chokepoints: frozenset[str]
    gauge_mm: int | None
    season: Season | None
    status: str
    oneway: bool
    source: str
    operator: str = ""
    published_length_km: float | None = None  # the line's length in a source, where one is known
    group: str = ""  # a scenario's sea leg routed on the lane graph: the id of that leg (its pieces share it)

    @property
    def run_km(self) -> float:
        """The length vehicles travel: the published line length where the drawn geometry (through town centres)
        is shorter, else the geometry's length."""
        return max(self.length_km, self.published_length_km or 0.0)


@dataclass
class Network:
    """Nodes and legs with a directed multigraph view; edge keys are ``(leg_id, direction)``."""

    nodes: dict[str, Node]
    legs: dict[str, Leg]
    graph: nx.MultiDiGraph = field(repr=False)
    ice: IceData | None = field(default=None, repr=False)  # NSR ice by water area (geodata/nsr_ice.yaml)

    @cached_property
    def chokepoints(self) -> frozenset[str]:
        """Every chokepoint tag used by some leg."""
        return frozenset(t for leg in self.legs.values() for t in leg.chokepoints)

    @cached_property
    def groups(self) -> dict[str, tuple[str, ...]]:
        """Routed sea legs: the scenario's leg id -> the ids of the legs it became (alternatives and pieces)."""
        out: dict[str, list[str]] = {}
        for leg in self.legs.values():
            if leg.group:
                out.setdefault(leg.group, []).append(leg.id)
        return {k: tuple(v) for k, v in out.items()}

    def extended(self, nodes: Iterable[Node], legs: Iterable[Leg],
                 ice_segments: dict[str, list[tuple[str, float]]] | None = None) -> Network:
        """A new network with more nodes and legs (and NSR ice segments for new legs); this one is unchanged."""
        all_nodes = {**self.nodes, **{n.id: n for n in nodes}}
        all_legs = {**self.legs, **{leg.id: leg for leg in legs}}
        ice = self.ice
        if ice is not None and ice_segments:
            ice = ice.model_copy(update={"segments": {**ice.segments, **ice_segments}})
        return Network(all_nodes, all_legs, build_graph(all_nodes, all_legs), ice)

    def leg_coords(self, leg_id: str, direction: str) -> tuple[tuple[float, float], ...]:
        """Coordinates of a leg in travel order for ``direction`` ('forward' or 'reverse')."""
        coords = self.legs[leg_id].coords
        return coords if direction == "forward" else tuple(reversed(coords))


def _read_features(path: Path) -> list[dict]:
    try:
        text = read_text_file(path, MAX_GEODATA_BYTES, what="GeoJSON file")
    except ScenarioError as exc:
        raise GeodataError(str(path), "-", "-", str(exc).removeprefix(f"{path}: ")) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GeodataError(str(path), "-", "-", f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise GeodataError(str(path), "-", "-", f"not valid GeoJSON: nested too deeply (allowed: {MAX_NESTING} "
                           f"levels)") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise GeodataError(str(path), "-", "type", "expected a GeoJSON FeatureCollection")
    features = data.get("features", [])
    if not isinstance(features, list):
        raise GeodataError(str(path), "-", "features", f"expected a list of features, got {type(features).__name__}")
    for i, feat in enumerate(features):
        if not isinstance(feat, dict):
            raise GeodataError(str(path), f"#{i}", "-", f"expected a GeoJSON Feature object, got {type(feat).__name__}")
        if not isinstance(feat.get("properties") or {}, dict):
            raise GeodataError(str(path), f"#{i}", "properties", "expected an object of properties")
        if not isinstance(feat.get("geometry") or {}, dict):
            raise GeodataError(str(path), f"#{i}", "geometry", "expected a GeoJSON geometry object")
    return features


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _position(p: object) -> tuple[float, float] | None:
    """(lon, lat) of a GeoJSON position with finite numbers in range, else None."""
    if not isinstance(p, list) or len(p) < 2 or not _finite(p[0]) or not _finite(p[1]):
        return None
    lon, lat = float(p[0]), float(p[1])
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        return None
    return lon, lat


def _text(props: dict, key: str, file: str, fid: str, required: bool = True) -> str:
    value = props.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise GeodataError(file, fid, key, "missing; a non-empty text is required")
        return ""
    if not isinstance(value, str):
        raise GeodataError(file, fid, key, f"expected text, got {type(value).__name__}")
    return value


def parse_node(feat: dict, file: str, index: int) -> Node:
    """A Node from a GeoJSON Point feature; GeodataError naming ``file``, the feature and the field."""
    props = feat.get("properties") or {}
    fid = str(props.get("id") or f"#{index}")
    _text(props, "id", file, fid)
    geom = feat.get("geometry") or {}
    coords = geom.get("coordinates")
    if geom.get("type") != "Point" or not isinstance(coords, list) or len(coords) < 2:
        raise GeodataError(file, fid, "geometry", "expected a Point with [lon, lat]")
    pos = _position(coords)
    if pos is None:
        raise GeodataError(file, fid, "geometry", f"coordinates {coords[:2]!r}: expected finite numbers, lon in "
                           "[-180, 180] and lat in [-90, 90]")
    lon, lat = pos
    kind = _text(props, "kind", file, fid)
    if kind not in NODE_KINDS:
        raise GeodataError(file, fid, "kind", f"'{kind}' is not allowed; allowed: {', '.join(NODE_KINDS)}")
    approach = props.get("approach_km", 0.0)
    if not _finite(approach) or not 0 <= approach <= MAX_APPROACH_KM:
        raise GeodataError(file, fid, "approach_km", f"expected a finite number from 0 to {MAX_APPROACH_KM:g} (km)")
    return Node(
        id=fid,
        name=_text(props, "name", file, fid),
        kind=kind,
        country=_text(props, "country", file, fid, required=False),
        lon=normalise_lon(lon),
        lat=lat,
        source=_text(props, "source", file, fid),
        approach_km=float(approach),
    )


def parse_leg(feat: dict, file: str, index: int, nodes: dict[str, Node]) -> Leg:
    """A Leg from a GeoJSON LineString feature between two of ``nodes``; GeodataError naming ``file``, the feature
    and the field."""
    props = feat.get("properties") or {}
    fid = str(props.get("id") or f"#{index}")
    _text(props, "id", file, fid)
    start, end = _text(props, "from", file, fid), _text(props, "to", file, fid)
    for key, ref in (("from", start), ("to", end)):
        if ref not in nodes:
            raise GeodataError(file, fid, key, f"node '{ref}' does not exist in nodes.geojson (or the scenario's "
                               "network.nodes)")
    mode = _text(props, "mode", file, fid)
    if mode not in MODES:
        raise GeodataError(file, fid, "mode", f"'{mode}' is not allowed; allowed: {', '.join(MODES)}")
    geom = feat.get("geometry") or {}
    raw = geom.get("coordinates")
    if geom.get("type") != "LineString" or not isinstance(raw, list) or len(raw) < 2:
        raise GeodataError(file, fid, "geometry", "expected a LineString with at least two [lon, lat] positions")
    positions: list[tuple[float, float]] = []
    for p in raw:
        pos = _position(p)
        if pos is None:
            raise GeodataError(file, fid, "geometry", f"position {p!r}: every position must be [lon, lat] finite "
                               "numbers, lon in [-180, 180] and lat in [-90, 90]")
        positions.append(pos)
    coords = tuple((normalise_lon(lon), lat) for lon, lat in positions)
    if any(a == b for a, b in zip(coords[:-1], coords[1:], strict=True)):
        raise GeodataError(file, fid, "geometry", "repeated consecutive position (zero-length segment)")
    for key, ref, pos in (("from", start, coords[0]), ("to", end, coords[-1])):
        n = nodes[ref]
        gap = distance_km(n.lon, n.lat, pos[0], pos[1])
        if gap > ENDPOINT_TOLERANCE_KM:
            raise GeodataError(
                file, fid, "geometry",
                f"line {'starts' if key == 'from' else 'ends'} {gap:.1f} km from node '{ref}'; "
                f"allowed: within {ENDPOINT_TOLERANCE_KM} km",
            )
    chokepoints = props.get("chokepoints", [])
    if not isinstance(chokepoints, list) or not all(isinstance(c, str) for c in chokepoints):
        raise GeodataError(file, fid, "chokepoints", "expected a list of tag names")
    chokepoints = set(chokepoints) | {n for n in (start, end) if nodes[n].kind in CHOKEPOINT_KINDS}
    gauge = props.get("gauge_mm")
    if mode == "rail" and gauge not in GAUGES_MM:
        raise GeodataError(file, fid, "gauge_mm", f"rail legs need a gauge; allowed: {GAUGES_MM}")
    if mode != "rail" and gauge is not None:
        raise GeodataError(file, fid, "gauge_mm", "only rail legs carry a gauge; use null")
    season = None
    if props.get("season") is not None:
        try:
            season = parse_season(props["season"])
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise GeodataError(file, fid, "season", f"malformed season rules ({exc})") from None
    status = props.get("status", "open")
    if status not in LEG_STATUSES:
        raise GeodataError(file, fid, "status", f"'{status}' is not allowed; allowed: {', '.join(LEG_STATUSES)}")
    oneway = props.get("oneway", False)
    if not isinstance(oneway, bool):
        raise GeodataError(file, fid, "oneway", "expected true or false")
    published = props.get("published_length_km")
    if published is not None and (isinstance(published, bool) or not isinstance(published, (int, float))
                                  or not 0 < published < 50_000):
        raise GeodataError(file, fid, "published_length_km", "a length in km between 0 and 50,000, or absent")
    return Leg(
        id=fid,
        start=start,
        end=end,
        mode=mode,
        coords=coords,
        length_km=line_length_km(coords),
        chokepoints=frozenset(chokepoints),
        gauge_mm=gauge,
        season=season,
        status=status,
        oneway=oneway,
        source=_text(props, "source", file, fid),
        operator=_text(props, "operator", file, fid, required=False),
        published_length_km=float(published) if published is not None else None,
    )


def build_graph(nodes: dict[str, Node], legs: dict[str, Leg]) -> nx.MultiDiGraph:
    """The directed multigraph of ``legs``: an edge per leg and direction, keyed ``(leg_id, direction)``."""
    graph = nx.MultiDiGraph()
    for node in nodes.values():
        graph.add_node(node.id)
    for leg in legs.values():
        graph.add_edge(leg.start, leg.end, key=(leg.id, "forward"), leg=leg.id, direction="forward")
        if not leg.oneway:
            graph.add_edge(leg.end, leg.start, key=(leg.id, "reverse"), leg=leg.id, direction="reverse")
    return graph


def load_network(geodata_dir: Path | str = DEFAULT_GEODATA) -> Network:
    """Load ``nodes.geojson``, ``legs.geojson`` and, when present, ``nsr_ice.yaml`` from ``geodata_dir``; raise
    GeodataError naming the feature."""
    root = Path(geodata_dir)
    node_file, leg_file = root / "nodes.geojson", root / "legs.geojson"
    nodes: dict[str, Node] = {}
    for i, feat in enumerate(_read_features(node_file)):
        node = parse_node(feat, str(node_file), i)
        if node.id in nodes:
            raise GeodataError(str(node_file), node.id, "id", "duplicate id; ids must be unique")
        nodes[node.id] = node
    legs: dict[str, Leg] = {}
    for i, feat in enumerate(_read_features(leg_file)):
        leg = parse_leg(feat, str(leg_file), i, nodes)
        if leg.id in legs:
            raise GeodataError(str(leg_file), leg.id, "id", "duplicate id; ids must be unique")
        legs[leg.id] = leg
    graph = build_graph(nodes, legs)
    ice_file = root / "nsr_ice.yaml"
    ice = load_ice(ice_file) if ice_file.exists() else None
    if ice is not None:
        for leg_id in ice.segments:
            if leg_id not in legs:
                raise GeodataError(str(ice_file), leg_id, "segments", f"no leg '{leg_id}' in {leg_file}")
    return Network(nodes=nodes, legs=legs, graph=graph, ice=ice)
