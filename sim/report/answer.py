"""The section both reports open with: the headline table per direction, what it rests on, and the warnings."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from ..equilibrium import ChoiceOutcome
from ..experiment import Study
from .basis import basis_paragraph, run_warnings, sensitivity_drivers
from .headline import direction_rows, has_shares, headline_cells, headline_rows, lead_sentence, study_names
from .text import markdown_table

__all__ = ["Answer", "build_answer", "answer_markdown", "answer_html", "HEADLINE_NOTE"]

HEADLINE_NOTE = ("Each cell: the route's value, then in brackets its difference from the baseline route (same "
                 "variant, replication and direction; negative = faster or cheaper) with the 95% interval of that "
                 "difference over replications. Transport cost: freight, handling, fees and the empty boxes sent "
                 "back; generalized cost adds the cargo's value of time. 'Still moving at end': share of the cargo "
                 "booked that had not arrived when the run ended.")


@dataclass
class Answer:
    """The headline: one table per direction (titled with place names), the basis paragraph and the warnings."""

    tables: list[tuple[str, str | None, list[dict], list[tuple[str, str]]]]  # title, lead sentence, cells, columns
    basis: str
    warnings: list[str]


def build_answer(study: Study, rows: list[dict], facility_rows: list[dict], choice: dict[str, ChoiceOutcome] | None,
                 replications: int, sensitivity: Path | None = None) -> Answer:
    """The headline section's content from the run's tables (``sensitivity``: a sensitivity run folder, or
    None)."""
    names, titles = study_names(study)
    # a border post keeps its country (two Astaras, two Sarakhs)
    node_names = {nid: n.name if n.kind == "border" else n.name.split(" (")[0]
                  for nid, n in study.network.nodes.items()}
    hrows = headline_rows(rows, names)
    shares = has_shares(hrows)
    tables = []
    for direction, picked in direction_rows(hrows).items():
        cells, columns = headline_cells(picked, shares)
        tables.append((f"{direction}: {titles.get(direction, direction)}", lead_sentence(picked), cells, columns))
    drivers = sensitivity_drivers(sensitivity)
    return Answer(tables, basis_paragraph(study, replications, drivers, sensitivity),
                  run_warnings(rows, facility_rows, choice, {**node_names, **names}))


def answer_markdown(a: Answer) -> list[str]:
    """The headline section as markdown lines."""
    lines = ["## The answer", ""]
    for title, lead, cells, columns in a.tables:
        lines += [f"### {title}", "", *([lead, ""] if lead else []), markdown_table(cells, columns), ""]
    lines += [HEADLINE_NOTE, "", "**What this rests on.** " + a.basis, ""]
    if a.warnings:
        lines += ["**Warnings**", "", *(f"- {w}" for w in a.warnings), ""]
    return lines


def answer_html(a: Answer) -> str:
    """The headline section as HTML (one table per direction)."""
    e = html.escape
    parts = ['<section id="headline"><h2>The answer</h2>']
    for title, lead, cells, columns in a.tables:
        head = "".join(f"<th>{e(h)}</th>" for _, h in columns)
        body = "".join(
            f"<tr{' class=baseline' if '(baseline)' in c['transit'] else ''}>"
            + "".join(f"<td>{e(str(c[k]))}</td>" for k, _ in columns) + "</tr>" for c in cells)
        parts.append(f"<h3>{e(title)}</h3>" + (f'<p class="lead">{e(lead)}</p>' if lead else "")
                     + f"<table class=\"headline\"><tr>{head}</tr>{body}</table>")
    parts.append(f'<p class="meta">{e(HEADLINE_NOTE)}</p><p><b>What this rests on.</b> {e(a.basis)}</p>')
    if a.warnings:
        parts.append('<div class="warnings"><b>Warnings</b><ul>'
                     + "".join(f"<li>{e(w)}</li>" for w in a.warnings) + "</ul></div>")
    parts.append("</section>")
    return "".join(parts)
