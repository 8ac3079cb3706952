"""The benchmark script's building blocks: interleaved rounds, ratios within a round, and floors that do the
event count they are given (the full script is run by hand: python benchmarks/run.py --quick)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import common, floors, markdown  # noqa: E402


def test_rounds_alternate_their_order_and_drop_the_warm_up():
    calls: list[str] = []

    def contender(name: str, seconds: float):
        def go() -> float:
            calls.append(name)
            return seconds
        return go

    out = common.interleaved({"a": contender("a", 2.0), "b": contender("b", 1.0)}, rounds=3, warmup=1)
    assert calls == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert out == {"a": [2.0, 2.0, 2.0], "b": [1.0, 1.0, 1.0]}
    r = common.ratio(out["a"], out["b"])
    assert (r["median"], r["min"], r["max"], r["n"]) == (2.0, 2.0, 2.0, 3)


def test_the_slotted_callback_floor_schedules_exactly_the_events_asked_for():
    from sim.engine.clock import Clock

    counted: list[int] = []
    run = Clock.run

    def counting(clock, until):
        n = run(clock, until)
        counted.append(n)
        return n

    Clock.run = counting  # type: ignore[method-assign]
    try:
        floors.callbacks_at_depth(5_000, 50)
    finally:
        Clock.run = run  # type: ignore[method-assign]
    assert len(counted) == 1 and 5_000 <= counted[0] <= 5_003  # plus the few a Clock.run itself schedules
    floors.timeout_loop(1_000)
    floors.processes_at_depth(1_000, 10)


def test_the_markdown_table_reads_a_results_file(tmp_path):
    point = {"series": "demand", "value": 10_000, "seconds": 1.0, "events": 100, "us_per_event": 10.0,
             "main_peak_rss_mb": 200.0}
    report = {"machine": {"date_utc": "2026-01-01 00:00:00", "cpus": 2, "versions": {"python": "3.11"}},
              "scaling": {"points": [point], "measured": {"date_utc": "2026-01-01 00:00:00", "commit": "abc"}}}
    path = tmp_path / "latest.json"
    path.write_text(json.dumps(report))
    text = markdown.table(path)
    assert "| demand 10,000 TEU/yr, 1 replication | 1.00 s, 100 events, 10.00 us/event" in text
    assert "2026-01-01 00:00:00 (abc)" in text


def test_the_route_choice_benchmark_compares_the_default_study_with_its_fixed_share_self(tmp_path):
    from benchmarks import choice
    from sim.scenario import load_scenario

    fixed = load_scenario(choice.fixed_copy(tmp_path))
    chosen = load_scenario(choice.DEFAULT)
    assert all(not v.route_choice.chosen for v in fixed.variants.values())
    assert all(v.route_choice.chosen for v in chosen.variants.values())
    assert {n: v.demand for n, v in fixed.variants.items()} == {n: v.demand for n, v in chosen.variants.items()}


def test_a_scaling_point_counts_consignment_steps_beside_events():
    """Cost per step is what stays comparable when fuller vehicles end more rides per event."""
    from benchmarks import scaling

    p = scaling.point("demand", "10000")
    assert p["steps"] > p["events"] / 2 > 0  # every consignment visits and rides; an arrival ends many rides
    assert abs(p["us_per_step"] - 1e6 * p["seconds"] / p["steps"]) < 1e-6 * p["us_per_step"]
    row = markdown.ROW_MAKERS["scaling"]({"points": [p]})[0][1]
    assert f"{p['steps']:,} consignment steps" in row


def test_the_parallel_ceiling_runs_engine_replications_on_a_warmed_pool():
    from benchmarks import parallel

    assert parallel.ceiling(1, 1) > 0.0
    res = {"replications": 20, "seconds": {k: {"median": 2.0, "min": 1.0, "max": 3.0, "n": 7} for k in
                                           ("serial_plots", "workers_2_plots", "ceiling_1", "ceiling_2")},
           "speedup": {k: {"median": 1.5, "min": 1.4, "max": 1.6, "n": 7} for k in ("plots_on", "ceiling")}}
    rows = markdown.ROW_MAKERS["parallel"](res)
    assert [r[0].split(":")[0] for r in rows] == ["`run`, 20 replications, plots on", "reference"]
