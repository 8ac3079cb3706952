"""report.md: the comparison against the baseline in words and tables."""

from __future__ import annotations

from pathlib import Path

from ..equilibrium import ChoiceOutcome
from ..experiment import Study
from .answer import Answer, answer_markdown, build_answer
from .choice import choice_markdown
from .text import markdown_table, number

__all__ = ["write_markdown"]


def write_markdown(folder: Path, study: Study, rows: list[dict], facility_rows: list[dict],
                   service_rows: list[dict], replications: int, seed: int,
                   choice: dict[str, ChoiceOutcome] | None = None, answer: Answer | None = None) -> None:
    """Write report.md into ``folder``: the answer first (headline table per direction, what it rests on,
    warnings), then the study, every route in detail, the route choice (when shippers choose), facility and
    service tables."""
    base = study.file.base
    answer = answer or build_answer(study, rows, facility_rows, choice, replications)
    lines = [
        f"# {base.name}: corridor comparison",
        "",
        base.description.strip() or "",
        "",
        *answer_markdown(answer),
        "## The study",
        "",
        f"- Study period: {base.start_date} to {base.end_date} (warm-up {base.warmup_days:g} days excluded)",
        f"- Baseline route: **{base.baseline}**; compared: {', '.join(base.routes)}",
        f"- Variants: {', '.join(p.name for p in study.variants)}",
        f"- Replications: {replications} per variant, seed {seed}",
        "- Transit days run from booking to delivery at the destination terminal (Kaplan-Meier estimates: cargo "
        "still moving when the run ends counts as undelivered, not as missing). Transport cost per TEU: freight, "
        "handling, canal/NSR/war-risk fees and the empty boxes sent back; generalized cost adds the cargo's value of "
        "time in transit.",
        "",
        "## Every route in detail (Δ: against the baseline route)",
        "",
    ]
    table_rows = []
    for r in rows:
        table_rows.append({
            "variant": r["variant"], "route": r["route"] + (" (baseline)" if r["is_baseline"] else ""),
            "direction": r["direction"], "teu": number(r["teu_delivered"], 0),
            "p50": number(r["transit_days_p50"]),
            "p05_p95": f"{number(r['transit_days_p05'])} - {number(r['transit_days_p95'])}",
            "delta": "baseline" if r["is_baseline"] else number(r["delta_days_p50_vs_baseline"]),
            "ci": "" if r["is_baseline"]
            else f"{number(r['delta_days_p50_ci_low'])} to {number(r['delta_days_p50_ci_high'])}",
            "cost": number(r["transport_usd_per_teu"], 0), "gcost": number(r["generalized_cost_usd_per_teu"], 0),
            "undelivered": number(100 * r["undelivered_share"], 0) + "%", "co2": number(r["co2_kg_per_teu"], 0),
            "ontime": number(100 * r["on_time_share"], 0) + "%", "div": number(100 * r["diverted_share"], 0) + "%",
        })
    lines.append(markdown_table(table_rows, [
        ("variant", "variant"), ("route", "route"), ("direction", "direction"), ("teu", "TEU delivered / rep"),
        ("p50", "transit p50 (days)"), ("p05_p95", "p05 - p95"), ("delta", "Δ p50 vs baseline route"),
        ("ci", "95% CI of Δ"), ("cost", "transport USD/TEU"), ("gcost", "generalized USD/TEU"),
        ("co2", "kg CO2/TEU"), ("ontime", f"on time (≤{base.on_time_days:g} d)"), ("undelivered", "undelivered"),
        ("div", "diverted"),
    ]))
    if choice:
        lines += ["", *choice_markdown(rows, choice)]
    lines += ["", "## Busiest facilities", ""]
    top = sorted(facility_rows, key=lambda f: -f["utilisation"])[:10]
    lines.append(markdown_table([
        {"variant": f["variant"], "facility": f["facility"], "node": f["node"],
         "util": f"{100 * f['utilisation']:.0f}%",
         "wait": number(f["wait_h_mean"]), "p95": number(f["wait_h_p95"]), "maxq": f["max_queue"]} for f in top
    ], [("variant", "variant"), ("facility", "facility"), ("node", "node"), ("util", "utilisation"),
        ("wait", "mean wait (h)"), ("p95", "p95 wait (h)"), ("maxq", "max queue")]))
    if service_rows:
        lines += ["", "## Fullest services (mean load factor of departing vehicles; near 1.0 means cargo waits for "
                  "space)", ""]
        top_s = sorted(service_rows, key=lambda r: -r["mean_load_factor"])[:10]
        lines.append(markdown_table([
            {"variant": r["variant"], "service": r["service"], "direction": r["direction"],
             "lf": f"{100 * r['mean_load_factor']:.0f}%", "dep": number(r["departures"], 0),
             "teu": number(r["teu"], 0)} for r in top_s
        ], [("variant", "variant"), ("service", "service"), ("direction", "direction"), ("lf", "load factor"),
            ("dep", "departures / rep"), ("teu", "TEU / rep")]))
    lines += ["", "Files: summary.csv, facilities.csv, services.csv, facility_timeseries.csv, itineraries.csv, "
              "shipments.parquet, manifest.json" + (", route_choice.csv, route_choice_elasticities.csv" if choice
                                                     else "") + " "
              "(columns and units in the README).", ""]
    (folder / "report.md").write_text("\n".join(lines), encoding="utf-8")
