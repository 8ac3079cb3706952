"""The lint configuration in pyproject.toml holds for the package, tests and benchmarks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_is_clean():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is installed with the [test] extra")
    out = subprocess.run([ruff, "check", "sim", "tests", "benchmarks", "geodata"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
