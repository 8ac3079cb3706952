"""The run folder an analyst opens: every file written and non-trivial, a self-contained HTML report that
renders in headless Chromium with all images loaded."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim.runner import RunOptions, run_study

sys.path.insert(0, str(Path(__file__).parent))  # the browser helper beside this file

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


def test_with_workers_the_route_map_is_drawn_meanwhile_and_charts_use_every_replication(tmp_path, monkeypatch):
    """On worker processes the route map is drawn on a thread during the replications and the other pictures on
    the workers afterwards; every picture is the one a serial run draws, and flow maps and charts read every
    replication (no subset in their captions)."""
    from sim import runner
    from sim.chartdata import ChartData
    from sim.report import background
    from sim.report.figures import png_bytes, study_map

    started, drawn = [], []
    real = background.route_map_drawing
    monkeypatch.setattr(background, "route_map_drawing", lambda study: started.append(study) or real(study))

    def recorded() -> ChartData:
        data = ChartData()
        drawn.append(data)
        return data

    monkeypatch.setattr(runner, "ChartData", recorded)
    from sim.report import figures

    on_pool: list[int] = []  # per run: how many pictures went to worker processes
    init = figures.PendingFigures.__init__

    def spied(self, jobs, pool=None):
        init(self, jobs, pool)
        on_pool.append(sum(f is not None for f in self.futures))

    monkeypatch.setattr(figures.PendingFigures, "__init__", spied)
    out, serial = tmp_path / "run", tmp_path / "serial"
    run_study(RunOptions(scenario=SMALL, out=out, replications=3, workers=2, plots=True))
    assert len(started) == 1
    assert (out / "route_map.png").read_bytes() == png_bytes(study_map(started[0]))
    assert [d.replications for d in drawn] == [{p.name: 3 for p in started[0].variants}]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Transit-time distributions" in page and "replications)" not in page
    run_study(RunOptions(scenario=SMALL, out=serial, replications=3, workers=1, plots=True))
    maps = 1 + len(started[0].variants)  # route map and flow maps: drawn by the main process
    assert on_pool == [len(list(out.glob("*.png"))) - maps, 0]  # the charts on the workers; serial: none
    pictures = sorted(p.name for p in out.glob("*.png"))
    assert len(pictures) >= 6 and pictures == sorted(p.name for p in serial.glob("*.png"))
    assert all((out / name).read_bytes() == (serial / name).read_bytes() for name in pictures)


def test_a_failed_background_drawing_raises_in_the_thread_that_waits_for_it():
    from sim.report.background import BackgroundDrawing

    def broken() -> bytes:
        raise ValueError("no land")

    drawing = BackgroundDrawing(broken)
    with pytest.raises(ValueError, match="no land"):
        drawing.result()
    assert BackgroundDrawing(lambda: b"png").result() == b"png"


# ----- the answer first, GIS layers, and both pages rendered offline in headless Chromium ------------------------

def test_reports_open_with_the_headline_table_per_direction(run_folder):
    import csv

    rows = list(csv.DictReader((run_folder / "summary.csv").open()))
    md = (run_folder / "report.md").read_text()
    sections = [line for line in md.splitlines() if line.startswith("## ")]
    assert sections[0] == "## The answer"
    answer = md.split("## The answer", 1)[1].split("\n## ", 1)[0]
    for direction in {r["direction"] for r in rows}:
        assert f"### {direction}: " in answer
    # one table row per summary row, baseline routes marked, every other route with intervals on all three costs
    table_rows = [ln for ln in answer.splitlines() if ln.startswith("| ") and "variant" not in ln]
    assert len(table_rows) == len(rows)
    assert sum("(baseline)" in ln for ln in table_rows) == sum(r["is_baseline"] == "true" for r in rows)
    assert all(ln.count(" [") == 3 for ln in table_rows if "(baseline)" not in ln)
    assert "Suez baseline to St Petersburg" in answer and "Nhava Sheva to Moscow" in answer
    assert "What this rests on." in answer and "No sensitivity run was read" in answer
    page = (run_folder / "report.html").read_text()
    assert page.index('id="headline"') < page.index("Every route in detail") < page.index("<img")


def test_geopackage_layers_open_with_geopandas_and_carry_the_summary_teu(run_folder):
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    path = run_folder / "map_layers.gpkg"
    assert {name for name, _ in pyogrio.list_layers(path)} == {"routes", "flows", "facilities"}
    summary = pd.read_csv(run_folder / "summary.csv")
    flows = gpd.read_file(path, layer="flows")
    assert flows.crs.to_epsg() == 4326 and flows.geometry.notna().all() and not flows.geometry.is_empty.any()
    for col in ("teu_created", "teu_delivered"):
        assert flows[col].sum() == pytest.approx(summary[col].sum(), rel=1e-9)
        by = flows.groupby(["variant", "direction"])[col].sum()
        assert by.to_dict() == pytest.approx(summary.groupby(["variant", "direction"])[col].sum().to_dict())
    routes = gpd.read_file(path, layer="routes")
    assert set(routes.route) == {"suez_stp", "instc_west", "instc_east"} and routes.baseline.sum() == 1
    facilities = gpd.read_file(path, layer="facilities")
    expected = pd.read_csv(run_folder / "facilities.csv")
    assert len(facilities) == len(expected)
    assert facilities.wait_h_mean.sum() == pytest.approx(expected.wait_h_mean.sum(), rel=1e-6)


def _browser_or_skip():
    exe = _chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium could not be installed for the browser test")
        pytest.skip("chromium is not installed and cannot be installed here (needs root and apt-get)")
    return exe


def _distinct_colours(png: bytes) -> int:
    import io

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB").resize((350, 250))).reshape(-1, 3)
    return len(np.unique(pixels, axis=0))


@pytest.mark.browser
def test_report_renders_offline_with_the_headline_table_in_view(run_folder, tmp_path):
    from browser import open_page

    ready = ("(function(){var t=document.querySelector('#headline table');"
             "return t && document.body.getAttribute('data-images-loaded') !== 'pending' ? "
             "[t.getBoundingClientRect().top, window.innerHeight, document.body.getAttribute('data-images-loaded')]"
             " : null;})()")
    page = open_page(_browser_or_skip(), run_folder / "report.html", tmp_path / "profile", ready=ready)
    assert page.external == [] and page.errors == []
    top, height, images = page.value
    assert top < height, "the headline table is on the first screen"
    loaded, total = images.split("/")
    assert loaded == total and int(total) >= 8
    (tmp_path / "report.png").write_bytes(page.screenshot)
    assert len(page.screenshot) > 30_000 and _distinct_colours(page.screenshot) > 20


@pytest.mark.browser
def test_interactive_map_renders_offline_in_headless_chromium(run_folder, tmp_path):
    from browser import open_page

    text = (run_folder / "interactive_map.html").read_text()
    assert not re.search(r"""<(?:script|link)[^>]+(?:src|href)\s*=\s*["']?(?:https?:|//)""", text, re.I)
    ready = ("(function(){if(!window.Bokeh||!Bokeh.documents.length)return null;"
             "var views=Object.values(Bokeh.index||{});if(!views.length)return null;"
             "var v=views[0];var n=0;for(var r of v.model.renderers||[]){n+=1}return n;})()")
    page = open_page(_browser_or_skip(), run_folder / "interactive_map.html", tmp_path / "profile", ready=ready)
    assert page.external == [], page.external
    assert page.errors == [], page.errors
    assert page.value and page.value >= 5, "land, legs of each route and facilities are drawn"
    (tmp_path / "map.png").write_bytes(page.screenshot)
    assert _distinct_colours(page.screenshot) > 50, "the screenshot shows a rendered map, not a blank page"
