"""Tabular and GeoJSON views of resolved routes (what `corridor-sim routes` prints or writes)."""

from __future__ import annotations

import csv
import io
import json

from .geo import split_antimeridian
from .network import Network
from .routes import Route

__all__ = ["route_rows", "routes_csv", "routes_geojson", "route_table"]

COLUMNS = ("route", "direction", "origin", "destination", "modes", "legs", "distance_km", "sea_nm", "chokepoints")


def route_rows(routes: list[Route]) -> list[dict]:
    """One plain dict per route with the columns of COLUMNS."""
    return [
        {
            "route": r.id,
            "direction": r.direction,
            "origin": r.origin,
            "destination": r.destination,
            "modes": " > ".join(r.modes),
            "legs": len(r.legs),
            "distance_km": round(r.distance_km, 1),
            "sea_nm": round(r.sea_nm, 1),
            "chokepoints": " ".join(r.chokepoints),
        }
        for r in routes
    ]


def route_table(routes: list[Route]):
    """A rich Table of the routes (what `corridor-sim routes` prints)."""
    from rich.table import Table

    from .report.text import number

    table = Table(title="corridor-sim routes", show_lines=False)
    right = {"legs", "distance_km", "sea_nm"}
    for col in COLUMNS:
        table.add_column(col, justify="right" if col in right else "left", overflow="fold")
    for row in route_rows(routes):
        table.add_row(*(number(v, 0) if isinstance(v, float) else str(v) for v in row.values()))
    return table


def routes_csv(routes: list[Route]) -> str:
    """CSV text with a header row."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(route_rows(routes))
    return buf.getvalue()


def routes_geojson(network: Network, routes: list[Route]) -> dict:
    """A FeatureCollection with one feature per leg of each route, split at the antimeridian."""
    features = []
    for r in routes:
        for order, leg in enumerate(r.legs, start=1):
            coords = network.leg_coords(leg.leg_id, leg.direction)
            parts = split_antimeridian(coords)
            geometry = (
                {"type": "LineString", "coordinates": [list(p) for p in parts[0]]}
                if len(parts) == 1
                else {"type": "MultiLineString", "coordinates": [[list(p) for p in part] for part in parts]}
            )
            features.append({
                "type": "Feature",
                "properties": {
                    "route": r.id, "direction": r.direction, "order": order, "leg": leg.leg_id,
                    "from": leg.start, "to": leg.end, "mode": leg.mode, "length_km": round(leg.length_km, 2),
                    "chokepoints": sorted(leg.chokepoints),
                },
                "geometry": geometry,
            })
    return {"type": "FeatureCollection", "features": features}


def dumps_geojson(collection: dict) -> str:
    """Compact, stable JSON text for a FeatureCollection."""
    return json.dumps(collection, separators=(",", ":"), sort_keys=False) + "\n"
