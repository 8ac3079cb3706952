"""Errors a user can act on: each names the file, the item and what is allowed."""

from __future__ import annotations

__all__ = ["CorridorError", "GeodataError", "ScenarioError", "RouteError"]


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
