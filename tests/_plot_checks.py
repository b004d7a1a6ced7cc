"""Checks shared by the plot tests: missing glyphs and legends that cover data."""

from __future__ import annotations

import itertools
import warnings
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def glyph_warnings(fig: Figure) -> list[str]:
    """Draw ``fig`` and return the messages of the missing-glyph warnings matplotlib gave."""
    if fig.canvas is None or not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def _data_artists(ax: Axes) -> list[Any]:
    """The artists that show data: bars and patches, lines, collections, images, texts."""
    found = [*ax.patches, *ax.lines, *ax.collections, *ax.images]
    found += [t for t in ax.texts if t.get_gid() != "no-data"]
    return [a for a in found if a.get_visible()]


def legend_overlaps(ax: Axes) -> list[str]:
    """Draw ``ax``'s figure and return the data artists its legend's box overlaps (by label);
    an empty list when there is no legend or it covers nothing."""
    legend = ax.get_legend()
    if legend is None:
        return []
    fig = ax.figure
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    hits = []
    for artist in _data_artists(ax):
        extent = artist.get_window_extent(renderer)
        if extent.width <= 0 and extent.height <= 0:
            continue
        if (extent.x0 < box.x1 and box.x0 < extent.x1 and extent.y0 < box.y1
                and box.y0 < extent.y1):
            hits.append(f"{type(artist).__name__} {artist.get_label()!r}")
    return hits


def crowded_labels(ax: Axes) -> list[str]:
    """Return the tick labels of ``ax`` (drawn) that overlap their neighbour on the axis."""
    renderer = ax.figure.canvas.get_renderer()
    hits = []
    for axis, ticks in (("y", ax.get_yticklabels()), ("x", ax.get_xticklabels())):
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ticks
                 if t.get_visible() and t.get_text()]
        for (text, a), (_, b) in itertools.pairwise(boxes):
            if a.overlaps(b) and (a.width > 0 and b.width > 0):
                hits.append(f"{axis}: {text!r}")
    return hits


def cut_off(fig: Figure) -> bool:
    """True when something drawn on ``fig`` (a legend, a label) reaches outside it."""
    renderer = fig.canvas.get_renderer()
    tight, area = fig.get_tightbbox(renderer), fig.bbox_inches
    return (tight.x0 < area.x0 - 0.01 or tight.y0 < area.y0 - 0.01
            or tight.x1 > area.x1 + 0.01 or tight.y1 > area.y1 + 0.01)
