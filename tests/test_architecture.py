"""The layering the design promises, checked on the source: dependencies point one way, the engine stays free
of I/O, tables, geometry and plotting, and no room grows too big to live in (no module over 400 lines, no
function over 80)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"

# Layers from the foundation up; a module may import modules of its own layer or below, never above. A package
# name covers every module inside it unless a more specific name says otherwise.
LAYERS = [
    {"sim", "sim.errors", "sim.limits", "sim.distributions", "sim.survival", "sim.geo", "sim.seasons", "sim.outputs",
     "sim.report.text", "sim.engine.eventlog", "sim.sealanes"},
    {"sim.model", "sim.yamlio", "sim.schema_types", "sim.network", "sim.ice", "sim.choice", "sim.scenario_network"},
    {"sim.land", "sim.routes", "sim.calibration", "sim.scenario", "sim.routes_export", "sim.sealegs",
     "sim.study_network"},
    {"sim.engine", "sim.plan"},
    {"sim.results", "sim.replication", "sim.costs", "sim.shipments", "sim.chartdata", "sim.choice.observe"},
    {"sim.experiment", "sim.executors"},
    {"sim.validation", "sim.report", "sim.runner", "sim.equilibrium", "sim.choice_constants", "sim.comparison",
     "sim.shipped"},
    {"sim.sensitivity"},
    {"sim.cli"},
]
ENGINE_MAY_IMPORT = {"sim.model", "sim.distributions", "numpy", "simpy", "array", "collections", "dataclasses",
                     "functools", "gc", "heapq", "itertools", "math", "typing", "enum", "__future__"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SIM.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def imports(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                out.add(target)
                # 'from . import charts' imports a module, not a name
                out.update(f"{target}.{a.name}" for a in node.names
                           if (SIM.parent / f"{target}.{a.name}".replace(".", "/")).with_suffix(".py").exists())
            else:
                out.add(node.module or "")
    return out


PACKAGES = {"sim.engine", "sim.plan", "sim.report", "sim.choice", "sim.cli", "sim.sensitivity"}


def layer(module: str) -> int:
    """The layer of ``module``: that of the longest listed name equal to it or a package containing it."""
    best = None
    for k, members in enumerate(LAYERS):
        for m in members:
            inside = m in PACKAGES and module.startswith(m + ".")
            if (module == m or inside) and (best is None or len(m) > len(best[1])):
                best = (k, m)
    assert best is not None, f"{module} is in no layer: add it to tests/test_architecture.py"
    return best[0]


def is_sim(name: str) -> bool:
    return name == "sim" or name.startswith("sim.")


FILES = sorted(SIM.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=[module_name(p) for p in FILES])
def test_imports_point_down_the_layers(path):
    me = module_name(path)
    mine = layer(me)
    for target in imports(path):
        if not is_sim(target):
            continue
        assert layer(target) <= mine, f"{me} (layer {mine}) imports {target} (layer {layer(target)})"


def test_the_engine_imports_no_io_tables_geometry_or_plotting_and_not_the_planner():
    for path in (SIM / "engine").glob("*.py"):
        for target in imports(path):
            if target.startswith("sim.engine"):
                continue
            assert target in ENGINE_MAY_IMPORT or target.split(".")[0] in ENGINE_MAY_IMPORT, (path.name, target)


def test_there_is_no_import_cycle():
    graph = {module_name(p): {t for t in imports(p) if is_sim(t) and t != module_name(p)} for p in FILES}
    graph = {k: {t for t in v if t in graph} for k, v in graph.items()}
    done: set[str] = set()

    def visit(node: str, stack: list[str]) -> None:
        if node in stack:
            raise AssertionError(" -> ".join(stack[stack.index(node):] + [node]))
        if node in done:
            return
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + "."):
                continue  # a package's __init__ re-exporting its own modules
            visit(nxt, [*stack, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])


@pytest.mark.parametrize("path", FILES, ids=[module_name(p) for p in FILES])
def test_modules_and_functions_stay_small(path):
    source = path.read_text(encoding="utf-8")
    assert source.count("\n") <= 400, f"{module_name(path)} has {source.count(chr(10))} lines"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            assert length <= 80, f"{module_name(path)}.{node.name} has {length} lines"


def test_the_layer_table_covers_every_module():
    assert all(layer(module_name(path)) >= 0 for path in FILES)
