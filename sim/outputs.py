"""Run folders: atomic creation (temp folder, then rename) and the CSV/JSON writers used in them."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_folder", "default_run_folder", "write_csv", "write_json", "fmt"]


def fmt(value) -> str:
    """Stable text for CSV cells: floats to 6 significant digits, NaN as empty, booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return format(value, ".6g") if abs(value) < 1e15 else repr(value)
    return str(value)


def write_csv(path: Path, rows: list[dict], columns: tuple[str, ...]) -> None:
    """Write ``rows`` with the given column order."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([fmt(row[c]) for c in columns])


def write_json(path: Path, data: dict) -> None:
    """Pretty JSON with a trailing newline."""
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


def default_run_folder(root: Path, scenario_name: str, now: dt.datetime | None = None) -> Path:
    """``root/<scenario>-<UTC timestamp>``, with a numeric suffix if that name is taken."""
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S")
    candidate = root / f"{scenario_name}-{stamp}"
    k = 2
    while candidate.exists():
        candidate = root / f"{scenario_name}-{stamp}-{k}"
        k += 1
    return candidate


@contextlib.contextmanager
def atomic_folder(final: Path) -> Iterator[Path]:
    """Yield a temporary sibling folder; rename it to ``final`` only if the block finishes. On any error or
    interrupt the temporary folder is removed, so no half-written run folder is ever left behind."""
    if final.exists():
        raise FileExistsError(f"output folder {final} already exists; choose another --out")
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{final.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
