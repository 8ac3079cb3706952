"""The run's pictures: the route map, a flow map per variant and the charts, drawn from the run's tables, its
chart data (``ChartData``: bounded however many replications ran) and the study's own network (so ``--geodata``
reaches every map)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ..chartdata import ChartData  # noqa: E402
from ..equilibrium import ChoiceOutcome  # noqa: E402
from ..experiment import Study, VariantPlan  # noqa: E402
from ..land import load_land  # noqa: E402
from . import charts  # noqa: E402
from .choice import convergence_chart  # noqa: E402
from .headline import part_names, study_names  # noqa: E402
from .mapdraw import short_name  # noqa: E402
from .maps import Bottleneck, MapRoute, draw_route_map  # noqa: E402
from .tradeoff import cost_vs_time  # noqa: E402

__all__ = ["start_figures", "figure_jobs", "FigureJob", "PendingFigures", "draw_png", "study_map",
           "nsr_note", "png_bytes"]


def nsr_note(study: Study) -> str | None:
    """When the study's NSR ships can get through in a normal ice year (the first day on which a departure passes
    every ice area, and the last), from the same per-day ice actions the engine uses."""
    from ..ice import CLOSED

    for plan in study.variants:
        for svc in plan.model.services:
            if svc.ice_actions is None or svc.direction != "forward":
                continue
            cal = next((s for s in study.calibration.services if s.id == svc.id), None)
            ice_class = plan.scenario.services.get(svc.id, {}).get("ice_class", cal.ice_class if cal else "none")
            open_days = [d for d in range(365)
                         if all(svc.ice_actions[a, 1, d + int(off // 24)] != CLOSED for a, off, _ in svc.ice_route)]
            if not open_days:
                return f"NSR: no passage for the study's {ice_class} ship in a normal ice year"
            start = plan.scenario.start_date
            first, last = (start + dt.timedelta(days=open_days[0]), start + dt.timedelta(days=open_days[-1]))
            return (f"NSR passage for the study's {ice_class} ship (normal ice year): departures "
                    f"{first:%d %b} - {last:%d %b}; escort where its class needs it")
    return None


def study_map(study: Study, title: str | None = None) -> Figure:
    """The study's routes (forward direction) drawn from the study's own network (a route only flows over part of
    is resolved whole)."""
    from ..routes import Policy, resolve_route

    base = study.variants[0]
    specs = study.specs
    policy = Policy(enabled_legs=frozenset(base.scenario.enabled_legs))
    routes = [MapRoute(rid, f"{rid}: {specs[rid].name}",
                       base.info.routes.get(rid) or resolve_route(study.network, specs[rid], policy),
                       baseline=rid == study.file.base.baseline)
              for rid in study.file.base.routes]
    return draw_route_map(study.network, load_land(), routes, title or f"{study.file.base.name}: routes",
                          nsr_note=nsr_note(study))


def _flow_map(study: Study, plan: VariantPlan, data: ChartData, facilities: pd.DataFrame) -> Figure:
    flows = data.flows.get(plan.name, np.zeros((3, 0)))
    replications = max(1, data.replications.get(plan.name, 0))
    # itineraries booked after the warm-up: TEU per replication, and the part that sailed a closure's detour
    used = np.flatnonzero(flows[1]).tolist()
    teu = {it: float(flows[0, it]) / replications for it in used}
    detoured = {it: float(flows[2, it]) / replications for it in used}
    moved: dict[tuple, float] = {}
    merged: dict[tuple, MapRoute] = {}
    for it, value in teu.items():
        route = plan.info.itinerary_route_objs[int(it)]
        rid = plan.info.itinerary_route_ids[int(it)]
        legs = tuple(sorted(leg.leg_id for leg in route.legs))
        moved[(rid, legs)] = moved.get((rid, legs), 0.0) + float(detoured.get(it, 0.0))
        if (rid, legs) in merged:
            merged[(rid, legs)].teu = (merged[(rid, legs)].teu or 0.0) + float(value)
            continue
        forward = route if route.direction == "forward" else None
        base_route = plan.info.routes.get(rid)
        diverted = (base_route is not None
                    and {leg.leg_id for leg in base_route.legs} != {leg.leg_id for leg in route.legs})
        if "@" in rid:  # a flow on part of a route: name the part by its places, not by node ids
            ends = (study.network.nodes[n] for n in (route.origin, route.destination))
            rid_shown = f"{rid.partition('@')[0]} ({' to '.join(short_name(n) for n in ends)})"
        else:
            rid_shown = rid
        label = f"{rid_shown}{' (rerouted)' if diverted else ''}: {value:,.0f} TEU"
        merged[(rid, legs)] = MapRoute(rid + (":rerouted" if diverted else ""), label, forward or route, float(value),
                                      baseline=rid == study.file.base.baseline)
    for key, mr in merged.items():
        share = moved.get(key, 0.0) / mr.teu if mr.teu else 0.0
        note = f" ({share:.0%} sailed a closure's detour)" if share >= 0.005 else ""
        mr.label = mr.label.rsplit(":", 1)[0] + f": {mr.teu:,.0f} TEU{note}"
    fac = facilities[(facilities.variant == plan.name) & (facilities.wait_h_mean > 0.25)]
    fac = fac.sort_values("wait_h_mean", ascending=False).head(8)
    # named by what the facility is (its place is the label's): "Astrakhan: port 3.8 h wait"
    bottlenecks = [Bottleneck(r.node, r.kind.replace("_", " "), r.wait_h_mean, r.utilisation)
                   for r in fac.itertuples()]
    order = {rid: i for i, rid in enumerate(study.file.base.routes)}
    routes = sorted(merged.values(), key=lambda m: (order.get(m.key.split(":")[0], 99), m.key))
    return draw_route_map(study.network, load_land(), routes, f"{study.file.base.name} / {plan.name}: flows and waits",
                          bottlenecks=bottlenecks, nsr_note=nsr_note(study))


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG, at its own dpi. A figure made by pyplot leaves pyplot's registry; one made outside it
    (the route map, drawn on a thread) touches no pyplot state."""
    buf = io.BytesIO()
    fig.savefig(buf, dpi=fig.dpi, format="png")
    if fig.canvas.manager is not None:  # made by pyplot: leave its registry (a thread's Figure never joined it)
        plt.close(fig)
    return buf.getvalue()


def draw_png(draw: Callable[..., Figure], args: tuple, kwargs: dict | None = None) -> bytes:
    """``draw(*args, **kwargs)`` as PNG bytes: one figure job, run in this process or on a worker process."""
    return png_bytes(draw(*args, **(kwargs or {})))


@dataclass(frozen=True)
class FigureJob:
    """One picture of the run: its caption, file name, and the drawing function with its (picklable) inputs;
    ``map``: drawn over the land layer, which this process has loaded and clipped already (the route map's thread
    did it), so a worker would only repeat that work."""

    caption: str
    file: str
    draw: Callable[..., Figure]
    args: tuple
    kwargs: dict = field(default_factory=dict)
    map: bool = False


def figure_jobs(study: Study, rows: list[dict], facility_rows: list[dict], data: ChartData, series: pd.DataFrame,
                choice: dict[str, ChoiceOutcome] | None = None, route_map: bool = True) -> list[FigureJob]:
    """Every picture of the run in report order, maps first (the route map only with ``route_map``). Flow maps and
    transit charts read ``data``: every replication, in memory that does not grow with their number."""
    base = study.file.base
    variants = [p.name for p in study.variants]
    facilities = pd.DataFrame(facility_rows)
    summary = pd.DataFrame(rows)
    way = study_names(study)[1].get("forward", "forward")  # the forward direction by its places
    places = {nid: short_name(n) for nid, n in study.network.nodes.items()}
    jobs = [FigureJob("Route map", "route_map.png", study_map, (study,), map=True)] if route_map else []
    jobs += [FigureJob(f"Flows and waits: {plan.name}", f"flow_map_{plan.name}.png", _flow_map,
                       (study, plan, data, facilities), map=True) for plan in study.variants]
    jobs.append(FigureJob("Transit-time distributions", "transit_ecdf.png", charts.transit_ecdf,
                          (data, base.routes, base.baseline, variants, f"Transit time by route ({way})")))
    jobs.append(FigureJob("Transit time by booking month", "transit_by_month.png", charts.transit_by_month,
                          (data, base.routes, base.baseline, variants, f"Transit time by booking month ({way})")))
    jobs += [FigureJob(f"Busiest facilities: {plan.name}", f"facility_load_{plan.name}.png", charts.facility_load,
                       (series, facilities, plan.name, base.start_date,
                        f"Busiest facilities over time ({plan.name}, replication 0)"), {"places": places})
             for plan in study.variants]
    if choice:
        jobs.append(FigureJob("Route choice: shares by iteration and convergence", "route_choice_convergence.png",
                              convergence_chart, (choice, base.routes, f"Route choice iterations ({way}: shares)")))
    jobs.append(FigureJob("Cost, time and CO2: every route of every variant", "cost_vs_time.png", cost_vs_time,
                          (summary, base.routes, base.baseline,
                           f"Cost against time per route ({way}), one panel per variant"),
                          {"names": part_names(list(summary.route.unique()) if len(summary) else [], study.network)}))
    return jobs


class PendingFigures:
    """The run's pictures being drawn: the charts on ``pool`` (the run's idle worker processes, after the
    replications) while the caller writes its other outputs, the maps here in ``write``; everything here without
    a pool. The files are the same either way."""

    def __init__(self, jobs: list[FigureJob], pool: Executor | None = None) -> None:
        self.jobs = jobs
        self.futures: list[Future | None] = [pool.submit(draw_png, j.draw, j.args, j.kwargs)
                                             if pool is not None and not j.map else None for j in jobs]

    def write(self, folder: Path, route_map: bytes | None = None) -> list[tuple[str, Path]]:
        """Write each picture into ``folder`` (``route_map``: the route map drawn already, as PNG, put first);
        return (caption, file) of each in report order."""
        images: list[tuple[str, Path]] = []
        if route_map is not None:
            (folder / "route_map.png").write_bytes(route_map)
            images.append(("Route map", folder / "route_map.png"))
        for k, job in enumerate(self.jobs):
            future = self.futures[k]
            png = future.result() if future is not None else draw_png(job.draw, job.args, job.kwargs)
            (folder / job.file).write_bytes(png)
            images.append((job.caption, folder / job.file))
        return images


def start_figures(folder: Path, study: Study, rows: list[dict], facility_rows: list[dict], data: ChartData,
                  choice: dict[str, ChoiceOutcome] | None = None, route_map: bool = True,
                  pool: Executor | None = None) -> PendingFigures:
    """Start drawing the run's pictures (``folder`` holds its facility_timeseries.csv already); ``route_map``
    False when the route map is drawn elsewhere."""
    series = pd.read_csv(folder / "facility_timeseries.csv")
    return PendingFigures(figure_jobs(study, rows, facility_rows, data, series, choice, route_map), pool)
