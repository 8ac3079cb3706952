"""The maps as GIS layers: map_layers.gpkg with the study's routes, the flows of every variant (TEU per
replication, as in summary.csv) and the facilities with their waits, in WGS 84 (EPSG:4326) for QGIS or ArcGIS.
Lines are split at the antimeridian so the Bering Strait crossing does not wrap round the world."""

from __future__ import annotations

import math
from pathlib import Path

import shapely

from ..experiment import Study
from ..geo import split_antimeridian
from ..network import Network
from ..routes import Route

__all__ = ["write_layers", "LAYERS"]

LAYERS = ("routes", "flows", "facilities")


def _geometry(network: Network, route: Route) -> shapely.MultiLineString:
    parts = [shapely.LineString(p) for leg in route.legs
             for p in split_antimeridian(network.leg_coords(leg.leg_id, leg.direction)) if len(p) >= 2]
    return shapely.MultiLineString(parts)


def _route_of(study: Study, variant: str, key: str) -> Route | None:
    plan = next(p for p in study.variants if p.name == variant)
    if key in plan.info.routes:
        return plan.info.routes[key]
    return next((r for r, k in zip(plan.info.itinerary_route_objs, plan.info.itinerary_routes, strict=True)
                 if k == key), None)


def _clean(value):
    return None if isinstance(value, float) and math.isnan(value) else value


def write_layers(path: Path, study: Study, rows: list[dict], facility_rows: list[dict]) -> None:
    """Write the routes, flows (one feature per summary row) and facilities layers into the GeoPackage
    ``path``."""
    import geopandas as gpd  # imported here: geopandas takes a while to import

    network = study.network
    base = study.file.base
    first = study.variants[0]
    routes = []
    for rid in base.routes:
        route = first.info.routes.get(rid)
        if route is None:
            continue
        routes.append({"route": rid, "name": study.specs[rid].name, "baseline": rid == base.baseline,
                       "modes": " > ".join(dict.fromkeys(route.modes)), "distance_km": round(route.distance_km, 1),
                       "geometry": _geometry(network, route)})
    flows = []
    for r in rows:
        key = r["route"] if r["direction"] == "forward" else f"{r['route']}:reverse"
        route = _route_of(study, r["variant"], key)
        if route is None:
            continue
        flows.append({"variant": r["variant"], "route": r["route"], "direction": r["direction"],
                      "baseline": bool(r["is_baseline"]), "teu_created": r["teu_created"],
                      "teu_delivered": r["teu_delivered"], "teu_share": _clean(r["teu_share"]),
                      "transit_days_p50": _clean(r["transit_days_p50"]),
                      "transport_usd_per_teu": _clean(r["transport_usd_per_teu"]),
                      "undelivered_share": _clean(r["undelivered_share"]), "geometry": _geometry(network, route)})
    facilities = [{"variant": f["variant"], "facility": f["facility"], "node": f["node"],
                   "place": network.nodes[f["node"]].name, "kind": f["kind"], "servers": f["servers"],
                   "utilisation": f["utilisation"], "wait_h_mean": f["wait_h_mean"], "wait_h_p95": f["wait_h_p95"],
                   "max_queue": f["max_queue"],
                   "geometry": shapely.Point(network.nodes[f["node"]].lon, network.nodes[f["node"]].lat)}
                  for f in facility_rows if f["node"] in network.nodes]
    for name, records in zip(LAYERS, (routes, flows, facilities), strict=True):
        if records:
            gpd.GeoDataFrame(records, geometry="geometry", crs="EPSG:4326").to_file(path, layer=name,
                                                                                      driver="GPKG")
