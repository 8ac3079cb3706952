"""The typer application every command registers on, the consoles, one-line messages and shared options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .. import __version__

__all__ = ["app", "console", "err_console", "say", "warn", "GeodataOption", "CalibrationOption", "QuietOption"]

app = typer.Typer(
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish and PowerShell
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Simulate India-Russia trade corridors (INSTC, NSR, Suez, Cape) and compare them against a baseline.",
)
console = Console()
err_console = Console(stderr=True)


def _show_version(value: bool) -> None:
    if value:
        console.print(f"corridor-sim {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", "-V", callback=_show_version, is_eager=True,
                                                help="print the version and exit")] = False) -> None:
    """Simulate India-Russia trade corridors (INSTC, NSR, Suez, Cape) and compare them against a baseline."""


def say(kind: str, text: str, style: str = "bold red") -> None:
    """``kind: text`` on standard error, one line per line of ``text`` (no wrapping, no markup read in it)."""
    from rich.text import Text

    for line in str(text).splitlines() or [""]:
        msg = Text.assemble((f"{kind}:", style), " ", line)
        err_console.print(msg, highlight=False, soft_wrap=True)


def warn(text: str) -> None:
    """A ``warning:`` line on standard error."""
    say("warning", text, "bold yellow")


GeodataOption = Annotated[Path | None, typer.Option(help="geodata folder (default: the packaged geodata/)")]
CalibrationOption = Annotated[Path | None, typer.Option(
    help="calibration file (default: scenarios/defaults/calibration.yaml)")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="no progress and no table: print only the output path "
                                                           "(warnings and errors still go to standard error)")]
