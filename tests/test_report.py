"""The run folder an analyst opens: every file written and non-trivial, a self-contained HTML report that
renders in headless Chromium with all images loaded."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sim.runner import RunOptions, run_study

SMALL = Path(__file__).parent / "data" / "small.yaml"
EXPECTED = ["summary.csv", "facilities.csv", "facility_timeseries.csv", "shipments.parquet", "manifest.json",
            "report.md", "report.html", "route_map.png", "flow_map_base.png", "flow_map_busy.png", "transit_ecdf.png",
            "transit_by_month.png", "facility_load_base.png", "cost_vs_time.png"]


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "run"
    run_study(RunOptions(scenario=SMALL, out=out, replications=2, plots=True))
    return out


def test_every_expected_file_is_written_and_non_trivial(run_folder):
    for name in EXPECTED:
        path = run_folder / name
        assert path.exists(), name
        minimum = 20_000 if name.endswith(".png") else 200
        assert path.stat().st_size > minimum, name


def test_html_report_is_self_contained(run_folder):
    text = (run_folder / "report.html").read_text()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//)""", text, re.I)
    assert not re.search(r"https?://", text)
    assert text.count("data:image/png;base64,") >= 8
    for heading in ("The answer", "Every route in detail", "Facilities"):
        assert heading in text


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, capture_output=True, timeout=900)
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
def test_html_report_renders_in_headless_chromium_with_all_images(run_folder, tmp_path):
    exe = _chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium could not be installed for the browser test")
        pytest.skip("chromium is not installed and cannot be installed here (needs root and apt-get)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000"]
    url = (run_folder / "report.html").resolve().as_uri()
    dom = subprocess.run([exe, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=180).stdout
    match = re.search(r'data-images-loaded="(\d+)/(\d+)"', dom)
    assert match, "the page's load handler did not run"
    loaded, total = int(match.group(1)), int(match.group(2))
    assert total >= 8 and loaded == total
    shot = tmp_path / "shot.png"
    subprocess.run([exe, *flags, f"--screenshot={shot}", "--window-size=1400,2000", url], capture_output=True,
                   timeout=180)
    assert shot.exists() and shot.stat().st_size > 30_000


def test_charts_of_a_long_study_read_a_bounded_subset_and_say_so(tmp_path, monkeypatch):
    """Charts read at most CHART_REPLICATIONS replications (memory stays bounded however many ran) and their
    captions say how many; the tables still use every replication."""
    import csv

    from sim.report import figures

    monkeypatch.setattr(figures, "CHART_REPLICATIONS", 2)
    out = tmp_path / "run"
    run_study(RunOptions(scenario=SMALL, out=out, replications=3, plots=True))
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Transit-time distributions (first 2 of 3 replications)" in page
    with (out / "summary.csv").open() as f:
        assert {row["replications"] for row in csv.DictReader(f)} == {"3"}
