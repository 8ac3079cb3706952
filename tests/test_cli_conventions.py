"""The conventions users expect of a command line: --version, -h, shell completion, --quiet, --json, a list of
the shipped studies, comparing two run folders, progress per variant and after the simulation, warnings in one
line."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
import yaml
from clihelp import invoke

from sim import __version__

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.yaml"
SHIPPED = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


def test_version_and_short_help():
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"corridor-sim {__version__}"
    short, long = invoke("-h"), invoke("--help")
    assert short.exit_code == 0 and short.stdout == long.stdout
    assert "--install-completion" in short.stdout and "--show-completion" in short.stdout
    assert invoke("run", "-h").exit_code == 0 and "--quiet" in invoke("run", "-h").stdout


def test_scenarios_lists_every_shipped_study_with_its_question():
    result = invoke("scenarios")
    assert result.exit_code == 0
    for path in SHIPPED:
        data = yaml.safe_load(path.read_text())
        assert path.name in result.stdout and data["name"] in result.stdout
    listed = json.loads(invoke("scenarios", "--json").stdout)
    assert [Path(s["file"]).name for s in listed] == [p.name for p in SHIPPED]
    for item, path in zip(listed, SHIPPED, strict=True):
        data = yaml.safe_load(path.read_text())
        assert item["description"] == " ".join(data["description"].split())
        assert item["routes"][0] == data["baseline"] and sorted(item["routes"]) == sorted(data["routes"])
        assert item["variants"] == ["base", *(data.get("variants") or {})]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    a, b = root / "a", root / "b"
    first = invoke("run", SMALL, "--out", a, "--replications", "2", "--no-plots", "--workers", "1")
    assert first.exit_code == 0, first.output
    second = invoke("run", SMALL, "--out", b, "--replications", "2", "--seed", "7", "--no-plots", "--workers", "1",
                    "--quiet")
    assert second.exit_code == 0, second.output
    return a, b, first, second


def test_run_shows_a_bar_per_variant_and_the_steps_after_the_simulation(two_runs):
    _, _, first, _ = two_runs
    for text in ("base replications", "busy replications", "writing tables and report"):
        assert text in first.stderr, text
    assert "2/2" in first.stderr


def test_quiet_run_prints_only_the_output_folder(two_runs):
    _, b, _, second = two_runs
    assert second.stdout.strip() == str(b) and second.stderr == ""


def test_compare_two_run_folders_as_json_matches_their_summaries(two_runs):
    import csv

    a, b, _, _ = two_runs
    result = invoke("compare", a, b, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows_a = {(r["variant"], r["route"], r["direction"]): r for r in csv.DictReader((a / "summary.csv").open())}
    rows_b = {(r["variant"], r["route"], r["direction"]): r for r in csv.DictReader((b / "summary.csv").open())}
    assert len(data["rows"]) == len(rows_a) and not data["only_in_a"] and not data["only_in_b"]
    for row in data["rows"]:
        key = (row["variant"], row["route"], row["direction"])
        change = {c["metric"]: c for c in row["changes"]}["delta_days_p50"]
        expected = float(rows_b[key]["delta_days_p50_vs_baseline"]) - float(rows_a[key]["delta_days_p50_vs_baseline"])
        assert change["change"] == pytest.approx(expected, abs=1e-4)
        if not row["baseline"] and change["ci_low"] is not None:
            assert change["ci_low"] <= change["change"] <= change["ci_high"]
    table = invoke("compare", a, b)
    assert table.exit_code == 0 and "instc_west" in table.stdout and "95% CI" in table.stdout


@pytest.mark.parametrize("make", ["missing", "file", "not_a_run"])
def test_compare_refuses_a_folder_that_is_not_a_run_folder(two_runs, tmp_path, make):
    a = two_runs[0]
    target = tmp_path / "x"
    if make == "file":
        target.write_text("hello")
    elif make == "not_a_run":
        target.mkdir()
        (target / "notes.txt").write_text("hello")
    result = invoke("compare", a, target)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.count("\n") == 1 and "RUN_B" in result.stderr and str(target) in result.stderr


def test_python_warnings_during_a_run_are_one_line_each(monkeypatch, tmp_path):
    """A library warning raised during the run is said once, on one line, without its source line."""
    import sim.runner

    real = sim.runner.prepare_study

    def noisy(*args, **kwargs):
        for _ in range(3):
            warnings.warn("a library complains\nover two lines", UserWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sim.runner, "prepare_study", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        result = invoke("run", SMALL, "--out", tmp_path / "r", "--replications", "1", "--no-plots", "--quiet")
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stderr.splitlines() if "complains" in ln]
    assert lines == ["warning: UserWarning: a library complains over two lines"]


def test_a_local_dask_cluster_prints_its_dashboard_link_and_no_raw_warnings(tmp_path):
    result = invoke("run", SMALL, "--out", tmp_path / "r", "--replications", "1", "--no-plots", "--workers", "1",
                    "--scheduler", "local")
    assert result.exit_code == 0, result.output
    assert re.search(r"Dask cluster: tcp://127\.0\.0\.1:\d+; dashboard: http://127\.0\.0\.1:\d+/status",
                     result.stderr), result.stderr
    for line in result.stderr.splitlines():
        text = line.strip()
        # progress bars, the cluster line, and nothing else: no log records or Python warnings in their raw form
        assert not text or "━" in text or text.startswith(("Dask cluster:", "warning:")), line


def test_shell_completion_completes_command_names():
    import os
    import subprocess
    import sys

    env = {**os.environ, "_CORRIDOR_SIM_COMPLETE": "complete_bash", "COMP_WORDS": "corridor-sim sce",
           "COMP_CWORD": "1", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run([sys.executable, "-m", "sim.cli"], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["scenarios"]
    env.pop("_CORRIDOR_SIM_COMPLETE")
    script = subprocess.run([sys.executable, "-m", "sim.cli", "--show-completion", "bash"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert script.returncode == 0 and "_CORRIDOR_SIM_COMPLETE" in script.stdout


def test_the_report_names_the_assumptions_a_sensitivity_run_found_to_matter_most(tmp_path):
    sens = tmp_path / "sens"
    sens.mkdir()
    (sens / "indices.csv").write_text("parameter,output,S1,ST\nvalue_of_time,generalized,0.2,0.7\n"
                                      "rail_tariff,transport,0.1,0.3\nport_dwell,transit,0.0,0.05\n")
    result = invoke("run", SMALL, "--out", tmp_path / "r", "--replications", "1", "--no-plots", "--quiet",
                    "--sensitivity", sens)
    assert result.exit_code == 0, result.output
    report = (tmp_path / "r" / "report.md").read_text()
    assert "value_of_time (index 0.70), rail_tariff (index 0.30), port_dwell (index 0.05)" in report
    assert "No sensitivity run was read" not in report
    missing = invoke("run", SMALL, "--out", tmp_path / "r2", "--no-plots", "--sensitivity", tmp_path / "nothing")
    assert missing.exit_code == 2 and "--sensitivity" in missing.stderr and not (tmp_path / "r2").exists()
