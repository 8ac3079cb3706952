"""Run folders: atomic creation (temp folder, then rename) and the CSV/JSON writers used in them."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import math
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_folder", "default_run_folder", "write_csv", "write_json", "fmt", "check_output_path",
           "remove_stale_temporaries", "write_text_atomic"]


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


_TMP_NAME = re.compile(r"^\..+\.tmp-(?P<pid>\d+)(\.[A-Za-z0-9]+)?$")
#: The temporary folder's name adds ``.`` + ``.tmp-<pid>`` to the final name; file systems allow 255 bytes.
MAX_OUTPUT_NAME_BYTES = 255 - len(".tmp-4194304.") - 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove ``.<name>.tmp-<pid>`` folders and files in ``folder`` left by runs whose process no longer exists
    (killed with SIGKILL, or a machine that lost power); a live process's temporaries are never touched."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TMP_NAME.match(entry.name)
        if not m or int(m["pid"]) == os.getpid() or _alive(int(m["pid"])):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
        except OSError:
            pass
    return removed


def check_output_path(target: Path, what: str = "--out") -> None:
    """Refuse an output path that cannot be written, before any work is done: CorridorError naming it."""
    from .errors import CorridorError

    target = Path(target)
    name = target.name
    if not name or name in (".", ".."):
        raise CorridorError(f"{what} {target}: give a file or folder name")
    if len(os.fsencode(name)) > MAX_OUTPUT_NAME_BYTES:
        raise CorridorError(f"{what} {str(target)[:80]}...: the name is {len(os.fsencode(name))} bytes long; "
                            f"allowed: at most {MAX_OUTPUT_NAME_BYTES}")
    if len(os.fsencode(str(target.absolute()))) > 4000:
        raise CorridorError(f"{what} {str(target)[:80]}...: the path is too long; allowed: 4,000 bytes")
    parent = target.absolute().parent
    while not parent.exists():
        if parent.is_symlink():
            raise CorridorError(f"{what} {target}: {parent} is a broken symbolic link")
        parent = parent.parent
    if not parent.is_dir():
        raise CorridorError(f"{what} {target}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK) or str(parent.resolve()).startswith(("/proc", "/sys")):
        raise CorridorError(f"{what} {target}: cannot write in {parent} (no permission or a read-only file system)")


def _missing_parents(folder: Path) -> list[Path]:
    out = []
    p = folder.absolute()
    while not p.exists() and p != p.parent:
        out.append(p)
        p = p.parent
    return out  # deepest first


def _remove_empty(folders: list[Path]) -> None:
    for p in folders:  # deepest first
        try:
            p.rmdir()
        except OSError:
            break


@contextlib.contextmanager
def atomic_folder(final: Path) -> Iterator[Path]:
    """Yield a temporary sibling folder; rename it to ``final`` only if the block finishes. On any error or
    interrupt the temporary folder is removed, and so are the parent folders this call created, so no half-written
    run folder (nor an empty ``outputs/``) is ever left behind. Temporaries of dead runs are removed first."""
    from .errors import CorridorError

    check_output_path(final)
    if final.exists() or final.is_symlink():
        raise FileExistsError(f"output folder {final} already exists; choose another --out")
    created = _missing_parents(final.parent)
    tmp = final.parent / f".{final.name}.tmp-{os.getpid()}"
    try:
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_temporaries(final.parent)
            if tmp.exists():
                shutil.rmtree(tmp)
            tmp.mkdir()
        except OSError as exc:
            raise CorridorError(f"--out {final}: cannot create the output folder: {exc.strerror or exc}") from None
        try:
            yield tmp
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    except BaseException:
        _remove_empty(created)
        raise


def write_text_atomic(target: Path, text: str, what: str = "--out") -> None:
    """Write ``text`` to ``target`` through a temporary sibling renamed into place: the file is either complete or
    absent. The folder must exist. CorridorError (one line naming the path) on any problem."""
    from .errors import CorridorError

    target = Path(target)
    check_output_path(target, what)
    if target.is_dir():
        raise CorridorError(f"{what} {target}: is a folder; give a file name")
    if not target.parent.is_dir():
        raise CorridorError(f"{what} {target}: the folder {target.parent} does not exist")
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        raise CorridorError(f"{what} {target}: cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink(missing_ok=True)
