"""Map labels placed so that each sits beside its own point, off every route line, off every other label and
marker, and inside the axes: greedy, nearest positions first, further out with a thin leader when the near ones are
taken. A label that fits nowhere is left out rather than drawn over something.

Everything is decided in display coordinates (pixels) after the lines are drawn, so what the test measures on the
saved figure is what the placement avoided."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.text import Text
from matplotlib.transforms import Bbox

__all__ = ["Labeller", "LABEL_GID", "label_boxes", "line_paths", "text_box"]

LABEL_GID = "label"
# (dx, dy) in points; ha/va follow the side. Near ring first (right of the point first: west-to-east reading),
# then two rings further out with a leader line.
_DIRECTIONS = ((1, 0.5), (1, -0.5), (-1, 0.5), (-1, -0.5), (0, 1), (0, -1), (1, 0), (-1, 0))
_FAR = tuple((math.cos(a), math.sin(a)) for a in np.linspace(0, 2 * math.pi, 16, endpoint=False))
_RINGS = (6.0, 16.0, 28.0, 42.0)


def _align(dx: float, dy: float) -> tuple[str, str]:
    ha = "left" if dx > 1e-6 else "right" if dx < -1e-6 else "center"
    va = "bottom" if dy > 1e-6 else "top" if dy < -1e-6 else "center"
    return ha, va


def line_paths(ax: Axes, gid_prefixes: tuple[str, ...] = ("route:", "detail:", "inset:")) -> list[tuple[np.ndarray,
                                                                                                      float]]:
    """Every route line drawn in ``ax`` as (vertices in display pixels, line width in pixels)."""
    px_per_pt = ax.figure.dpi / 72.0
    out = []
    for c in ax.collections:
        if isinstance(c, LineCollection) and (c.get_gid() or "").startswith(gid_prefixes):
            widths = np.atleast_1d(c.get_linewidth())
            for i, seg in enumerate(c.get_segments()):
                if len(seg) >= 2:
                    out.append((ax.transData.transform(seg), float(widths[i % len(widths)]) * px_per_pt))
    return out


def label_boxes(ax: Axes) -> list[tuple[object, Bbox]]:
    """Every placed label in ``ax`` with its box (text and background) in display pixels."""
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvas
    return [(t, text_box(t, renderer)) for t in ax.texts if t.get_gid() == LABEL_GID]


def text_box(t, renderer) -> Bbox:
    """The box of a label's text and its white background in display pixels (without its leader line, which an
    annotation's own extent includes)."""
    if hasattr(t, "update_positions"):
        t.update_positions(renderer)  # an annotation's text is placed relative to its point only when drawn
    box = Text.get_window_extent(t, renderer)
    pad = t.get_fontsize() * 0.15 * t.figure.dpi / 72.0
    return Bbox.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)


@dataclass
class Labeller:
    """Greedy label placement in one axes that keeps labels beside their own point and off lines and markers."""

    ax: Axes
    placed: list = field(default_factory=list)
    points: list = field(default_factory=list)  # (x, y) display pixels of every marked point
    _lines: shapely.Geometry | None = None

    def avoid_lines(self) -> None:
        """Read the route lines now drawn in the axes (call once they are all added)."""
        parts = [shapely.LineString(xy).buffer(w / 2 + 0.5, cap_style="round") for xy, w in line_paths(self.ax)]
        self._lines = shapely.union_all(parts) if parts else None
        if self._lines is not None:
            shapely.prepare(self._lines)

    def mark(self, x: float, y: float, radius_px: float = 3.0) -> None:
        """A point (data coordinates) labels must not cover and must not sit nearer to than to their own."""
        px, py = self.ax.transData.transform((x, y))
        self.points.append((px, py))
        self.placed.append(Bbox.from_extents(px - radius_px, py - radius_px, px + radius_px, py + radius_px))

    def block(self, artist) -> None:
        """Keep labels off an artist already drawn (e.g. a legend)."""
        renderer = self.ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvas
        self.placed.append(artist.get_window_extent(renderer))

    def _fits(self, box: Bbox, own: tuple[float, float], near: bool) -> bool:
        axbox = self.ax.get_window_extent()
        if not (axbox.contains(box.x0, box.y0) and axbox.contains(box.x1, box.y1)):
            return False
        if any(box.overlaps(b) for b in self.placed):
            return False
        if self._lines is not None and self._lines.intersects(shapely.box(box.x0, box.y0, box.x1, box.y1)):
            return False
        if not near:
            return True  # a leader line shows which point the label belongs to
        # on the right side: no other marked point is nearer to the label than its own point
        mine = _distance(box, own)
        return all(_distance(box, p) > mine for p in self.points if math.dist(p, own) > 1.0)

    def place(self, x: float, y: float, text: str, size: float = 7.5, weight: str = "normal",
              colour: str = "#222") -> bool:
        """Label the point (x, y) (data coordinates) with ``text`` where it fits; False when it fits nowhere."""
        renderer = self.ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvas
        own = tuple(self.ax.transData.transform((x, y)))
        for ring in _RINGS:
            for ux, uy in _DIRECTIONS if ring == _RINGS[0] else _FAR:
                dx, dy = ux * ring, uy * ring
                ha, va = _align(dx, dy)
                leader = {"arrowstyle": "-", "color": colour, "linewidth": 0.5, "shrinkA": 0, "shrinkB": 2} \
                    if ring > _RINGS[0] else None
                t = self.ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                                     fontsize=size, fontweight=weight, color=colour, zorder=30, arrowprops=leader,
                                     bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
                t.set_gid(LABEL_GID)
                box = text_box(t, renderer)
                if self._fits(box.expanded(1.04, 1.1), (own[0], own[1]), ring == _RINGS[0]):
                    self.placed.append(box)
                    return True
                t.remove()
        return False


def _distance(box: Bbox, p: tuple[float, float]) -> float:
    dx = max(box.x0 - p[0], 0.0, p[0] - box.x1)
    dy = max(box.y0 - p[1], 0.0, p[1] - box.y1)
    return math.hypot(dx, dy)
