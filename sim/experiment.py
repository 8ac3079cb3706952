"""Variants x replications: seeds, executors (serial, local processes, Dask) and ordered delivery of results.

Each replication gets ``numpy.random.default_rng(SeedSequence(seed).spawn(n)[r])`` (made from its spawn key);
every variant uses the same child seed for replication ``r`` (common random numbers). Results are handed to the
caller in (variant, replication) order whichever executor ran them, so outputs are identical serial or parallel.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .calibration import DEFAULT_CALIBRATION, Calibration, CostCal, FacilityCal, ServiceCal, load_calibration
from .costs import CostRates
from .errors import ScenarioError
from .executors import Executor, Task, dask_client
from .model import CompiledModel
from .network import DEFAULT_GEODATA, Network, load_network
from .plan import ModelInfo, compile_model
from .plan.overrides import check_identity, merge_override, new_item
from .replication import ReplicationJob, ReplicationOutput, Shares, run_job
from .routes import RouteSpec, load_route_specs
from .scenario import Scenario, ScenarioFile, load_scenario
from .study_network import study_network
from .yamlio import format_validation_error, line_of

__all__ = ["VariantPlan", "Study", "prepare_study", "load_study_network", "ReplicationOutput", "run_replication",
           "execute", "check_overrides", "dask_client"]


@dataclass
class VariantPlan:
    """A compiled variant ready to run."""

    name: str
    scenario: Scenario
    model: CompiledModel
    info: ModelInfo
    rates: CostRates
    step_width: int = 0  # steps per consignment in shipments.parquet: the longest itinerary of any variant

    @property
    def job(self) -> ReplicationJob:
        """What a worker needs to run a replication of this variant."""
        return ReplicationJob(self.name, self.model, tuple(self.info.itinerary_routes), tuple(self.info.facility_ids),
                              self.rates, self.step_width, self.scenario.start_date)


@dataclass
class Study:
    """A scenario file with every variant compiled, and the network, routes and calibration it was compiled on
    (what the reports and maps draw from)."""

    file: ScenarioFile
    variants: list[VariantPlan]
    network: Network
    specs: dict[str, RouteSpec]
    calibration: Calibration
    geodata: Path


# ----- inputs that rarely change are parsed once per process (keyed by their content) ------------------------
_CACHE: dict[tuple, object] = {}


def _digest(*paths: Path) -> str | None:
    h = hashlib.sha256()
    try:
        for p in paths:
            h.update(str(Path(p).resolve()).encode())
            h.update(Path(p).read_bytes())
    except OSError:
        return None  # unreadable: let the loader report it
    return h.hexdigest()


def _cached(kind: str, paths: tuple[Path, ...], load: Callable[[], object]):
    digest = _digest(*paths)
    if digest is None:
        return load()
    key = (kind, digest)
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = load()
    return _CACHE[key]


def _network_and_specs(root: Path) -> tuple[Network, dict[str, RouteSpec]]:
    files = (root / "nodes.geojson", root / "legs.geojson", root / "routes.yaml", root / "nsr_ice.yaml")

    def load():
        network = load_network(root)
        return network, load_route_specs(root / "routes.yaml", network)

    return _cached("network", files, load)


# ----- overrides of calibration items, checked with the scenario's lines ----------------------------------------
_ITEM_MODELS: dict[str, type[ServiceCal] | type[FacilityCal]] = {"services": ServiceCal, "facilities": FacilityCal}


def _override_loc(sfile: ScenarioFile, variant: str, *loc) -> tuple:
    """Where in the file the setting at ``loc`` (a top-level field, then an item id...) is written: in the variant
    when the variant gives that field (and item), else in the base."""
    if variant != "base":
        node = ((sfile.raw.get("variants") or {}).get(variant)) or {}
        given = isinstance(node, dict) and loc[0] in node
        if given and len(loc) > 1 and isinstance(node[loc[0]], dict):
            given = loc[1] in node[loc[0]]
        if given:
            return ("variants", variant, *loc)
    return tuple(loc)


def _where(sfile: ScenarioFile, loc: tuple) -> str:
    line = line_of(sfile.text, loc)
    return f"{sfile.path}:{line}" if line else f"{sfile.path}"


def check_overrides(cal: Calibration, sfile: ScenarioFile, variant: str, sc: Scenario) -> None:
    """Check the scenario's overrides of calibration items (services, facilities, costs) and its new items as the
    compiler will merge them; errors name the file, the line, the item id and the field."""
    data = cal.model_dump(exclude_unset=True)
    for section in ("services", "facilities"):
        items = {item["id"]: item for item in data[section]}
        for item_id, over in getattr(sc, section).items():
            loc = _override_loc(sfile, variant, section, item_id)
            field = f"{_where(sfile, loc)}: field '{'.'.join(str(x) for x in loc)}"
            if not isinstance(over, dict):
                raise ScenarioError(f"{field}': expected a mapping of fields")
            if item_id in items:
                _blame_key(partial(check_identity, section, items[item_id], over), field, sfile, loc)
                _check_merged(_ITEM_MODELS[section], items[item_id], over, sfile, loc)
                continue
            item = _blame_key(partial(new_item, section, item_id, over, shipped=sorted(items)), field, sfile, loc)
            try:
                _ITEM_MODELS[section].model_validate(item)
            except ValidationError as exc:
                raise ScenarioError(format_validation_error(sfile.path, sfile.text, exc, prefix=loc)) from None
    if sc.costs:
        _check_merged(CostCal, data["costs"], sc.costs, sfile, _override_loc(sfile, variant, "costs"))


def _blame_key(check: Callable[[str], Any], field: str, sfile: ScenarioFile, loc: tuple) -> Any:
    """Run ``check(field)``; a ScenarioError naming a key of the item is moved to that key's line."""
    try:
        return check(field)
    except ScenarioError as exc:
        if not str(exc).startswith(field + "."):
            raise
        key = str(exc).split("': ", 1)[0].rsplit(".", 1)[-1]
        raise ScenarioError(str(exc).replace(_where(sfile, loc), _where(sfile, (*loc, key)), 1)) from None


def _check_merged(model, item: dict, over: dict, sfile: ScenarioFile, loc: tuple) -> None:
    where = _where(sfile, loc)
    try:
        merged = merge_override(item, over, f"{where}: field '{'.'.join(str(x) for x in loc)}")
    except ScenarioError as exc:
        key = str(exc).split("': ", 1)[0].rsplit(".", 1)[-1]
        raise ScenarioError(str(exc).replace(where, _where(sfile, (*loc, key)), 1)) from None
    try:
        model.model_validate(merged)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(sfile.path, sfile.text, exc, prefix=loc)) from None


_FIELD_MSG = re.compile(r"^(?P<where>.*?): field '(?P<field>[^']+)': (?P<msg>.*)$", re.S)


def _with_line(exc: ScenarioError, sfile: ScenarioFile, variant: str, sc: Scenario) -> ScenarioError:
    """Add the line to a compiler error that names a scenario field but no line."""
    m = _FIELD_MSG.match(str(exc))
    if not m:
        return exc
    parts: list = m["field"].split(".")
    if parts[0] == "demand" and len(parts) > 1:
        names = [d.name for d in sc.demand]
        if parts[1] in names:
            parts[1] = names.index(parts[1])
    parts = [int(p) if isinstance(p, str) and p.isdigit() else p for p in parts]
    loc = _override_loc(sfile, variant, *parts[:1]) + tuple(parts[1:])
    line = line_of(sfile.text, loc)
    scope = "" if variant == "base" else f" (variant '{variant}')"
    field = ".".join(str(x) for x in loc)
    return ScenarioError(f"{sfile.path}:{line}: field '{field}'{scope}: {m['msg']}")


def load_study_network(path: Path | str, geodata: Path | None = None, calibration: Path | None = None
                       ) -> tuple[ScenarioFile, Network, dict[str, RouteSpec], Calibration]:
    """The scenario, its network and route catalogue (shipped plus its own ``network:`` block) and the calibration,
    checked (errors name the file, line and field); nothing is compiled."""
    sfile = load_scenario(path)  # first: a bad scenario is reported without loading anything else
    root = Path(geodata or DEFAULT_GEODATA)
    cal_path = Path(calibration or DEFAULT_CALIBRATION)
    cal = _cached("calibration", (cal_path,), lambda: load_calibration(cal_path))
    shipped, shipped_specs = _network_and_specs(root)
    network, specs = study_network(shipped, shipped_specs, cal, sfile)
    return sfile, network, specs, cal


def prepare_study(path: Path | str, geodata: Path | None = None, calibration: Path | None = None) -> Study:
    """Load the scenario, the network, routes and calibration; check and compile every variant exactly as a run
    will (errors name the file, line and field)."""
    sfile, network, specs, cal = load_study_network(path, geodata, calibration)
    root = Path(geodata or DEFAULT_GEODATA)
    plans = []
    for name, sc in sfile.variants.items():
        where = f"{path}" + ("" if name == "base" else f" (variant '{name}')")
        check_overrides(cal, sfile, name, sc)
        try:
            model, info = compile_model(network, specs, cal, sc, where)
        except ScenarioError as exc:
            raise _with_line(exc, sfile, name, sc) from None
        rates = CostRates(sc.on_time_days, model.commodity_time_value_per_day)
        plans.append(VariantPlan(name, sc, model, info, rates))
    width = max(max((len(it.steps) for it in p.model.itineraries), default=1) for p in plans)
    for p in plans:
        p.step_width = width
    return Study(sfile, plans, network, specs, cal, root)


def run_replication(plan: VariantPlan, replication: int, seed: int, keep_shipments: bool = True) -> ReplicationOutput:
    """Run replication ``replication`` of ``plan`` with its child seed."""
    return run_job(plan.job, replication, seed, keep_shipments)


def execute(
    study: Study,
    replications: int,
    seed: int,
    workers: int = 1,
    scheduler: str | None = None,
    keep_shipments: bool = True,
    on_done: Callable[[ReplicationOutput], None] | None = None,
    client=None,
    executor: Executor | None = None,
    shares: dict[str, Shares] | None = None,
) -> Iterator[ReplicationOutput]:
    """Yield every (variant, replication) output in order. ``on_done`` is called as each finishes (in any order),
    e.g. to advance a progress bar. ``scheduler``: a Dask scheduler address, or 'local' for a LocalCluster;
    ``client``: an open Dask client to use instead (see ``dask_client``); ``executor``: an open executor to reuse
    (its workers already hold the jobs); ``shares``: chosen route shares per variant name."""
    tasks = [Task(p.name, r, seed, keep_shipments, (shares or {}).get(p.name))
             for p in study.variants for r in range(replications)]
    if executor is not None:
        yield from executor.map(tasks, on_done)
        return
    with Executor([p.job for p in study.variants], workers, scheduler, client) as ex:
        yield from ex.map(tasks, on_done)
