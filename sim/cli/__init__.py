"""The `corridor-sim` command line: run, compare, scenarios, validate, schema, routes, map.

``main(argv)`` is the one entry point (the console script and tests call it): every outcome is an exit code and,
on failure, one line per problem on standard error, never a traceback. Exit codes: 0 done; 1 internal error (a
bug); 2 bad input (a file, option, path or scheduler address that cannot be used); 130 interrupted (Ctrl-C);
143 terminated (SIGTERM); 129 hang-up (SIGHUP). An interrupted or failed run leaves nothing behind.

Each command group lives in its own module and registers itself on the one typer ``app`` (``app.py``) when
imported below: a new command group is one more import line.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from ..errors import CorridorError, Interrupted
from ..sensitivity.command import register as _register_sensitivity
from . import compare, network, run, study  # noqa: F401  (each registers its commands on the app)
from .app import app, say

_register_sensitivity(app)  # the command's body lives in sim/sensitivity/command.py

__all__ = ["app", "cli", "main", "app_commands"]

# ----- the one entry point: exit codes and one-line messages -------------------------------------------------------
EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
_STOP_SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)


def _on_stop_signal(signum, _frame) -> None:
    # a second signal must not interrupt the clean-up the first one starts
    for s in (*_STOP_SIGNALS, signal.SIGINT):
        signal.signal(s, signal.SIG_IGN)
    raise Interrupted(signum)


_SIGINT_SEEN = threading.Event()


def _on_sigint(_signum, _frame) -> None:
    for s in (*_STOP_SIGNALS, signal.SIGINT):
        signal.signal(s, signal.SIG_IGN)
    _SIGINT_SEEN.set()  # typer turns KeyboardInterrupt into a plain exit code 130; this tells them apart
    raise KeyboardInterrupt


def _command_name(argv: list[str]) -> str:
    return next((a for a in argv if a in app_commands()), "")


def app_commands() -> set[str]:
    """The names of the registered commands."""
    return {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}


def cli(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return the exit code. Nothing escapes as a
    traceback: bad input prints ``error: ...`` lines and returns 2; an unexpected failure prints one
    ``internal error`` line and returns 1 (``CORRIDOR_SIM_DEBUG=1`` shows its traceback)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        for s in _STOP_SIGNALS:
            handlers[s] = signal.signal(s, _on_stop_signal)
        handlers[signal.SIGINT] = signal.signal(signal.SIGINT, _on_sigint)
    try:
        try:
            _SIGINT_SEEN.clear()
            code = app(args=argv, prog_name="corridor-sim", standalone_mode=False)
            if _SIGINT_SEEN.is_set():
                raise KeyboardInterrupt
            return code if isinstance(code, int) else EXIT_OK
        except SystemExit as exc:  # click's shell completion exits once it has printed
            return exc.code if isinstance(exc.code, int) else EXIT_OK
        except Exception as exc:
            # click's exceptions (typer may vendor click, so they are recognised by class name)
            kinds = {c.__name__ for c in type(exc).__mro__}
            if "Exit" in kinds:
                if isinstance(exc.__cause__, KeyboardInterrupt):  # typer turns Ctrl-C into Exit(130)
                    raise KeyboardInterrupt from None
                return int(getattr(exc, "exit_code", EXIT_BAD_INPUT))
            if "Abort" in kinds:
                raise KeyboardInterrupt from None
            if "ClickException" not in kinds:
                raise
            cmd = _command_name(argv)
            hint = f" (see 'corridor-sim {cmd} --help')" if cmd else " (see 'corridor-sim --help')"
            say("error", " ".join(str(getattr(exc, "format_message", exc.__str__)()).split()) + hint)
            return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        say("interrupted", "stopped by Ctrl-C; nothing was written (no output folder, no temporary files)")
        return EXIT_INTERRUPTED
    except Interrupted as exc:
        name = signal.Signals(exc.signum).name
        say("interrupted", f"stopped by {name}; nothing was written (no output folder, no temporary files)")
        return 128 + exc.signum
    except (CorridorError, FileExistsError) as exc:
        say("error", str(exc))
        return EXIT_BAD_INPUT
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        say("error", f"{where}{exc.strerror or exc}")
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug: say so in one line, keep the traceback for whoever debugs it
        if os.environ.get("CORRIDOR_SIM_DEBUG"):
            import traceback

            traceback.print_exc()
        first = (str(exc).splitlines() or [""])[0][:300]
        say("internal error", f"{type(exc).__name__}: {first} -- this is a bug; please report it with the command "
             "line (CORRIDOR_SIM_DEBUG=1 shows the traceback)")
        return EXIT_INTERNAL
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    code = cli(argv)
    sys.stdout.flush()
    sys.exit(code)

