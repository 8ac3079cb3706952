"""`corridor-sim sensitivity`: check the options, run the design on the study's executor, write the folder.

The folder is written like a run folder: to a temporary sibling renamed into place when complete, so an error or
an interrupt leaves nothing behind. It holds ``sensitivity.csv`` (every point's decision outputs), ``indices.csv``
(swings and indices per assumption and output), ``design.csv`` (the sampled values, for sampled designs),
``uncertainty.csv`` (joint sampling), ``tornado_<output>.png``, ``report.md`` and ``manifest.json``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CorridorError
from ..experiment import dask_client, prepare_study
from ..limits import MAX_REPLICATIONS, MAX_SEED, MAX_WORKERS
from ..outputs import atomic_folder, check_output_path, default_run_folder, write_csv, write_json
from ..runner import OUTPUT_ROOT, check_scheduler
from . import indices as ix
from .design import METHODS, Design, lhs_design, morris_design, oat_design, sobol_design
from .evaluate import OUTPUTS, Evaluator, Point
from .parameters import Parameter, list_parameters, select
from .report import tornado, write_markdown

__all__ = ["SensitivityOptions", "SensitivityResult", "run_sensitivity", "check_sensitivity_options",
           "DEFAULT_REPLICATIONS", "POINT_COLUMNS"]

#: Replications per point unless asked: common random numbers make one replication's differences between points
#: free of sampling noise, and the default study's one-at-a-time analysis then fits in about ten minutes on two
#: cores (benchmarks/run.py measures it).
DEFAULT_REPLICATIONS = 1
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64, "uncertainty": 64}
POINT_COLUMNS = ("method", "point", "parameter", "level", "output", "route", "direction", "value")


@dataclass
class SensitivityOptions:
    """What the user asked for (None: the default)."""

    scenario: Path
    method: str = "oat"
    outputs: list[str] | None = None
    out: Path | None = None
    replications: int = DEFAULT_REPLICATIONS
    seed: int | None = None
    workers: int = 1
    scheduler: str | None = None
    parameters: list[str] | None = None
    samples: int | None = None
    top: int = 6
    days: int | None = None
    plots: bool = True
    geodata: Path | None = None
    calibration: Path | None = None


@dataclass
class SensitivityResult:
    """Where the folder went, the assumptions ranked, and timings."""

    folder: Path
    ranking: list[tuple[str, float, int]]
    seconds: float
    points: int
    distinct: int
    index_rows: list[dict] = field(default_factory=list)


def check_sensitivity_options(opts: SensitivityOptions) -> None:
    """Refuse impossible options before any work: one line naming the option and what is allowed."""
    if opts.method not in METHODS:
        raise CorridorError(f"--method '{opts.method[:50]}': allowed: {', '.join(METHODS)}")
    for name in opts.outputs or []:
        if name not in OUTPUTS:
            raise CorridorError(f"--outputs '{name[:50]}': allowed: {', '.join(OUTPUTS)}")
    if not 1 <= opts.replications <= MAX_REPLICATIONS:
        raise CorridorError(f"--replications {opts.replications}: allowed: 1 to {MAX_REPLICATIONS:,}")
    if opts.seed is not None and not 0 <= opts.seed <= MAX_SEED:
        raise CorridorError(f"--seed {opts.seed}: allowed: 0 to {MAX_SEED}")
    if not 1 <= opts.workers <= MAX_WORKERS:
        raise CorridorError(f"--workers {opts.workers}: allowed: 1 to {MAX_WORKERS}")
    if opts.samples is not None and not 2 <= opts.samples <= 100_000:
        raise CorridorError(f"--samples {opts.samples}: allowed: 2 to 100,000")
    if not 1 <= opts.top <= 1000:
        raise CorridorError(f"--top {opts.top}: allowed: 1 to 1,000")
    if opts.days is not None and opts.days < 1:
        raise CorridorError(f"--days {opts.days}: allowed: at least 1 (and shorter than the study)")
    check_scheduler(opts.scheduler)
    if opts.out is not None:
        check_output_path(opts.out)
        if opts.out.exists():
            raise FileExistsError(f"output folder {opts.out} already exists; choose another --out")


def _shortened(study, days: int | None, where: Path):
    """The study's base scenario with its booking period cut to ``days`` (None: as written)."""
    sc = study.variants[0].scenario
    if days is None:
        return sc
    length = (sc.end_date - sc.start_date).days
    if not sc.warmup_days < days <= length:
        raise CorridorError(f"--days {days}: allowed: more than the warm-up ({sc.warmup_days:g} days) and at most "
                            f"the study's {length} days ({where})")
    return sc.model_copy(update={"end_date": sc.start_date + dt.timedelta(days=days)})


def run_sensitivity(opts: SensitivityOptions, on_phase: Callable[[str, int], None] | None = None,
                    on_done: Callable[[object], None] | None = None) -> SensitivityResult:
    """Check everything, run the design and write the folder (see the module's docstring)."""
    t0 = time.perf_counter()
    started = dt.datetime.now(dt.UTC)
    check_sensitivity_options(opts)
    study = prepare_study(opts.scenario, opts.geodata, opts.calibration)
    study.variants = study.variants[:1]  # the base variant only
    study.variants[0] = dataclasses.replace(study.variants[0],
                                            scenario=_shortened(study, opts.days, opts.scenario))
    base = study.file.base
    seed = base.seed if opts.seed is None else opts.seed
    chosen = study.variants[0].scenario.route_choice.chosen
    outputs = list(opts.outputs or [o for o in OUTPUTS if o != "share" or chosen])
    if "share" in outputs and not chosen:
        raise CorridorError(f"--outputs share: the study fixes its route shares (route_choice.model: fixed); allowed: "
                            f"{', '.join(o for o in OUTPUTS if o != 'share')}")
    final = opts.out or default_run_folder(OUTPUT_ROOT, f"{base.name}-sensitivity")
    check_output_path(final)
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(dask_client(opts.scheduler, opts.workers)) if opts.scheduler else None
        ev = Evaluator(study, [], opts.replications, seed, opts.workers, opts.scheduler, client)
        params = select(list_parameters(ev.inputs), opts.parameters)
        ev.params = params
        designs = _run_designs(opts, ev, params, seed, outputs, on_phase, on_done)
    return _write(opts, final, ev, params, designs, outputs, seed, chosen, t0, started)


def _run_designs(opts, ev: Evaluator, params: list[Parameter], seed: int, outputs, on_phase, on_done
                 ) -> dict[str, tuple[Design, list[dict]]]:
    """Simulate the designs the method needs; per design its index rows."""
    out: dict[str, tuple[Design, list[dict]]] = {}
    if opts.method in ("oat", "sobol"):
        design = oat_design(params)
        ev.run(design.points, on_phase, on_done)
        targets = ix.targets_of([ev.outcome(p) for p in design.points], outputs)
        out["oat"] = (design, ix.oat_rows(params, design.points, ev.outcome, targets))
    if opts.method == "oat":
        return out
    samples = opts.samples or DEFAULT_SAMPLES[opts.method]
    if opts.method == "sobol":
        # Sobol's cost grows with the parameters: only the top ones of the one-at-a-time screen are sampled
        keep = {pid for pid, _, _ in ix.ranking(out["oat"][1])[:opts.top]}
        design = sobol_design([p for p in params if p.id in keep], samples, seed)
    else:
        active = _active(ev, params, on_phase)
        design = (morris_design(active, samples, seed) if opts.method == "morris"
                  else lhs_design(active, samples, seed))
    points = [Point(-1, {}, "", "base"), *design.points]  # the base point first: the reference of every output
    ev.run(points, on_phase, on_done)
    targets = ix.targets_of([ev.outcome(p) for p in points], outputs)
    y = ev.matrix(design.points, targets)
    if opts.method == "morris":
        rows = ix.morris_rows(design, y, targets, seed)
    elif opts.method == "sobol":
        rows = ix.sobol_rows(design, y, targets, seed)
    else:
        rows = ix.correlation_rows(design, y, targets)
    design.points = points
    out[opts.method] = (design, rows)
    return out


def _active(ev: Evaluator, params: list[Parameter], on_phase) -> list[Parameter]:
    """The parameters whose low or high changes the compiled model (the rest cannot have an effect, and would only
    add dimensions to a sampled design)."""
    if on_phase:
        on_phase("screening the assumptions the study uses", 0)
    return [p for p in params if any(ev.compile({p.id: v})[2] != ev.base_key for v in (p.low, p.high) if v != p.base)]


def _unused(method: str, designs, params: list[Parameter]) -> list[str]:
    """The assumptions with no effect: a swing of exactly zero on every output (one-at-a-time), or, for a sampled
    design, those left out because they do not change the compiled model."""
    if "oat" in designs:
        moved = {r["parameter"] for r in designs["oat"][1] if r["swing"] != 0}
        return [p.id for p in params if p.id not in moved]
    return [p.id for p in params if p not in designs[method][0].varied and p.high > p.low]


def _point_rows(method: str, points: list[Point], ev: Evaluator, outputs) -> list[dict]:
    rows = []
    for p in points:
        for (output, route, direction), value in ev.outcome(p).items():
            if output in outputs:
                rows.append({"method": method, "point": p.index, "parameter": p.parameter, "level": p.level,
                             "output": output, "route": route, "direction": direction, "value": value})
    return rows


def _write(opts, final: Path, ev: Evaluator, params, designs, outputs, seed, chosen, t0, started
           ) -> SensitivityResult:
    by_id = {p.id: p for p in params}
    index_rows = [r for _, rows in designs.values() for r in rows]
    main = designs[opts.method]
    # one-at-a-time swings rank the assumptions when they were simulated (oat, and the screen of sobol); Morris
    # ranks by mu*, the joint sample by |rank correlation| (kept in the rows' swing column)
    ranked_rows = designs["oat"][1] if "oat" in designs else main[1]
    ranking = ix.ranking(ranked_rows, {"morris": "mu_star", "uncertainty": "rank_correlation"}.get(opts.method,
                                                                                                    "swing"))
    unused = _unused(opts.method, designs, params)
    uncertainty: list[dict] = []
    points = [p for d, _ in designs.values() for p in d.points]
    with atomic_folder(final) as tmp:
        write_csv(tmp / "sensitivity.csv",
                  [r for m, (d, _) in designs.items() for r in _point_rows(m, d.points, ev, outputs)], POINT_COLUMNS)
        write_csv(tmp / "indices.csv", index_rows, ix.INDEX_COLUMNS)
        if main[0].x is not None:
            columns = ("point", *[p.id for p in main[0].varied])
            write_csv(tmp / "design.csv", [{"point": pt.index, **pt.values} for pt in main[0].points[1:]], columns)
        if opts.method == "uncertainty":
            design = main[0]
            targets = ix.targets_of([ev.outcome(p) for p in design.points], outputs)
            uncertainty = ix.uncertainty_rows(ev.matrix(design.points[1:], targets), ev.outcome(design.points[0]),
                                              targets)
            write_csv(tmp / "uncertainty.csv", uncertainty, ix.UNCERTAINTY_COLUMNS)
        if opts.plots and "oat" in designs:
            for output in outputs:
                tornado(designs["oat"][1], output, tmp / f"tornado_{output}.png", by_id)
        distinct = len({ev.key(p) for p in points})
        meta = {"scenario": ev.study.file.base.name, "method": opts.method, "points": len(points),
                "distinct": distinct, "replications": opts.replications, "seed": seed, "outputs": outputs,
                "chosen": chosen}
        write_markdown(tmp / "report.md", meta, ranking, by_id, ranked_rows, uncertainty, unused)
        write_json(tmp / "manifest.json", {
            **meta, "file": str(opts.scenario), "sha256": ev.study.file.hash,
            "days": opts.days, "parameters": len(params), "executor": {"workers": opts.workers,
                                                                       "scheduler": opts.scheduler},
            "seconds": round(time.perf_counter() - t0, 3), "started_utc": started.isoformat(timespec="seconds"),
            "command": " ".join(sys.argv)})
    return SensitivityResult(final, ranking, time.perf_counter() - t0, len(points), distinct, index_rows)
