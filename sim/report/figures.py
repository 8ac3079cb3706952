"""The run's pictures: the route map, a flow map per variant and the charts, drawn from the run folder's tables
and the study's own network (so ``--geodata`` reaches every map)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ..equilibrium import ChoiceOutcome  # noqa: E402
from ..experiment import Study, VariantPlan  # noqa: E402
from ..land import load_land  # noqa: E402
from . import charts  # noqa: E402
from .choice import convergence_chart  # noqa: E402
from .headline import part_names, study_names  # noqa: E402
from .mapdraw import short_name  # noqa: E402
from .maps import Bottleneck, MapRoute, draw_route_map  # noqa: E402
from .tradeoff import cost_vs_time  # noqa: E402

__all__ = ["write_figures", "study_map", "nsr_note", "CHART_REPLICATIONS"]


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


def _flow_map(study: Study, plan: VariantPlan, ships: pd.DataFrame, facilities: pd.DataFrame,
              replications: int) -> Figure:
    sub = ships[(ships.variant == plan.name) & ~ships.in_warmup]
    teu = sub.groupby("itinerary").teu.sum() / replications
    # a closure's reroute sends the ship another way without changing the booked itinerary: say how much
    detoured = (sub[sub.diverted].groupby("itinerary").teu.sum() / replications) if "diverted" in sub else {}
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


CHART_REPLICATIONS = 100


def _save(fig: Figure, folder: Path, name: str) -> Path:
    path = folder / name
    fig.savefig(path, dpi=fig.dpi)
    plt.close(fig)
    return path


def write_figures(folder: Path, study: Study, rows: list[dict], facility_rows: list[dict],
                  choice: dict[str, ChoiceOutcome] | None = None) -> list[tuple[str, Path]]:
    """Draw the route map, flow maps and charts into ``folder``; return (caption, file) of each, maps first."""
    base = study.file.base
    variants = [p.name for p in study.variants]
    # Charts and flow maps use the first CHART_REPLICATIONS replications (each is one row group, so the rest is
    # never read): memory stays bounded however many replications ran; the tables use them all.
    ships = pq.read_table(folder / "shipments.parquet", columns=[
        "variant", "replication", "itinerary", "route", "direction", "teu", "created_h", "transit_days", "status",
        "in_warmup", "diverted"],
        read_dictionary=["variant", "route", "direction", "status"],  # categoricals: 3x less memory
        filters=[("replication", "<", CHART_REPLICATIONS)]).to_pandas()
    replications = int(ships.replication.max()) + 1 if len(ships) else 1
    ran = max((int(r["replications"]) for r in rows), default=replications)
    subset = f" (first {replications} of {ran} replications)" if ran > replications else ""
    facilities = pd.DataFrame(facility_rows)
    summary = pd.DataFrame(rows)
    series = pd.read_csv(folder / "facility_timeseries.csv")
    images: list[tuple[str, Path]] = []
    way = study_names(study)[1].get("forward", "forward")  # the forward direction by its places
    fig = study_map(study)
    images.append(("Route map", _save(fig, folder, "route_map.png")))
    for plan in study.variants:
        fig = _flow_map(study, plan, ships, facilities, replications)
        images.append((f"Flows and waits: {plan.name}{subset}", _save(fig, folder, f"flow_map_{plan.name}.png")))
    images.append((f"Transit-time distributions{subset}", _save(charts.transit_ecdf(
        ships, base.routes, base.baseline, variants, f"Transit time by route ({way})"), folder,
        "transit_ecdf.png")))
    images.append((f"Transit time by booking month{subset}", _save(charts.transit_by_month(
        ships, base.routes, base.baseline, variants, base.start_date,
        f"Transit time by booking month ({way})"),
        folder, "transit_by_month.png")))
    for plan in study.variants:
        images.append((f"Busiest facilities: {plan.name}", _save(charts.facility_load(
            series, facilities, plan.name, base.start_date,
            f"Busiest facilities over time ({plan.name}, replication 0)",
            places={nid: short_name(n) for nid, n in study.network.nodes.items()}),
            folder, f"facility_load_{plan.name}.png")))
    if choice:
        images.append(("Route choice: shares by iteration and convergence", _save(convergence_chart(
            choice, base.routes, f"Route choice iterations ({way}: shares)"), folder,
            "route_choice_convergence.png")))
    images.append(("Cost, time and CO2: every route of every variant", _save(cost_vs_time(
        summary, base.routes, base.baseline, f"Cost against time per route ({way}), one panel per variant",
        names=part_names(list(summary.route.unique()) if len(summary) else [], study.network)),
        folder,
        "cost_vs_time.png")))
    return images
