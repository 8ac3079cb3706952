"""Maps: one artist per route, a legend naming every route, an Arctic view when the NSR is in the study."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
from matplotlib.collections import LineCollection  # noqa: E402

from sim.experiment import prepare_study  # noqa: E402
from sim.report.figures import study_map  # noqa: E402

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_route_map_has_one_artist_per_route_and_a_legend_naming_each(path, tmp_path):
    study = prepare_study(path)
    fig = study_map(study)
    main = fig.axes[0]
    routes = [r for r in study.file.base.routes]
    artists = [c for c in main.collections
               if isinstance(c, LineCollection) and (c.get_gid() or "").startswith("route:")]
    assert sorted(c.get_gid().split(":", 1)[1] for c in artists) == sorted(routes)
    legends = [leg for leg in [main.get_legend(), *main.artists] if hasattr(leg, "get_texts")]
    legend_texts = " | ".join(t.get_text() for leg in legends for t in leg.get_texts())
    for r in routes:
        assert r in legend_texts, r
    # the extent fits the routes: every route vertex is inside the axes limits
    (x0, x1), (y0, y1) = main.get_xlim(), main.get_ylim()
    for c in artists:
        for seg in c.get_segments():
            assert (seg[:, 0] >= x0).all() and (seg[:, 0] <= x1).all()
            assert (seg[:, 1] >= y0).all() and (seg[:, 1] <= y1).all()
    first = study.variants[0]
    has_nsr = any("nsr" in first.info.routes[r].chokepoints for r in routes if r in first.info.routes)
    titles = " ".join(ax.get_title(loc="left") for ax in fig.axes)
    assert ("Arctic" in titles) == has_nsr
    out = tmp_path / "map.png"
    fig.savefig(out)
    assert out.stat().st_size > 50_000


def test_maps_draw_the_network_and_routes_of_the_geodata_the_study_was_given(geodata_copy):
    """A study prepared with --geodata draws from that folder: a renamed route is named so on the map."""
    routes = geodata_copy / "routes.yaml"
    routes.write_text(routes.read_text().replace("name: Suez baseline to St Petersburg",
                                                 "name: Renamed Suez chain for this test"), encoding="utf-8")
    (geodata_copy / "land.gpkg").symlink_to(Path(__file__).resolve().parent.parent / "geodata" / "land.gpkg")
    study = prepare_study(SCENARIOS[[p.stem for p in SCENARIOS].index("instc_vs_suez")], geodata=geodata_copy)
    assert study.geodata == geodata_copy
    main = study_map(study).axes[0]
    legends = [main.get_legend(), *(a for a in main.artists if hasattr(a, "get_texts"))]
    assert "Renamed Suez chain for this test" in " | ".join(t.get_text() for lg in legends for t in lg.get_texts())
