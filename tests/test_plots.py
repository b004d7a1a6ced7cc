"""cocframes.plots: each plot draws what its frame holds, on the demo world and real captures."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from _plot_checks import legend_overlaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

import cocframes as cf
import cocframes.plots as cfp
from cocframes.frames import players as player_frames
from cocframes.frames import raids as raid_frames
from cocframes.frames import rankings as ranking_frames
from cocframes.frames import wars as war_frames
from cocframes.plot_text import drawable

matplotlib.use("Agg")  # before anything imports pyplot (cocframes.plots does so lazily)

CLAN = "#992JPJY20"
REAL = Path(__file__).resolve().parent / "fixtures" / "real"


def real(name: str) -> dict:
    return json.loads((REAL / f"{name}.json").read_text(encoding="utf-8"))["body"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def demo() -> dict:
    """The demo world's frames, fetched once."""
    client = cf.Client(demo=True, cache=False, progress=False)
    return {
        "members": cf.members(CLAN, client=client),
        "units": cf.units(clan=CLAN, client=client),
        "war_attacks": cf.war_attacks(CLAN, client=client),
        "war_members": cf.war_members(CLAN, client=client),
        "cwl": cf.cwl(CLAN, client=client),
        "raids": cf.raids(CLAN, client=client),
        "player_rankings": cf.rankings("global", "players", client=client, max_items=40),
        "clan_rankings": cf.rankings("global", "clans", client=client, max_items=40),
    }


def new_ax() -> Axes:
    return Figure(figsize=(8, 6)).add_subplot()


def bars(ax: Axes, label: str) -> BarContainer:
    found = [c for c in ax.containers if c.get_label() == label]
    assert len(found) == 1, [c.get_label() for c in ax.containers]
    return found[0]


def collection(ax: Axes, label: str):
    found = [c for c in ax.collections if c.get_label() == label]
    assert len(found) == 1, [c.get_label() for c in ax.collections]
    return found[0]


def texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def no_data(ax: Axes) -> bool:
    return any(t.get_text().startswith(cfp.NO_DATA) and t.get_gid() == "no-data"
               for t in ax.texts)


# --------------------------------------------------------------------------- module hygiene
def test_importing_plots_changes_no_matplotlib_state():
    code = (
        "import matplotlib, sys\n"
        "before = dict(matplotlib.rcParams)\n"
        "import cocframes.plots as p\n"
        "assert dict(matplotlib.rcParams) == before, 'rcParams changed on import'\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported on import'\n"
        "import cocframes as cf, pandas as pd\n"
        "df = pd.DataFrame({'name': ['a'], 'donations': [1], 'donations_received': [2]})\n"
        "p.donations(df)\n"
        "assert dict(matplotlib.rcParams) == before, 'rcParams changed by a plot'\n"
        "print('ok')\n"
    )
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_plots_module_has_no_show_or_style_calls():
    tree = ast.parse(Path(cfp.__file__).read_text(encoding="utf-8"))
    used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    used |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert not used & {"show", "style", "rcParams", "rc", "rcdefaults", "use"}


def test_without_ax_a_pyplot_figure_is_made_so_notebooks_show_it(demo):
    import matplotlib.pyplot as plt

    ax = cfp.donations(demo["members"])
    assert isinstance(ax, Axes)
    assert ax.figure.number in plt.get_fignums()


def test_given_ax_is_drawn_on_and_returned(demo):
    ax = new_ax()
    assert cfp.donations(demo["members"], ax) is ax
    assert cfp.donations(demo["members"], ax=new_ax()) is not ax


def test_a_tag_instead_of_a_frame_is_a_type_error(demo):
    with pytest.raises(TypeError, match="DataFrame"):
        cfp.donations(CLAN)
    with pytest.raises(TypeError, match="keyword-only"):
        cfp.unit_progress(demo["units"], "#8P8V9LVJU")


# --------------------------------------------------------------------------- empty / missing
EMPTY_CASES = {
    "unit_progress": (cfp.unit_progress, "units"),
    "clan_heatmap": (cfp.clan_heatmap, "units"),
    "war_map": (cfp.war_map, "war_attacks"),
    "war_stars": (cfp.war_stars, "war_members"),
    "donations": (cfp.donations, "members"),
    "trophies_by_town_hall": (cfp.trophies_by_town_hall, "members"),
    "ranking_ladder": (cfp.ranking_ladder, "player_rankings"),
    "cwl_rounds": (cfp.cwl_rounds, "cwl"),
    "raid_loot": (cfp.raid_loot, "raids"),
}


def frame_of(demo: dict, key: str) -> pd.DataFrame:
    if key == "cwl":
        return demo["cwl"].attacks
    if key == "raids":
        return demo["raids"].members
    return demo[key]


@pytest.mark.parametrize("name", sorted(EMPTY_CASES))
def test_empty_frame_says_no_data(demo, name):
    plot, key = EMPTY_CASES[name]
    empty = frame_of(demo, key).iloc[0:0]
    ax = plot(empty, new_ax())
    assert isinstance(ax, Axes)
    assert no_data(ax)
    assert ax.get_title()  # still says what it is
    ax = plot(empty)  # also without an Axes
    assert no_data(ax)


@pytest.mark.parametrize("name", sorted(EMPTY_CASES))
def test_missing_columns_raise_value_error_naming_them(demo, name):
    plot, key = EMPTY_CASES[name]
    df = frame_of(demo, key)
    needed = {
        "unit_progress": "max_level", "clan_heatmap": "max_level",
        "war_map": "new_stars", "war_stars": "attacks_missed",
        "donations": "donations_received", "trophies_by_town_hall": "town_hall",
        "ranking_ladder": "rank", "cwl_rounds": "attacker_clan_tag",
        "raid_loot": "capital_resources_looted",
    }[name]
    with pytest.raises(ValueError, match=needed):
        plot(df.drop(columns=[needed]), new_ax())


def test_ranking_ladder_needs_trophies_or_points(demo):
    with pytest.raises(ValueError, match="trophies or points"):
        cfp.ranking_ladder(demo["player_rankings"].drop(columns=["trophies"]), new_ax())


# --------------------------------------------------------------------------- unit_progress
def test_unit_progress_one_bar_per_unit_grouped_by_kind(demo):
    units = demo["units"]
    tag = units["player_tag"].iloc[0]
    name = units["player_name"].iloc[0]
    ax = cfp.unit_progress(units, new_ax(), player=tag)
    mine = units[(units["player_tag"] == tag) & (units["village"] == "home")
                 & units["kind"].isin(cfp.PROGRESS_KINDS)]
    container = bars(ax, "level / max level")
    assert len(container) == len(mine)
    widths = sorted(round(p.get_width(), 6) for p in container)
    assert widths == sorted(round(v, 6) for v in (mine["level"] / mine["max_level"]))
    assert name in ax.get_title() and tag in ax.get_title()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Barbarian King" in labels and "Barbarian" in labels
    first = mine.iloc[0]
    assert f"{first['level']}/{first['max_level']}" in texts(ax)
    # grouped: heroes first, then equipment ... spells last, as the legend says
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "Heroes" and legend[-1] == "Spells"
    # by name works too, and kinds= narrows
    ax = cfp.unit_progress(units, new_ax(), player=name, kinds=["hero"])
    assert len(bars(ax, "level / max level")) == (mine["kind"] == "hero").sum()


def test_unit_progress_needs_a_player_when_the_frame_has_several(demo):
    with pytest.raises(ValueError, match="player="):
        cfp.unit_progress(demo["units"], new_ax())
    with pytest.raises(ValueError, match="no player"):
        cfp.unit_progress(demo["units"], new_ax(), player="#2PP")


def test_unit_progress_from_a_real_profile():
    units = player_frames.build_units(real("player"))
    ax = cfp.unit_progress(units, new_ax(), village=None, kinds=None)
    assert len(bars(ax, "level / max level")) == len(units)


# --------------------------------------------------------------------------- clan_heatmap
def test_clan_heatmap_is_members_by_units(demo):
    units, members = demo["units"], demo["members"]
    ax = cfp.clan_heatmap(units, new_ax(), kind="hero")
    heroes = units[(units["kind"] == "hero") & (units["village"] == "home")]["name"].unique()
    grid = ax.images[0].get_array()
    assert grid.shape == (len(members), len(heroes))
    assert [t.get_text() for t in ax.get_yticklabels()] == [drawable(n) for n in members["name"]]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(heroes)
    assert grid.min() >= 0 and grid.max() <= 1
    # one cell checked against the frame
    row = units[(units["kind"] == "hero") & (units["player_tag"] == members["tag"].iloc[0])
                & (units["name"] == heroes[0])].iloc[0]
    assert grid[0, 0] == pytest.approx(row["level"] / row["max_level"])
    assert ax.get_title() == "Hero levels by member"


def test_clan_heatmap_marks_units_not_unlocked(demo):
    units = demo["units"]
    ax = cfp.clan_heatmap(units, new_ax(), kind="hero")
    grid = ax.images[0].get_array()
    heroes = units[(units["kind"] == "hero") & (units["village"] == "home")]
    unlocked = heroes.groupby("player_tag").size().sum()
    assert int((~np.ma.getmaskarray(grid)).sum()) == unlocked
    assert np.ma.getmaskarray(grid).any()  # some low town halls lack a hero


def test_clan_heatmap_other_kinds_and_real_profile(demo):
    ax = cfp.clan_heatmap(demo["units"], new_ax(), kind=["pet", "spell"], colorbar=False)
    kinds = demo["units"][demo["units"]["kind"].isin(["pet", "spell"])
                          & (demo["units"]["village"] == "home")]
    assert ax.images[0].get_array().shape[1] == kinds["name"].nunique()
    units = player_frames.build_units(real("player"))
    ax = cfp.clan_heatmap(units, new_ax(), kind="hero_equipment")
    assert ax.images[0].get_array().shape == (
        1, (units["kind"] == "hero_equipment").sum())


# --------------------------------------------------------------------------- war_map
def war_points(ax: Axes) -> int:
    return sum(len(c.get_offsets()) for c in ax.collections
               if c.get_label() in ("clan attacks", "opponent attacks"))


@pytest.mark.parametrize("source", ["demo", "real_inwar", "real_ended"])
def test_war_map_one_marker_per_attack_and_new_stars_marked(demo, source):
    attacks = {
        "demo": lambda: demo["war_attacks"],
        "real_inwar": lambda: war_frames.build_war_attacks(real("currentwar_inwar")),
        "real_ended": lambda: war_frames.build_war_attacks(real("currentwar_ended")),
    }[source]()
    assert len(attacks) > 0
    ax = cfp.war_map(attacks, new_ax())
    assert war_points(ax) == len(attacks)
    assert len(collection(ax, "new stars").get_offsets()) == (attacks["new_stars"] > 0).sum()
    assert ax.get_xlabel() == "attacker (map rank)"
    assert ax.get_ylabel() == "defender (map rank)"
    assert ax.get_title().startswith("War map")


def test_war_map_colours_by_stars_and_filters_a_side(demo):
    attacks = demo["war_attacks"]
    ax = cfp.war_map(attacks, new_ax(), side="clan")
    ours = attacks[attacks["side"] == "clan"]
    points = collection(ax, "clan attacks")
    assert len(points.get_offsets()) == len(ours)
    colours = [matplotlib.colors.to_hex(c) for c in points.get_facecolors()]
    assert colours == [cfp.STAR_COLORS[s] for s in ours["stars"]]
    assert [c.get_label() for c in ax.collections].count("opponent attacks") == 0
    assert CLAN in ax.get_title()


def test_war_map_refuses_several_wars_but_draws_one_cwl_war(demo):
    attacks = demo["cwl"].attacks
    with pytest.raises(ValueError, match="war_tag"):
        cfp.war_map(attacks, new_ax())
    one = attacks[attacks["war_tag"] == attacks["war_tag"].iloc[0]]
    assert war_points(cfp.war_map(one, new_ax())) == len(one)


# --------------------------------------------------------------------------- war_stars
def test_war_stars_per_member_with_attacks_left_during_the_war(demo):
    members = demo["war_members"]
    ours = members[members["side"] == "clan"].sort_values("rank")
    ax = cfp.war_stars(members, new_ax())
    new = bars(ax, "new stars (score)")
    assert len(new) == len(ours)
    assert [p.get_width() for p in new] == list(ours["new_stars_earned"])
    total = [a.get_width() + b.get_width()
             for a, b in zip(new, bars(ax, "other stars"), strict=True)]
    assert total == list(ours["stars_earned"])
    left = bars(ax, "attacks left")  # inWar: attacks_missed is NA
    assert [p.get_width() for p in left] == list(ours["attacks_remaining"])
    assert ax.get_yticklabels()[0].get_text().startswith("1. ")


def test_war_stars_shows_missed_attacks_once_the_war_ended():
    members = war_frames.build_war_members(real("currentwar_ended"))
    ax = cfp.war_stars(members, new_ax())
    ours = members[members["side"] == "clan"]
    missed = bars(ax, "missed attacks")
    assert len(missed) == len(ours)
    assert sum(p.get_width() for p in missed) == ours["attacks_missed"].sum()
    both = cfp.war_stars(members, new_ax(), side=None)
    assert len(bars(both, "new stars (score)")) == len(members)


# --------------------------------------------------------------------------- members plots
def test_donations_one_bar_pair_per_member_sorted(demo):
    members = demo["members"]
    ax = cfp.donations(members, new_ax())
    given, received = bars(ax, "given"), bars(ax, "received")
    assert len(given) == len(received) == len(members)
    widths = [p.get_width() for p in given]
    assert widths == sorted(members["donations"], reverse=True)
    top = members.sort_values("donations", ascending=False, kind="stable").iloc[0]
    assert ax.get_yticklabels()[0].get_text() == top["name"]
    assert received[0].get_width() == top["donations_received"]
    assert ax.get_title() == "Donations this season"
    assert len(bars(cfp.donations(members, new_ax(), top=5), "given")) == 5


def test_donations_passes_kwargs_to_the_bars(demo):
    ax = cfp.donations(demo["members"], new_ax(), alpha=0.5)
    assert bars(ax, "given")[0].get_alpha() == 0.5


def test_donations_from_real_members():
    members = player_frames.build_members(real("members"))
    ax = cfp.donations(members, new_ax())
    assert len(bars(ax, "given")) == len(members)


def test_trophies_by_town_hall_one_point_per_player(demo):
    members = demo["members"]
    ax = cfp.trophies_by_town_hall(members, new_ax())
    points = collection(ax, "player").get_offsets()
    assert len(points) == len(members)
    assert sorted(points[:, 1]) == sorted(members["trophies"])
    # every point sits within its town hall's column
    assert np.all(np.abs(points[:, 0] - np.round(points[:, 0])) <= 0.25 + 1e-9)
    assert ax.get_xlabel() == "town hall" and ax.get_ylabel() == "trophies"
    assert len(collection(ax, "median").get_segments()) == members["town_hall"].nunique()


def test_trophies_by_town_hall_without_town_halls_is_no_data():
    # the recorded members capture predates townHallLevel in the members list
    members = player_frames.build_members(real("members"))
    assert members["town_hall"].isna().all()
    assert no_data(cfp.trophies_by_town_hall(members, new_ax()))


def test_trophies_by_town_hall_takes_players_frames_too():
    profiles = player_frames.build_players(real("player"))
    ax = cfp.trophies_by_town_hall(profiles, new_ax())
    assert len(collection(ax, "player").get_offsets()) == 1


# --------------------------------------------------------------------------- rankings
def test_ranking_ladder_players(demo):
    ranking = demo["player_rankings"]
    ax = cfp.ranking_ladder(ranking, new_ax(), top=10)
    trophies = bars(ax, "trophies")
    assert len(trophies) == 10
    assert [p.get_width() for p in trophies] == list(ranking.sort_values("rank")["trophies"][:10])
    moves = [t for t in ax.texts if t.get_gid() == "rank-move"]
    assert len(moves) == 10
    assert all(t.get_text() == "new" or t.get_text() == "=" or t.get_text()[0] in "▲▼"
               for t in moves)
    assert ax.get_yticklabels()[0].get_text().startswith("1. ")
    assert ax.get_xlabel() == "trophies"


def test_ranking_ladder_clans_and_real_captures(demo):
    ax = cfp.ranking_ladder(demo["clan_rankings"], new_ax())
    assert len(bars(ax, "points")) == min(25, len(demo["clan_rankings"]))
    ranking = ranking_frames.build_clan_rankings(real("rankings_clans")["items"], kind="clans")
    ax = cfp.ranking_ladder(ranking, new_ax(), top=None)
    assert len(bars(ax, "points")) == len(ranking)
    ranking = ranking_frames.build_player_rankings(real("rankings_players")["items"],
                                                   kind="players")
    assert len(bars(cfp.ranking_ladder(ranking, new_ax()), "trophies")) == len(ranking)


def test_ranking_ladder_move_texts():
    df = pd.DataFrame({"rank": [1, 2, 3, 4], "previous_rank": pd.array([3, 2, 1, None],
                                                                         dtype="Int64"),
                       "name": list("abcd"), "trophies": [40, 30, 20, 10]})
    ax = cfp.ranking_ladder(df, new_ax())
    assert [t.get_text() for t in ax.texts if t.get_gid() == "rank-move"] == [
        "▲2", "=", "▼2", "new"]


# --------------------------------------------------------------------------- cwl, raids
def legend_lines(ax: Axes) -> list:
    return [ln for ln in ax.lines if not ln.get_label().startswith("_")]


def test_cwl_rounds_one_line_per_clan_with_round_totals(demo):
    group = demo["cwl"]
    ax = cfp.cwl_rounds(group, new_ax(), highlight=CLAN)
    assert len(legend_lines(ax)) == len(group.clans)
    assert {line.get_label() for line in legend_lines(ax)} == set(group.clans["name"])
    ended = sorted(group.attacks[group.attacks["state"] == "warEnded"]["round"].unique())
    ours = group.attacks[group.attacks["attacker_clan_tag"] == CLAN]
    line = next(ln for ln in ax.lines if ln.get_label() == "Demo Dragons")
    assert list(line.get_xdata()) == list(range(1, int(max(ended)) + 1))
    assert np.all(np.diff(line.get_ydata()) >= 0)
    assert line.get_linewidth() > ax.lines[-1].get_linewidth() or ax.lines[-1] is line
    assert ax.get_xticks()[-1] == group.rounds["round"].max()  # all rounds on the axis
    assert ax.get_xlabel() == "round"
    # the round in progress: a dashed continuation to the running total
    live = next(ln for ln in ax.lines if ln.get_gid() == "in-progress"
                and ln.get_color() == line.get_color())
    assert live.get_linestyle() == "--"
    assert live.get_xdata()[-1] == 5 and live.get_ydata()[-1] == ours["new_stars"].sum()
    ticks = {int(t.get_position()[0]): t.get_text() for t in ax.get_xticklabels()}
    assert "in progress" in ticks[5] and ticks[4] == "4" and ticks[7] == "7"
    assert legend_overlaps(ax) == []


def test_cwl_rounds_per_round_from_the_attacks_frame(demo):
    attacks = demo["cwl"].attacks
    ax = cfp.cwl_rounds(attacks, new_ax(), cumulative=False)
    assert {line.get_label() for line in legend_lines(ax)} == set(attacks["attacker_clan_tag"])
    line = next(ln for ln in ax.lines if ln.get_label() == CLAN)
    per_round = (attacks[(attacks["attacker_clan_tag"] == CLAN)
                         & (attacks["state"] == "warEnded")].groupby("round")["new_stars"].sum())
    assert list(line.get_ydata()) == list(per_round.astype(float))


def test_cwl_rounds_leave_rounds_without_attacks_out_not_as_zeros(demo):
    attacks = demo["cwl"].attacks
    attacks = attacks[(attacks["round"] != 3) & (attacks["state"] == "warEnded")]
    for cumulative in (True, False):
        ax = cfp.cwl_rounds(attacks, new_ax(), cumulative=cumulative)
        for line in ax.lines:
            assert list(line.get_xdata()) == [1, 2, 4]
        assert not [ln for ln in ax.lines if ln.get_gid() == "in-progress"]


def test_raid_loot_latest_weekend(demo):
    members = demo["raids"].members
    latest = members[members["season_start"] == members["season_start"].max()]
    ax = cfp.raid_loot(members, new_ax())
    loot = bars(ax, "capital gold")
    assert len(loot) == len(latest)
    assert [p.get_width() for p in loot] == sorted(latest["capital_resources_looted"],
                                                   reverse=True)
    assert f"{latest['season_start'].iloc[0]:%Y-%m-%d}" in ax.get_title()
    every = cfp.raid_loot(members, new_ax(), season="all")
    assert len(bars(every, "capital gold")) == members["tag"].nunique()
    assert sum(p.get_width() for p in bars(every, "capital gold")) == \
        members["capital_resources_looted"].sum()
    day = f"{members['season_start'].min():%Y-%m-%d}"
    oldest = members[members["season_start"] == members["season_start"].min()]
    assert len(bars(cfp.raid_loot(members, new_ax(), season=day), "capital gold")) == \
        len(oldest)


def test_raid_loot_from_a_real_capture():
    members = raid_frames.build_raid_members(real("capitalraidseasons"))
    ax = cfp.raid_loot(members, new_ax())
    assert len(bars(ax, "capital gold")) == len(members)


# --------------------------------------------------------------------------- legends
LEGEND_PLOTS = {
    "unit_progress": lambda d: cfp.unit_progress(d["units"], drawn_ax(),
                                                 player=d["units"]["player_tag"].iloc[0]),
    "donations": lambda d: cfp.donations(d["members"], drawn_ax()),
    "trophies_by_town_hall": lambda d: cfp.trophies_by_town_hall(d["members"], drawn_ax()),
    "war_map": lambda d: cfp.war_map(d["war_attacks"], drawn_ax()),
    "war_stars": lambda d: cfp.war_stars(d["war_members"], drawn_ax()),
    "war_stars_both": lambda d: cfp.war_stars(d["war_members"], drawn_ax(), side=None),
    "cwl_rounds": lambda d: cfp.cwl_rounds(d["cwl"], drawn_ax(), highlight=CLAN),
}


def drawn_ax(size: tuple[float, float] = (8, 6)) -> Axes:
    """An Axes of a constrained-layout figure with a canvas, to measure what it draws."""
    fig = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


@pytest.mark.parametrize("name", sorted(LEGEND_PLOTS))
def test_no_legend_covers_plotted_data(demo, name):
    ax = LEGEND_PLOTS[name](demo)
    assert ax.get_legend() is not None
    assert legend_overlaps(ax) == []


# --------------------------------------------------------------------------- titles, highlight
def test_war_titles_name_the_clans_where_the_frame_does(demo):
    attacks = demo["war_attacks"].assign(clan_name="Demo Dragons", opponent_name="🔥Foes🔥")
    title = cfp.war_map(attacks, new_ax()).get_title()
    assert "Demo Dragons" in title and "Foes" in title and CLAN not in title
    members = demo["war_members"].assign(clan_name="Demo Dragons", opponent_name="Foes")
    assert "Demo Dragons" in cfp.war_stars(members, new_ax()).get_title()
    assert "Foes" in cfp.war_stars(members, new_ax(), side="opponent").get_title()
    # the names of the frame itself; without names, the clan's tag, never the bare word "clan"
    assert demo["war_members"]["clan_name"].iloc[0] in \
        cfp.war_stars(demo["war_members"], new_ax()).get_title()
    nameless = demo["war_members"].drop(columns=["clan_name", "opponent_name"])
    assert CLAN in cfp.war_stars(nameless, new_ax()).get_title()


def test_ranking_ladder_title_says_kind_and_location(demo):
    assert cfp.ranking_ladder(demo["clan_rankings"], new_ax()).get_title() == \
        "Clan ranking, global"
    local = demo["player_rankings"].assign(location_id=32000087)
    local.attrs = {}
    assert "location 32000087" in cfp.ranking_ladder(local, new_ax()).get_title()
    title = cfp.ranking_ladder(local, new_ax(), location="France").get_title()
    assert title == "Player ranking, France"
    clans = demo["clan_rankings"].assign(location_name="France")
    clans.attrs = {}
    assert cfp.ranking_ladder(clans, new_ax()).get_title() == "Clan ranking, France"


def test_ranking_ladder_highlights_a_clan(demo):
    ranking = demo["clan_rankings"]
    ax = cfp.ranking_ladder(ranking, new_ax(), highlight=CLAN)
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in bars(ax, "points")]
    ours = list(ranking.sort_values("rank")["tag"][:25] == CLAN)
    assert ours.count(True) == 1
    assert len({c for c, o in zip(colours, ours, strict=True) if o}) == 1
    assert {c for c, o in zip(colours, ours, strict=True) if o}.isdisjoint(
        {c for c, o in zip(colours, ours, strict=True) if not o})
    label = ax.get_yticklabels()[ours.index(True)]
    assert label.get_fontweight() == "bold"
    assert "Demo Dragons" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend_overlaps(ax) == []
    # in a player ranking: the players of that clan
    players = demo["player_rankings"]
    ax = cfp.ranking_ladder(players, new_ax(), highlight=CLAN, top=None)
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in bars(ax, "trophies")]
    members = list(players.sort_values("rank")["clan_tag"] == CLAN)
    assert any(members)
    assert [c == colours[members.index(True)] for c in colours] == members


def test_legend_league_ladder_has_no_new_marks(demo):
    client = cf.Client(demo=True, cache=False, progress=False)
    legend = cf.legend_rankings(client=client, max_items=20)
    assert legend["previous_rank"].isna().all()  # the API gives no previous rank there
    ax = cfp.ranking_ladder(legend, new_ax())
    assert [t.get_text() for t in ax.texts if t.get_gid() == "rank-move"] == []
    assert "Legend League" in ax.get_title() and "2026-11" in ax.get_title()


def test_clan_heatmap_titles(demo):
    assert cfp.clan_heatmap(demo["units"], new_ax()).get_title() == "Hero levels by member"
    ax = cfp.clan_heatmap(demo["units"], new_ax(), kind=["pet", "spell"], colorbar=False)
    assert ax.get_title() == "Pet and spell levels by member"
    assert cfp.clan_heatmap(demo["units"], new_ax(), kind=None).get_title() == \
        "Unit levels by member"


def test_war_map_tells_the_sides_apart_and_shows_destruction(demo):
    attacks = demo["war_attacks"].assign(clan_name="Demo Dragons", opponent_name="Foes")
    ax = cfp.war_map(attacks, new_ax())
    ours, theirs = collection(ax, "clan attacks"), collection(ax, "opponent attacks")
    edge = {matplotlib.colors.to_hex(c) for c in ours.get_edgecolors()}
    other = {matplotlib.colors.to_hex(c) for c in theirs.get_edgecolors()}
    assert len(edge) == len(other) == 1 and edge != other
    # far enough apart that markers of the two sides in one cell do not touch
    shift = ours.get_offsets()[:, 0] - np.round(ours.get_offsets()[:, 0])
    assert np.all(np.abs(shift) >= 0.2)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Demo Dragons attacks" in legend and "Foes attacks" in legend
    shown = [t.get_text() for t in ax.texts if t.get_gid() == "destruction"]
    assert sorted(shown) == sorted(f"{d:.0f}%" for d in attacks["destruction"])
    assert legend_overlaps(ax) == []


def test_war_map_on_preparation_day_says_so():
    attacks = war_frames.build_war_attacks(real("currentwar_preparation"))
    attacks.attrs["war_state"] = "preparation"
    ax = cfp.war_map(attacks, new_ax())
    assert any("preparation day" in t.get_text() for t in ax.texts)
    assert not any(t.get_text().startswith(cfp.NO_DATA) for t in ax.texts)


def test_clan_heatmap_in_town_hall_order(demo):
    units = demo["units"]
    ax = cfp.clan_heatmap(units, new_ax(), order="town_hall")
    people = units.drop_duplicates("player_tag")
    halls = [int(t.get_text().rsplit("TH", 1)[1].rstrip(")")) for t in ax.get_yticklabels()]
    assert halls == sorted(people["player_town_hall"], reverse=True)
    assert ax.images[0].get_array().shape[0] == len(people)
    with pytest.raises(ValueError, match="order"):
        cfp.clan_heatmap(units, new_ax(), order="trophies")


def test_raid_loot_shows_members_who_did_not_raid(demo):
    raids, members = demo["raids"].members, demo["members"]
    latest = raids[raids["season_start"] == raids["season_start"].max()]
    absent = members[~members["tag"].isin(latest["tag"])]
    assert len(absent) > 0
    ax = cfp.raid_loot(raids, new_ax(), members=members)
    assert len(bars(ax, "capital gold")) == len(latest)
    marks = [t for t in ax.texts if t.get_gid() == "no-raid"]
    assert len(marks) == len(absent)
    assert all(t.get_text() == "did not raid" for t in marks)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len(latest) + len(absent)
    assert labels[len(latest):] == [drawable(n, t) for n, t in
                                    zip(absent["name"], absent["tag"], strict=True)]
    assert "did not raid" in ax.get_title() or str(len(absent)) in ax.get_title()
    with pytest.raises(ValueError, match="tag"):
        cfp.raid_loot(raids, new_ax(), members=members.drop(columns=["tag"]))
