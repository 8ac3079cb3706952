"""Maps, charts and a self-contained report.html (images inlined as data URIs; no network needed)."""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from . import charts  # noqa: E402
from .land import load_land  # noqa: E402
from .maps import Bottleneck, MapRoute, draw_route_map  # noqa: E402

__all__ = ["write_visuals", "study_map", "nsr_note"]


def nsr_note(study) -> str | None:
    """The NSR season for the study's NSR service(s), from the same rules the engine uses."""
    for plan in study.variants:
        for svc in plan.model.services:
            if svc.departure_ok is not None:
                cal = next(s for s in study.calibration.services if s.id == svc.id)
                over = plan.scenario.services.get(svc.id, {})
                ice = over.get("ice_class", cal.ice_class)
                for leg in study.network.legs.values():
                    if leg.season is not None:
                        rule = leg.season.rule_for(ice)
                        if rule is None:
                            return f"NSR closed to ice class {ice}"
                        spans = ", ".join(f"{w.start[1]} {charts.MONTHS[w.start[0] - 1]} - {w.end[1]} {charts.MONTHS[w.end[0] - 1]}" for w in rule.open)
                        return f"NSR season for the study's {ice} ship: {spans} (escort in shoulder months)"
    return None


def study_map(study, title: str | None = None):
    """The study's routes (India to Russia direction) drawn from the network alone."""
    base = study.variants[0]
    from .routes import load_route_specs

    specs = load_route_specs(network=study.network)
    routes = [MapRoute(rid, f"{rid}: {specs[rid].name}" if rid in specs else rid, base.info.routes[rid],
                       baseline=rid == study.file.base.baseline) for rid in study.file.base.routes if rid in base.info.routes]
    return draw_route_map(study.network, load_land(), routes, title or f"{study.file.base.name}: routes",
                          nsr_note=nsr_note(study))


def _flow_map(study, plan, ships: pd.DataFrame, facilities: pd.DataFrame, replications: int):
    sub = ships[(ships.variant == plan.name) & ~ships.in_warmup]
    teu = sub.groupby("itinerary").teu.sum() / replications
    merged: dict[tuple, MapRoute] = {}
    for it, value in teu.items():
        route = plan.info.itinerary_route_objs[int(it)]
        rid = plan.info.itinerary_route_ids[int(it)]
        legs = tuple(sorted(leg.leg_id for leg in route.legs))
        if (rid, legs) in merged:
            merged[(rid, legs)].teu += float(value)
            continue
        forward = route if route.direction == "forward" else None
        base_route = plan.info.routes.get(rid)
        diverted = base_route is not None and set(leg.leg_id for leg in base_route.legs) != set(leg.leg_id for leg in route.legs)
        label = f"{rid}{' (rerouted)' if diverted else ''}: {value:,.0f} TEU"
        merged[(rid, legs)] = MapRoute(rid + (":rerouted" if diverted else ""), label, forward or route, float(value),
                                      baseline=rid == study.file.base.baseline)
    for mr in merged.values():
        mr.label = mr.label.split(":")[0] + f": {mr.teu:,.0f} TEU"
    fac = facilities[(facilities.variant == plan.name) & (facilities.wait_h_mean > 0.25)]
    fac = fac.sort_values("wait_h_mean", ascending=False).head(8)
    bottlenecks = [Bottleneck(r.node, r.facility.replace("_", " "), r.wait_h_mean, r.utilisation) for r in fac.itertuples()]
    order = {rid: i for i, rid in enumerate(study.file.base.routes)}
    routes = sorted(merged.values(), key=lambda m: (order.get(m.key.split(":")[0], 99), m.key))
    return draw_route_map(study.network, load_land(), routes, f"{study.file.base.name} / {plan.name}: flows and waits",
                          bottlenecks=bottlenecks, nsr_note=nsr_note(study))


CHART_REPLICATIONS = 100


def _save(fig, folder: Path, name: str) -> Path:
    path = folder / name
    fig.savefig(path, dpi=fig.dpi)
    plt.close(fig)
    return path


def write_visuals(folder: Path, study, rows: list[dict], facility_rows: list[dict], svg: bool = False) -> list[Path]:
    """Draw the route map, flow maps, charts, and the self-contained report.html into ``folder``."""
    base = study.file.base
    variants = [p.name for p in study.variants]
    # Charts and flow maps use the first CHART_REPLICATIONS replications (each is one row group, so the rest is
    # never read): memory stays bounded however many replications ran; the tables use them all.
    ships = pq.read_table(folder / "shipments.parquet", columns=[
        "variant", "replication", "itinerary", "route", "direction", "teu", "created_h", "transit_days", "status",
        "in_warmup"], read_dictionary=["variant", "route", "direction", "status"],  # categoricals: 3x less memory
        filters=[("replication", "<", CHART_REPLICATIONS)]).to_pandas()
    replications = int(ships.replication.max()) + 1 if len(ships) else 1
    ran = max((int(r["replications"]) for r in rows), default=replications)
    subset = f" (first {replications} of {ran} replications)" if ran > replications else ""
    facilities = pd.DataFrame(facility_rows)
    summary = pd.DataFrame(rows)
    series = pd.read_csv(folder / "facility_timeseries.csv")
    images: list[tuple[str, Path]] = []
    fig = study_map(study)
    images.append(("Route map", _save(fig, folder, "route_map.png")))
    if svg:
        fig = study_map(study)
        fig.savefig(folder / "route_map.svg")
        plt.close(fig)
    for plan in study.variants:
        fig = _flow_map(study, plan, ships, facilities, replications)
        images.append((f"Flows and waits: {plan.name}{subset}", _save(fig, folder, f"flow_map_{plan.name}.png")))
    images.append((f"Transit-time distributions{subset}", _save(charts.transit_ecdf(
        ships, base.routes, base.baseline, variants, "Transit time by route (India to Russia)"), folder, "transit_ecdf.png")))
    images.append((f"Transit time by booking month{subset}", _save(charts.transit_by_month(
        ships, base.routes, base.baseline, variants, base.start_date, "Transit time by booking month (India to Russia)"),
        folder, "transit_by_month.png")))
    for plan in study.variants[:3]:
        images.append((f"Busiest facilities: {plan.name}", _save(charts.facility_load(
            series, facilities, plan.name, base.start_date, f"Busiest facilities over time ({plan.name}, replication 0)"),
            folder, f"facility_load_{plan.name}.png")))
    images.append(("Cost, time and CO2", _save(charts.cost_vs_time(
        summary, base.routes, base.baseline, "Cost against time per route (India to Russia)"), folder, "cost_vs_time.png")))
    _write_html(folder, study, rows, facility_rows, images)
    return [p for _, p in images]


def _fmt(v, digits=1):
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:,.{digits}f}"


def _write_html(folder: Path, study, rows: list[dict], facility_rows: list[dict], images: list[tuple[str, Path]]) -> None:
    from .report import comparison_sentences

    base = study.file.base
    e = html.escape
    findings = "".join(f"<li>{e(s[2:]).replace('**', '')}</li>" for s in comparison_sentences(rows))
    head = ("<tr><th>variant</th><th>route</th><th>direction</th><th>TEU delivered / rep</th><th>transit p50 (d)</th>"
            "<th>p05 - p95 (d)</th><th>Δ p50 vs baseline (d)</th><th>95% CI of Δ</th><th>USD / TEU</th>"
            "<th>kg CO2 / TEU</th><th>on time</th></tr>")
    body = []
    for r in rows:
        cls = ' class="baseline"' if r["is_baseline"] else ""
        body.append(
            f"<tr{cls}><td>{e(r['variant'])}</td><td>{e(r['route'])}{' (baseline)' if r['is_baseline'] else ''}</td>"
            f"<td>{e(r['direction'])}</td><td>{_fmt(r['teu_delivered'], 0)}</td><td>{_fmt(r['transit_days_p50'])}</td>"
            f"<td>{_fmt(r['transit_days_p05'])} - {_fmt(r['transit_days_p95'])}</td>"
            + ("<td>baseline</td><td></td>" if r["is_baseline"] else
               f"<td>{_fmt(r['delta_days_p50_vs_baseline'])}</td><td>{_fmt(r['delta_days_ci_low'])} to {_fmt(r['delta_days_ci_high'])}</td>")
            + f"<td>{_fmt(r['cost_usd_per_teu'], 0)}</td>"
            f"<td>{_fmt(r['co2_kg_per_teu'], 0)}</td><td>{_fmt(100 * r['on_time_share'], 0)}%</td></tr>")
    fac_rows = sorted(facility_rows, key=lambda f: (f["variant"], -f["utilisation"]))
    fac = "".join(
        f"<tr><td>{e(f['variant'])}</td><td>{e(f['facility'])}</td><td>{e(f['node'])}</td><td>{e(f['kind'])}</td>"
        f"<td>{f['servers']}</td><td>{_fmt(100 * f['utilisation'], 0)}%</td><td>{_fmt(f['mean_queue'])}</td>"
        f"<td>{_fmt(f['wait_h_mean'])}</td><td>{_fmt(f['wait_h_p95'])}</td><td>{f['max_queue']}</td></tr>" for f in fac_rows)
    figures = []
    for caption, path in images:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        figures.append(f'<figure><img alt="{e(caption)}" src="data:image/png;base64,{data}"><figcaption>{e(caption)}</figcaption></figure>')
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(base.name)}: corridor comparison</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1400px; color: #222; padding: 0 1rem; }}
h1 {{ margin-bottom: 0.2rem; }} .meta {{ color: #555; }}
table {{ border-collapse: collapse; margin: 1rem 0; font-size: 0.88rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }}
th {{ background: #eef2f6; }} td:nth-child(-n+3) {{ text-align: left; }}
tr.baseline {{ background: #f6f6f6; font-weight: 600; }}
figure {{ margin: 1.5rem 0; }} img {{ max-width: 100%; border: 1px solid #ddd; }}
figcaption {{ color: #555; font-size: 0.9rem; }}
</style></head>
<body data-images-loaded="pending">
<h1>{e(base.name)}: corridor comparison</h1>
<p class="meta">{e(base.description.strip())}</p>
<p class="meta">Study period {base.start_date} to {base.end_date} (warm-up {base.warmup_days:g} days excluded);
baseline <b>{e(base.baseline)}</b>; variants: {e(', '.join(p.name for p in study.variants))};
{rows[0]['replications'] if rows else 0} replications per variant; seed {base.seed}.</p>
<h2>Findings</h2><ul>{findings}</ul>
<h2>Comparison against the baseline</h2>
<table>{head}{''.join(body)}</table>
<p class="meta">Δ: median transit minus the baseline's median in the same replication (negative = faster), with a 95%
t-interval over replications. Cost per TEU: freight, handling, canal/NSR/war-risk fees, inventory holding and empty
repositioning.</p>
{''.join(figures[:1 + len(study.variants)])}
<h2>Charts</h2>
{''.join(figures[1 + len(study.variants):])}
<h2>Facilities</h2>
<table><tr><th>variant</th><th>facility</th><th>node</th><th>kind</th><th>servers</th><th>utilisation</th>
<th>mean queue</th><th>mean wait (h)</th><th>p95 wait (h)</th><th>max queue</th></tr>{fac}</table>
<script>
window.addEventListener("load", function () {{
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) {{ return i.complete && i.naturalWidth > 0; }}).length;
  document.body.setAttribute("data-images-loaded", ok + "/" + imgs.length);
}});
</script>
</body></html>
"""
    (folder / "report.html").write_text(doc, encoding="utf-8")
