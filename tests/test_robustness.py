"""What a user types never ends in a traceback, a hung run, a half-written folder or stray processes (issue 14):
output paths and scheduler addresses, SIGTERM and SIGKILL with worker processes, stale temporaries, a Dask worker
lost mid-run, and per-replication seeding in constant time."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from clihelp import invoke

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.yaml"


def one_line_error(result, *words):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


# ----- output paths -------------------------------------------------------------------------------------------
def test_out_under_proc_is_refused(tmp_path):
    one_line_error(invoke("run", SMALL, "--out", "/proc/corridor-run", "--no-plots"), "/proc")


def test_out_with_an_over_long_name_is_refused(tmp_path):
    one_line_error(invoke("run", SMALL, "--out", tmp_path / ("x" * 300), "--no-plots"), "bytes long")
    assert not any(tmp_path.iterdir())


def test_out_below_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    one_line_error(invoke("run", SMALL, "--out", tmp_path / "file" / "run", "--no-plots"), "not a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_out_under_a_read_only_folder_is_refused(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        one_line_error(invoke("run", SMALL, "--out", ro / "run", "--no-plots"), "cannot write")
    finally:
        ro.chmod(0o755)


def test_a_scenario_name_too_long_for_a_folder_leaves_no_outputs_folder(tmp_path):
    text = SMALL.read_text().replace("name: small", "name: " + "n" * 300)
    (tmp_path / "long.yaml").write_text(text)
    one_line_error(invoke("run", "long.yaml", "--no-plots", "--replications", "1", cwd=tmp_path), "field 'name'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.yaml"], "no outputs/ may be left behind"


def test_a_failed_run_removes_the_outputs_folder_it_created(tmp_path, monkeypatch):
    import sim.runner

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device", "shipments.parquet")
        yield  # pragma: no cover

    monkeypatch.setattr(sim.runner, "execute", boom)
    result = invoke("run", SMALL, "--no-plots", "--replications", "1", "--workers", "1", cwd=tmp_path)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.strip().splitlines()[-1] == "error: shipments.parquet: No space left on device"
    assert not (tmp_path / "outputs").exists()


@pytest.mark.parametrize("scheduler", ["http://localhost:8786", "", "not a url", "tcp://", "tcp://host:0",
                                       "tcp://a b:1", "--workers"])
def test_bad_scheduler_addresses_are_refused_before_any_work(tmp_path, scheduler):
    one_line_error(invoke("run", SMALL, "--scheduler", scheduler, "--out", tmp_path / "r", "--no-plots"), "--scheduler")
    assert not (tmp_path / "r").exists()


def test_an_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    import socket

    monkeypatch.setattr("sim.executors.SCHEDULER_TIMEOUT", "2s")
    with socket.socket() as s:  # a free port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = invoke("run", SMALL, "--scheduler", f"tcp://127.0.0.1:{port}", "--out", tmp_path / "r", "--no-plots",
                    "--replications", "1")
    one_line_error(result, "cannot reach the Dask scheduler")
    assert not (tmp_path / "r").exists()


def test_schema_out_an_existing_folder_is_refused(tmp_path):
    one_line_error(invoke("schema", "--out", tmp_path), "is a folder")


@pytest.mark.parametrize("command", [("routes", "--format", "csv"), ("schema",)])
def test_writing_into_a_missing_folder_is_refused(tmp_path, command):
    one_line_error(invoke(*command, "--out", tmp_path / "missing" / "x.txt"), "does not exist")
    assert not (tmp_path / "missing").exists()


def test_routes_and_schema_write_complete_files(tmp_path):
    assert invoke("routes", "--format", "csv", "--out", tmp_path / "r.csv").exit_code == 0
    assert invoke("schema", "--out", tmp_path / "s.json").exit_code == 0
    assert json.loads((tmp_path / "s.json").read_text())["title"] == "corridor-sim scenario"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "s.json"], "no temporary file may remain"


@pytest.mark.parametrize("target", ["loop.yaml", "missing.yaml", "."])
@pytest.mark.parametrize("command", ["run", "validate", "map"])
def test_unreadable_scenario_paths_are_one_line(tmp_path, command, target):
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    one_line_error(invoke(command, target, cwd=tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop.yaml"]


def test_map_refuses_a_bad_suffix_and_writes_nothing(tmp_path):
    one_line_error(invoke("map", SMALL, "--out", tmp_path / "map.txt"), ".png or .svg")
    assert not any(tmp_path.iterdir())


# ----- signals and processes ----------------------------------------------------------------------------------
def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    out = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(p)
    return out


def _start_run(out: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "sim.cli", "run", str(SMALL), "--out",
                             str(out), "--no-plots",
                             "--replications", "200", *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, text=True, start_new_session=True)


def _wait_for_workers(proc: subprocess.Popen, root: Path, workers: int) -> set[int]:
    deadline = time.time() + 120
    while time.time() < deadline:
        kids = _children(proc.pid)
        if len(kids) >= workers and root.exists() and any(root.iterdir()):
            time.sleep(1.0)  # replications under way
            return _children(proc.pid)
        assert proc.poll() is None, proc.communicate()[0]
        time.sleep(0.1)
    raise AssertionError("the run did not start its workers")


def _gone_within(pids: set[int], seconds: float) -> set[int]:
    deadline = time.time() + seconds
    while _alive(pids) and time.time() < deadline:
        time.sleep(0.1)
    return _alive(pids)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_run_with_workers_leaves_nothing(tmp_path, sig, code):
    """SIGTERM is handled like Ctrl-C: exit 128+signal, no output or temporary folder, no worker left."""
    root = tmp_path / "outputs"
    proc = _start_run(root / "run", "--workers", "2")
    try:
        kids = _wait_for_workers(proc, root, 2)
        proc.send_signal(sig)
        try:
            output, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
            raise AssertionError("the run did not stop:\n" + proc.communicate(timeout=30)[0][-6000:]) from None
        assert proc.returncode == code, output
        assert "interrupted" in output and "Traceback" not in output, output
        assert not root.exists(), "nothing may be left behind"
        assert not _gone_within(kids, 10), "worker processes outlived the run"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_sigkill_of_the_run_ends_its_workers_and_the_next_run_removes_its_temporary(tmp_path):
    """SIGKILL cannot be handled: the workers notice their parent is gone and exit (and so does the resource
    tracker); the temporary folder stays until the next run in the same place removes it."""
    root = tmp_path / "outputs"
    proc = _start_run(root / "run", "--workers", "2")
    try:
        kids = _wait_for_workers(proc, root, 2)
        assert kids
        proc.kill()
        proc.wait(timeout=30)
        assert not _gone_within(kids, 15), f"orphans left: {_alive(kids)}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    stale = [p.name for p in root.iterdir()]
    assert stale == [f".run.tmp-{proc.pid}"], stale
    result = invoke("run", SMALL, "--out", root / "again", "--replications", "1", "--no-plots", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in root.iterdir()) == ["again"], "the dead run's temporary folder must be removed"


def test_temporaries_of_live_processes_are_kept(tmp_path):
    from sim.outputs import remove_stale_temporaries

    live = tmp_path / f".other.tmp-{os.getppid()}"
    live.mkdir()
    remove_stale_temporaries(tmp_path)
    assert live.exists()


# ----- seeding ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 42, 2**63 - 1])
def test_child_seed_is_the_spawned_child(seed):
    from sim.replication import child_seed

    n = 40
    spawned = np.random.SeedSequence(seed).spawn(n)
    for r in (0, 1, 17, n - 1):
        assert child_seed(seed, r).generate_state(8).tolist() == spawned[r].generate_state(8).tolist()
        a = np.random.default_rng(child_seed(seed, r)).random(5)
        b = np.random.default_rng(spawned[r]).random(5)
        assert a.tolist() == b.tolist()


# ----- Dask: a lost worker costs time, never the run ----------------------------------------------------------
def _dask_process(*args: str) -> subprocess.Popen:
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"}
    return subprocess.Popen([sys.executable, "-m", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env, start_new_session=True)


@pytest.mark.slow
def test_a_dask_worker_lost_with_its_nanny_mid_run_costs_time_not_the_run(tmp_path):
    """A scheduler and one worker (a nanny and its worker process) start the run, so that worker alone holds each
    variant's job; when the first replication arrives a second worker joins and the first is killed with its
    nanny. The run completes on the second worker, with the same summary as a serial run (scattered job data used
    to be lost with the worker: FutureCancelledError, "lost scattered data, which can't be recovered")."""
    from dask.distributed import Client

    from sim.runner import RunOptions, run_study

    sched_file = tmp_path / "scheduler.json"
    procs = [_dask_process("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                           "--no-dashboard", "--scheduler-file", str(sched_file))]

    def worker(name: str) -> subprocess.Popen:
        return _dask_process("distributed.cli.dask_worker", address, "--nworkers", "1", "--nthreads", "1",
                             "--host", "127.0.0.1", "--no-dashboard", "--name", name)

    try:
        deadline = time.time() + 60
        while not sched_file.exists() and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        procs.append(worker("first"))
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(1, timeout=60)
        serial = run_study(RunOptions(scenario=SMALL, out=tmp_path / "serial", replications=8, workers=1, plots=False))
        killed = []

        def replace_worker(_out):
            if killed:
                return
            procs.append(worker("second"))
            with Client(address, timeout="30s") as client:
                client.wait_for_workers(2, timeout=60)
            os.killpg(procs[1].pid, signal.SIGKILL)
            procs[1].wait(timeout=30)
            killed.append(procs[1].pid)

        dask = run_study(RunOptions(scenario=SMALL, out=tmp_path / "dask", replications=8, scheduler=address,
                                    plots=False), on_done=replace_worker)
        assert killed, "the first worker should have been killed mid-run"
        assert (dask.folder / "summary.csv").read_bytes() == (serial.folder / "summary.csv").read_bytes()
        assert (dask.folder / "facilities.csv").read_bytes() == (serial.folder / "facilities.csv").read_bytes()
    finally:
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=30)
