"""Land polygons (Natural Earth 1:10m, dissolved) for maps and for checking that sea lanes stay at sea."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from .geo import GEOD, densify
from .network import DEFAULT_GEODATA, Leg, Network

__all__ = ["LandMask", "load_land", "LandHit", "sea_leg_land_hits"]

LAND_FILE = DEFAULT_GEODATA / "land.gpkg"


@dataclass(frozen=True)
class LandMask:
    """A prepared union of land polygons; ``frame`` keeps the polygons for drawing."""

    geometry: shapely.Geometry
    frame: gpd.GeoDataFrame

    def on_land(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Boolean array: True where a point lies on land."""
        return shapely.contains_xy(self.geometry, lons, lats)


def land_path() -> Path:
    """The land layer in use (``LAND_FILE``, read at call time so tests and tools can point elsewhere)."""
    return Path(LAND_FILE)


def check_land(path: Path | str | None = None) -> None:
    """Make sure the land layer can be read before a run draws maps (not after the whole simulation):
    GeodataError naming the file otherwise."""
    from .errors import GeodataError

    path = Path(path or land_path())
    if not path.is_file():
        raise GeodataError(str(path), "-", "-", "land layer not found (needed for maps; run with --no-plots to skip "
                           "them, or restore it with geodata/build_land.py)")
    try:
        import pyogrio

        pyogrio.read_info(path, layer="land")
    except Exception as exc:  # any reader failure means the same to the user
        raise GeodataError(str(path), "-", "-", f"cannot read the 'land' layer ({str(exc).splitlines()[0][:200]}); "
                           "needed for maps (run with --no-plots to skip them)") from None


def load_land(path: Path | str | None = None) -> LandMask:
    """Read and prepare the land layer (cached per path); default: ``LAND_FILE``."""
    return _load_land(str(path or land_path()))


@lru_cache(maxsize=2)
def _load_land(path: str) -> LandMask:
    frame = gpd.read_file(path, layer="land")
    geometry = shapely.union_all(frame.geometry.values)
    shapely.prepare(geometry)
    return LandMask(geometry=geometry, frame=frame)


@dataclass(frozen=True)
class LandHit:
    """A point of a sea leg that lies on land outside every allowed approach."""

    leg: str
    lon: float
    lat: float


def sea_leg_land_hits(network: Network, leg: Leg, land: LandMask, step_km: float = 2.0) -> list[LandHit]:
    """Points every ``step_km`` along ``leg`` that fall on land, except within the ``approach_km`` radius of
    either end node (port approaches, river ports and narrow straits the 1 km land layer closes)."""
    lons, lats = densify(leg.coords, step_km)
    on = land.on_land(lons, lats)
    if not on.any():
        return []
    for node_id in (leg.start, leg.end):
        node = network.nodes[node_id]
        if node.approach_km > 0:
            _, _, d = GEOD.inv(np.full_like(lons, node.lon), np.full_like(lats, node.lat), lons, lats)
            on &= d / 1000.0 > node.approach_km
    return [LandHit(leg.id, float(x), float(y)) for x, y in zip(lons[on], lats[on], strict=True)]
