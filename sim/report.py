"""report.md: the comparison against the baseline in words and tables (and the HTML report, when plots are on)."""

from __future__ import annotations

import math
from pathlib import Path

__all__ = ["write_report", "comparison_sentences", "markdown_table"]


def _f(v: float, digits: int = 1) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:,.{digits}f}"


def markdown_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """A GitHub-flavoured markdown table of ``rows``; ``columns`` are (key, header) pairs."""
    head = "| " + " | ".join(h for _, h in columns) + " |"
    sep = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(str(r[k]) for k, _ in columns) + " |" for r in rows]
    return "\n".join([head, sep, *body])


def comparison_sentences(rows: list[dict]) -> list[str]:
    """One plain-language sentence per non-baseline route and direction."""
    out = []
    for r in rows:
        if r["is_baseline"] or math.isnan(r["delta_days_p50_vs_baseline"]):
            continue
        d = r["delta_days_p50_vs_baseline"]
        lo, hi = r["delta_days_ci_low"], r["delta_days_ci_high"]
        faster = "faster" if d < 0 else "slower"
        sure = ""
        if not math.isnan(lo) and not math.isnan(hi):
            sure = (" (the 95% interval excludes zero)" if (lo > 0 or hi < 0)
                    else " (the 95% interval includes zero: no clear difference)")
        cost = r["delta_cost_usd_per_teu_vs_baseline"]
        cheaper = "cheaper" if cost < 0 else "dearer"
        out.append(
            f"- **{r['variant']}**, {r['route']} ({r['direction']}): median transit {_f(r['transit_days_p50'])} days, "
            f"{_f(abs(d))} days {faster} than the baseline [95% CI {_f(lo)} to {_f(hi)}]{sure}; "
            f"{_f(abs(cost), 0)} USD/TEU {cheaper}."
        )
    return out


def write_report(folder: Path, study, rows: list[dict], facility_rows: list[dict], replications: int, seed: int,
                 plots: bool = True, service_rows: list[dict] | None = None) -> None:
    """Write report.md (and, with plots, the charts, maps and report.html) into ``folder``."""
    base = study.file.base
    lines = [
        f"# {base.name}: corridor comparison",
        "",
        base.description.strip() or "",
        "",
        f"- Study period: {base.start_date} to {base.end_date} (warm-up {base.warmup_days:g} days excluded)",
        f"- Baseline route: **{base.baseline}**; compared: {', '.join(base.routes)}",
        f"- Variants: {', '.join(p.name for p in study.variants)}",
        f"- Replications: {replications} per variant, seed {seed}",
        "- Transit days run from booking to delivery at the destination terminal; cost per TEU includes freight, "
        "handling, canal/NSR/war-risk fees, inventory holding and the route's share of empty repositioning.",
        "",
        "## Findings",
        "",
        *comparison_sentences(rows),
        "",
        "## Comparison against the baseline",
        "",
    ]
    table_rows = []
    for r in rows:
        table_rows.append({
            "variant": r["variant"], "route": r["route"] + (" (baseline)" if r["is_baseline"] else ""),
            "direction": r["direction"], "teu": _f(r["teu_delivered"], 0),
            "p50": _f(r["transit_days_p50"]), "p05_p95": f"{_f(r['transit_days_p05'])} - {_f(r['transit_days_p95'])}",
            "delta": "baseline" if r["is_baseline"] else _f(r["delta_days_p50_vs_baseline"]),
            "ci": "" if r["is_baseline"] else f"{_f(r['delta_days_ci_low'])} to {_f(r['delta_days_ci_high'])}",
            "cost": _f(r["cost_usd_per_teu"], 0), "co2": _f(r["co2_kg_per_teu"], 0),
            "ontime": _f(100 * r["on_time_share"], 0) + "%", "div": _f(100 * r["diverted_share"], 0) + "%",
        })
    lines.append(markdown_table(table_rows, [
        ("variant", "variant"), ("route", "route"), ("direction", "direction"), ("teu", "TEU delivered / rep"),
        ("p50", "transit p50 (days)"), ("p05_p95", "p05 - p95"), ("delta", "Δ p50 vs baseline"),
        ("ci", "95% CI of Δ"), ("cost", "USD/TEU"), ("co2", "kg CO2/TEU"), ("ontime", f"on time (≤{base.on_time_days:g} d)"),
        ("div", "diverted"),
    ]))
    lines += ["", "## Busiest facilities", ""]
    top = sorted(facility_rows, key=lambda f: -f["utilisation"])[:10]
    lines.append(markdown_table([
        {"variant": f["variant"], "facility": f["facility"], "node": f["node"], "util": f"{100 * f['utilisation']:.0f}%",
         "wait": _f(f["wait_h_mean"]), "p95": _f(f["wait_h_p95"]), "maxq": f["max_queue"]} for f in top
    ], [("variant", "variant"), ("facility", "facility"), ("node", "node"), ("util", "utilisation"),
        ("wait", "mean wait (h)"), ("p95", "p95 wait (h)"), ("maxq", "max queue")]))
    if service_rows:
        lines += ["", "## Fullest services (mean load factor of departing vehicles; near 1.0 means cargo waits for space)", ""]
        top_s = sorted(service_rows, key=lambda r: -r["mean_load_factor"])[:10]
        lines.append(markdown_table([
            {"variant": r["variant"], "service": r["service"], "direction": r["direction"],
             "lf": f"{100 * r['mean_load_factor']:.0f}%", "dep": _f(r["departures"], 0), "teu": _f(r["teu"], 0)} for r in top_s
        ], [("variant", "variant"), ("service", "service"), ("direction", "direction"), ("lf", "load factor"),
            ("dep", "departures / rep"), ("teu", "TEU / rep")]))
    lines += ["", "Files: summary.csv, facilities.csv, services.csv, facility_timeseries.csv, itineraries.csv, shipments.parquet, manifest.json "
              "(columns and units in the README).", ""]
    (folder / "report.md").write_text("\n".join(lines), encoding="utf-8")
    if plots:
        try:
            from .html_report import write_visuals
        except ImportError:  # maps and charts arrive with the reporting module
            return
        write_visuals(folder, study, rows, facility_rows)
