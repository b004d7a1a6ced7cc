"""Names with emoji and symbols are drawn without boxes or missing-glyph warnings: with an
emoji font where one is installed, else without the characters no font has."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest
from _plot_checks import glyph_warnings
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import cocframes as cf
import cocframes.plots as cfp
from cocframes import plot_text

matplotlib.use("Agg")

CLAN = "#992JPJY20"
NAMES = ["⚔️Dragon", "🔥Blaze🔥", "ᴋɪɴɢ", "👨‍👩‍👧 Family", "🔥", "Zoé 👍🏽", "$cash$"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(params=["emoji font", "no emoji font"])
def fonts(request, monkeypatch) -> str:
    """Run a test with the emoji font (skipped where none is installed) and without it."""
    if request.param == "no emoji font":
        monkeypatch.setattr(plot_text, "_emoji_families", lambda: ())
    elif not plot_text._emoji_families():
        pytest.skip("no emoji font matplotlib can draw is installed (e.g. fonts-symbola)")
    return request.param


@pytest.fixture(scope="module")
def demo() -> dict:
    """Demo frames whose player and clan names hold emoji and rare letters."""
    client = cf.Client(demo=True, cache=False, progress=False)
    members = cf.members(CLAN, client=client)
    members = members.assign(name=[NAMES[i % len(NAMES)] for i in range(len(members))])
    league = cf.cwl(CLAN, client=client)
    league.clans["name"] = [NAMES[i % len(NAMES)] for i in range(len(league.clans))]
    units = cf.units(clan=CLAN, client=client)
    units = units.assign(player_name=units["player_tag"].map(
        dict(zip(members["tag"], members["name"], strict=True))))
    return {"members": members, "cwl": league, "units": units,
            "war_members": cf.war_members(CLAN, client=client).assign(name=NAMES[0]),
            "war_attacks": cf.war_attacks(CLAN, client=client),
            "raids": cf.raids(CLAN, client=client).members.assign(name=NAMES[1]),
            "rankings": cf.rankings("global", "clans", client=client, max_items=20)
            .assign(name=NAMES[2])}


PLOTS = {
    "donations": lambda d, ax: cfp.donations(d["members"], ax),
    "trophies_by_town_hall": lambda d, ax: cfp.trophies_by_town_hall(d["members"], ax),
    "clan_heatmap": lambda d, ax: cfp.clan_heatmap(d["units"], ax),
    "unit_progress": lambda d, ax: cfp.unit_progress(d["units"], ax,
                                                     player=d["members"]["tag"].iloc[0]),
    "war_map": lambda d, ax: cfp.war_map(d["war_attacks"], ax),
    "war_stars": lambda d, ax: cfp.war_stars(d["war_members"], ax),
    "cwl_rounds": lambda d, ax: cfp.cwl_rounds(d["cwl"], ax, highlight=CLAN),
    "raid_loot": lambda d, ax: cfp.raid_loot(d["raids"], ax),
    "ranking_ladder": lambda d, ax: cfp.ranking_ladder(d["rankings"], ax),
}


def drawn_texts(ax) -> list[str]:
    """Every text of the Axes once drawn: title, tick labels, legend, annotations."""
    texts = [ax.get_title(), *(t.get_text() for t in ax.texts)]
    texts += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
    if ax.get_legend() is not None:
        texts += [t.get_text() for t in ax.get_legend().get_texts()]
    return texts


@pytest.mark.parametrize("name", sorted(PLOTS))
def test_plots_of_emoji_names_draw_without_missing_glyphs(demo, fonts, name):
    fig = Figure(figsize=(9, 7), layout="constrained")
    ax = PLOTS[name](demo, fig.add_subplot())
    assert glyph_warnings(fig) == []
    assert not any("\ufe0f" in t or "\u200d" in t for t in drawn_texts(ax))


def test_emoji_names_keep_their_emoji_with_an_emoji_font(demo, fonts):
    fig = Figure(figsize=(9, 7), layout="constrained")
    ax = cfp.donations(demo["members"], fig.add_subplot())
    labels = {t.get_text() for t in ax.get_yticklabels()}
    if fonts == "emoji font":
        assert {"⚔Dragon", "🔥Blaze🔥", "ᴋɪɴɢ", "👨👩👧 Family", "🔥", "Zoé 👍"} <= labels
    else:  # the letters stay, the emoji go; nothing left: the name's tag
        assert {"⚔Dragon", "Blaze", "Family", "Zoé"} <= labels  # DejaVu Sans has ⚔
        only_emoji = demo["members"][demo["members"]["name"] == "🔥"]["tag"]
        assert set(only_emoji) <= labels
    assert r"\$cash\$" in labels  # drawn as "$cash$", not as mathtext


def test_drawable_strips_what_no_font_has(monkeypatch):
    monkeypatch.setattr(plot_text, "_emoji_families", lambda: ())
    assert plot_text.families() == list(matplotlib.rcParams["font.family"])
    assert plot_text.drawable("🐉Dragon") == "Dragon"
    assert plot_text.drawable("🔥 Blaze 🔥") == "Blaze"
    assert plot_text.drawable("🔥🔥", "#2PP") == "#2PP"
    assert plot_text.drawable("Chloé", "#2PP") == "Chloé"
    assert plot_text.drawable("plain name") == "plain name"


def test_use_fonts_sets_the_fallback_families_on_every_text(fonts):
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title("t")
    ax.plot([1, 2], label="line")
    ax.legend()
    plot_text.use_fonts(ax)
    families = plot_text.families()
    assert ax.title.get_fontfamily() == families
    assert ax.get_legend().get_texts()[0].get_fontfamily() == families
    fig.canvas.draw()
    assert all(t.get_fontfamily() == families for t in ax.get_yticklabels())


def test_names_frame_columns_are_not_changed(demo):
    before = demo["members"]["name"].copy()
    cfp.donations(demo["members"], Figure().add_subplot())
    pd.testing.assert_series_equal(demo["members"]["name"], before)
