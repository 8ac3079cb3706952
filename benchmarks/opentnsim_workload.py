"""The vessel-movement workload in OpenTNSim, run in its own virtual environment by benchmarks/peer.py.

A server: reads lines ``VESSELS NODES`` on stdin and for each builds a chain graph of NODES nodes (edges ~10 km),
sails VESSELS vessels over its whole length, and prints one JSON line (vessel-edge moves, seconds of
``env.run`` only). Kept alive between requests so the caller can interleave it with its own runs.
"""

import json
import sys
import time

import networkx as nx
import opentnsim.core as core
import shapely.geometry
import simpy


def build_graph(nodes: int) -> nx.DiGraph:
    graph = nx.DiGraph()
    for i in range(nodes):
        graph.add_node(str(i), geometry=shapely.geometry.Point(4.0 + 0.09 * i, 52.0))
    for i in range(nodes - 1):
        for a, b in ((i, i + 1), (i + 1, i)):
            ga, gb = graph.nodes[str(a)]["geometry"], graph.nodes[str(b)]["geometry"]
            graph.add_edge(str(a), str(b), geometry=shapely.geometry.LineString([ga, gb]))
    return graph


def sail(vessels: int, nodes: int) -> dict:
    Vessel = type("Vessel", (core.Identifiable, core.Movable, core.Routable), {})
    env = simpy.Environment()
    env.FG = build_graph(nodes)
    path = [str(i) for i in range(nodes)]
    for k in range(vessels):
        v = Vessel(env=env, name=f"v{k}", route=path, geometry=env.FG.nodes["0"]["geometry"], v=4.0)
        env.process(v.move())
    t0 = time.perf_counter()
    env.run()
    seconds = time.perf_counter() - t0
    moves = vessels * (nodes - 1)
    return {"nodes": nodes, "vessels": vessels, "moves": moves, "seconds": seconds, "moves_per_s": moves / seconds}


def main() -> None:
    import opentnsim

    print(json.dumps({"ready": True, "version": getattr(opentnsim, "__version__", "unknown")}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        vessels, nodes = map(int, line.split())
        print(json.dumps(sail(vessels, nodes)), flush=True)


if __name__ == "__main__":
    main()
