"""cocframes.plots_history: the history plots draw what their frames hold, with names, UTC time
axes and legends outside the plotting area."""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from _plot_checks import legend_overlaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import cocframes.plots as cfp
import cocframes.plots_history as cfh
from cocframes.frames.history import build_changes, build_history, build_season
from cocframes.plot_text import drawable

matplotlib.use("Agg")

T0 = datetime(2026, 3, 2, 8, tzinfo=timezone.utc)
CLAN = "#2PP"
EMOJI = "\N{FIRE}Blaze\N{CROWN}"
PLAYERS = {"#P2": "Alice", "#P8": "Bob", "#P9": EMOJI, "#PY": "Dora"}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def new_ax() -> Axes:
    fig = Figure(figsize=(9, 5), layout="constrained")
    FigureCanvasAgg(fig)  # a canvas that can draw, to measure the legend
    return fig.add_subplot()


def no_data(ax: Axes) -> bool:
    return any(t.get_gid() == "no-data" and t.get_text().startswith(cfp.NO_DATA)
               for t in ax.texts)


def legend_outside(ax: Axes) -> bool:
    """The legend's box, once drawn, does not overlap the plotting area (so no data)."""
    assert legend_overlaps(ax) == []
    fig = ax.figure
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    area = ax.get_window_extent(renderer)
    return legend.x0 >= area.x1 or legend.x1 <= area.x0 or legend.y0 >= area.y1 \
        or legend.y1 <= area.y0


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def series() -> pd.DataFrame:
    """Donations of four players and trophies of one: each player's donations rise, and
    their last values order them #P9 > #P2 > #PY > #P8."""
    rate = {"#P2": 3, "#P8": 1, "#P9": 5, "#PY": 2}
    rows = []
    for i, (tag, name) in enumerate(PLAYERS.items()):
        for step in range(3):
            rows.append({"time": at(step * 6 + i), "clan": CLAN, "player": tag, "name": name,
                         "metric": "donations", "value": 100.0 * step * rate[tag]})
    rows.append({"time": at(1), "clan": CLAN, "player": "#P2", "name": "Alice",
                 "metric": "trophies", "value": 5000.0})
    return build_history(rows)


@pytest.fixture
def changes() -> pd.DataFrame:
    def event(hours, kind, player, old=None, new=None):
        return {"time_from": at(hours - 0.1), "time_to": at(hours), "kind": kind,
                "clan": CLAN, "player": player, "field": None, "old": old, "new": new}

    return build_changes([
        event(0, "member_donations", "#P2", "10", "20"),
        event(1, "member_joined", "#P9", new=EMOJI),
        event(2, "member_role", "#P9", "member", "admin"),
        event(3, "member_left", "#P8", old="Bob"),
        event(4, "member_joined", "#P8", new="Bob"),
        event(5, "member_role", "#P2", "admin", "coLeader"),
        event(9, "clan_points", None, "100", "120"),
    ])


@pytest.fixture
def season() -> pd.DataFrame:
    return build_season([
        {"season": "2026-03", "clan": CLAN, "tag": tag, "name": name,
         "in_clan_at_end": tag != "#P8", "days_in_clan": 3.5, "donations": d, "received": 10}
        for (tag, name), d in zip(PLAYERS.items(), (300, 50, 900, 120), strict=True)
    ])


# --------------------------------------------------------------------------- common rules
def test_module_imports_no_pyplot_and_has_no_show_or_style_calls():
    code = ("import sys, cocframes.plots_history; "
            "print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "False"
    tree = ast.parse(Path(cfh.__file__).read_text(encoding="utf-8"))
    calls = {n.func.attr for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    assert not calls & {"show", "use", "rc", "rcParams", "style"}


@pytest.mark.parametrize(("plot", "frame", "options"), [
    ("metric_over_time", "series", {"metric": "donations"}),
    ("membership_timeline", "changes", {}),
    ("season_bars", "season", {}),
])
def test_empty_frame_says_no_data(plot, frame, options, request):
    df = request.getfixturevalue(frame)
    ax = getattr(cfh, plot)(df.iloc[:0], new_ax(), **options)
    assert isinstance(ax, Axes) and no_data(ax)


@pytest.mark.parametrize(("plot", "frame", "column", "options"), [
    ("metric_over_time", "series", "value", {"metric": "donations"}),
    ("membership_timeline", "changes", "kind", {}),
    ("season_bars", "season", "name", {}),
    ("season_bars", "season", "capital_gold", {"column": "capital_gold"}),
])
def test_missing_columns_raise_value_error_naming_them(plot, frame, column, options, request):
    df = request.getfixturevalue(frame).drop(columns=[column])
    with pytest.raises(ValueError, match=column):
        getattr(cfh, plot)(df, new_ax(), **options)
    with pytest.raises(TypeError, match="DataFrame"):
        getattr(cfh, plot)("#2PP", **options)


def test_without_ax_a_pyplot_figure_is_made(series):
    import matplotlib.pyplot as plt

    ax = cfh.metric_over_time(series, metric="donations")
    assert ax.figure in [plt.figure(n) for n in plt.get_fignums()]


# --------------------------------------------------------------------------- metric over time
def test_metric_over_time_one_step_line_per_player_named_and_ordered(series):
    ax = cfh.metric_over_time(series, new_ax(), metric="donations")
    lines = ax.get_lines()
    assert len(lines) == len(PLAYERS)
    # legend: names, not tags, highest last value first
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [EMOJI, "Alice", "Dora",
                                                                    "Bob"]
    assert all(line.get_drawstyle() == "steps-post" for line in lines)
    # every line runs on to the frame's last time with its last value
    end = matplotlib.dates.date2num(series["time"].max())
    for line in lines:
        assert line.get_xdata(orig=False)[-1] == pytest.approx(end)
    assert "UTC" in ax.get_xlabel()
    assert legend_outside(ax)


def test_metric_over_time_top_and_players_and_other_metrics(series):
    ax = cfh.metric_over_time(series, new_ax(), metric="donations", top=2)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [EMOJI, "Alice"]
    ax = cfh.metric_over_time(series, new_ax(), metric="donations", players=["Bob", "#p2"])
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["Alice", "Bob"]
    ax = cfh.metric_over_time(series, new_ax(), metric="trophies")
    assert len(ax.get_lines()) == 1
    assert no_data(cfh.metric_over_time(series, new_ax(), metric="capital_gold"))
    with pytest.raises(ValueError, match="unknown metric"):
        cfh.metric_over_time(series, new_ax(), metric="donation")
    with pytest.raises(ValueError, match="no player 'Zed'"):
        cfh.metric_over_time(series, new_ax(), metric="donations", players="Zed")


def test_metric_over_time_tells_players_of_the_same_name_apart(series):
    series.loc[series["player"] == "#P8", "name"] = "Alice"
    ax = cfh.metric_over_time(series, new_ax(), metric="donations")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Alice (#P2)" in labels and "Alice (#P8)" in labels


def test_long_legends_stay_outside_the_plotting_area():
    rows = [{"time": at(h), "clan": CLAN, "player": f"#P{n:03d}", "name": f"player {n}",
             "metric": "donations", "value": float(n * h)} for n in range(45) for h in (0, 5)]
    ax = cfh.metric_over_time(build_history(rows), new_ax(), metric="donations")
    assert len(ax.get_lines()) == 45
    assert legend_outside(ax)


# --------------------------------------------------------------------------- membership
def test_membership_timeline_markers_per_kind_rows_per_player(changes):
    ax = cfh.membership_timeline(changes, new_ax())
    by_label = {c.get_label(): len(c.get_offsets()) for c in ax.collections}
    assert by_label == {"joined": 2, "left": 1, "role change": 2}
    # one row per player, in the order of their first change, named
    assert [t.get_text() for t in ax.get_yticklabels()] == [EMOJI, "Bob", "#P2"]
    assert sorted(t.get_text() for t in ax.texts if t.get_gid() == "role-change") == [
        "admin -> coLeader", "member -> admin"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["joined", "left",
                                                                    "role change"]
    assert "UTC" in ax.get_xlabel()
    assert legend_outside(ax)


def test_membership_timeline_takes_names_from_a_frame(changes, season):
    ax = cfh.membership_timeline(changes, new_ax(), names=season)
    assert "Alice" in [t.get_text() for t in ax.get_yticklabels()]


def test_membership_timeline_without_membership_changes_is_no_data(changes):
    other = changes[changes["kind"] == "member_donations"]
    assert no_data(cfh.membership_timeline(other, new_ax()))


# --------------------------------------------------------------------------- season
def test_season_bars_one_bar_per_member_sorted_with_names(season):
    ax = cfh.season_bars(season, new_ax())
    [bars] = ax.containers
    assert len(bars) == len(season)
    assert [t.get_text() for t in ax.get_yticklabels()] == [EMOJI, "Alice", "Dora", "Bob"]
    widths = [b.get_width() for b in bars]
    assert widths == [900, 300, 120, 50]
    assert "2026-03" in ax.get_title()
    # Bob left: drawn lighter, and the legend says so, outside the bars
    colors = [matplotlib.colors.to_hex(b.get_facecolor()) for b in bars]
    assert colors[3] != colors[0] and len(set(colors[:3])) == 1
    assert legend_outside(ax)


def test_season_bars_other_columns_and_top(season):
    ax = cfh.season_bars(season, new_ax(), column="days_in_clan", top=2)
    [bars] = ax.containers
    assert len(bars) == 2
    assert [t.get_text().strip() for t in ax.texts] == ["3.50", "3.50"]
    with pytest.raises(ValueError, match="numeric"):
        cfh.season_bars(season, new_ax(), column="name")


# --------------------------------------------------------------------------- text
def test_emoji_names_draw_without_missing_glyph_warnings(series, changes, season):
    fig = Figure(figsize=(12, 4), layout="constrained")
    axes = fig.subplots(1, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfh.metric_over_time(series, axes[0], metric="donations")
        cfh.membership_timeline(changes, axes[1])
        cfh.season_bars(season, axes[2])
        fig.savefig(io.BytesIO(), format="png")
    assert [str(w.message) for w in caught] == []
    assert drawable(EMOJI) in [t.get_text() for t in axes[2].get_yticklabels()]
    assert "Blaze" in drawable(EMOJI)


def test_no_text_the_plots_add_is_beyond_latin_1(series, changes, season):
    source = Path(cfh.__file__).read_text(encoding="utf-8")
    assert all(ord(c) < 256 for c in source), "the module itself writes only Latin-1 text"
    for ax in (cfh.season_bars(season, new_ax()), cfh.membership_timeline(changes, new_ax()),
               cfh.metric_over_time(series, new_ax(), metric="donations")):
        added = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
                 *(t.get_text() for t in ax.texts)]
        assert all(ord(c) < 256 for c in "".join(added)), added
