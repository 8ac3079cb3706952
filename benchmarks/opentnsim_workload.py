"""The vessel-movement workload in OpenTNSim (run in its own virtual environment by benchmarks/run.py).

N vessels sail the whole length of a chain graph of K nodes (edges ~10 km); we count vessel-edge moves per
second of wall time. Prints one JSON line per graph size.
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


def main(vessels: int, sizes: list[int]) -> None:
    Vessel = type("Vessel", (core.Identifiable, core.Movable, core.Routable), {})
    for size in sizes:
        env = simpy.Environment()
        env.FG = build_graph(size)
        path = [str(i) for i in range(size)]
        for k in range(vessels):
            v = Vessel(env=env, name=f"v{k}", route=path, geometry=env.FG.nodes["0"]["geometry"], v=4.0)
            env.process(v.move())
        t0 = time.perf_counter()
        env.run()
        seconds = time.perf_counter() - t0
        moves = vessels * (size - 1)
        print(json.dumps({"nodes": size, "vessels": vessels, "moves": moves, "seconds": seconds,
                          "moves_per_s": moves / seconds}), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), [int(x) for x in sys.argv[2:]])
