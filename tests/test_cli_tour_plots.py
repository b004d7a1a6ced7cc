"""`cocframes demo --out DIR`: the tour's plots as PNG files that show everything they draw:
no missing glyphs, no legend over data, no label cut off or crowding its neighbour."""

from __future__ import annotations

import warnings

import matplotlib
import pytest
from _plot_checks import crowded_labels, cut_off, glyph_warnings, legend_overlaps
from matplotlib.backends.backend_agg import FigureCanvasAgg

from cocframes import Client
from cocframes._cli_tour import demo_figures, tour
from cocframes.cli import main
from cocframes.demo import World

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def figures() -> dict:
    """The tour's figures, as ``write_plots`` draws them."""
    world = World()
    with Client(demo=True, cache=False, progress=False) as client:
        frames = tour(client, world.clan_tag)
    drawn = demo_figures(frames, world.clan_tag)
    for fig in drawn.values():
        FigureCanvasAgg(fig)
    return drawn


def test_demo_out_writes_pngs_without_missing_glyph_warnings(tmp_path, capsys):
    out = tmp_path / "plots"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["demo", "--out", str(out)]) == 0
    assert [str(w.message) for w in caught if "missing from font" in str(w.message)] == []
    assert len(list(out.glob("*.png"))) >= 9


def test_demo_figures_have_no_missing_glyphs(figures):
    assert {name: glyph_warnings(fig) for name, fig in figures.items()
            if glyph_warnings(fig)} == {}


def test_demo_figures_legends_cover_no_data(figures):
    found = {name: legend_overlaps(ax) for name, fig in figures.items() for ax in fig.axes}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_demo_figures_fit_their_content(figures):
    for name, fig in figures.items():
        fig.canvas.draw()
        assert not cut_off(fig), name
        assert crowded_labels(fig.axes[0]) == [], name
