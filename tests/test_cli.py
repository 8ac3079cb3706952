"""The console script as a user meets it: exit codes, messages without tracebacks, outputs."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from clihelp import invoke

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.yaml"


def test_console_script_is_installed_and_answers_help():
    exe = shutil.which("corridor-sim")
    assert exe, "the corridor-sim console script must be on PATH after installation"
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0
    for command in ("run", "validate", "routes", "schema"):
        assert command in out.stdout


@pytest.mark.parametrize("fmt", ["table", "csv", "geojson"])
def test_routes_command_formats(fmt, tmp_path):
    target = tmp_path / f"routes.{fmt}"
    result = invoke("routes", "--format", fmt, "--out", target)
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert "instc_caspian" in text and "suez" in text
    if fmt == "csv":
        rows = list(csv.DictReader(text.splitlines()))
        assert {r["route"] for r in rows} >= {"suez_stp", "suez_rotterdam_2021", "suez_novorossiysk", "cape",
                                             "instc_west", "instc_caspian", "instc_east", "emc", "nsr", "transsib"}
        assert {r["direction"] for r in rows} == {"forward", "reverse"}
    if fmt == "geojson":
        data = json.loads(text)
        props = [f["properties"] for f in data["features"]]
        assert all({"route", "order", "mode"} <= set(p) for p in props)
        nsr = [f for f in data["features"] if f["properties"]["route"] == "nsr"]
        assert any(f["geometry"]["type"] == "MultiLineString" for f in nsr), "the Bering crossing is split at 180"


def test_schema_command_prints_json():
    result = invoke("schema")
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "corridor-sim scenario"


def test_validate_ok_and_bad(tmp_path):
    assert invoke("validate", SMALL).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text().replace("teu_per_year: 12000", "teu_per_year: -1"))
    result = invoke("validate", bad)
    assert result.exit_code == 2
    assert "demand.0.teu_per_year" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("text", [
    "name: [unclosed\n",
    SMALL.read_text().replace("routes: [suez_stp, instc_west, instc_east]", "routes: [suez_stp, atlantis]"),
    SMALL.read_text().replace("teu_per_year: 12000", "teu_per_year: -12000"),
    SMALL.read_text() + "surprise: 1\n",
    SMALL.read_text().replace("replications: 3", "replications: three"),
    SMALL.read_text().replace("end_date: 2025-08-30", "end_date: 2025-01-01"),
], ids=["bad_yaml", "unknown_route", "negative_demand", "unknown_field", "wrong_type", "dates_out_of_order"])
def test_run_with_a_bad_scenario_fails_cleanly_and_writes_nothing(tmp_path, text):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(text)
    out = tmp_path / "outputs" / "run"
    result = invoke("run", scenario, "--out", out, "--replications", "1", "--no-plots")
    assert result.exit_code == 2
    assert "error" in result.output and "bad.yaml" in result.output and "Traceback" not in result.output
    assert not out.exists()
    assert not (tmp_path / "outputs").exists() or not any((tmp_path / "outputs").iterdir())


def test_run_writes_every_output(tmp_path):
    out = tmp_path / "run"
    result = invoke("run", SMALL, "--out", out, "--replications", "2", "--no-plots")
    assert result.exit_code == 0, result.output
    for name in ("summary.csv", "facilities.csv", "shipments.parquet", "manifest.json", "report.md", "scenario.yaml",
                 "itineraries.csv", "services.csv"):
        assert (out / name).stat().st_size > 100, name
    rows = list(csv.DictReader((out / "summary.csv").read_text().splitlines()))
    required = {"variant", "route", "is_baseline", "replications", "teu_created", "teu_delivered",
                "teu_undelivered", "undelivered_share", "transit_days_mean", "transit_days_p05", "transit_days_p50",
                "transit_days_p95", "transport_usd_per_teu", "time_cost_usd_per_teu", "generalized_cost_usd_per_teu",
                "co2_kg_per_teu", "on_time_share", "empty_teu", "empty_cost_usd_per_teu",
                "delta_days_p50_vs_baseline", "delta_days_p50_ci_low", "delta_days_p50_ci_high",
                "delta_transport_usd_per_teu_vs_baseline", "delta_generalized_usd_per_teu_vs_baseline"}
    assert required <= set(rows[0])
    assert {r["variant"] for r in rows} == {"base", "busy"}
    base = [r for r in rows if r["is_baseline"] == "true"]
    assert base and all(float(r["delta_days_p50_vs_baseline"]) == 0 for r in base)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 42 and manifest["replications"] == 2 and len(manifest["scenario"]["sha256"]) == 64
    ships = pq.read_table(out / "shipments.parquet")
    assert ships.num_rows > 100 and {"route", "itinerary", "transit_days", "step_end_h",
                                     "status"} <= set(ships.column_names)
    itineraries = list(csv.DictReader((out / "itineraries.csv").read_text().splitlines()))
    assert {int(r["itinerary"]) for r in itineraries} >= set(ships.column("itinerary").to_pylist())
    assert all(" > " in r["steps"] for r in itineraries)
    assert set(ships.column("replication").to_pylist()) == {0, 1}
    assert "The answer" in (out / "report.md").read_text()


def test_existing_output_folder_is_refused(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = invoke("run", SMALL, "--out", out, "--replications", "1", "--no-plots")
    assert result.exit_code == 2 and "already exists" in result.output
    assert (out / "keep.txt").read_text() == "mine"


def test_interrupted_run_leaves_no_output_folder(tmp_path):
    """SIGINT (Ctrl-C) in the middle of a run: exit code 130 and nothing in the output root."""
    root = tmp_path / "outputs"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "run", str(SMALL), "--out", str(root / "run"),
                             "--replications", "20", "--no-plots"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not (root.exists() and any(root.iterdir())):
        time.sleep(0.1)
    assert root.exists() and any(root.iterdir()), "the run should have started writing its temporary folder"
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, output
    assert "interrupted" in output and "Traceback" not in output
    assert not root.exists(), "the run created outputs/ and must remove it again: nothing is left behind"
