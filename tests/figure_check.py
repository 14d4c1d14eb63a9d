"""Test helper: what a reader sees of a figure — text sizes and overlapping labels.

matplotlib's renderer gives every text's bounding box in pixels; a figure passes when
every visible text is at least ``min_size`` points and no two texts overlap by more than
``tolerance`` pixels in both directions.
"""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text


def visible_texts(fig: Figure) -> list[Text]:
    """Every drawn, non-empty text of the figure (titles, labels, ticks, legends, notes)."""
    out = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        out.append(t)
    return out


def text_problems(fig: Figure, *, min_size: float = 9.0, tolerance: float = 1.0) -> list[str]:
    """Texts smaller than ``min_size`` points and pairs of texts that overlap."""
    if fig.canvas is None or not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    problems = []
    boxes = []
    for t in visible_texts(fig):
        if t.get_fontsize() < min_size:
            problems.append(f"{t.get_text()!r} is {t.get_fontsize():g} pt")
        box = t.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            boxes.append((t, box))
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1 :]:
            dx = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
            dy = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
            if dx > tolerance and dy > tolerance:
                problems.append(f"{a.get_text()!r} overlaps {b.get_text()!r}")
    return problems
