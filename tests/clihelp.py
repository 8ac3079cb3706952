"""Call the command line in-process through its one entry point (`sim.cli.cli`), capturing what it prints."""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from sim.cli import cli


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(*args, cwd: Path | None = None) -> CliResult:
    """``corridor-sim ARGS`` in this process (optionally from folder ``cwd``); returns the code and the output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        stack.enter_context(_env("COLUMNS", "200"))
        code = cli([os.fspath(a) if isinstance(a, Path) else str(a) for a in args])
    return CliResult(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _env(name: str, value: str):
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old
