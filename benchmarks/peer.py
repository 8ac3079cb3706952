"""Section ``peer``: vessels sailing a chain graph (one event per edge) in our engine, in bare SimPy and in
OpenTNSim, side by side with EQUAL fleets: at each graph size every contender sails the same number of vessels
over the same number of edges, about ``MOVES`` vessel-edge moves in all (so the small graphs get more vessels
and every run is long enough to time). OpenTNSim runs in its own virtual environment (benchmarks/.venv-opentnsim,
made with pip on first use) as a server process, so its runs interleave with ours round by round; if it cannot be
installed or started the section says so and reports the other two.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import simpy

from .common import fmt_ratio, interleaved, ratio, spread, timed

__all__ = ["measure", "show", "MOVES"]

MOVES = 20_000
HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-opentnsim"


def vessel_model(nodes: int):
    """Our engine on the peer workload: when-full vessels of 1 TEU, each sailing ``nodes - 1`` chunks of 10 km."""
    from sim.distributions import Dist
    from sim.model import RIDE, TRAVEL, Chunk, CompiledModel, CompiledService, Flow, Itinerary, ServicePath, Step

    chunks = tuple(Chunk(TRAVEL, 10.0) for _ in range(nodes - 1))
    path = ServicePath(tuple(f"e{i}" for i in range(nodes - 1)), chunks, 10.0 * (nodes - 1), 0.0, 0.0, frozenset())
    service = CompiledService(
        index=0, id="vessels", direction="forward", mode="sea", origin="0", destination=str(nodes - 1),
        capacity_teu=1.0, departure="when_full", headway_h=0.0, offset_h=0.0, max_wait_h=1.0, fill_teu=1.0,
        vehicles=0, return_h=0.0, speed_kmh=Dist("fixed", 14.4), month_speed_factor=(1.0,) * 12,
        freight_usd_per_teu=0.0, detour_usd_per_teu_km=0.0, path=path)
    itinerary = Itinerary(0, "v", "v", "forward", (Step(RIDE, 0, "0"),), 0.0, 0.0)
    flow = Flow("f", 1.0, (1.0,) * 12, (0,), (1.0,), (0,), (1.0,), (1,), (1.0,))
    return CompiledModel(horizon_h=1e7, warmup_h=0.0, start_month=1, start_day_of_month=1,
                         month_at_day=np.zeros(400, dtype=np.int64), services=(service,), facilities=(), convoys=(),
                         escorts=(), itineraries=(itinerary,), flows=(flow,), commodity_names=("c",),
                         commodity_value_usd_per_teu=(1.0,))


def ours(vessels: int, nodes: int):
    """A callable sailing ``vessels`` vessels in our engine: each a 1-TEU booking that fills a vessel at once."""
    from sim.engine import Bookings, run
    from sim.model import LOADED

    model = vessel_model(nodes)
    zi = np.zeros(vessels, dtype=np.int64)
    bookings = Bookings(created_h=np.arange(vessels) * 0.001, itinerary=zi, commodity=zi,
                        teu=np.ones(vessels, dtype=np.int64), value_usd=np.zeros(vessels), flow=zi,
                        kind=np.full(vessels, LOADED, dtype=np.int64))
    # bookings stop at the horizon; the drain lets every vessel reach the end of the chain before the run stops
    model = replace(model, horizon_h=vessels * 0.001 + 1e-6, drain_h=1e7)
    check = run(model, np.random.default_rng(0), bookings)
    if np.isnan(check.delivered_h).any() or check.events_processed < vessels * (nodes - 1):
        raise AssertionError("the peer workload did not sail every vessel to the end")
    return lambda: run(model, np.random.default_rng(0), bookings)


def bare(vessels: int, nodes: int):
    """A callable sailing ``vessels`` SimPy processes over ``nodes - 1`` timeouts each."""
    def go() -> None:
        env = simpy.Environment()

        def vessel():
            for _ in range(nodes - 1):
                yield env.timeout(10.0 / 14.4)

        for _ in range(vessels):
            env.process(vessel())
        env.run()
    return go


class OpenTNSim:
    """The OpenTNSim workload server in its own virtual environment."""

    def __init__(self) -> None:
        py = VENV / "bin" / "python"
        if not py.exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, capture_output=True)
            # OpenTNSim imports pyyaml, IPython and pytz without declaring them
            subprocess.run([str(py), "-m", "pip", "install", "-q", "opentnsim", "pyyaml", "ipython", "pytz"],
                           check=True, capture_output=True, timeout=900)
        self.proc = subprocess.Popen([str(py), str(HERE / "opentnsim_workload.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.version = json.loads(self._line()).get("version", "unknown")

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the OpenTNSim workload process ended")
        return line

    def seconds(self, vessels: int, nodes: int) -> float:
        """Seconds of OpenTNSim's ``env.run`` for the workload (timed in its process)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{vessels} {nodes}\n")
        self.proc.stdin.flush()
        return float(json.loads(self._line())["seconds"])

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def measure(sizes: list[int], rounds: int, moves: int = MOVES) -> dict:
    """Per graph size: interleaved rounds of ours, bare SimPy and (if available) OpenTNSim on equal fleets."""
    try:
        otn: OpenTNSim | None = OpenTNSim()
        status = f"OpenTNSim {otn.version}"  # type: ignore[union-attr]
    except (OSError, subprocess.SubprocessError, RuntimeError, ValueError) as exc:
        otn, status = None, f"OpenTNSim not measured: {str(exc).splitlines()[0][:300]}"
    rows: list[dict] = []
    try:
        for nodes in sizes:
            vessels = max(1, moves // (nodes - 1))
            n_moves = vessels * (nodes - 1)
            run_ours, run_bare = ours(vessels, nodes), bare(vessels, nodes)
            contenders: dict[str, Callable[[], float]] = {
                "ours": lambda f=run_ours: timed(f), "bare_simpy": lambda f=run_bare: timed(f)}  # type: ignore[misc]
            if otn is not None:
                contenders["opentnsim"] = lambda v=vessels, n=nodes: otn.seconds(v, n)  # type: ignore[misc]
            times = interleaved(contenders, rounds)
            row: dict = {"nodes": nodes, "vessels": vessels, "moves": n_moves,
                   "seconds": {k: spread(v) for k, v in times.items()},
                   "moves_per_s": {k: n_moves / spread(v)["median"] for k, v in times.items()},
                   "ratio": {"ours_to_bare_simpy": ratio(times["ours"], times["bare_simpy"])}}
            if otn is not None:
                row["ratio"]["opentnsim_to_ours"] = ratio(times["opentnsim"], times["ours"])
            rows.append(row)
    finally:
        if otn is not None:
            otn.close()
    return {"status": status, "rows": rows,
            "note": "ours includes building the model's state and the post-run collection; OpenTNSim and bare "
                    "SimPy time env.run only"}


def show(console, res: dict) -> None:
    """Print the section's table."""
    from rich.table import Table

    t = Table()
    for c in ("nodes", "vessels", "moves", "ours moves/s", "bare SimPy moves/s", "ours time / bare",
              "OpenTNSim moves/s", "OpenTNSim time / ours"):
        t.add_column(c, justify="right")
    for r in res["rows"]:
        m, q = r["moves_per_s"], r["ratio"]
        t.add_row(str(r["nodes"]), f"{r['vessels']:,}", f"{r['moves']:,}", f"{m['ours']:,.0f}",
                  f"{m['bare_simpy']:,.0f}", fmt_ratio(q["ours_to_bare_simpy"]),
                  f"{m['opentnsim']:,.0f}" if "opentnsim" in m else "-",
                  fmt_ratio(q["opentnsim_to_ours"]) if "opentnsim_to_ours" in q else "-")
    console.print(t)
    console.print(f"   {res['status']}; {res['note']}")
