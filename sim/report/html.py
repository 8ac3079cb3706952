"""report.html: the study, findings, comparison table, maps, charts and facilities on one self-contained page."""

from __future__ import annotations

import base64
import html
from functools import partial
from pathlib import Path

from ..equilibrium import ChoiceOutcome
from ..experiment import Study
from .answer import Answer, answer_html, build_answer
from .choice import CONVERGENCE_NOTE, convergence_lines, elasticity_rows, share_rows
from .text import number as _number

__all__ = ["write_html"]

number = partial(_number, missing="")


def write_html(folder: Path, study: Study, rows: list[dict], facility_rows: list[dict],
               images: list[tuple[str, Path]], choice: dict[str, ChoiceOutcome] | None = None,
               answer: Answer | None = None, interactive: str | None = None) -> None:
    """Write report.html: one self-contained page (images inlined as data URIs; no network needed) that opens
    with the answer; ``interactive`` names the interactive map page beside it, linked from the maps."""
    base = study.file.base
    e = html.escape
    answer = answer or build_answer(study, rows, facility_rows, choice, rows[0]["replications"] if rows else 0)
    details = _detail_table(rows)
    fac_rows = sorted(facility_rows, key=lambda f: (f["variant"], -f["utilisation"]))
    fac = "".join(
        f"<tr><td>{e(f['variant'])}</td><td>{e(f['facility'])}</td><td>{e(f['node'])}</td><td>{e(f['kind'])}</td>"
        f"<td>{f['servers']}</td><td>{number(100 * f['utilisation'], 0)}%</td><td>{number(f['mean_queue'])}</td>"
        f"<td>{number(f['wait_h_mean'])}</td><td>{number(f['wait_h_p95'])}</td><td>{f['max_queue']}</td></tr>"
        for f in fac_rows)
    figures = []
    for caption, path in images:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        figures.append(f'<figure><img alt="{e(caption)}" '
                       f'src="data:image/png;base64,{data}"><figcaption>{e(caption)}</figcaption></figure>')
    link = (f'<p>Pan, zoom and hover over every leg and facility in the <a href="{e(interactive)}">interactive map</a> '
            "(a file beside this one; works offline).</p>" if interactive else "")
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(base.name)}: corridor comparison</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI",
       sans-serif; margin: 2rem auto; max-width: 1400px; color: #222; padding: 0 1rem; }}
h1 {{ margin-bottom: 0.2rem; }} .meta {{ color: #555; }}
table {{ border-collapse: collapse; margin: 1rem 0; font-size: 0.88rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; }}
th {{ background: #eef2f6; }} td:nth-child(-n+3) {{ text-align: left; }}
tr.baseline {{ background: #f6f6f6; font-weight: 600; }}
table.headline {{ font-size: 0.95rem; }} table.headline td {{ white-space: nowrap; }}
table.headline td:nth-child(2) {{ white-space: normal; text-align: left; }}
p.lead {{ font-size: 1.05rem; }}
.warnings {{ background: #fff4e5; border-left: 4px solid #e08a00; padding: 0.4rem 0.8rem; }}
figure {{ margin: 1.5rem 0; }} img {{ max-width: 100%; border: 1px solid #ddd; }}
figcaption {{ color: #555; font-size: 0.9rem; }}
</style></head>
<body data-images-loaded="pending">
<h1>{e(base.name)}: corridor comparison</h1>
<p class="meta">{e(base.description.strip())}</p>
<p class="meta">Study period {base.start_date} to {base.end_date} (warm-up {base.warmup_days:g} days excluded);
baseline <b>{e(base.baseline)}</b>; variants: {e(', '.join(p.name for p in study.variants))};
{rows[0]['replications'] if rows else 0} replications per variant; seed {base.seed}.</p>
{answer_html(answer)}
<h2>Every route in detail</h2>
{details}
<p class="meta">Δ: the route's value minus the baseline route's in the same variant and replication (negative =
faster or cheaper), with a 95% t-interval over replications. Cost per TEU: freight, handling, canal/NSR/war-risk
fees, inventory holding and empty repositioning.</p>
<h2>Maps</h2>
{link}
{''.join(figures[:1 + len(study.variants)])}
{_choice_section(rows, choice) if choice else ""}
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


def _detail_table(rows: list[dict]) -> str:
    """Every route of every variant: transit, differences from the baseline route with intervals, costs."""
    e = html.escape
    head = ("<tr><th>variant</th><th>route</th><th>direction</th><th>TEU delivered / rep</th><th>transit p50 (d)</th>"
            "<th>p05 - p95 (d)</th><th>Δ p50 vs baseline route (d) [95% CI]</th><th>transport USD / TEU</th>"
            "<th>Δ transport vs baseline route [95% CI]</th><th>generalized USD / TEU</th>"
            "<th>kg CO2 / TEU</th><th>on time</th><th>still moving at end</th></tr>")
    body = []
    for r in rows:
        cls = ' class="baseline"' if r["is_baseline"] else ""
        body.append(
            f"<tr{cls}><td>{e(r['variant'])}</td><td>{e(r['route'])}{' (baseline)' if r['is_baseline'] else ''}</td>"
            f"<td>{e(r['direction'])}</td><td>{number(r['teu_delivered'], 0)}</td>"
            f"<td>{number(r['transit_days_p50'])}</td>"
            f"<td>{number(r['transit_days_p05'])} - {number(r['transit_days_p95'])}</td>"
            + ("<td>baseline</td>" if r["is_baseline"] else
               f"<td>{number(r['delta_days_p50_vs_baseline'])} [{number(r['delta_days_p50_ci_low'])}, "
               f"{number(r['delta_days_p50_ci_high'])}]</td>")
            + f"<td>{number(r['transport_usd_per_teu'], 0)}</td>"
            + ("<td>baseline</td>" if r["is_baseline"] else
               f"<td>{number(r['delta_transport_usd_per_teu_vs_baseline'], 0)} "
               f"[{number(r['delta_transport_usd_per_teu_ci_low'], 0)}, "
               f"{number(r['delta_transport_usd_per_teu_ci_high'], 0)}]</td>")
            + f"<td>{number(r['generalized_cost_usd_per_teu'], 0)}</td>"
            f"<td>{number(r['co2_kg_per_teu'], 0)}</td><td>{number(100 * r['on_time_share'], 0)}%</td>"
            f"<td>{number(100 * r['undelivered_share'], 0)}%</td></tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for _, h in columns)
    body = "".join("<tr>" + "".join(f"<td>{e(str(r[k]))}</td>" for k, _ in columns) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _choice_section(rows: list[dict], choice: dict[str, ChoiceOutcome]) -> str:
    """Route choice: convergence per variant, the chosen shares and the elasticities."""
    e = html.escape
    status = "".join(f"<li>{e(line[2:]).replace('**', '')}</li>" for line in convergence_lines(choice))
    shares = _table(share_rows(rows), [("variant", "variant"), ("route", "route"), ("direction", "direction"),
                                       ("share", "share"), ("teu", "TEU booked / rep"), ("p50", "transit p50 (d)"),
                                       ("gcost", "generalized USD / TEU")])
    elastic = _table(elasticity_rows(choice), [("variant", "variant"), ("flow", "flow"), ("route", "route"),
                                              ("share", "share"), ("cost", "cost elasticity"),
                                              ("time", "time elasticity")])
    return (f"<h2>Route choice</h2><p class=\"meta\">{e(CONVERGENCE_NOTE).replace('*', '')}</p><ul>{status}</ul>"
            f"<h3>Shares chosen</h3>{shares}<h3>How shares respond to a route's own cost and time</h3>{elastic}")
