"""Errors a user can act on: each names the file, the item and what is allowed."""

from __future__ import annotations

__all__ = ["CorridorError", "GeodataError", "ScenarioError", "RouteError", "FieldError", "Interrupted"]


class CorridorError(Exception):
    """Base class for errors reported to the user without a traceback."""


class GeodataError(CorridorError):
    """Invalid network data: ``file``, ``feature`` and ``field`` say where, the message says what is allowed."""

    def __init__(self, file: str, feature: str, field: str, message: str) -> None:
        self.file, self.feature, self.field = file, feature, field
        super().__init__(f"{file}: feature '{feature}': field '{field}': {message}")


class RouteError(CorridorError):
    """A route cannot be resolved on the network under the given policy."""


class ScenarioError(CorridorError):
    """An invalid scenario file; the message names the file, the line (where known) and the field."""


class FieldError(ValueError):
    """Raised inside a pydantic validator to blame one field (``loc``, relative to the model being validated)
    rather than the whole model, so the message points at that field's line."""

    def __init__(self, loc: str | int | tuple, message: str) -> None:
        self.loc = loc if isinstance(loc, tuple) else (loc,)
        super().__init__(message)


class Interrupted(BaseException):
    """The process was asked to stop (SIGTERM); raised in the main thread like KeyboardInterrupt, so the same
    clean-up runs. ``signum`` is the signal's number; the exit code is 128 + signum."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"terminated by signal {signum}")
