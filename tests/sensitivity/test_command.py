"""`corridor-sim sensitivity` as a user meets it: one-line errors naming the option and what is allowed, nothing
half-written, and a complete folder when it works."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from clihelp import invoke  # noqa: E402

SMALL = Path(__file__).resolve().parent.parent / "data" / "small.yaml"
FEW = ["--parameters", "services.liner_innsa_irbnd.freight_usd_per_teu", "--parameters",
       "services.liner_innsa_irbnd.headway_h", "--parameters", "escorts.nsr_icebreakers.icebreakers"]


@pytest.mark.parametrize(("args", "message"), [
    (["--method", "bogus"], "--method 'bogus': allowed: oat, morris, sobol, uncertainty"),
    (["--outputs", "speed"], "--outputs 'speed': allowed: delta_days_p50, delta_transport_usd_per_teu, "
                             "delta_generalized_usd_per_teu, share"),
    (["--outputs", "share"], "--outputs share: the study fixes its route shares"),
    (["--parameters", "nothing.*"], "--parameters 'nothing.*': matches no assumption"),
    (["--days", "5"], "--days 5: allowed: more than the warm-up (10 days)"),
    (["--samples", "1", "--method", "morris"], "--samples 1: allowed: 2 to 100,000"),
])
def test_bad_options_are_one_line_naming_the_option_and_nothing_is_written(tmp_path, args, message):
    out = tmp_path / "sens"
    result = invoke("sensitivity", SMALL, "--out", out, *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_bad_scenario_is_one_line_with_file_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text().replace("seed: 42", "seed: -1"))
    result = invoke("sensitivity", bad, "--out", tmp_path / "sens")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "bad.yaml:6: field 'seed'" in result.stderr
    missing = invoke("sensitivity", tmp_path / "nope.yaml", "--out", tmp_path / "sens")
    assert missing.exit_code == 2 and "nope.yaml" in missing.stderr
    assert not (tmp_path / "sens").exists()


def test_one_at_a_time_writes_a_complete_folder(tmp_path):
    out = tmp_path / "sens"
    result = invoke("sensitivity", SMALL, "--out", out, "--workers", "1", *FEW)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "sensitivity.csv", "indices.csv", "report.md", "manifest.json", "tornado_delta_days_p50.png",
        "tornado_delta_transport_usd_per_teu.png", "tornado_delta_generalized_usd_per_teu.png"}
    rows = list(csv.DictReader((out / "indices.csv").open()))
    assert {r["parameter"] for r in rows} == set(FEW[1::2])
    assert {r["method"] for r in rows} == {"oat"}
    points = list(csv.DictReader((out / "sensitivity.csv").open()))
    assert {(r["parameter"], r["level"]) for r in points} >= {("", "base"),
                                                             ("services.liner_innsa_irbnd.headway_h", "low")}
    report = (out / "report.md").read_text()
    assert "## The five assumptions that matter most" in report
    assert "`escorts.nsr_icebreakers.icebreakers`" in report.split("## Assumptions with no effect")[1]
    manifest = json.loads((out / "manifest.json").read_text())
    ends = {(r["parameter"], r["low"], r["base"], r["high"]) for r in rows}
    swings = sum((lo != base) + (hi != base) for _, lo, base, hi in ends)  # a level at the base is the base point
    assert manifest["method"] == "oat" and manifest["parameters"] == 3 and manifest["points"] == 1 + swings
    assert "1. services.liner_innsa_irbnd" in result.stdout


@pytest.mark.parametrize(("method", "extra", "files"), [
    ("uncertainty", ["--samples", "4"], {"uncertainty.csv", "design.csv"}),
    ("morris", ["--samples", "2"], {"design.csv"}),
    ("sobol", ["--samples", "2", "--top", "1"], {"design.csv", "tornado_delta_days_p50.png"}),
])
def test_sampled_methods_write_their_tables(tmp_path, method, extra, files):
    out = tmp_path / "sens"
    result = invoke("sensitivity", SMALL, "--out", out, "--method", method, "--workers", "1", "--days", "40",
                    "--outputs", "delta_days_p50", *FEW, *extra)
    assert result.exit_code == 0, result.output
    assert files <= {p.name for p in out.iterdir()}
    rows = list(csv.DictReader((out / "indices.csv").open()))
    if method == "uncertainty":
        table = list(csv.DictReader((out / "uncertainty.csv").open()))
        assert table and all(r["samples"] == "4" and 0 <= float(r["prob_beats_baseline"]) <= 1 for r in table)
        assert "| 1 | `" in (out / "report.md").read_text()  # ranked by rank correlation (4 samples: no order)
    else:
        assert method in {r["method"] for r in rows}
    if method == "morris":
        # the base point, then two trajectories of (parameters + 1) points
        assert json.loads((out / "manifest.json").read_text())["points"] == 1 + 2 * 4
