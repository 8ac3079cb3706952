"""The lint and type-check configuration in pyproject.toml holds (the same checks as .pre-commit-config.yaml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tool(name: str) -> str:
    path = shutil.which(name) or str(Path(sys.executable).parent / name)
    assert Path(path).exists(), f"{name} comes with the [test] extra: pip install -e '.[test]'"
    return path


def test_ruff_is_clean():
    out = subprocess.run([tool("ruff"), "check", "sim", "tests", "benchmarks", "geodata"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_is_clean_on_the_package():
    out = subprocess.run([tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
