"""Geodesy on WGS84: lengths, densification, longitude normalisation and antimeridian splitting."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pyproj import Geod

__all__ = ["GEOD", "KM_PER_NM", "normalise_lon", "line_length_km", "densify", "split_antimeridian", "distance_km"]

GEOD = Geod(ellps="WGS84")
KM_PER_NM = 1.852

Coords = Sequence[tuple[float, float]]


def normalise_lon(lon: float) -> float:
    """Return ``lon`` wrapped into [-180, 180)."""
    return ((lon + 180.0) % 360.0) - 180.0


def line_length_km(coords: Coords) -> float:
    """Geodesic length in km of a polyline of (lon, lat) vertices; each segment is a WGS84 geodesic.

    Works across the antimeridian because every segment is an inverse geodesic problem.
    """
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    return float(GEOD.line_length(lons, lats)) / 1000.0


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance in km between two points."""
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def densify(coords: Coords, step_km: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Points every ``step_km`` along the geodesic segments of a polyline, as (lons, lats) arrays."""
    lons: list[float] = []
    lats: list[float] = []
    for (lo1, la1), (lo2, la2) in zip(coords[:-1], coords[1:], strict=True):
        seg_km = distance_km(lo1, la1, lo2, la2)
        n = int(seg_km // step_km)
        lons.append(lo1)
        lats.append(la1)
        if n > 0:
            for lo, la in GEOD.npts(lo1, la1, lo2, la2, n):
                lons.append(normalise_lon(lo))
                lats.append(la)
    lons.append(coords[-1][0])
    lats.append(coords[-1][1])
    return np.asarray(lons), np.asarray(lats)


def split_antimeridian(coords: Coords) -> list[list[tuple[float, float]]]:
    """Split a (lon, lat) polyline where it crosses +-180 so each part draws correctly on a flat map.

    The crossing latitude is interpolated linearly in unwrapped longitude, which is exact enough for drawing.
    """
    parts: list[list[tuple[float, float]]] = [[(coords[0][0], coords[0][1])]]
    for (lo1, la1), (lo2, la2) in zip(coords[:-1], coords[1:], strict=True):
        d = lo2 - lo1
        if abs(d) > 180.0:
            edge = 180.0 if lo1 > 0 else -180.0
            lo2_unwrapped = lo2 + (360.0 if lo1 > 0 else -360.0)
            t = (edge - lo1) / (lo2_unwrapped - lo1)
            la_cross = la1 + t * (la2 - la1)
            parts[-1].append((edge, la_cross))
            parts.append([(-edge, la_cross)])
        parts[-1].append((lo2, la2))
    return parts
