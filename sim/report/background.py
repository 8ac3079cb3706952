"""The route map drawn on a thread of the main process while the workers simulate.

The map depends only on the study's network and routes, not on results, so it need not wait for them. While the
final replications run the main thread only receives results and writes parquet; it draws nothing until it has
the map (``result``), so the thread is the one user of matplotlib meanwhile. The map is a ``Figure`` of its own
on the Agg canvas (``maps.draw_route_map``), never pyplot's state, and comes back as PNG bytes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..experiment import Study

__all__ = ["BackgroundDrawing", "route_map_drawing"]


class BackgroundDrawing:
    """Runs ``draw`` (returning PNG bytes) on a daemon thread: an interrupted run does not wait for it."""

    def __init__(self, draw: Callable[[], bytes], name: str = "route-map") -> None:
        self._draw = draw
        self._png: bytes | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._png = self._draw()
        except BaseException as exc:  # handed to the main thread by result()
            self._error = exc

    def result(self) -> bytes:
        """Wait for the drawing; its PNG bytes, or the error it raised, raised here in the caller's thread."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._png is not None
        return self._png


def route_map_drawing(study: Study) -> BackgroundDrawing:
    """Start drawing the study's route map (``figures.study_map``) on a thread; matplotlib is imported here, in
    the caller's thread, first."""
    from .figures import png_bytes, study_map

    return BackgroundDrawing(lambda: png_bytes(study_map(study)))
