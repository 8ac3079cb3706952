"""The answer first: per direction, each route against the baseline route on median transit, transport cost and
generalized cost (each with its 95% interval), on-time and undelivered shares and, with route choice, the share of
cargo that chose it. Built from summary rows alone, so reports and ``corridor-sim compare`` share it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .text import number

if TYPE_CHECKING:
    from ..experiment import Study

__all__ = ["study_names", "part_names", "lead_sentence", "HeadlineRow", "headline_rows", "headline_cells",
           "HEADLINE_COLUMNS", "direction_rows", "has_shares", "signed"]


def study_names(study: Study) -> tuple[dict[str, str], dict[str, str]]:
    """Place names: route id -> route name, and direction -> "origin to destination" (the baseline route's ends,
    which the forward direction runs between)."""
    nodes = study.network.nodes
    routes = {rid: spec.name for rid, spec in study.specs.items()}
    for rid in study.file.base.routes:  # flows on part of a route ride it between two of its places
        for key in {k for p in study.variants for k in p.info.routes if k.startswith(f"{rid}@")}:
            rid_part = key.split(":")[0]
            routes[rid_part] = part_names([rid_part], study.network).get(rid_part, rid_part).replace(
                rid, routes.get(rid, rid), 1)

    def place(nid: str) -> str:
        return nodes[nid].name.split(" (")[0] if nid in nodes else nid

    spec = study.specs.get(study.file.base.baseline)
    if spec is None:
        return routes, {}
    a, b = place(spec.origin), place(spec.destination)
    return routes, {"forward": f"{a} to {b}", "reverse": f"{b} to {a}"}


def part_names(routes: list[str], network) -> dict[str, str]:
    """A flow on part of a route (``<route>@<A>-<B>``) named by its places: ``<route> (A to B)``."""
    out = {}
    for rid in routes:
        base, _, part = rid.partition("@")
        ends = part.split("-")
        if part and len(ends) == 2 and all(n in network.nodes for n in ends):
            out[rid] = f"{base} ({' to '.join(network.nodes[n].name.split(' (')[0] for n in ends)})"
    return out


@dataclass
class Delta:
    """A value, its difference from the baseline route (same variant, replication and direction) and the 95%
    interval of that difference."""

    value: float
    delta: float
    low: float
    high: float


@dataclass
class HeadlineRow:
    """One route of one variant in one direction, against the baseline route."""

    variant: str
    route: str
    name: str
    direction: str
    baseline: bool
    transit_days: Delta
    transport_usd: Delta
    generalized_usd: Delta
    on_time_share: float
    undelivered_share: float
    cargo_share: float  # NaN without route choice


def _delta(row: dict, value: str, name: str) -> Delta:
    return Delta(row[value], row[f"{name}_vs_baseline"], row[f"{name}_ci_low"], row[f"{name}_ci_high"])


def headline_rows(rows: list[dict], names: dict[str, str] | None = None) -> list[HeadlineRow]:
    """The summary rows as headline rows (``names``: route id -> place name; the id when missing)."""
    names = names or {}
    out = []
    for r in rows:
        route = r["route"]
        out.append(HeadlineRow(
            variant=r["variant"], route=route, name=names.get(route, names.get(route.partition("@")[0], route)),
            direction=r["direction"], baseline=bool(r["is_baseline"]),
            transit_days=_delta(r, "transit_days_p50", "delta_days_p50"),
            transport_usd=_delta(r, "transport_usd_per_teu", "delta_transport_usd_per_teu"),
            generalized_usd=_delta(r, "generalized_cost_usd_per_teu", "delta_generalized_usd_per_teu"),
            on_time_share=r["on_time_share"], undelivered_share=r["undelivered_share"],
            cargo_share=r.get("teu_share", math.nan)))
    return out


def direction_rows(rows: list[HeadlineRow]) -> dict[str, list[HeadlineRow]]:
    """Rows grouped by direction (forward first), baseline route first within each variant."""
    out: dict[str, list[HeadlineRow]] = {}
    for d in sorted({r.direction for r in rows}, key=lambda d: (d != "forward", d)):
        picked = [r for r in rows if r.direction == d]
        order = list(dict.fromkeys(r.variant for r in picked))
        out[d] = sorted(picked, key=lambda r: (order.index(r.variant), not r.baseline))
    return out


def has_shares(rows: list[HeadlineRow]) -> bool:
    """Whether any route's share was chosen (route choice ran)."""
    return any(not math.isnan(r.cargo_share) for r in rows)


def signed(value: float, digits: int) -> str:
    """``value`` with an explicit sign (+/-), or n/a."""
    if value is None or math.isnan(value):
        return "n/a"
    return ("+" if value > 0 else "-" if value < 0 else "±") + number(abs(value), digits)


def _cell(d: Delta, digits: int, baseline: bool) -> str:
    """``24.3 (-5.1 [-6.0, -4.2])``: the value, then the difference from the baseline route and its interval."""
    if baseline:
        return f"{number(d.value, digits)} (baseline)"
    if math.isnan(d.delta):
        return number(d.value, digits)
    ci = "" if math.isnan(d.low) else f" [{signed(d.low, digits)}, {signed(d.high, digits)}]"
    return f"{number(d.value, digits)} ({signed(d.delta, digits)}{ci})"


HEADLINE_COLUMNS = [("variant", "variant"), ("route", "route"), ("transit", "median transit, days (Δ vs baseline "
                    "route [95% CI])"), ("transport", "transport USD/TEU (Δ [95% CI])"),
                    ("generalized", "generalized USD/TEU (Δ [95% CI])"), ("on_time", "on time"),
                    ("undelivered", "still moving at end"), ("share", "share of cargo")]


def headline_cells(rows: list[HeadlineRow], shares: bool) -> tuple[list[dict], list[tuple[str, str]]]:
    """Formatted cells of ``rows`` and the columns to show (no share column without route choice)."""
    cells = [{"variant": r.variant, "route": f"{r.name} ({r.route})" if r.name != r.route else r.route,
              "transit": _cell(r.transit_days, 1, r.baseline), "transport": _cell(r.transport_usd, 0, r.baseline),
              "generalized": _cell(r.generalized_usd, 0, r.baseline),
              "on_time": f"{number(100 * r.on_time_share, 0)}%",
              "undelivered": f"{number(100 * r.undelivered_share, 0)}%",
              "share": "" if math.isnan(r.cargo_share) else f"{number(100 * r.cargo_share, 0)}%"} for r in rows]
    columns = [c for c in HEADLINE_COLUMNS if shares or c[0] != "share"]
    return cells, columns


def lead_sentence(rows: list[HeadlineRow]) -> str | None:
    """The answer in one sentence for a direction: the first variant's route with the lowest generalized cost
    against the baseline route (None when there is no other route)."""
    first = rows[0].variant if rows else None
    others = [r for r in rows if r.variant == first and not r.baseline and not math.isnan(r.generalized_usd.delta)]
    if not others:
        return None
    r = min(others, key=lambda r: r.generalized_usd.delta)
    t, c = r.transit_days, r.transport_usd

    def ci(d: Delta, digits: int) -> str:
        return "" if math.isnan(d.low) else f" [95% CI {signed(d.low, digits)} to {signed(d.high, digits)}]"

    faster = "faster" if t.delta < 0 else "slower"
    cheaper = "cheaper" if c.delta < 0 else "dearer"
    return (f"In {r.variant}, {r.name} is {number(abs(t.delta))} days {faster}{ci(t, 1)} and USD "
            f"{number(abs(c.delta), 0)} per TEU {cheaper}{ci(c, 0)} than the baseline route, with "
            f"{number(100 * r.undelivered_share, 0)}% of its cargo still moving at the end; it has the lowest "
            f"generalized cost (with the cargo's time) against the baseline route.")
