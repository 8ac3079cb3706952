"""Hypothesis fuzzing of everything a user types (issue 14): malformed scenarios made by mutating the shipped ones,
and bad command lines of every command. Each case goes through the real entry point in-process and must end with
exit code 2, an ``error:`` line and no traceback, and must leave nothing behind. More than 1,000 cases per run, in
well under a minute.

Every mutation is invalid by construction (a value no field accepts, a required field dropped, an unknown key, a
duplicate key, broken YAML, a bound exceeded), so a case that runs is a real finding, not noise.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import yaml
from clihelp import invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "scenarios").glob("*.yaml")) + [Path(__file__).parent / "data" / "small.yaml"]
DOCS = {p.name: yaml.safe_load(p.read_text()) for p in SEEDS}
TEXTS = {p.name: p.read_text() for p in SEEDS}
SCENARIO_CASES = 600
COMMAND_CASES = 500
RAN = {"scenarios": 0, "commands": 0}

# values no field accepts, whatever its type
UNIVERSAL = [{"zz_bad": {"x": 1}}, [[1, 2], {"x": None}]]
BAD_NUMBERS = [-1, -1e-9, float("inf"), float("-inf"), float("nan"), 1e300, "abc", True, False, [1], {"a": 1}]
BAD_TEXTS = [123, 4.5, True, [1], {"a": 1}]
BAD_DATES = [20250601, "2025-13-01", "9999-01-01", "1999-12-31", "yesterday", dt.datetime(2025, 6, 1, 10, 0)]
BAD_BOOLS = ["maybe", [1], {"a": 1}, 2.5]
# coordinates: -1 is a longitude and a latitude like any other, so out-of-range values stand in for it
BAD_COORDS = [200, -200, 1e300, float("inf"), float("nan"), "abc", True, [1], {"a": 1}]
REQUIRED = {
    (): ("name", "start_date", "end_date", "seed", "routes", "baseline", "demand"),
    ("demand",): ("name", "origin", "destination", "source", "commodities"),
    ("disruptions",): ("id", "target", "start", "end", "source"),
}


def walk(node, prefix=()):
    """(path, value) for every node below the root."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield prefix + (k,), v
            yield from walk(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield prefix + (i,), v
            yield from walk(v, prefix + (i,))


NODES = {name: list(walk(doc)) for name, doc in DOCS.items()}
MAPPINGS = {name: [()] + [p for p, v in NODES[name] if isinstance(v, dict)] for name in DOCS}


def bad_values_for(value, key=None):
    if key in ("lon", "lat") and isinstance(value, (int, float)):
        pool = BAD_COORDS
    elif isinstance(value, bool):
        pool = BAD_BOOLS
    elif isinstance(value, (int, float)):
        pool = BAD_NUMBERS
    elif isinstance(value, dt.date):
        pool = BAD_DATES
    elif isinstance(value, str):
        pool = BAD_TEXTS
    else:
        pool = []
    return pool + UNIVERSAL


def at(doc, path):
    for key in path:
        doc = doc[key]
    return doc


@st.composite
def malformed_scenario(draw) -> tuple[str, str]:
    """(description, YAML text) of an invalid scenario derived from a shipped one."""
    name = draw(st.sampled_from(sorted(DOCS)))
    doc = copy.deepcopy(DOCS[name])
    kind = draw(st.sampled_from(["value", "value", "value", "drop", "unknown_key", "duplicate_key", "broken_yaml",
                                 "scale", "nesting", "binary"]))
    if kind == "value":
        path, value = draw(st.sampled_from(NODES[name]))
        bad = draw(st.sampled_from(bad_values_for(value, path[-1])))
        at(doc, path[:-1])[path[-1]] = bad
        return f"{name}: {'.'.join(map(str, path))} = {bad!r}", yaml.safe_dump(doc, sort_keys=False)
    if kind == "drop":
        options = [((), k) for k in REQUIRED[()]]
        for section in ("demand", "disruptions"):
            options += [((section, i), k) for i in range(len(doc.get(section) or [])) for k in REQUIRED[(section,)]]
        parent, key = draw(st.sampled_from(options))
        del at(doc, parent)[key]
        return f"{name}: drop {'.'.join(map(str, parent + (key,)))}", yaml.safe_dump(doc, sort_keys=False)
    if kind == "unknown_key":
        path = draw(st.sampled_from(MAPPINGS[name]))
        at(doc, path)["zz_unknown"] = 1
        return f"{name}: unknown key under {'.'.join(map(str, path))}", yaml.safe_dump(doc, sort_keys=False)
    text = TEXTS[name]
    lines = text.splitlines()
    if kind == "duplicate_key":
        top = [ln.split(":")[0] for ln in lines if ln and ln[0].isalpha() and ":" in ln]
        key = draw(st.sampled_from(top))
        return f"{name}: duplicate {key}", text + f"\n{key}: 1\n"
    if kind == "broken_yaml":
        i = draw(st.integers(0, len(lines) - 1))
        junk = draw(st.sampled_from(["{{{", "\t", "- [", "]: :", "@", "`", "&a *a"]))
        lines[i] = junk + lines[i]
        return f"{name}: line {i + 1} starts with {junk!r}", "\n".join(lines) + "\n"
    if kind == "scale":
        field, value = draw(st.sampled_from([("demand_scale", 1e6), ("replications", 10**12), ("seed", 2**70),
                                             ("end_date", dt.date(2099, 1, 1)), ("start_date", dt.date(1900, 1, 1)),
                                             ("warmup_days", 1e9), ("on_time_days", 1e9)]))
        doc[field] = value
        return f"{name}: {field} = {value}", yaml.safe_dump(doc, sort_keys=False)
    if kind == "nesting":
        depth = draw(st.integers(40, 3000))
        return f"{name}: nesting {depth}", text + "description: " + "[" * depth + "]" * depth + "\n"
    data = draw(st.binary(min_size=1, max_size=64))
    return f"{name}: binary", text[: len(text) // 2] + "\x00" + data.decode("latin-1")


def snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def check_refused(result, what: str) -> None:
    assert result.exit_code == 2, f"{what}: exit {result.exit_code}\n{result.output[-2000:]}"
    assert "Traceback" not in result.output, f"{what}\n{result.output[-2000:]}"
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
    assert errors, f"{what}: no error line\n{result.output[-2000:]}"


@settings(max_examples=SCENARIO_CASES, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=malformed_scenario(), out_flag=st.booleans())
def test_malformed_scenarios_are_refused_and_leave_nothing(case, out_flag):
    what, text = case
    RAN["scenarios"] += 1
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        path = work / "s.yaml"
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        before = snapshot(work)
        args = ["run", "s.yaml", "--no-plots", "--replications", "1", "--workers", "1"]
        if out_flag:
            args += ["--out", "out/run"]
        result = invoke(*args, cwd=work)
        check_refused(result, what)
        assert snapshot(work) == before, f"{what}: left {snapshot(work) - before}"


def command_lines():
    small = str(Path(__file__).parent / "data" / "small.yaml")
    known = {"--out", "--replications", "--seed", "--workers", "--scheduler", "--plots", "--no-plots", "--help",
             "--format", "--direction", "--geodata", "--against-published"}
    bad_rep = st.one_of(st.sampled_from(["1e8", "x", "", "3.5"]), st.integers(max_value=0).map(str),
                        st.integers(min_value=10_001).map(str))
    bad_seed = st.one_of(st.sampled_from(["x", "1.5", ""]), st.integers(max_value=-1).map(str),
                         st.integers(min_value=2**63).map(str))
    bad_workers = st.one_of(st.sampled_from(["x", ""]), st.integers(max_value=-1).map(str),
                            st.integers(min_value=257).map(str))
    address = re.compile(r"^((tcp|tls)://)?[A-Za-z0-9.-]+:[0-9]+$")
    bad_sched = st.one_of(
        st.sampled_from(["", "http://localhost:8786", "not a url", "tcp://", "tcp://h:0", "tcp://h:70000", "local:",
                         "tcp://a b:1", "ftp://h:1"]),
        st.text(max_size=40).filter(lambda t: t != "local" and not address.match(t)),
    )
    long_name = st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=250, max_size=400)
    bad_out = st.one_of(st.sampled_from(["/proc/zz/run", "file/run", "existing", "/dev/null/run"]), long_name)
    scenario_paths = st.sampled_from(["missing.yaml", "loop.yaml", ".", "empty.yaml", "binary.yaml", "list.yaml",
                                      "/proc/self/mem", "existing", "/dev/zero"])
    unknown_option = st.text("abcdefghijklmnopqrstuvwxyz-", min_size=2, max_size=12).map(lambda t: "--z" + t).filter(
        lambda t: t not in known)
    good = st.just(small)
    run_opts = st.one_of(
        st.tuples(st.just("--replications"), bad_rep), st.tuples(st.just("--seed"), bad_seed),
        st.tuples(st.just("--workers"), bad_workers), st.tuples(st.just("--scheduler"), bad_sched),
        st.tuples(st.just("--out"), bad_out), st.tuples(st.sampled_from(["--plots=maybe", "-x"])),
        st.tuples(unknown_option),
    )
    run = st.tuples(st.just("run"), good, run_opts).map(lambda t: [t[0], t[1], *t[2]])
    run_bad_path = st.tuples(st.just("run"), scenario_paths).map(list)
    validate = st.tuples(st.just("validate"), scenario_paths).map(list)
    map_cmd = st.one_of(
        st.tuples(st.just("map"), scenario_paths).map(list),
        st.tuples(st.just("map"), good, st.just("--out"),
                  st.one_of(st.sampled_from(["m.txt", "existing", "/proc/zz/m.png", "file/m.png"]),
                            long_name.map(lambda t: t + ".png"))).map(list),
    )
    routes = st.one_of(
        st.tuples(st.just("routes"), st.just("--format"), st.sampled_from(["xml", "", "CSV"])).map(list),
        st.tuples(st.just("routes"), st.just("--direction"), st.sampled_from(["up", ""])).map(list),
        st.tuples(st.just("routes"), st.just("--out"),
                  st.one_of(st.sampled_from(["missing/r.csv", "existing", "/proc/zz"]), long_name)).map(list),
        st.tuples(st.just("routes"), st.just("--geodata"), st.sampled_from(["missing", "existing", "file"])).map(list),
    )
    schema = st.tuples(st.just("schema"), st.just("--out"), st.one_of(
        st.sampled_from(["existing", "missing/s.json", "/proc/zz"]), long_name)).map(list)
    other = st.one_of(
        st.sampled_from([["bogus"], ["run"], ["map"], ["run", small, small], ["validate", small, "extra"],
                         ["schema", "extra"]]),
        st.tuples(st.sampled_from(["run", "validate", "map", "routes", "schema", ""]), unknown_option).map(
            lambda t: [x for x in t if x]),
    )
    return st.one_of(run, run_bad_path, validate, map_cmd, routes, schema, other)


@settings(max_examples=COMMAND_CASES, deadline=None, suppress_health_check=list(HealthCheck))
@given(argv=command_lines())
def test_bad_command_lines_are_refused_and_leave_nothing(argv):
    RAN["commands"] += 1
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        (work / "existing").mkdir()
        (work / "existing" / "keep.txt").write_text("mine")
        (work / "file").write_text("a file")
        (work / "empty.yaml").write_text("")
        (work / "list.yaml").write_text("- 1\n- 2\n")
        (work / "binary.yaml").write_bytes(bytes(range(256)))
        os.symlink(work / "loop.yaml", work / "loop.yaml")
        before = snapshot(work)
        result = invoke(*argv, cwd=work)
        check_refused(result, " ".join(a[:60] for a in argv))
        assert snapshot(work) == before, f"{argv}: left {snapshot(work) - before}"
        assert (work / "existing" / "keep.txt").read_text() == "mine"


def test_the_fuzzers_ran_at_least_a_thousand_cases():
    """Runs after the two fuzz tests (file order); skipped when they were deselected."""
    total = RAN["scenarios"] + RAN["commands"]
    if not RAN["scenarios"] or not RAN["commands"]:
        import pytest

        pytest.skip("the fuzz tests did not both run in this session")
    assert total >= 1000, RAN

