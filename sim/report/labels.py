"""Map labels placed so that they overlap nothing already placed (greedy, eight candidate positions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.axes import Axes

__all__ = ["Labeller"]


@dataclass
class Labeller:
    """Greedy label placement: try eight positions around a point, keep the first that overlaps nothing."""

    ax: Axes
    placed: list = field(default_factory=list)

    def place(self, x: float, y: float, text: str, size: float = 7.5, weight: str = "normal", colour: str = "#222",
              must: bool = False) -> bool:
        renderer = self.ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvas
        for dx, dy, ha, va in ((6, 4, "left", "bottom"), (6, -4, "left", "top"), (-6, 4, "right", "bottom"),
                               (-6, -4, "right", "top"), (0, 8, "center", "bottom"), (0, -8, "center", "top"),
                               (10, 0, "left", "center"), (-10, 0, "right", "center")):
            t = self.ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                                 fontsize=size, fontweight=weight, color=colour, zorder=30,
                                 bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})
            box = t.get_window_extent(renderer).expanded(1.04, 1.1)
            axbox = self.ax.get_window_extent(renderer)
            inside = axbox.contains(box.x0, box.y0) and axbox.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(b) for b in self.placed):
                self.placed.append(box)
                return True
            t.remove()
        if must:
            t = self.ax.annotate(text, (x, y), xytext=(6, 4), textcoords="offset points", fontsize=size, color=colour,
                                 zorder=30)
            self.placed.append(t.get_window_extent(renderer))
            return True
        return False

    def block(self, artist) -> None:
        """Keep labels off an artist already drawn (e.g. the legend)."""
        renderer = self.ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvas
        self.placed.append(artist.get_window_extent(renderer))
