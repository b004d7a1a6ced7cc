"""Matplotlib plots of cocframes frames: one function per question, each taking a DataFrame.

Every function has the shape ``plot(df, ax=None, *, options..., **kwargs) -> Axes``:

- ``df`` is a frame from the top-level functions (``cf.members(...)``, ``cf.units(...)``,
  ``cf.war_attacks(...)``...), never a tag: fetch once, plot as often as you like. The plots
  only read columns, so a frame filtered or edited with pandas works too.
- ``ax`` is the Axes to draw on. When it is ``None`` a new figure is made with
  ``matplotlib.pyplot.subplots``, so that it shows in a notebook exactly like
  ``df.plot()`` does (Jupyter's inline backend only displays figures that pyplot knows of;
  a bare ``matplotlib.figure.Figure`` would not show by itself) and still works headless with
  the Agg backend. Code that renders many figures without displaying them (scripts, the
  widgets of :mod:`cocframes.widgets`) should pass the Axes of its own
  ``matplotlib.figure.Figure``: such figures are not registered with pyplot, so nothing piles
  up in pyplot's global list and nothing is shown twice.
- other keyword arguments go to the main matplotlib call (``bar``/``barh``, ``scatter``,
  ``imshow``, ``plot``), e.g. ``color=`` or ``alpha=``.

An empty frame gives an Axes that says "no data" (never an exception); a frame without the
columns a plot needs raises ``ValueError`` naming them. Nothing here calls ``plt.show()`` or
changes matplotlib's global style; importing this module imports no pyplot.

Usage::

    import cocframes as cf
    import cocframes.plots as cfp

    cf.demo()
    cfp.donations(cf.members("#992JPJY20"))
    cfp.clan_heatmap(cf.units(clan="#992JPJY20"), kind="hero")
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cocframes.plot_text import drawable, use_fonts

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "NO_DATA",
    "clan_heatmap",
    "cwl_rounds",
    "donations",
    "figure_size",
    "medal_scores",
    "raid_loot",
    "ranking_ladder",
    "trophies_by_town_hall",
    "unit_progress",
    "war_map",
    "war_stars",
]

#: The figure size each plot asked for, by Axes (see :func:`figure_size`).
_SIZES: weakref.WeakKeyDictionary[Any, tuple[float, float]] = weakref.WeakKeyDictionary()

#: The text an empty plot shows (its Text artist has ``gid="no-data"``).
NO_DATA = "no data"

#: Display names and order of the unit kinds of ``cf.units``.
KIND_LABELS = {
    "hero": "Heroes",
    "hero_equipment": "Hero equipment",
    "pet": "Pets",
    "troop": "Troops",
    "super_troop": "Super troops",
    "siege_machine": "Siege machines",
    "spell": "Spells",
}
#: The kinds in titles ("Hero levels", "Siege machine levels").
KIND_NOUNS = {"hero": "hero", "hero_equipment": "hero equipment", "pet": "pet",
              "troop": "troop", "super_troop": "super troop", "siege_machine": "siege machine",
              "spell": "spell"}
#: Kinds :func:`unit_progress` shows by default (super troops mirror their base troop's level).
PROGRESS_KINDS = ("hero", "hero_equipment", "pet", "troop", "siege_machine", "spell")

#: Legend entries per column at most, before the legend gets another column.
_LEGEND_ROWS = 24

#: Marker colours by stars of an attack (0 to 3).
STAR_COLORS = ("#bdbdbd", "#fdd49e", "#fc8d59", "#b30000")
#: The colour of highlighted bars (``highlight=``).
HIGHLIGHT = "#e6550d"
#: Marker edge colours and shapes of the two sides of a war.
SIDE_COLORS = {"clan": "#2166ac", "opponent": "#7b3294"}
SIDE_MARKERS = {"clan": "o", "opponent": "s"}


# --------------------------------------------------------------------------- helpers
def _require(df: Any, columns: Iterable[str], plot: str, frame: str,
             ax: Any = None) -> pd.DataFrame:
    """Check that ``df`` is a DataFrame with ``columns`` and ``ax`` an Axes or None."""
    _check_ax(ax)
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{plot}() takes a DataFrame such as {frame}, not "
                        f"{type(df).__name__} {df!r:.60}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{plot}() needs the column(s) {', '.join(missing)}, which this frame "
                         f"lacks; pass {frame}")
    return df


def _check_ax(ax: Any) -> None:
    if ax is None:
        return
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, not {type(ax).__name__} {ax!r:.40}; "
                        "options such as player= are keyword-only")


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """Return ``ax``, or the Axes of a new pyplot figure of ``size`` inches (see module doc);
    remember ``size`` for :func:`figure_size`."""
    if ax is not None:
        _check_ax(ax)
    else:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=size, layout="constrained")
    _SIZES[ax] = size
    return ax


def figure_size(ax: Axes) -> tuple[float, float] | None:
    """Return the size in inches (width, height) that the last plot drawn on ``ax`` gives a
    figure it makes itself (room for each bar or row), or None if no plot drew on it.

    For figures made by the caller, e.g. ``fig.set_size_inches(figure_size(ax))`` before
    saving with ``bbox_inches="tight"``.
    """
    return _SIZES.get(ax)


def _no_data(ax: Axes | None, title: str, why: str = "") -> Axes:
    """Draw the "no data" message on ``ax`` (or a new Axes) and return it."""
    return _message(ax, title, NO_DATA + (f"\n({why})" if why else ""))


def _message(ax: Axes | None, title: str, text: str) -> Axes:
    """Draw ``text`` in the middle of ``ax`` (or a new Axes) instead of a plot; return it."""
    ax = _axes(ax, (6, 3))
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=13,
            color="#666666", gid="no-data" if text.startswith(NO_DATA) else "message")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    return use_fonts(ax)


def _floats(values: Any) -> np.ndarray:
    """Return a float array, NA as NaN (for Int64/Float64/object columns alike)."""
    return pd.to_numeric(pd.Series(values), errors="coerce").astype(float).to_numpy()


def _size(n_rows: int, width: float = 8.0, per_row: float = 0.28,
          base: float = 1.6) -> tuple[float, float]:
    """A figure size that gives each of ``n_rows`` horizontal bars room, within reason."""
    return (width, min(40.0, max(3.0, base + per_row * n_rows)))


def _legend_outside(ax: Axes, handles: list[Any] | None = None) -> None:
    """Put the legend to the right of the plotting area (more columns when it is long)."""
    count = len(handles) if handles is not None else len(ax.get_legend_handles_labels()[0])
    kwargs: dict[str, Any] = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0),
                              "borderaxespad": 0.0, "fontsize": 8,
                              "ncols": max(1, math.ceil(count / _LEGEND_ROWS))}
    if handles is not None:
        kwargs["handles"] = handles
    ax.legend(**kwargs)


def _int_text(value: float) -> str:
    return "?" if np.isnan(value) else str(int(value))


def _label(value: Any, fallback: str = "?") -> str:
    """Return ``value`` as drawable text (see :mod:`cocframes.plot_text`), else ``fallback``."""
    missing = value is None or value is pd.NA or pd.isna(value)
    return fallback if missing else drawable(value, fallback)


def _tags(df: pd.DataFrame) -> list[Any]:
    """Return the frame's ``tag`` column as a list, or Nones when it has none."""
    return list(df["tag"]) if "tag" in df.columns else [None] * len(df)


def _names(names: Iterable[Any], tags: Iterable[Any]) -> list[str]:
    """Return each name as drawable text, or its tag when nothing of the name can be drawn."""
    return [_label(name, _label(tag)) for name, tag in zip(names, tags, strict=True)]


# --------------------------------------------------------------------------- players
def unit_progress(units_df: pd.DataFrame, ax: Axes | None = None, *, player: str | None = None,
                  village: str | None = "home", kinds: Sequence[str] | None = PROGRESS_KINDS,
                  **kwargs: Any) -> Axes:
    """Draw one player's unit levels as a share of the maximum, grouped by kind.

    Takes a units frame (``cf.units(tags)`` or ``cf.units(clan=...)``) and draws one
    horizontal bar per unit (heroes, equipment, pets, troops, siege machines, spells), its
    length ``level / max_level`` (1 = maxed), labelled ``level/max``, coloured by kind.

    Args:
        units_df: a units frame.
        ax: the Axes to draw on (default: a new figure).
        player: tag or name of the player to show; may be omitted when the frame holds one
            player only.
        village: ``"home"`` (default), ``"builderBase"``, or ``None`` for both.
        kinds: the unit kinds to show (default: all but super troops); ``None`` for all.
        **kwargs: passed to ``Axes.barh``.

    Raises:
        ValueError: missing columns, or ``player`` not in the frame (or not given while the
            frame holds several players).
    """
    _require(units_df, ("player_tag", "player_name", "kind", "name", "village", "level",
                        "max_level"), "unit_progress", "cf.units(...)", ax)
    if units_df.empty:
        return _no_data(ax, "Unit progress")
    df = _one_player(units_df, player)
    who = f"{_label(df['player_name'].iloc[0])} ({_label(df['player_tag'].iloc[0])})"
    if village is not None:
        df = df[df["village"] == village]
    if kinds is not None:
        df = df[df["kind"].isin(list(kinds))]
    title = f"Unit levels of {who}"
    if df.empty:
        return _no_data(ax, title, "no units of these kinds")
    order = {kind: i for i, kind in enumerate(KIND_LABELS)}
    df = df.assign(_order=df["kind"].astype(object).map(order).fillna(len(order)))
    df = df.sort_values("_order", kind="stable")
    level, top = _floats(df["level"]), _floats(df["max_level"])
    share = np.where(top > 0, level / np.where(top > 0, top, 1), np.nan)
    # one bar per unit, a gap of one bar between kinds
    kinds_seen = list(dict.fromkeys(df["kind"].astype(object)))
    group = df["kind"].astype(object).map({k: i for i, k in enumerate(kinds_seen)}).to_numpy()
    y = np.arange(len(df)) + group
    import matplotlib
    from matplotlib.patches import Patch
    from matplotlib.ticker import PercentFormatter

    palette = matplotlib.colormaps["tab10"]
    colors = [palette(kinds_seen.index(k) % 10) for k in df["kind"].astype(object)]
    ax = _axes(ax, _size(len(df) + len(kinds_seen)))
    kwargs.setdefault("color", colors)
    ax.barh(y, np.nan_to_num(share), height=0.8, label="level / max level", **kwargs)
    for yi, s, lv, mx in zip(y, share, level, top, strict=True):
        ax.text(min(np.nan_to_num(s), 1.0) + 0.01, yi, f"{_int_text(lv)}/{_int_text(mx)}",
                va="center", fontsize=7)
    ax.axvline(1.0, color="#444444", linewidth=0.8, linestyle=":")
    ax.set_yticks(y, [_label(n) for n in df["name"]], fontsize=8)
    ax.set_ylim(y.max() + 1, -1)
    ax.set_xlim(0, 1.15)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("level / max level")
    ax.set_title(title)
    _legend_outside(ax, [Patch(color=palette(i % 10), label=KIND_LABELS.get(k, str(k)))
                         for i, k in enumerate(kinds_seen)])
    return use_fonts(ax)


def _heatmap_rows(units_df: pd.DataFrame, order: str | None) -> pd.DataFrame:
    """Return the players of :func:`clan_heatmap`, one row each in ``order``, with their
    ``player_tag`` and row ``_label``."""
    if order not in (None, "town_hall"):
        raise ValueError(f"order must be None or 'town_hall', not {order!r}")
    people = units_df.drop_duplicates("player_tag")
    labels = _names(people["player_name"], people["player_tag"])
    if order == "town_hall" and "player_town_hall" in people.columns:
        halls = _floats(people["player_town_hall"])
        labels = [f"{n} (TH{_int_text(t)})" for n, t in zip(labels, halls, strict=True)]
        people = people.assign(_label=labels, _hall=halls)
        return people.sort_values("_hall", ascending=False, kind="stable", na_position="last")
    return people.assign(_label=labels)


def _kinds_text(kinds: Sequence[str] | None) -> str:
    """Return ``["pet", "spell"]`` as "Pet and spell" (``None``: "Unit"), for titles."""
    if not kinds:
        return "Unit"
    words = [KIND_NOUNS.get(k, k.replace("_", " ")) for k in kinds]
    text = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return text[0].upper() + text[1:]


def _one_player(df: pd.DataFrame, player: str | None) -> pd.DataFrame:
    tags = list(dict.fromkeys(df["player_tag"].astype(object)))
    if player is None:
        if len(tags) > 1:
            raise ValueError(f"this frame holds {len(tags)} players; pick one with player= "
                             f"(a tag or name), e.g. player={tags[0]!r}")
        return df
    hit = df[df["player_name"].astype(object) == player]
    if hit.empty:
        from cocframes.tags import is_valid_tag, normalize_tag

        tag = normalize_tag(player) if is_valid_tag(player) else player
        hit = df[df["player_tag"].astype(object) == tag]
    if hit.empty:
        raise ValueError(f"no player {player!r} in this frame; it holds "
                         + ", ".join(map(str, tags[:5])) + (" ..." if len(tags) > 5 else ""))
    return hit


def clan_heatmap(units_df: pd.DataFrame, ax: Axes | None = None, *, kind: str |
                 Sequence[str] | None = "hero", village: str | None = "home",
                 colorbar: bool = True, order: str | None = None, **kwargs: Any) -> Axes:
    """Draw a members × units grid coloured by ``level / max_level``.

    Takes a units frame of several players (``cf.units(clan=...)`` or ``cf.units(tags)``).
    Rows are the players in frame order (every player of the frame, even one without any
    unit of the kind), columns the units of ``kind`` in game order; a unit a player has not
    unlocked is grey. Row labels are player names, column labels unit names.

    Args:
        units_df: a units frame.
        ax: the Axes to draw on (default: a new figure).
        kind: a unit kind (``hero``, ``hero_equipment``, ``pet``, ``troop``, ``super_troop``,
            ``siege_machine``, ``spell``), several, or ``None`` for all.
        village: ``"home"`` (default), ``"builderBase"``, or ``None`` for both.
        colorbar: add a colour bar (it takes room from ``ax``'s figure).
        order: ``None`` (frame order) or ``"town_hall"``: highest town hall on top, each
            row labelled with its town hall.
        **kwargs: passed to ``Axes.imshow`` (e.g. ``cmap=``).

    Raises:
        ValueError: missing columns, or an unknown ``order``.
    """
    _require(units_df, ("player_tag", "player_name", "kind", "name", "village", "level",
                        "max_level"), "clan_heatmap", "cf.units(clan=...)", ax)
    kinds = [kind] if isinstance(kind, str) else (None if kind is None else list(kind))
    title = f"{_kinds_text(kinds)} levels by member"
    people = _heatmap_rows(units_df, order)
    df = units_df
    if kinds is not None:
        df = df[df["kind"].isin(kinds)]
    if village is not None:
        df = df[df["village"] == village]
    if people.empty or df.empty:
        return _no_data(ax, title)
    unit = df["name"].astype(object)
    if village is None:  # e.g. Baby Dragon exists in both villages
        unit = unit.where(df["village"] == "home", unit + " (builder base)")
    level, top = _floats(df["level"]), _floats(df["max_level"])
    share = pd.Series(np.where(top > 0, level / np.where(top > 0, top, 1), np.nan),
                      index=df.index)
    grid = (pd.DataFrame({"player": df["player_tag"].astype(object), "unit": unit,
                          "share": share})
            .pivot_table(index="player", columns="unit", values="share", aggfunc="max",
                         dropna=False)
            .reindex(index=list(people["player_tag"]), columns=list(dict.fromkeys(unit))))
    import matplotlib

    n_rows, n_cols = grid.shape
    ax = _axes(ax, (min(30.0, 3.0 + 0.35 * n_cols), min(40.0, 1.8 + 0.25 * n_rows)))
    cmap = kwargs.pop("cmap", matplotlib.colormaps["viridis"])
    if isinstance(cmap, str):
        cmap = matplotlib.colormaps[cmap]
    cmap = cmap.with_extremes(bad="#dddddd")
    kwargs.setdefault("interpolation", "nearest")
    image = ax.imshow(np.ma.masked_invalid(grid.to_numpy(dtype=float)), cmap=cmap, vmin=0,
                      vmax=1, aspect="auto", **kwargs)
    ax.set_xticks(range(n_cols), [_label(c) for c in grid.columns], rotation=90, fontsize=8)
    ax.set_yticks(range(n_rows), list(people["_label"]), fontsize=8)
    ax.set_xlabel("unit")
    ax.set_ylabel("member")
    ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="level / max (grey: locked)",
                           shrink=0.8)
    return use_fonts(ax)


def donations(members_df: pd.DataFrame, ax: Axes | None = None, *, top: int | None = None,
              **kwargs: Any) -> Axes:
    """Draw troops donated and received this season, one pair of bars per member.

    Takes a members frame (``cf.members(clan)``) or a players frame (``cf.players(...)``);
    members are sorted by donations, most generous on top.

    Args:
        members_df: a members or players frame.
        ax: the Axes to draw on (default: a new figure).
        top: show only the ``top`` biggest donors.
        **kwargs: passed to both ``Axes.barh`` calls.
    """
    _require(members_df, ("name", "donations", "donations_received"), "donations",
             "cf.members(clan)", ax)
    title = "Donations this season"
    if members_df.empty:
        return _no_data(ax, title)
    df = members_df.assign(_given=_floats(members_df["donations"]))
    df = df.sort_values("_given", ascending=False, kind="stable", na_position="last")
    if top is not None:
        df = df.head(top)
    y = np.arange(len(df))
    ax = _axes(ax, _size(len(df)))
    ax.barh(y - 0.2, np.nan_to_num(_floats(df["donations"])), height=0.4, label="given",
            color="#2b8cbe", **kwargs)
    ax.barh(y + 0.2, np.nan_to_num(_floats(df["donations_received"])), height=0.4,
            label="received", color="#f03b20", **kwargs)
    ax.set_yticks(y, _names(df["name"], _tags(df)), fontsize=8)
    ax.set_ylim(len(df) - 0.5, -0.5)
    ax.set_xlabel("troops (housing space)")
    ax.set_title(title)
    _legend_outside(ax)
    return use_fonts(ax)


def trophies_by_town_hall(df: pd.DataFrame, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Draw trophies against town hall level: one point per player, a median bar per level.

    Takes a members frame (``cf.members(clan)``) or a players frame (``cf.players(...)``);
    players without a town hall level or trophies (old captures) are left out.

    Args:
        df: a members or players frame.
        ax: the Axes to draw on (default: a new figure).
        **kwargs: passed to ``Axes.scatter``.
    """
    _require(df, ("town_hall", "trophies"), "trophies_by_town_hall", "cf.members(clan)", ax)
    title = "Trophies by town hall"
    th, trophies = _floats(df["town_hall"]), _floats(df["trophies"])
    keep = ~(np.isnan(th) | np.isnan(trophies))
    th, trophies = th[keep], trophies[keep]
    if not len(th):
        return _no_data(ax, title)
    # spread the points of one level evenly (deterministic jitter), highest trophies left
    x = th.copy()
    for level in np.unique(th):
        idx = np.flatnonzero(th == level)
        idx = idx[np.argsort(-trophies[idx], kind="stable")]
        if len(idx) > 1:
            x[idx] = level + np.linspace(-0.25, 0.25, len(idx))
    ax = _axes(ax, (8, 5))
    kwargs.setdefault("alpha", 0.75)
    ax.scatter(x, trophies, label="player", **kwargs)
    levels = np.unique(th)
    medians = [float(np.median(trophies[th == level])) for level in levels]
    ax.hlines(medians, levels - 0.35, levels + 0.35, colors="#d95f0e", linewidth=2,
              label="median")
    ax.set_xticks(levels, [str(int(v)) for v in levels])
    ax.set_xlabel("town hall")
    ax.set_ylabel("trophies")
    ax.set_title(title)
    _legend_outside(ax)
    return use_fonts(ax)


# --------------------------------------------------------------------------- wars
def war_map(war_attacks_df: pd.DataFrame, ax: Axes | None = None, *,
            side: str | None = None, **kwargs: Any) -> Axes:
    """Draw who attacked whom in one war: attacker rank × defender rank, coloured by stars.

    Takes a war attacks frame (``cf.war_attacks(clan)``, or one war of
    ``cf.cwl(clan).attacks`` filtered on ``war_tag``). One marker per attack at
    (attacker's map rank, defender's map rank) in the attackers' lineup and the defenders'
    (1 = top of the map); blue-edged circles are the clan's attacks, purple-edged squares the
    opponent's (both sides on the same grid, the clan's in the left half of a cell, the
    opponent's in the right), named after the clans in the legend and title. The fill is
    the stars (grey 0 to dark red 3), the number under a marker the destruction; a white star
    marks each attack that won new stars (the stars that count in the war score). The dashed
    diagonal is the mirror attack. On preparation day (no attacks yet, ``state`` or
    ``attrs["war_state"]`` ``preparation``) the Axes says so.

    Args:
        war_attacks_df: the attacks of one war.
        ax: the Axes to draw on (default: a new figure).
        side: ``"clan"`` or ``"opponent"`` for one side only; ``None`` for both.
        **kwargs: passed to the ``Axes.scatter`` of the attacks.

    Raises:
        ValueError: missing columns, or attacks of several wars in the frame.
    """
    _require(war_attacks_df, ("side", "attacker_rank", "defender_rank", "stars", "new_stars"),
             "war_map", "cf.war_attacks(clan)", ax)
    df = war_attacks_df
    if "war_tag" in df.columns and df["war_tag"].dropna().nunique() > 1:
        raise ValueError("war_map() draws one war: filter the frame on one war_tag first, "
                         "e.g. df[df.war_tag == df.war_tag.iloc[0]]")
    if side is not None:
        df = df[df["side"] == side]
    df = df[df["attacker_rank"].notna() & df["defender_rank"].notna()]
    clans = _war_sides(war_attacks_df)
    title = "War map" + (f": {clans['clan']} vs {clans['opponent']}" if len(clans) == 2
                         else "")
    if war_attacks_df.empty and _war_state(war_attacks_df) == "preparation":
        return _message(ax, title, "preparation day: attacks start on battle day")
    if df.empty:
        return _no_data(ax, title, "no attacks")
    sides = [s for s in ("clan", "opponent") if (df["side"] == s).any()]
    shift = {"clan": -0.22, "opponent": 0.22} if len(sides) == 2 else {s: 0.0 for s in sides}
    n = int(max(_floats(df["attacker_rank"]).max(), _floats(df["defender_rank"]).max()))
    ax = _axes(ax, (8, 7) if n <= 30 else (11, 10))
    ax.plot([0.5, n + 0.5], [0.5, n + 0.5], linestyle="--", color="#999999", linewidth=0.8,
            label="_mirror")
    kwargs.setdefault("s", 60 if n <= 20 else 30)
    kwargs.setdefault("linewidths", 1.6)
    x_all, y_all = [], []
    for s in sides:
        sub = df[df["side"] == s]
        x = _floats(sub["attacker_rank"]) + shift[s]
        y = _floats(sub["defender_rank"])
        stars = np.clip(np.nan_to_num(_floats(sub["stars"])), 0, 3).astype(int)
        ax.scatter(x, y, c=[STAR_COLORS[v] for v in stars], marker=SIDE_MARKERS[s],
                   edgecolors=SIDE_COLORS[s], label=f"{s} attacks", zorder=2, **kwargs)
        if "destruction" in sub.columns:
            _destruction_texts(ax, x, y, _floats(sub["destruction"]), n)
        new = np.nan_to_num(_floats(sub["new_stars"])) > 0
        x_all.append(x[new])
        y_all.append(y[new])
    ax.scatter(np.concatenate(x_all), np.concatenate(y_all), marker="*", s=40, color="white",
               edgecolors="black", linewidths=0.6, zorder=3, label="new stars")
    ax.set_xlim(0.5, n + 0.5)
    ax.set_ylim(n + 0.5, 0.5)
    step = 1 if n <= 20 else 5
    ticks = list(range(1, n + 1, step))
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("attacker (map rank)")
    ax.set_ylabel("defender (map rank)")
    ax.set_title(title)
    _legend_outside(ax, _war_map_handles(sides, clans))
    return use_fonts(ax)


def _war_map_handles(sides: list[str], clans: dict[str, str]) -> list[Any]:
    """Legend entries of :func:`war_map`: one per side (named), stars and new stars."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker=SIDE_MARKERS[s], linestyle="", color="white",
                      markeredgecolor=SIDE_COLORS[s], markeredgewidth=1.6,
                      label=f"{clans.get(s, s)} attacks") for s in sides]
    handles += [Line2D([], [], marker="o", linestyle="", color=STAR_COLORS[v],
                       markeredgecolor="#333333", label=f"{v} star{'s' * (v != 1)}")
                for v in range(4)]
    handles.append(Line2D([], [], marker="*", linestyle="", color="white", markersize=9,
                          markeredgecolor="black", label="new stars"))
    return handles


def _destruction_texts(ax: Axes, x: np.ndarray, y: np.ndarray, destruction: np.ndarray,
                       n: int) -> None:
    """Write each attack's destruction (``54%``) just under its marker."""
    size = 5 if n <= 20 else 3.5
    for xi, yi, d in zip(x, y, destruction, strict=True):
        if not np.isnan(d):
            ax.annotate(f"{d:.0f}%", (xi, yi), xytext=(0, -7), textcoords="offset points",
                        ha="center", va="top", fontsize=size, color="#444444",
                        gid="destruction", annotation_clip=False)


def _war_state(df: pd.DataFrame) -> str:
    """Return the war's state from a war frame's ``state`` column or ``attrs``, else ''."""
    if "state" in df.columns and df["state"].notna().any():
        return str(df["state"].dropna().iloc[0])
    return str(df.attrs.get("war_state") or "")


def _war_sides(df: pd.DataFrame) -> dict[str, str]:
    """Return side (``clan``, ``opponent``) -> the clan's name (``clan_name`` and
    ``opponent_name`` columns where the frame has them), else its tag."""
    found: dict[str, str] = {}
    for side, other in (("clan", "opponent"), ("opponent", "clan")):
        rows = df[df["side"] == side] if "side" in df.columns else df.iloc[0:0]
        if rows.empty:
            continue
        if "clan_tag" in rows.columns:
            found.setdefault(side, _label(rows["clan_tag"].iloc[0]))
        if "attacker_clan_tag" in rows.columns:
            found.setdefault(side, _label(rows["attacker_clan_tag"].iloc[0]))
            found.setdefault(other, _label(rows["defender_clan_tag"].iloc[0]))
    for side, column in (("clan", "clan_name"), ("opponent", "opponent_name")):
        if column in df.columns and df[column].notna().any():
            found[side] = _label(df[column].dropna().iloc[0], found.get(side, side))
    return found


def war_stars(war_members_df: pd.DataFrame, ax: Axes | None = None, *, side: str | None = "clan",
              **kwargs: Any) -> Axes:
    """Draw each war member's stars and missed (or remaining) attacks.

    Takes a war members frame (``cf.war_members(clan)``). One row per member of ``side`` in
    map order: a stacked bar of the stars that counted (new stars, the war score) and the
    other stars, and next to it a red bar of the attacks missed (once the war has ended) or
    still to make (during the war).

    Args:
        war_members_df: a war members frame.
        ax: the Axes to draw on (default: a new figure).
        side: ``"clan"`` (default), ``"opponent"``, or ``None`` for both.
        **kwargs: passed to the ``Axes.barh`` calls.
    """
    _require(war_members_df, ("side", "name", "rank", "stars_earned", "new_stars_earned",
                              "attacks_missed", "attacks_remaining"), "war_stars",
             "cf.war_members(clan)", ax)
    df = war_members_df
    if side is not None:
        df = df[df["side"] == side]
    clans = _war_sides(war_members_df)
    if side is None:
        title = "War stars" + (f": {clans['clan']} vs {clans['opponent']}" if len(clans) == 2
                               else "")
    else:
        title = f"War stars: {clans.get(side, side)}"
    if df.empty:
        return _no_data(ax, title, "no war members")
    df = df.assign(_rank=_floats(df["rank"])).sort_values(["side", "_rank"], kind="stable")
    stars = np.nan_to_num(_floats(df["stars_earned"]))
    new = np.nan_to_num(_floats(df["new_stars_earned"]))
    missed = _floats(df["attacks_missed"])
    if np.isnan(missed).all():
        missed, missed_label = _floats(df["attacks_remaining"]), "attacks left"
    else:
        missed_label = "missed attacks"
    y = np.arange(len(df))
    ax = _axes(ax, _size(len(df)))
    ax.barh(y - 0.2, new, height=0.4, color="#f1a340", label="new stars (score)", **kwargs)
    ax.barh(y - 0.2, stars - new, left=new, height=0.4, color="#fee0b6", hatch="//",
            label="other stars", **kwargs)
    ax.barh(y + 0.2, np.nan_to_num(missed), height=0.4, color="#d7301f", label=missed_label,
            **kwargs)
    town_hall = df["town_hall"] if "town_hall" in df.columns else [None] * len(df)
    labels = [f"{_label(r)}. {n}" + (f" (TH{_label(t)})" if _label(t, "") else "")
              for r, n, t in zip(df["rank"], _names(df["name"], _tags(df)), town_hall,
                                 strict=True)]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(len(df) - 0.5, -0.5)
    ax.set_xlabel("stars / attacks")
    ax.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]  # MaxNLocator
    ax.set_title(title)
    _legend_outside(ax)
    return use_fonts(ax)


def cwl_rounds(cwl: Any, ax: Axes | None = None, *, clans: pd.DataFrame | None = None,
               cumulative: bool = True, highlight: str | None = None,
               **kwargs: Any) -> Axes:
    """Draw each clan's CWL stars round by round (cumulative by default).

    Takes the attacks of a CWL group: ``cf.cwl(clan)`` itself (a ``CwlFrames``; its
    ``.clans`` give the clan names and its ``.rounds`` the rounds on the x axis) or its
    ``.attacks`` frame. A clan's stars in a round are the new stars of its attacks (best
    stars per defender, what the war score counts; the +10 win bonus of the league table is
    not included). One line per clan over the ended rounds; the round in progress (its wars
    ``inWar``) is a dashed continuation to open markers, its tick says "in progress". Rounds
    without attacks (not played yet) are left out, never drawn as zero stars.

    Args:
        cwl: ``cf.cwl(clan)`` or its ``.attacks`` frame.
        ax: the Axes to draw on (default: a new figure).
        clans: a CWL clans frame (``.clans``) for names, when ``cwl`` is a bare frame.
        cumulative: running total (default) or stars of each round.
        highlight: a clan tag to draw thick (e.g. your clan).
        **kwargs: passed to ``Axes.plot``.
    """
    rounds_df = None
    if not isinstance(cwl, pd.DataFrame) and hasattr(cwl, "attacks"):
        clans = cwl.clans if clans is None else clans
        rounds_df = getattr(cwl, "rounds", None)
        cwl = cwl.attacks
    _require(cwl, ("round", "attacker_clan_tag", "new_stars"), "cwl_rounds",
             "cf.cwl(clan) or its .attacks", ax)
    title = "CWL stars by round" + (" (cumulative)" if cumulative else "")
    df = cwl[cwl["round"].notna() & cwl["attacker_clan_tag"].notna()]
    if df.empty:
        return _no_data(ax, title, "no attacks yet")
    rounds = _floats(df["round"]).astype(int)
    # a clan without attacks in a round that was played scored 0 in it; a round without
    # any attack is not in the table at all
    table = (pd.DataFrame({"round": rounds, "clan": df["attacker_clan_tag"].astype(object),
                           "stars": np.nan_to_num(_floats(df["new_stars"]))})
             .pivot_table(index="round", columns="clan", values="stars", aggfunc="sum")
             .fillna(0.0).sort_index())
    if cumulative:
        table = table.cumsum()
    live = (sorted(set(rounds[(df["state"].astype(object) == "inWar").to_numpy()]))
            if "state" in df.columns else [])
    names: dict[str, str] = {}
    if clans is not None and {"clan_tag", "name"} <= set(clans.columns):
        names = dict(zip(clans["clan_tag"].astype(str), _names(clans["name"], clans["clan_tag"]),
                         strict=True))
    order = table.iloc[-1].sort_values(ascending=False).index  # legend: leader first
    ax = _axes(ax, (9, 5.5))
    done = table[~table.index.isin(live)]
    for tag in order:
        thick = highlight is not None and str(tag) == highlight
        line_kw = {"linewidth": 3.0 if thick else 1.4, "zorder": 3 if thick else 2, **kwargs}
        [line] = ax.plot(done.index, done[tag], marker="o",
                         label=names.get(str(tag), str(tag)), **line_kw)
        if live:
            going = table.loc[[*done.index[-1:], *live], tag]
            ax.plot(going.index, going, marker="o", linestyle="--", markerfacecolor="white",
                    color=line.get_color(), label="_in progress", gid="in-progress", **line_kw)
    last = int(table.index.max())
    if rounds_df is not None and "round" in rounds_df.columns and not rounds_df.empty:
        last = max(last, int(_floats(rounds_df["round"]).max()))
    ax.set_xticks(range(1, last + 1), [f"{r}\nin progress" if r in live else str(r)
                                       for r in range(1, last + 1)])
    ax.set_xlim(0.7, last + 0.3)
    ax.set_xlabel("round")
    ax.set_ylabel("stars" + (" (running total)" if cumulative else ""))
    ax.set_title(title)
    _legend_outside(ax)
    return use_fonts(ax)


# --------------------------------------------------------------------------- rankings, raids
#: Colours of the parts of a medal score, in the order of its weights.
_SCORE_COLORS = ("#f1a340", "#998ec3", "#5ab4ac", "#d8b365", "#8c510a", "#01665e", "#762a83")
_PENALTY_COLOR = "#d7301f"


def medal_scores(medals_df: pd.DataFrame, ax: Axes | None = None, *, top: int | None = None,
                 **kwargs: Any) -> Axes:
    """Draw the CWL bonus-medal ranking with what makes each member's score.

    Takes a medals frame (``cf.cwl(clan).medals``, or ``.rank_medals(...)``). One bar per
    member, best first, split into what each weighted column adds (``1 * stars``,
    ``0.01 * destruction``...); what a column takes away (``-2 * attacks_missed``) is drawn in
    red left of zero; the score is written at the end of the bar. The weights come from
    ``df.attrs["weights"]``; a frame without them (e.g. read back from CSV) is drawn as its
    ``score`` alone.

    Args:
        medals_df: a medals frame.
        ax: the Axes to draw on (default: a new figure).
        top: show only the ``top`` best members.
        **kwargs: passed to the ``Axes.barh`` calls.
    """
    _require(medals_df, ("rank", "name", "score"), "medal_scores", "cf.cwl(clan).medals", ax)
    weights = dict(medals_df.attrs.get("weights") or {"score": 1.0})
    formula = medals_df.attrs.get("score", "score")
    df = medals_df.sort_values(["score"], ascending=False, kind="stable")
    if top is not None:
        df = df.head(top)
    title = "CWL bonus medals"
    if df.empty:
        return _no_data(ax, title, "no member in a lineup")
    y = np.arange(len(df))
    ax = _axes(ax, _size(len(df), width=9.0))
    right, left = np.zeros(len(df)), np.zeros(len(df))
    penalty_shown = False
    for color, (column, weight) in zip(_SCORE_COLORS * 2, weights.items(), strict=False):
        part = weight * np.nan_to_num(_floats(df[column])) if column in df.columns \
            else np.zeros(len(df))
        gain, loss = np.clip(part, 0, None), np.clip(part, None, 0)
        what = f"{weight:g} * {column}" if column != "score" else "score"
        if gain.any():
            ax.barh(y, gain, left=right, height=0.7, color=color, label=what, **kwargs)
            right += gain
        if loss.any():
            ax.barh(y, loss, left=left, height=0.7, color=_PENALTY_COLOR, hatch="//",
                    label=what if not penalty_shown else None, **kwargs)
            left += loss
            penalty_shown = True
    score = _floats(df["score"])
    for yi, end, value in zip(y, right, score, strict=True):
        ax.text(max(end, 0.0), float(yi), f" {value:g}", va="center", fontsize=7)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ranks = [_int_text(r) for r in _floats(df["rank"])]
    ax.set_yticks(y, [f"{r}. {n}" for r, n in zip(ranks, _names(df["name"], _tags(df)),
                                                  strict=True)], fontsize=8)
    ax.set_ylim(len(df) - 0.5, -0.5)
    ax.set_xlabel(drawable(formula))
    ax.set_title(title)
    _legend_outside(ax)
    return use_fonts(ax)


def ranking_ladder(rankings_df: pd.DataFrame, ax: Axes | None = None, *, top: int | None = 25,
                   highlight: str | None = None, location: str | None = None,
                   **kwargs: Any) -> Axes:
    """Draw the top of a ranking as a ladder with each entry's move since the last ranking.

    Takes a rankings frame: ``cf.rankings(location, kind)`` or ``cf.legend_rankings()``
    (bars of ``trophies``) or a clan ranking (bars of ``points``). One bar per entry, best on
    top, labelled ``rank. name``; the text at the end shows the move (▲ up, ▼ down, = same,
    new). A ranking without previous ranks (Legend League seasons) shows no moves. The
    value axis starts near the lowest value shown, so close scores stay apart. The title
    names the ranking and its location.

    Args:
        rankings_df: a rankings frame.
        ax: the Axes to draw on (default: a new figure).
        top: how many entries to show (``None``: all).
        highlight: a clan tag: its bar (a clan ranking) or its members' bars (a player
            ranking) are drawn in another colour, their labels bold.
        location: the location's name for the title, e.g. ``"France"`` (default: what the
            frame tells: "global", the clans' location, or the location id).
        **kwargs: passed to ``Axes.barh``.
    """
    _require(rankings_df, ("rank", "name"), "ranking_ladder", "cf.rankings(...)", ax)
    value = next((c for c in ("trophies", "points") if c in rankings_df.columns), None)
    if value is None:
        raise ValueError("ranking_ladder() needs the column(s) trophies or points, which this "
                         "frame lacks; pass cf.rankings(...)")
    title = _ranking_title(rankings_df, location)
    df = rankings_df.assign(_rank=_floats(rankings_df["rank"])).sort_values("_rank",
                                                                            kind="stable")
    if top is not None:
        df = df.head(top)
    if df.empty:
        return _no_data(ax, title)
    values = _floats(df[value])
    marked = _highlighted(df, highlight)
    y = np.arange(len(df))
    ax = _axes(ax, _size(len(df)))
    base = kwargs.pop("color", "#756bb1")
    ax.barh(y, np.nan_to_num(values), height=0.7, label=value,
            color=[HIGHLIGHT if m else base for m in marked], **kwargs)
    finite = values[~np.isnan(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    span = max(hi - lo, 1.0)
    left = max(0.0, lo - 0.15 * span) if lo > 0 else lo - 0.15 * span
    ax.set_xlim(left, hi + 0.22 * span)
    if "previous_rank" in rankings_df.columns and rankings_df["previous_rank"].notna().any():
        for yi, r, p, v in zip(y, df["_rank"], _floats(df["previous_rank"]), values,
                               strict=True):
            move, color = _rank_move(r, p)
            ax.text(np.nan_to_num(v, nan=left) + 0.01 * span, float(yi), move, va="center",
                    fontsize=8, color=color, gid="rank-move")
    ax.set_yticks(y, [f"{_label(int(r) if not np.isnan(r) else None)}. {n}"
                      for r, n in zip(df["_rank"], _names(df["name"], _tags(df)), strict=True)],
                  fontsize=8)
    for label, m in zip(ax.get_yticklabels(), marked, strict=True):
        label.set_fontweight("bold" if m else "normal")
    ax.set_ylim(len(df) - 0.5, -0.5)
    ax.set_xlabel(value)
    ax.set_title(title)
    if marked.any():
        from matplotlib.patches import Patch

        _legend_outside(ax, [Patch(color=HIGHLIGHT, label=_clan_name(rankings_df, highlight))])
    return use_fonts(ax)


def _rank_move(rank: float, previous: float) -> tuple[str, str]:
    """Return the text and colour of a move from ``previous`` rank to ``rank``."""
    if np.isnan(previous):
        return "new", "#3182bd"
    if previous > rank:
        return f"▲{int(previous - rank)}", "#31a354"
    if previous < rank:
        return f"▼{int(rank - previous)}", "#de2d26"
    return "=", "#636363"


def _highlighted(df: pd.DataFrame, clan: str | None) -> np.ndarray:
    """Return which rows of a ranking are the clan ``clan`` (tag) or its members."""
    if clan is None:
        return np.zeros(len(df), dtype=bool)
    from cocframes.tags import is_valid_tag, normalize_tag

    tag = normalize_tag(clan) if is_valid_tag(clan) else clan
    column = "clan_tag" if "clan_tag" in df.columns else "tag"
    return (df[column].astype(object) == tag).to_numpy(dtype=bool)


def _clan_name(df: pd.DataFrame, clan: str | None) -> str:
    """Return the name of clan ``clan`` (tag) as a ranking frame gives it, else the tag."""
    for tags, names in (("clan_tag", "clan_name"), ("tag", "name")):
        if {tags, names} <= set(df.columns):
            hit = df[df[tags].astype(object) == clan][names].dropna()
            if len(hit):
                return _label(hit.iloc[0], str(clan))
    return str(clan)


def _ranking_title(df: pd.DataFrame, location: str | None) -> str:
    """Return "Clan ranking, global", "Player ranking, France", "Legend League ranking,
    season 2026-11"... from the frame's kind and location (or ``location``)."""
    from cocframes.kinds import RANKINGS

    kind = df.attrs.get("kind")
    if not kind and "kind" in df.columns and df["kind"].notna().any():
        kind = str(df["kind"].dropna().iloc[0])
    if kind == "legend_season":
        season = list(df["season_id"].dropna()) if "season_id" in df.columns else []
        return "Legend League ranking" + (f", season {season[0]}" if season else "")
    noun = {k.name: k.noun for k in RANKINGS}.get(str(kind), "")
    place = location or _ranking_location(df)
    return (noun.capitalize() + " ranking" if noun else "Ranking") + (f", {place}" if place
                                                                       else "")


def _ranking_location(df: pd.DataFrame) -> str:
    """Return where a ranking is from: "global", the one location of its clans, or
    "location <id>"; "" when the frame does not tell."""
    for endpoint in df.attrs.get("endpoints") or []:
        if "/locations/global/" in str(endpoint):
            return "global"
    for column, text in (("location_name", "{}"), ("location_id", "location {}")):
        if column in df.columns:
            places = df[column].dropna().unique()
            if len(places) == 1:
                return text.format(_label(places[0]))
    return ""


def raid_loot(raid_members_df: pd.DataFrame, ax: Axes | None = None, *,
              season: Any = "latest", top: int | None = None,
              members: pd.DataFrame | None = None, **kwargs: Any) -> Axes:
    """Draw the capital gold each member looted in a raid weekend.

    Takes a raid members frame (``cf.raids(clan).members``). One bar per member who
    attacked, biggest looter on top, labelled with the attacks made. Given the clan's
    members (``members=cf.members(clan)``), those who did not raid are listed below them,
    marked "did not raid" (the raid frame itself only holds those who attacked).

    Args:
        raid_members_df: a raid members frame.
        ax: the Axes to draw on (default: a new figure).
        season: ``"latest"`` (default), ``"all"`` (summed over every season of the frame),
            or the start of a raid weekend (anything ``pd.Timestamp`` reads, e.g.
            ``"2025-06-27"``; matched on the date).
        top: show only the ``top`` members who raided.
        members: the clan's members (a frame with ``tag`` and ``name``, e.g.
            ``cf.members(clan)``), to show who did not raid.
        **kwargs: passed to ``Axes.barh``.
    """
    _require(raid_members_df, ("season_start", "tag", "name", "capital_resources_looted"),
             "raid_loot", "cf.raids(clan).members", ax)
    if members is not None:
        _require(members, ("tag", "name"), "raid_loot", "members=cf.members(clan)")
    df = raid_members_df
    title = "Capital loot"
    if df.empty:
        return _no_data(ax, title)
    starts = pd.to_datetime(df["season_start"], utc=True)
    if season == "latest":
        day = starts.max()
        df = df[starts == day]
        title += f", raid weekend of {day:%Y-%m-%d}"
    elif season != "all":
        day = pd.Timestamp(season)
        day = day.tz_localize("UTC") if day.tzinfo is None else day.tz_convert("UTC")
        df = df[starts.dt.normalize() == day.normalize()]
        title += f", raid weekend of {day:%Y-%m-%d}"
    else:
        title += ", all raid weekends"
    if df.empty and members is None:
        return _no_data(ax, title, "no member attacked")
    agg = {"name": ("name", "last"), "loot": ("_loot", "sum")}
    if "attacks" in df.columns:
        agg["attacks"] = ("_attacks", "sum")
    df = (df.assign(_loot=np.nan_to_num(_floats(df["capital_resources_looted"])),
                    _attacks=np.nan_to_num(_floats(df["attacks"])) if "attacks" in df.columns
                    else 0.0)
          .groupby("tag", sort=False).agg(**agg)
          .sort_values("loot", ascending=False, kind="stable"))
    absent = (members.drop_duplicates("tag").loc[lambda m: ~m["tag"].isin(df.index)]
              if members is not None else pd.DataFrame({"tag": [], "name": []}))
    if top is not None:
        df = df.head(top)
    if len(absent):
        title += f" ({len(absent)} did not raid)"
    y = np.arange(len(df))
    ax = _axes(ax, _size(len(df) + len(absent)))
    kwargs.setdefault("color", "#e6ab02")
    ax.barh(y, df["loot"].to_numpy(), height=0.7, label="capital gold", **kwargs)
    if "attacks" in df.columns:
        for yi, loot, attacks in zip(y, df["loot"], df["attacks"], strict=True):
            ax.text(loot, float(yi), f" {int(attacks)} att.", va="center", fontsize=7)
    below = np.arange(len(df), len(df) + len(absent))
    for yi in below:
        ax.annotate("did not raid", (0, yi), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=7, color="#888888", fontstyle="italic",
                    gid="no-raid")
    ax.set_yticks([*y, *below], [*_names(df["name"], df.index),
                                 *_names(absent["name"], absent["tag"])], fontsize=8)
    for label in ax.get_yticklabels()[len(df):]:
        label.set_color("#888888")
    ax.set_ylim(len(df) + len(absent) - 0.5, -0.5)
    ax.set_xlabel("capital gold looted")
    ax.set_title(title)
    return use_fonts(ax)
