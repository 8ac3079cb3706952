"""The README's benchmark table in Markdown, from a results JSON (default benchmarks/results/latest.json):

    python benchmarks/run.py --markdown [FILE]

Every timing cell is "median (min-max, n rounds)"; sections missing from the file are left out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

__all__ = ["table", "ROW_MAKERS"]


def _r(r: dict, unit: str = "x") -> str:
    return f"**{r['median']:.2f}{unit}** ({r['min']:.2f}-{r['max']:.2f}, n={r['n']})"


def _s(s: dict) -> str:
    return f"{s['median']:.2f} s ({s['min']:.2f}-{s['max']:.2f})"


def _engine(e: dict) -> list[tuple[str, str]]:
    s, r = e["seconds"], e["ratio"]
    head = f"{e['events']:,} events, {e['consignments']:,} consignments, mean heap depth {e['mean_heap_depth']:,}"
    return [
        (f"engine, one replication of the default scenario ({head})",
         f"{_s(s['engine'])}; {e['us_per_event']['median']:.2f} us/event; event loop {_s(s['event_loop'])}"),
        ("a worker's replication (engine + summaries + shipments table)", _s(s["replication"])),
        ("engine / SimPy timeout loop, same event count", _r(r["engine_to_timeout_loop"])),
        ("engine / slotted callbacks on SimPy's heap (the engine's mechanism), same events and heap depth",
         _r(r["engine_to_callbacks_at_depth"])),
        ("event loop only / slotted callbacks, same events and heap depth", _r(r["event_loop_to_callbacks_at_depth"])),
        ("engine / SimPy generator processes, same events and heap depth", _r(r["engine_to_processes_at_depth"])),
    ]


def _scaling(sc: dict) -> list[tuple[str, str]]:
    label = {"demand": "demand {} TEU/yr, 1 replication", "replications": "replications: {}, serial",
             "years": "study years: {}, 1 replication"}
    return [(label[p["series"]].format(f"{p['value']:,}"),
             f"{p['seconds']:.2f} s, {p['events']:,} events, {p['us_per_event']:.2f} us/event"
             + (f", {p['steps']:,} consignment steps, {p['us_per_step']:.2f} us/step" if "steps" in p else "")
             + f", peak RSS {p['main_peak_rss_mb']:.0f} MB") for p in sc["points"]]


def _parallel(p: dict) -> list[tuple[str, str]]:
    s = p["seconds"]
    rows = [(f"`run`, {p['replications']} replications, plots {k.split('_')[1]}: serial / 2 workers",
             f"{_s(s[a])} / {_s(s[b])}: speed-up {_r(p['speedup'][k])}")
            for k, a, b in (("plots_off", "serial", "workers_2"), ("plots_on", "serial_plots", "workers_2_plots"))
            if k in p["speedup"]]
    if "ceiling" in p["speedup"]:
        rows.append(("reference: engine-only 2-process scaling, 8 replications of the base variant on 1 / 2 warmed "
                     "worker processes (no outputs; not an upper bound for the run path)",
                     f"{_s(s['ceiling_1'])} / {_s(s['ceiling_2'])}: speed-up {_r(p['speedup']['ceiling'])}"))
    return rows


def _memory(m: dict) -> list[tuple[str, str]]:
    return [(f"`run`, {m['replications']} replications, 2 workers, plots on: peak memory",
             f"main process {m['main_peak_rss_mb']:,.0f} MB, largest worker {m['children_peak_rss_mb']:,.0f} MB "
             f"({m['seconds']:.0f} s, one run)")]


def _peer(p: dict) -> list[tuple[str, str]]:
    rows = []
    for r in p["rows"]:
        m, q = r["moves_per_s"], r["ratio"]
        cell = (f"ours {m['ours']:,.0f}/s, bare SimPy {m['bare_simpy']:,.0f}/s (ours time / bare "
                f"{_r(q['ours_to_bare_simpy'])})")
        if "opentnsim" in m:
            cell += f", OpenTNSim {m['opentnsim']:,.0f}/s (its time / ours {_r(q['opentnsim_to_ours'])})"
        rows.append((f"vessel moves, {r['nodes']}-node chain, {r['vessels']:,} vessels each", cell))
    if not p["rows"] or "opentnsim" not in p["rows"][0]["moves_per_s"]:
        rows.append(("OpenTNSim", p["status"]))
    return rows


#: section name -> rows of the table; a section added later (e.g. sensitivity) may register its own maker
ROW_MAKERS: dict[str, Callable[[dict], list[tuple[str, str]]]] = {
    "engine": _engine, "scaling": _scaling, "parallel": _parallel, "memory": _memory, "peer": _peer}


def table(path: Path) -> str:
    """The Markdown table of the results in ``path``."""
    report = json.loads(path.read_text(encoding="utf-8"))
    m = report.get("machine", {})
    v = m.get("versions", {})
    stamps = sorted({f"{report[n]['measured']['date_utc']} ({report[n]['measured']['commit']})"
                     for n in ROW_MAKERS if n in report and "measured" in report[n]})
    lines = [f"Last run started {m.get('date_utc', '?')} UTC on {m.get('cpus', '?')} CPUs ({m.get('processor', '?')}, "
             f"{m.get('platform', '?')}), Python {v.get('python', '?')}, SimPy {v.get('simpy', '?')}, commit "
             f"{m.get('commit', '?')}; load average at start {m.get('load_average_at_start', '?')}. Sections "
             f"measured (UTC, commit): {', '.join(stamps) or '?'}.", "",
             "| measurement | result |", "|---|---|"]
    for name, maker in ROW_MAKERS.items():
        if name in report:
            lines += [f"| {a} | {b} |" for a, b in maker(report[name])]
    return "\n".join(lines)
