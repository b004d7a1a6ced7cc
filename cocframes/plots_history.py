"""Matplotlib plots of the history frames (:mod:`cocframes.tracking`): a metric over time, the
clan's joins, leaves and role changes, and a season's columns per member.

They follow the rules of :mod:`cocframes.plots`: ``plot(df, ax=None, *, options..., **kwargs)
-> Axes``, a "no data" Axes for an empty frame, ``ValueError`` naming the columns a frame
lacks, no ``plt.show()`` and no global style change. Times are drawn in UTC; legends sit
outside the plotting area, so they never cover a line.

Usage::

    import cocframes as cf
    import cocframes.plots_history as cfh

    sim = cf.tracking.simulate(days=3)
    clan, store = sim.world.clan_tag, sim.tracker.store
    cfh.metric_over_time(cf.history(clan, metrics="donations", history=store),
                         metric="donations", top=10)
    cfh.membership_timeline(cf.changes(clan, history=store))
    cfh.season_bars(cf.season(clan, history=store), column="donations")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timezone
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cocframes.plot_text import use_fonts
from cocframes.plots import (
    _axes,
    _floats,
    _label,
    _legend_outside,
    _names,
    _no_data,
    _require,
    _size,
    _tags,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MEMBERSHIP_KINDS", "membership_timeline", "metric_over_time", "season_bars"]

#: The change kinds :func:`membership_timeline` draws: kind -> (legend label, marker, colour).
MEMBERSHIP_KINDS = {
    "member_joined": ("joined", "^", "#1a9850"),
    "member_left": ("left", "v", "#d73027"),
    "member_role": ("role change", "D", "#4575b4"),
}


# --------------------------------------------------------------------------- helpers
def _utc_time_axis(ax: Axes) -> None:
    """Format the x axis as dates in UTC, whatever matplotlib's ``timezone`` setting."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(tz=timezone.utc)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=timezone.utc))
    ax.set_xlabel("time (UTC)")


def _unique_labels(tags: list[str], names: Mapping[str, str]) -> dict[str, str]:
    """Return tag -> its name, with the tag added where two players share a name."""
    labels = {tag: _label(names.get(tag), tag) for tag in tags}
    counts = pd.Series(list(labels.values())).value_counts()
    return {tag: f"{label} ({tag})" if counts[label] > 1 and label != tag else label
            for tag, label in labels.items()}


def _latest_names(tags: Any, names: Any) -> dict[str, str]:
    """Return tag -> the last non-missing name of that tag in the two columns."""
    out: dict[str, str] = {}
    for tag, name in zip(tags, names, strict=True):
        if _label(name, "") and _label(tag, ""):
            out[str(tag)] = str(name)
    return out


def _select_players(df: pd.DataFrame, players: str | Iterable[str] | None,
                    names: Mapping[str, str]) -> pd.DataFrame:
    """Rows of the players given by tag or name; raise naming those not in the frame."""
    if players is None:
        return df
    wanted = [players] if isinstance(players, str) else list(players)
    from cocframes.tags import is_valid_tag, normalize_tag

    by_name = {name: tag for tag, name in names.items()}
    tags: list[str] = []
    unknown: list[str] = []
    for who in wanted:
        tag = by_name.get(who) or (normalize_tag(who) if is_valid_tag(who) else who)
        (tags if tag in names or (df["player"] == tag).any() else unknown).append(tag)
    if unknown:
        raise ValueError(f"no player {', '.join(map(repr, unknown))} in this frame; it holds "
                         + ", ".join(list(names.values())[:5])
                         + (" ..." if len(names) > 5 else ""))
    return df[df["player"].isin(tags)]


# --------------------------------------------------------------------------- metric over time
def metric_over_time(history_df: pd.DataFrame, ax: Axes | None = None, *, metric: str,
                     players: str | Iterable[str] | None = None, top: int | None = None,
                     **kwargs: Any) -> Axes:
    """Draw one metric of several players over time: one step line per player.

    Takes a history frame (``cf.history(clan, metrics=[...])``). A value holds from the row
    that holds it until the player's next row, so each line steps there, and runs on to the
    frame's last time. Lines are labelled with the players' latest names (the tag added where
    two share a name); the legend, outside the plotting area, lists the players by their last
    value, highest first.

    Args:
        history_df: a history frame.
        ax: the Axes to draw on (default: a new figure).
        metric: the metric to draw, e.g. ``"donations"`` or ``"trophies"`` (see
            :data:`cocframes.tracking.series.METRICS`).
        players: only these players (tags or names).
        top: only the ``top`` players by their last value.
        **kwargs: passed to each ``Axes.step`` call (e.g. ``linewidth=``).

    Raises:
        ValueError: missing columns, an unknown metric, or a player not in the frame.
    """
    _require(history_df, ("time", "player", "name", "metric", "value"), "metric_over_time",
             "cf.history(clan, metrics=[...])", ax)
    from cocframes.tracking.series import METRICS

    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; the history metrics are "
                         + ", ".join(METRICS))
    title = f"{metric.replace('_', ' ').capitalize()} over time"
    df = history_df[history_df["metric"].astype(object) == metric]
    df = df[df["player"].notna() & df["time"].notna()]
    if df.empty:
        return _no_data(ax, title)
    df = df.assign(_time=pd.to_datetime(df["time"], utc=True), _value=_floats(df["value"]))
    df = df.sort_values("_time", kind="stable")
    end = df["_time"].max()
    names = _latest_names(df["player"], df["name"])
    df = _select_players(df, players, names)
    last = df.groupby("player", sort=False)["_value"].last().sort_values(ascending=False,
                                                                         kind="stable")
    if top is not None:
        last = last.head(top)
    labels = _unique_labels(list(last.index), names)
    ax = _axes(ax, (10, 5))
    for tag in last.index:
        rows = df[df["player"] == tag]
        times = [*rows["_time"], end]
        values = [*rows["_value"], rows["_value"].iloc[-1]]
        ax.step(times, values, where="post", label=labels[tag], **kwargs)
    _utc_time_axis(ax)
    ax.set_ylabel(metric.replace("_", " "))
    ax.set_title(title + (f" (top {top})" if top is not None else ""))
    _legend_outside(ax)
    return use_fonts(ax)


# --------------------------------------------------------------------------- membership
def membership_timeline(changes_df: pd.DataFrame, ax: Axes | None = None, *,
                        names: Mapping[str, str] | pd.DataFrame | None = None,
                        **kwargs: Any) -> Axes:
    """Draw joins, leaves and role changes as markers on a time axis, one row per player.

    Takes a changes frame (``cf.changes(clan)``; other kinds in it are ignored). A marker sits
    at the poll that saw the change (``time_to``); a role change is labelled ``old -> new``.
    Rows are players in the order of their first such change, labelled with their names: from
    the joins and leaves of the frame, else from ``names``, else the tag.

    Args:
        changes_df: a changes frame.
        ax: the Axes to draw on (default: a new figure).
        names: tag -> name, or a frame with ``tag`` and ``name`` columns (e.g.
            ``cf.season(clan)`` or ``cf.members(clan)``), for players the frame does not
            name.
        **kwargs: passed to each ``Axes.scatter`` call (e.g. ``s=``).
    """
    _require(changes_df, ("time_to", "kind", "player", "old", "new"), "membership_timeline",
             "cf.changes(clan)", ax)
    title = "Joins, leaves and role changes"
    df = changes_df[changes_df["kind"].astype(object).isin(list(MEMBERSHIP_KINDS))
                    & changes_df["player"].notna() & changes_df["time_to"].notna()]
    if df.empty:
        return _no_data(ax, title, "no joins, leaves or role changes")
    df = df.assign(_time=pd.to_datetime(df["time_to"], utc=True),
                   _kind=df["kind"].astype(object), _player=df["player"].astype(object))
    df = df.sort_values("_time", kind="stable")
    known = _names_of(names)
    # a join's new value and a leave's old value are the player's name
    said = df["new"].astype(object).where(df["_kind"] == "member_joined",
                                          df["old"].astype(object).where(
                                              df["_kind"] == "member_left"))
    known.update(_latest_names(df["_player"], said))
    order = list(dict.fromkeys(df["_player"]))
    labels = _unique_labels(order, known)
    row_of = {tag: i for i, tag in enumerate(order)}
    ax = _axes(ax, _size(len(order), width=10))
    kwargs.setdefault("s", 45)
    kwargs.setdefault("zorder", 3)
    for kind, (label, marker, color) in MEMBERSHIP_KINDS.items():
        part = df[df["_kind"] == kind]
        if part.empty:
            continue
        y = part["_player"].map(row_of).to_numpy()
        ax.scatter(list(part["_time"]), y, marker=marker, color=color, label=label, **kwargs)
        if kind == "member_role":
            for time, yi, old, new in zip(part["_time"], y, part["old"], part["new"],
                                          strict=True):
                ax.annotate(f"{_label(old)} -> {_label(new)}", (time, yi),
                            xytext=(5, 4), textcoords="offset points", fontsize=6,
                            color=color, gid="role-change")
    ax.set_yticks(range(len(order)), [labels[t] for t in order], fontsize=8)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.grid(axis="y", color="#eeeeee", linewidth=0.8)
    _span_of_frame(ax, changes_df)
    ax.set_axisbelow(True)
    _utc_time_axis(ax)
    ax.set_title(title)
    _legend_outside(ax)
    return use_fonts(ax)


def _span_of_frame(ax: Axes, changes_df: pd.DataFrame) -> None:
    """Widen the time axis to every change of the frame (all kinds), padded a little, so
    that the markers are seen within the time the frame covers."""
    times = pd.to_datetime(changes_df["time_to"], utc=True).dropna()
    if len(times) < 2 or times.min() == times.max():
        return
    pad = (times.max() - times.min()) * 0.02
    ax.set_xlim(times.min() - pad, times.max() + pad)  # type: ignore[arg-type]  # dates convert


def _names_of(names: Mapping[str, str] | pd.DataFrame | None) -> dict[str, str]:
    if names is None:
        return {}
    if isinstance(names, pd.DataFrame):
        _require(names, ("tag", "name"), "membership_timeline", "names=cf.season(clan)")
        return _latest_names(names["tag"], names["name"])
    return {str(tag): str(name) for tag, name in names.items()}


# --------------------------------------------------------------------------- season
def season_bars(season_df: pd.DataFrame, ax: Axes | None = None, *,
                column: str = "donations", top: int | None = None, **kwargs: Any) -> Axes:
    """Draw one column of a season report as a horizontal bar per member, highest on top.

    Takes a season frame (``cf.season(clan)``). Bars are labelled with the members' names and
    their values; members no longer in the clan at the season's end (``in_clan_at_end``
    False) are drawn in a lighter colour.

    Args:
        season_df: a season frame.
        ax: the Axes to draw on (default: a new figure).
        column: a numeric column, e.g. ``"donations"``, ``"capital_gold"``,
            ``"war_stars"``, ``"days_in_clan"``.
        top: only the ``top`` members.
        **kwargs: passed to ``Axes.barh``.

    Raises:
        ValueError: missing columns, or ``column`` not numeric.
    """
    _require(season_df, ("name", column), "season_bars", "cf.season(clan)", ax)
    series = season_df[column]
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        raise ValueError(f"season_bars() draws a numeric column; {column!r} is "
                         f"{series.dtype}")
    season = ""
    if "season" in season_df.columns and season_df["season"].notna().any():
        season = str(season_df["season"].dropna().iloc[-1])
    title = f"{column.replace('_', ' ').capitalize()}" + (f", season {season}" if season
                                                           else "")
    if season_df.empty:
        return _no_data(ax, title)
    df = season_df.assign(_value=_floats(series))
    df = df.sort_values("_value", ascending=False, kind="stable", na_position="last")
    if top is not None:
        df = df.head(top)
    stayed = (df["in_clan_at_end"].fillna(True).astype(bool).to_numpy()
              if "in_clan_at_end" in df.columns else np.ones(len(df), dtype=bool))
    values = df["_value"].to_numpy()
    y = np.arange(len(df))
    ax = _axes(ax, _size(len(df)))
    kwargs.setdefault("color", ["#2b8cbe" if s else "#a6bddb" for s in stayed])
    ax.barh(y, np.nan_to_num(values), height=0.7, label=column, **kwargs)
    whole = bool(np.all(np.isnan(values) | (values == np.round(values))))
    for yi, value in zip(y, values, strict=True):
        text = "?" if np.isnan(value) else (f"{int(value)}" if whole else f"{value:.2f}")
        ax.text(np.nan_to_num(value), float(yi), f" {text}", va="center", fontsize=7)
    ax.set_yticks(y, _names(df["name"], _tags(df)), fontsize=8)
    ax.set_ylim(len(df) - 0.5, -0.5)
    ax.set_xlabel(column.replace("_", " "))
    ax.set_title(title + (f" (top {top})" if top is not None else ""))
    if not stayed.all():
        from matplotlib.patches import Patch

        _legend_outside(ax, [Patch(color="#2b8cbe", label="in the clan at the end"),
                             Patch(color="#a6bddb", label="left the clan")])
    return use_fonts(ax)
