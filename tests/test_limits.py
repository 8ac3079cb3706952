"""Impossible, unbounded or ambiguous scenario values are refused before anything runs: one line per problem naming
the file, the line, the field and what is allowed; exit code 2; nothing written. Each case here was accepted, or
crashed, or ran without end before the limits existed (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from clihelp import invoke

from sim.errors import ScenarioError
from sim.experiment import prepare_study
from sim.limits import MAX_REPLICATIONS, MAX_SERVERS, MAX_STUDY_DAYS, MAX_TEU_PER_YEAR
from sim.scenario import load_scenario

DATA = Path(__file__).parent / "data"
SMALL_TEXT = (DATA / "small.yaml").read_text()


def line_no(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def run_bad(tmp_path: Path, text: str, *extra: str):
    """Validate and run a scenario text; both must refuse it with exit 2 and write nothing."""
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    checked = invoke("validate", path)
    out = tmp_path / "outputs" / "run"
    ran = invoke("run", path, "--out", out, "--replications", "1", "--no-plots", *extra, cwd=tmp_path)
    for result in (checked, ran):
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert result.stderr.startswith("error: "), result.output
    assert not (tmp_path / "outputs").exists(), "nothing may be written for a refused scenario"
    return ran.stderr


# (name, edit of small.yaml, field named in the message, words of the message)
CASES = [
    ("inf_demand", ("teu_per_year: 12000", "teu_per_year: .inf"), "demand.0.teu_per_year", "finite"),
    ("huge_demand", ("teu_per_year: 12000", "teu_per_year: 1e300"), "demand.0.teu_per_year", "less than or equal"),
    ("trillion_teu", ("teu_per_year: 12000", "teu_per_year: 1.0e+12"), "demand.0.teu_per_year", f"less than or equal "
     f"to {MAX_TEU_PER_YEAR:.0f}"),
    ("nan_demand", ("teu_per_year: 12000", "teu_per_year: .nan"), "demand.0.teu_per_year", "finite"),
    ("demand_scale", ("demand_scale: 2.0", "demand_scale: 1.0e6"), "variants.busy.demand_scale", "less than or equal"),
    ("demand_scale_total", ("demand_scale: 2.0", "demand_scale: 500"), "variants.busy.demand_scale", "TEU per year"),
    ("replications", ("replications: 3", "replications: 1.0e+12"), "replications", f"less than or equal to "
     f"{MAX_REPLICATIONS}"),
    ("hundred_years", ("end_date: 2025-08-30", "end_date: 2099-08-30"), "end_date", f"at most {MAX_STUDY_DAYS} days"),
    ("year_9999", ("end_date: 2025-08-30", "end_date: 9999-08-30"), "end_date", "outside the allowed range"),
    ("date_as_number", ("start_date: 2025-06-01", "start_date: 20250601"), "start_date", "YYYY-MM-DD"),
    ("date_with_time", ("start_date: 2025-06-01", "start_date: 2025-06-01 10:00:00"), "start_date", "without a time"),
    ("no_commodities", ("commodities: {metals: 1.0}", "commodities: {}"), "demand.1.commodities", "at least 1"),
    ("inf_commodity_share", ("commodities: {metals: 1.0}", "commodities: {metals: .inf}"),
     "demand.1.commodities.metals", "finite"),
    ("inf_route_share",
     ("commodities: {metals: 1.0}", "commodities: {metals: 1.0}\n    route_shares: {suez_stp: .inf}"),
     "demand.1.route_shares.suez_stp", "finite"),
    ("bool_as_number", ("teu_per_year: 3000", "teu_per_year: true"), "demand.1.teu_per_year", "not true/false"),
    ("duplicate_key", ("seed: 42", "seed: 42\nseed: 7"), "", "duplicate key 'seed'"),
    ("duplicate_route",
     ("routes: [suez_stp, instc_west, instc_east]", "routes: [suez_stp, instc_west, suez_stp]"), "routes.2",
     "listed twice"),
    ("variant_named_base", ("  busy:", "  base:"), "variants.base", "'base' is the name of the study"),
    ("long_name", ("name: small", "name: " + "x" * 300), "name", "at most 64 characters"),
    ("deep_nesting", ("description", "description"), "", "nested deeper than"),
]


@pytest.mark.parametrize(("name", "edit", "field", "words"), CASES, ids=[c[0] for c in CASES])
def test_impossible_values_are_refused_with_file_line_field_and_limit(tmp_path, name, edit, field, words):
    text = SMALL_TEXT.replace(*edit)
    if name == "deep_nesting":
        text = SMALL_TEXT + "description: " + "[" * 200 + "]" * 200 + "\n"
    elif name == "demand_scale_total":
        text = text.replace("teu_per_year: 12000", f"teu_per_year: {MAX_TEU_PER_YEAR / 100:.0f}")
    assert text != SMALL_TEXT
    message = run_bad(tmp_path, text)
    first = message.splitlines()[0]
    assert re.search(r"bad\.yaml:( line )?\d+", first), first
    if field:
        assert f"field '{field}'" in first, first
    assert words in first, first


def test_date_order_error_points_at_the_end_date_line(tmp_path):
    text = SMALL_TEXT.replace("end_date: 2025-08-30", "end_date: 2025-01-01")
    message = run_bad(tmp_path, text)
    assert f"bad.yaml:{line_no(text, 'end_date:')}: field 'end_date'" in message, message


def test_disruption_window_error_points_at_its_end(tmp_path):
    text = SMALL_TEXT + ("disruptions:\n  - id: strike\n    target: {node: IRBND}\n    start: 2025-07-01\n"
                         "    end: 2025-06-01\n    source: test\n")
    message = run_bad(tmp_path, text)
    assert f"bad.yaml:{line_no(text, 'end: 2025-06-01')}: field 'disruptions.0.end'" in message, message


@pytest.mark.parametrize(("section", "item", "override", "field", "words"), [
    ("facilities", "port_ruasf", {"servers": 10**9}, "servers", f"less than or equal to {MAX_SERVERS}"),
    ("services", "caspian_irbaz_ruasf", {"capacity_teu": float("inf")}, "capacity_teu", "finite"),
    ("services", "caspian_irbaz_ruasf", {"speed_kn": 0}, "speed_kn", "speeds must lie between"),
    ("services", "caspian_irbaz_ruasf", {"headway_h": 1e-9}, "headway_h", "greater than or equal to 1"),
])
def test_calibration_overrides_are_refused_naming_item_id_field_and_line(
        tmp_path, section, item, override, field, words):
    from sim.calibration import load_calibration

    ids = {s.id for s in getattr(load_calibration(), section)}
    assert item in ids, f"test needs a real {section} id"
    data = yaml.safe_load(SMALL_TEXT)
    data["variants"]["busy"][section] = {item: {**override, "sources": {field: "a test override"}}}
    text = yaml.safe_dump(data, sort_keys=False)
    message = run_bad(tmp_path, text)
    loc = f"variants.busy.{section}.{item}.{field}"
    assert f"field '{loc}'" in message, message
    assert f"bad.yaml:{line_no(text, field + ':')}:" in message, message
    assert words in message


def test_unknown_override_id_names_the_line(tmp_path):
    text = SMALL_TEXT + "facilities:\n  atlantis_port: {servers: 3}\n"
    message = run_bad(tmp_path, text)
    assert f"bad.yaml:{line_no(text, 'atlantis_port')}: field 'facilities.atlantis_port': no such facility" in message


def test_compile_errors_name_the_line(tmp_path):
    text = SMALL_TEXT.replace("{metals: 1.0}", "{unobtainium: 1.0}")
    message = run_bad(tmp_path, text)
    assert f"bad.yaml:{line_no(text, 'commodities: {unobtainium')}: field 'demand.1.commodities'" in message, message
    assert "unknown commodity 'unobtainium'" in message


def test_disruption_outside_the_study_period_is_a_warning(tmp_path):
    text = SMALL_TEXT + ("disruptions:\n  - id: old_strike\n    target: {node: IRBND}\n    start: 2024-01-01\n"
                         "    end: 2024-02-01\n    source: test\n")
    path = tmp_path / "s.yaml"
    path.write_text(text)
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    assert f"warning: {path}:{line_no(text, '- id: old_strike')}: field 'disruptions.0'" in result.stderr
    assert "entirely outside the study period" in result.stderr
    assert load_scenario(path).warnings


def test_disruption_inside_the_study_period_gives_no_warning(tmp_path):
    text = SMALL_TEXT + ("disruptions:\n  - id: strike\n    target: {node: IRBND}\n    start: 2025-07-01\n"
                         "    end: 2025-07-10\n    source: test\n")
    path = tmp_path / "s.yaml"
    path.write_text(text)
    result = invoke("validate", path)
    assert result.exit_code == 0 and "warning" not in result.output, result.output


def test_yaml_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError, match="aliases expand the document"):
        load_scenario(path)


def test_files_that_are_too_big_binary_or_looping_are_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(SMALL_TEXT + "#" * 2_000_000 + "\n")
    with pytest.raises(ScenarioError, match="allowed: at most"):
        load_scenario(big)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\x00\xff" * 100)
    with pytest.raises(ScenarioError, match="binary"):
        load_scenario(binary)
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(tmp_path / "loop.yaml")
    result = invoke("validate", loop)
    assert result.exit_code == 2 and "symbolic links" in result.stderr and "Traceback" not in result.output


def test_validate_compiles_exactly_what_run_compiles(tmp_path, monkeypatch):
    """validate and run share prepare_study: a file validate calls ok is one run accepts."""
    import sim.cli
    import sim.runner

    seen = []
    real = sim.runner.prepare_study

    def spy(*args, **kwargs):
        study = real(*args, **kwargs)
        seen.append([p.name for p in study.variants])
        return study

    monkeypatch.setattr(sim.runner, "prepare_study", spy)
    monkeypatch.setattr("sim.experiment.prepare_study", spy)
    assert invoke("validate", DATA / "small.yaml").exit_code == 0
    assert invoke("run", DATA / "small.yaml", "--out", tmp_path / "r", "--replications", "1",
                  "--no-plots").exit_code == 0
    assert seen == [["base", "busy"], ["base", "busy"]]


@pytest.mark.parametrize("args", [
    ("--replications", "100000000"), ("--replications", "1e8"), ("--replications", "0"), ("--seed", "-1"),
    ("--workers", "100000"), ("--scheduler", "http://localhost:8786"), ("--scheduler", ""),
    ("--scheduler", "not a url"),
    ("--scheduler", "tcp://host:99999"), ("--colour", "red"),
], ids=lambda a: " ".join(a) or "empty")
def test_bad_run_options_are_refused_in_one_line(tmp_path, args):
    result = invoke("run", DATA / "small.yaml", "--out", tmp_path / "r", "--no-plots", *args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: "), result.output
    assert not (tmp_path / "r").exists()


def test_limits_are_generous_for_every_shipped_study():
    for path in sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml")):
        study = prepare_study(path)
        assert not study.file.warnings, study.file.warnings


def test_duplicate_calibration_ids_name_the_second_item(tmp_path):
    from sim.calibration import DEFAULT_CALIBRATION, load_calibration

    data = yaml.safe_load(DEFAULT_CALIBRATION.read_text())
    data["facilities"].append(dict(data["facilities"][0]))
    path = tmp_path / "calibration.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ScenarioError) as err:
        load_calibration(path)
    msg = str(err.value)
    n = len(data["facilities"]) - 1
    assert f"field 'facilities.{n}.id'" in msg and "'port_innsa' is used twice" in msg, msg
    assert f"{path}:" in msg and "(top level)" not in msg
