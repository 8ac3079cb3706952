"""interactive_map.html: the study's legs and facilities on one page to pan, zoom and hover (mode, distance, TEU,
transit, cost per variant; facility waits), drawn with Bokeh with its JavaScript inlined (no tiles, no CDN: the
land comes from the committed land layer), so the file works offline and can be mailed."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import shapely

from ..experiment import Study
from ..land import load_land
from .mapdraw import MODE_STYLES, ROUTE_COLOURS, WORLD, project_line, unwrap
from .text import number

__all__ = ["interactive_map_html"]

# Bokeh's dash names for the map's line styles by mode
DASHES = {"sea": "solid", "canal": "solid", "ferry": "dashed", "rail": "dashdot", "road": "dotted"}
assert set(DASHES) == set(MODE_STYLES)


def _land_patches(study: Study, window: tuple[float, float, float, float]) -> tuple[list, list, list, list]:
    """Land outlines and inland seas clipped to the map window (lon/lat), simplified to keep the page small,
    projected like the static maps."""
    land = load_land()
    x0, y0, x1, y1 = window
    clipped = shapely.simplify(shapely.clip_by_rect(land.geometry, x0, y0, x1, y1), 0.05)
    xs: list = []
    ys: list = []
    hx: list = []
    hy: list = []
    for poly in shapely.get_parts(clipped):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring, (bx, by) in [(poly.exterior, (xs, ys)), *((r, (hx, hy)) for r in poly.interiors)]:
            lon, lat = (np.asarray(a) for a in ring.xy)
            if len(lon) < 4:
                continue
            px, py = WORLD.transform(unwrap(lon), lat)
            bx.append(np.round(px, -2).tolist())
            by.append(np.round(py, -2).tolist())
    return xs, ys, hx, hy


def _per_variant(rows: list[dict], key: str, what: str, digits: int, unit: str = "") -> str:
    return "; ".join(f"{r['variant']}: {number(r[what], digits)}{unit}" for r in rows if r["route"] == key
                     and r["direction"] == "forward") or "n/a"


def interactive_map_html(study: Study, rows: list[dict], facility_rows: list[dict]) -> str:
    """The self-contained HTML page of the interactive map of the study's routes (forward direction) and
    facilities (the runner writes it as interactive_map.html)."""
    from bokeh.embed import file_html
    from bokeh.models import ColumnDataSource, DataRange1d, HoverTool, MultiLine
    from bokeh.plotting import figure
    from bokeh.resources import INLINE

    network, base = study.network, study.file.base
    first = study.variants[0]
    legs: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    lons, lats = [], []
    for i, rid in enumerate(base.routes):
        route = first.info.routes.get(rid)
        if route is None:
            continue
        for leg in route.legs:
            coords = network.leg_coords(leg.leg_id, leg.direction)
            line = project_line(coords)
            lons += [c[0] for c in coords]
            lats += [c[1] for c in coords]
            d = legs[(rid, leg.mode)]
            d["xs"].append(np.round(line[:, 0], -2).tolist())
            d["ys"].append(np.round(line[:, 1], -2).tolist())
            d["route"].append(f"{study.specs[rid].name} ({rid})" + (" - baseline" if rid == base.baseline else ""))
            d["leg"].append(f"{network.nodes[leg.start].name} - {network.nodes[leg.end].name}")
            d["mode"].append(leg.mode)
            d["km"].append(number(leg.length_km, 0))
            d["teu"].append(_per_variant(rows, rid, "teu_created", 0))
            d["days"].append(_per_variant(rows, rid, "transit_days_p50", 1))
            d["cost"].append(_per_variant(rows, rid, "transport_usd_per_teu", 0))
            d["colour"].append(ROUTE_COLOURS[i % len(ROUTE_COLOURS)])
    ulon = unwrap(np.asarray(lons))
    # land well beyond the routes, so panning out does not show its clipped edge
    window = (max(-180.0, float(ulon.min()) - 40), max(-85.0, min(lats) - 25), min(180.0, float(ulon.max()) + 40),
              min(85.0, max(lats) + 20))
    x_range, y_range = DataRange1d(), DataRange1d()
    fig = figure(x_range=x_range, y_range=y_range,
                 title=f"{base.name}: routes, flows and facilities (hover for details)", match_aspect=True,
                 sizing_mode="stretch_both", tools="pan,wheel_zoom,box_zoom,reset,save", active_scroll="wheel_zoom",
                 background_fill_color="#d8e6f0", x_axis_type=None, y_axis_type=None)
    fig.grid.visible = False
    xs, ys, hx, hy = _land_patches(study, window)
    fig.patches(xs, ys, fill_color="#e9e4d8", line_color="#b9b2a2", line_width=0.5)
    if hx:
        fig.patches(hx, hy, fill_color="#d8e6f0", line_color="#b9b2a2", line_width=0.5)
    leg_renderers: list = []
    for (_rid, mode), data in legs.items():
        r = fig.multi_line("xs", "ys", source=ColumnDataSource(dict(data)), line_color="colour", line_width=4,
                           line_dash=DASHES[mode], line_alpha=0.85, legend_label=data["route"][0])
        r.hover_glyph = MultiLine(xs="xs", ys="ys", line_color="colour", line_width=8, line_dash=DASHES[mode])
        leg_renderers.append(r)
    fig.add_tools(HoverTool(renderers=leg_renderers, line_policy="interp", tooltips=[
        ("route", "@route"), ("leg", "@leg"), ("mode", "@mode"), ("distance", "@km km"),
        ("TEU booked / replication", "@teu"), ("median transit (days)", "@days"), ("transport USD/TEU", "@cost")]))
    x_range.renderers = leg_renderers  # open framed on the routes, not on the land around them
    y_range.renderers = leg_renderers
    _facilities(fig, study, facility_rows)
    _ends(fig, study)
    fig.legend.click_policy = "hide"
    fig.legend.location = "bottom_left"
    fig.legend.label_text_font_size = "9pt"
    page = file_html(fig, INLINE, title=f"{base.name}: interactive map")
    return page


def _ends(fig, study: Study) -> None:
    """The routes' ends, named."""
    nodes = study.network.nodes
    ends = dict.fromkeys(n for rid in study.file.base.routes if rid in study.specs
                         for n in (study.specs[rid].origin, study.specs[rid].destination) if n in nodes)
    xy = [WORLD.transform(unwrap(np.asarray([nodes[n].lon]))[0], nodes[n].lat) for n in ends]
    fig.scatter([float(p[0]) for p in xy], [float(p[1]) for p in xy], size=7, color="#111")
    fig.text([float(p[0]) for p in xy], [float(p[1]) for p in xy], text=[nodes[n].name.split(" (")[0] for n in ends],
             x_offset=6, y_offset=-2, text_font_size="10pt", text_font_style="bold", text_color="#111")


def _facilities(fig, study: Study, facility_rows: list[dict]) -> None:
    """Facilities as circles sized by their largest mean wait over the variants, with waits per variant."""
    from bokeh.models import ColumnDataSource, HoverTool

    by_node: dict[str, list[dict]] = defaultdict(list)
    for f in facility_rows:
        if f["node"] in study.network.nodes:
            by_node[f["node"]].append(f)
    if not by_node:
        return
    data: dict[str, list] = defaultdict(list)
    worst = max(max(f["wait_h_mean"] for f in fs) for fs in by_node.values()) or 1.0
    for nid, fs in by_node.items():
        node = study.network.nodes[nid]
        x, y = WORLD.transform(unwrap(np.asarray([node.lon]))[0], node.lat)
        data["x"].append(float(x))
        data["y"].append(float(y))
        data["place"].append(node.name)
        data["kind"].append(", ".join(sorted({f["kind"] for f in fs})))
        data["util"].append("; ".join(f"{f['variant']}: {number(100 * f['utilisation'], 0)}%" for f in fs))
        data["wait"].append("; ".join(f"{f['variant']}: {number(f['wait_h_mean'])} h (p95 {number(f['wait_h_p95'])})"
                                      for f in fs))
        data["size"].append(7 + 25 * max(f["wait_h_mean"] for f in fs) / worst)
    r = fig.scatter("x", "y", size="size", source=ColumnDataSource(dict(data)), fill_color="#c0392b",
                    fill_alpha=0.55, line_color="#7b241c", legend_label="facility (size: mean wait)")
    fig.add_tools(HoverTool(renderers=[r], tooltips=[("facility", "@place"), ("kind", "@kind"),
                                                      ("utilisation", "@util"), ("mean wait", "@wait")]))
