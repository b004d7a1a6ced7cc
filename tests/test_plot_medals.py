"""``plots.medal_scores``: the CWL bonus-medal ranking drawn so that each bar adds up to the
member's score, its parts named after the weights, names with emoji drawn, the legend off
the bars."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from _plot_checks import glyph_warnings, legend_overlaps
from matplotlib.figure import Figure

import cocframes as cf
from cocframes import plots


@pytest.fixture(scope="module")
def league() -> cf.CwlFrames:
    with cf.Client(demo=True, cache=False, progress=False) as client:
        return cf.cwl(cf.demo.DEMO_CLAN_TAG, client=client)


def _bar_totals(ax) -> dict[float, float]:
    """Row (bar centre) → the signed sum of the widths of the bars drawn on it."""
    totals: dict[float, float] = {}
    for patch in ax.patches:
        y = round(patch.get_y() + patch.get_height() / 2, 6)
        totals[y] = totals.get(y, 0.0) + patch.get_width()
    return totals


@pytest.mark.parametrize("weights", [None, {"new_stars": 1, "three_stars": 0.5,
                                            "attacks_missed": -3}])
def test_each_bar_adds_up_to_the_members_score(league, weights):
    medals = league.medals if weights is None else league.rank_medals(**weights)
    ax = plots.medal_scores(medals, Figure().add_subplot())
    totals = _bar_totals(ax)
    scores = medals.sort_values("score", ascending=False, kind="stable")["score"].to_numpy()
    assert set(totals) <= {float(row) for row in range(len(medals))}
    for row, score in enumerate(scores):
        assert totals.get(float(row), 0.0) == pytest.approx(score, abs=1e-9)
    labels = ax.get_legend_handles_labels()[1]
    wanted = (weights or {"stars": 1, "destruction": 0.01, "attacks_missed": -2})
    for column, weight in wanted.items():
        assert f"{weight:g} * {column}" in labels or weight < 0
    assert medals.attrs["score"] in ax.get_xlabel()
    assert [t.get_text().split(". ")[0] for t in ax.get_yticklabels()][:3] == \
        [str(r) for r in medals["rank"].head(3)]


def test_names_with_emoji_draw_without_missing_glyphs_and_the_legend_covers_no_bar(league):
    assert league.medals["name"].str.contains("🔥|⚔|✨").any(), "the demo has emoji names"
    fig = Figure(layout="constrained")
    ax = plots.medal_scores(league.medals, fig.add_subplot(), top=12)
    fig.set_size_inches(plots.figure_size(ax))
    assert glyph_warnings(fig) == []
    assert legend_overlaps(ax) == []
    assert len(ax.get_yticklabels()) == 12


def test_a_frame_read_back_from_csv_is_drawn_as_its_score(league):
    back = pd.read_csv(io.StringIO(league.medals.to_csv(index=False)))
    assert back.attrs == {}
    ax = plots.medal_scores(back, Figure().add_subplot())
    totals = _bar_totals(ax)
    assert np.allclose([totals[float(i)] for i in range(len(back))], back["score"])


def test_empty_and_wrong_frames(league):
    ax = plots.medal_scores(league.medals.iloc[0:0], Figure().add_subplot())
    assert any(t.get_gid() == "no-data" for t in ax.texts)
    with pytest.raises(ValueError, match=r"cf\.cwl\(clan\)\.medals"):
        plots.medal_scores(league.lineup, Figure().add_subplot())
