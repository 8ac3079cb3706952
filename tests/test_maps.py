"""Maps: one artist per route, a legend naming every route, an Arctic view when the NSR is in the study."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
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
    if not has_nsr:
        assert "Arctic" not in titles
    if "Arctic" in titles:  # a polar view only where the world map shows the NSR small
        nsr = np.vstack([s for c in artists for s in c.get_segments()
                         if "nsr" in first.info.routes[c.get_gid().split(":", 1)[1]].chokepoints])
        assert (nsr[:, 0].max() - nsr[:, 0].min()) / (x1 - x0) < 0.5
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


# ----- labels: beside their own point, off every route line and every other label, with place names -------------

def _flow_map(study):
    """A flow map of the study without simulating it: made-up TEU per route and waits at its ports and borders
    (the placement must hold whatever the numbers)."""
    from sim.land import load_land
    from sim.report.maps import Bottleneck, MapRoute, draw_route_map

    first = study.variants[0]
    routes = [MapRoute(rid, f"{rid}: {1000 * (k + 1):,} TEU", first.info.routes[rid], teu=1000.0 * (k + 1),
                       baseline=rid == study.file.base.baseline)
              for k, rid in enumerate(study.file.base.routes) if rid in first.info.routes]
    nodes = sorted({n for r in routes for n in r.route.nodes if study.network.nodes[n].kind in ("port", "border")})
    bottlenecks = [Bottleneck(n, study.network.nodes[n].kind, 1.0 + k, 0.5) for k, n in enumerate(nodes[:6])]
    return draw_route_map(study.network, load_land(), routes, "flows", bottlenecks=bottlenecks)


def _label_boxes(ax):
    from matplotlib.text import Text

    renderer = ax.figure.canvas.get_renderer()
    out = []
    for t in ax.texts:
        if t.get_gid() != "label":
            continue
        t.update_positions(renderer)
        box = Text.get_window_extent(t, renderer)
        out.append((t, box))
    return out


def _route_lines(ax):
    from matplotlib.path import Path as MplPath

    px_per_pt = ax.figure.dpi / 72.0
    for c in ax.collections:
        if isinstance(c, LineCollection) and (c.get_gid() or "").startswith(("route:", "detail:", "inset:")):
            widths = list(c.get_linewidth()) or [1.0]
            for i, seg in enumerate(c.get_segments()):
                yield MplPath(ax.transData.transform(seg)), widths[i % len(widths)] * px_per_pt / 2


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
@pytest.mark.parametrize("kind", ["route_map", "flow_map"])
def test_labels_overlap_no_other_label_and_no_route_line(path, kind):
    study = prepare_study(path)
    fig = study_map(study) if kind == "route_map" else _flow_map(study)
    fig.canvas.draw()
    names = {n.name.split(" (")[0] for n in study.network.nodes.values()} | {n.name for n in
                                                                            study.network.nodes.values()}
    total = 0
    for ax in fig.axes:
        boxes = _label_boxes(ax)
        total += len(boxes)
        lines = list(_route_lines(ax))
        for i, (t, box) in enumerate(boxes):
            assert t.get_text().split(":")[0] in names, f"not a place name: {t.get_text()!r}"
            for u, other in boxes[i + 1:]:
                assert not box.overlaps(other), f"{t.get_text()!r} overlaps {u.get_text()!r}"
            for line, half_width in lines:
                assert not line.intersects_bbox(box.expanded(1, 1).padded(half_width), filled=False), \
                    f"{t.get_text()!r} lies on a route line ({ax.get_title(loc='left')})"
            # beside its own point: no other labelled point is nearer to a label without a leader line
            if t.arrow_patch is None:
                own = ax.transData.transform(t.xy)
                mine = _gap(box, own)
                for u, _ in boxes:
                    p = ax.transData.transform(u.xy)
                    if np.hypot(*(p - own)) > 1.0:
                        assert _gap(box, p) >= mine, f"{t.get_text()!r} sits nearer to {u.get_text()!r}'s point"
    assert total >= 5, "the map names the places on its routes"
    plt.close(fig)


def _gap(box, p) -> float:
    dx = max(box.x0 - p[0], 0.0, p[0] - box.x1)
    dy = max(box.y0 - p[1], 0.0, p[1] - box.y1)
    return float(np.hypot(dx, dy))


def test_flow_map_has_a_legend_for_flow_width_and_panels_only_when_they_show_something(monkeypatch):
    from sim.report import maps

    study = prepare_study(SCENARIOS[[p.stem for p in SCENARIOS].index("nsr_seasonal")])
    fig = _flow_map(study)
    texts = " | ".join(t.get_text() for ax in fig.axes for leg in [ax.get_legend(), *ax.artists]
                       if hasattr(leg, "get_texts") for t in leg.get_texts())
    assert "TEU / replication" in texts
    # the NSR fills this study's world map: a polar view would only repeat it
    assert len(fig.axes) == 1
    plt.close(fig)
    # where the polar view is drawn, it is framed on the route (not mostly empty)
    monkeypatch.setattr(maps, "ARCTIC_VIEW_BELOW", 1.01)
    fig = _flow_map(study)
    arctic = [ax for ax in fig.axes if "Arctic" in ax.get_title(loc="left")]
    assert len(arctic) == 1
    ax = arctic[0]
    segs = np.vstack([s for c in ax.collections if (c.get_gid() or "").startswith("inset:") for s in c.get_segments()])
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    used_w = (segs[:, 0].max() - segs[:, 0].min()) / (x1 - x0)
    used_h = (segs[:, 1].max() - segs[:, 1].min()) / (y1 - y0)
    assert max(used_w, used_h) > 0.6 and min(used_w, used_h) > 0.35, "the Arctic view is framed on the route"
    plt.close(fig)
