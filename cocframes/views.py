"""The logic behind :mod:`cocframes.widgets`, as plain functions: frames and figures in, no UI.

Each ``*_panel`` function fetches what one tab of a widget shows through the top-level frame
functions (``cf.members``, ``cf.war_attacks``...), draws it with :mod:`cocframes.plots`, and
returns a :class:`Panel`: the tables, the figures and a message. It never raises for what a
user can cause (a bad tag, a private war log, a clan not in war, the API in maintenance): the
panel then carries the error as a one-line ``message`` with ``error=True``, which the widget
shows instead of a traceback.

The figures are ``matplotlib.figure.Figure`` objects made without pyplot, so rendering them to
PNG (:func:`png`) works headless and nothing appears twice in a notebook.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from cocframes import api, plots
from cocframes.errors import (
    AccessDeniedError,
    CocError,
    ConfigurationError,
    InvalidIpError,
    MaintenanceError,
    NetworkError,
    NotFoundError,
    PrivateWarLogError,
    ThrottledError,
)
from cocframes.tags import normalize_tag

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from cocframes.client import Client
    from cocframes.tracking import HistoryStore

log = logging.getLogger(__name__)

__all__ = [
    "ClanSummary",
    "Panel",
    "clan_summary",
    "default_clan",
    "error_message",
    "figure",
    "history_panel",
    "history_store",
    "html_table",
    "members_panel",
    "players_panel",
    "png",
    "raids_panel",
    "troops_figure",
    "troops_panel",
    "war_panel",
]

#: Columns of the tables the panels show (those present in the frame, in this order).
MEMBER_COLUMNS = ("clan_rank", "name", "tag", "role", "town_hall", "exp_level", "trophies",
                  "league_tier", "donations", "donations_received")
ATTACK_COLUMNS = ("order", "side", "attacker_rank", "attacker_name", "attacker_town_hall",
                  "defender_rank", "defender_name", "defender_town_hall", "stars", "new_stars",
                  "destruction", "duration")
PLAYER_COLUMNS = ("name", "tag", "town_hall", "exp_level", "trophies", "best_trophies",
                  "war_stars", "league_tier", "clan_name", "role", "donations",
                  "donations_received", "clan_capital_contributions", "heroes",
                  "hero_equipment", "pets")
SEASON_COLUMNS = ("name", "tag", "in_clan_at_end", "days_in_clan", "donations", "received",
                  "ratio", "clan_games_points", "capital_gold", "war_attacks",
                  "war_attacks_available", "war_stars", "cwl_attacks", "raid_attacks",
                  "trophies_start", "trophies_end")
#: How many members the history tab's donations plot shows (the biggest donors).
HISTORY_TOP = 10
RAID_SEASON_COLUMNS = ("season_start", "state", "capital_total_loot", "raids_completed",
                       "total_attacks", "enemy_districts_destroyed", "offensive_reward",
                       "defensive_reward", "member_count")


@dataclass
class Panel:
    """What one tab shows.

    Attributes:
        title: tab title.
        tables: caption → frame, in display order.
        figures: caption → figure, in display order.
        message: an error (``error=True``) or a note (e.g. "not in war") to show on top;
            empty when there is nothing to say.
        error: whether ``message`` is an error (then tables and figures are empty).
        frames: the full frames the panel was built from (for re-drawing without refetching).
    """

    title: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    message: str = ""
    error: bool = False
    frames: dict[str, Any] = field(default_factory=dict)


def _failed(title: str, exc: BaseException, what: str = "") -> Panel:
    return Panel(title=title, message=error_message(exc, what), error=True)


# --------------------------------------------------------------------------- errors
def error_message(exc: BaseException, what: str = "") -> str:
    """Return a one-line message for a user about ``exc`` (no traceback).

    Args:
        exc: the exception.
        what: the tag or object it was about, e.g. ``"#2PP"``.
    """
    about = f" {what}" if what else ""
    if isinstance(exc, PrivateWarLogError):
        return f"The war log of{about or ' this clan'} is private: its wars cannot be shown."
    if isinstance(exc, NotFoundError):
        return f"Nothing found for{about or ' this tag'}: check the tag."
    if isinstance(exc, MaintenanceError):
        return "The Clash of Clans API is in maintenance; try again later."
    if isinstance(exc, InvalidIpError):
        return f"Access denied: the API key is not bound to this IP address. {exc.remedy}"
    if isinstance(exc, AccessDeniedError):
        return f"Access denied{' for' + about if about else ''}. {exc.remedy}"
    if isinstance(exc, ThrottledError):
        return "The API kept answering 'too many requests'; try again in a moment."
    if isinstance(exc, NetworkError):
        return f"No answer from the API: {exc.message or exc}"
    if isinstance(exc, ConfigurationError):
        return f"cocframes is not set up: {exc}"
    if isinstance(exc, CocError):
        return str(exc)
    if isinstance(exc, (ValueError, TypeError)):
        text = str(exc) or type(exc).__name__
        return text[:1].upper() + text[1:]
    return f"Unexpected error ({type(exc).__name__}): {exc}"


def _guard(title: str, what: str = "") -> Callable[[Callable[..., Panel]], Callable[..., Panel]]:
    """Turn any exception of a panel function into an error panel (logged if unexpected)."""

    def wrap(func: Callable[..., Panel]) -> Callable[..., Panel]:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Panel:
            try:
                return func(*args, **kwargs)
            except (CocError, ValueError, TypeError) as exc:
                return _failed(title, exc, str(args[0]) if args and not what else what)
            except Exception as exc:  # a bug, not the user's fault: keep the traceback in logs
                log.exception("%s failed", func.__name__)
                return _failed(title, exc)

        return run

    return wrap


# --------------------------------------------------------------------------- rendering
#: The warning of a bulk frame naming the tags that failed.
FAILURES_WARNING = r".*could not be fetched"
# warnings.catch_warnings saves and restores the process-wide filters: two threads inside it
# at once (the clan explorer loads tabs in threads) would restore each other's filters.
_WARNINGS_LOCK = threading.RLock()


@contextlib.contextmanager
def silenced(*messages: str) -> Iterator[None]:
    """Ignore the warnings matching the ``messages`` regexes inside the block, one thread at
    a time."""
    with _WARNINGS_LOCK, warnings.catch_warnings():
        for message in messages:
            warnings.filterwarnings("ignore", message=message)
        yield


def figure(plot: Callable[..., Any], df: Any, *, size: tuple[float, float] = (8.0, 5.0),
           **kwargs: Any) -> Figure:
    """Draw ``plot(df, ax, **kwargs)`` on a new pyplot-free Figure of ``size`` inches."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    plot(df, fig.add_subplot(), **kwargs)
    return fig


def png(fig: Figure, dpi: int = 80) -> bytes:
    """Return ``fig`` as PNG bytes (missing-glyph warnings, e.g. for emoji names, silenced)."""
    buffer = io.BytesIO()
    with silenced(r"Glyph \d+ .*missing from", r"Matplotlib currently does not support"):
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def to_the_minute(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` for display, its UTC datetimes as ``YYYY-MM-DD HH:MM`` text."""
    shown = df.copy()
    for name in shown.select_dtypes("datetimetz").columns:
        shown[name] = shown[name].dt.strftime("%Y-%m-%d %H:%M")
    return shown


def blank_missing(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with the missing values of nullable and object columns as ``""``:
    ``to_html`` and ``to_string`` print ``na_rep`` for those, but ``<NA>`` for pandas' NA in
    a nullable column (``Int64``, ``string``, ``boolean``)."""
    shown = df.copy()
    for name, column in shown.items():
        if isinstance(column.dtype, pd.CategoricalDtype) or not (
                column.dtype == object or pd.api.types.is_extension_array_dtype(column.dtype)):
            continue
        shown[name] = column.astype(object).where(column.notna(), "")
    return shown


def html_table(df: pd.DataFrame, max_rows: int | None = None) -> str:
    """Return ``df`` as an HTML table (no index; NA as blank; datetimes to the minute)."""
    return blank_missing(to_the_minute(df)).to_html(
        index=False, na_rep="", max_rows=max_rows, border=0, classes="cocframes-table",
        escape=True)


def _columns(df: pd.DataFrame, wanted: Sequence[str]) -> pd.DataFrame:
    return df[[c for c in wanted if c in df.columns]]


def _height(rows: int) -> tuple[float, float]:
    return (8.0, min(16.0, max(3.0, 1.6 + 0.26 * rows)))


# --------------------------------------------------------------------------- clan
@dataclass
class ClanSummary:
    """A clan's tag, name and members frame (the header and first tab of the explorer)."""

    tag: str
    name: str
    members: pd.DataFrame


def clan_summary(clan: str, *, client: Client | None = None) -> ClanSummary:
    """Fetch a clan's members and its name; raise on a bad tag or an API error.

    The name comes from one member's profile (``cf.players``): the members frame carries the
    clan tag only. It is the tag when the clan has no members.
    """
    tag = normalize_tag(clan)
    members = api.members(tag, client=client)
    name = tag
    if not members.empty:
        try:
            profile = api.players(str(members["tag"].iloc[0]), client=client, progress=False)
        except CocError:
            profile = None
        if profile is not None and not profile.empty and profile["clan_tag"].iloc[0] == tag:
            name = str(profile["clan_name"].iloc[0])
    return ClanSummary(tag=tag, name=name, members=members)


def members_panel(summary: ClanSummary) -> Panel:
    """The members tab: a table of members, donations and trophies by town hall."""
    df = summary.members
    return Panel(
        title="Members",
        tables={f"{len(df)} members": _columns(df, MEMBER_COLUMNS)},
        figures={
            "Donations": figure(plots.donations, df, size=_height(len(df))),
            "Trophies by town hall": figure(plots.trophies_by_town_hall, df),
        },
        message="" if len(df) else "This clan has no members.",
        frames={"members": df},
    )


@_guard("War")
def war_panel(clan: str, *, client: Client | None = None, cwl: bool = True) -> Panel:
    """The war tab: the current war's map, stars and attacks, and the CWL group's race.

    A private war log or an unknown clan gives an error panel; a clan not in war a note.
    """
    tag = normalize_tag(clan)
    war = api.war(tag, client=client)
    attacks, members = war.attacks, war.members
    panel = Panel(title="War", frames={"war_attacks": attacks, "war_members": members})
    if members.empty:
        panel.message = f"{tag} is not in a war right now."
    else:
        panel.message = _war_headline(members)
        ours = members[members["side"] == "clan"]
        panel.figures["War map"] = figure(plots.war_map, attacks, size=(8.5, 7))
        panel.figures["War stars"] = figure(plots.war_stars, members, size=_height(len(ours)))
        shown = attacks.sort_values("order") if "order" in attacks.columns else attacks
        panel.tables[f"{len(attacks)} attacks"] = _columns(shown, ATTACK_COLUMNS)
    if cwl:
        try:
            group = api.cwl(tag, client=client)
        except NotFoundError:  # not in a CWL group this season
            group = None
        if group is not None and not group.clans.empty:
            panel.frames["cwl"] = group
            panel.figures["CWL stars by round"] = figure(plots.cwl_rounds, group, size=(9, 5),
                                                         highlight=tag)
    return panel


def _war_headline(members: pd.DataFrame) -> str:
    """E.g. ``inWar: Demo Dragons #992JPJY20 25★ vs Raging Rivals #99... 22★ (15 a side)``
    from a war members frame (the tag alone where a side has no name)."""
    state = str(members["state"].iloc[0])
    sides = []
    for side in ("clan", "opponent"):
        part = members[members["side"] == side]
        if part.empty:
            continue
        stars = pd.to_numeric(part["new_stars_earned"], errors="coerce").fillna(0).sum()
        tag = part["clan_tag"].iloc[0]
        name = part["clan_name"].iloc[0] if "clan_name" in part.columns else pd.NA
        sides.append(f"{tag if pd.isna(name) else f'{name} {tag}'} {int(stars)}★")
    return f"{state}: " + " vs ".join(sides) + f" ({len(members) // max(len(sides), 1)} a side)"


#: Unit kinds the troops tab can show, first is the default.
TROOP_KINDS = ("hero", "hero_equipment", "pet", "troop", "super_troop", "siege_machine", "spell")


def troops_figure(units: pd.DataFrame, kind: str = "hero") -> Figure:
    """The members × units heatmap of one kind as a Figure."""
    people = units["player_tag"].nunique() if "player_tag" in units.columns else 0
    cols = units.loc[units["kind"] == kind, "name"].nunique() if "kind" in units.columns else 0
    size = (min(22.0, 4.0 + 0.3 * cols), min(16.0, max(3.5, 1.8 + 0.22 * people)))
    return figure(plots.clan_heatmap, units, size=size, kind=kind)


@_guard("Troops")
def troops_panel(clan: str, *, client: Client | None = None, kind: str = "hero") -> Panel:
    """The troops tab: every member's units (``cf.units(clan=...)``), as a heatmap of ``kind``
    and a table of each member's average progress per kind."""
    with silenced(FAILURES_WARNING):  # the failures are shown in the panel's message instead
        units = api.units(clan=normalize_tag(clan), client=client, progress=False)
    return _units_panel("Troops", units, kind)


def _units_panel(title: str, units: pd.DataFrame, kind: str) -> Panel:
    panel = Panel(title=title, frames={"units": units})
    if units.empty:
        panel.message = "No units to show."
        return panel
    panel.figures[f"{plots.KIND_LABELS.get(kind, kind)} levels"] = troops_figure(units, kind)
    home = units[units["village"] == "home"]
    progress = (home.assign(progress=pd.to_numeric(home["progress"], errors="coerce"))
                .pivot_table(index=["player_tag", "player_name"], columns="kind",
                             values="progress", aggfunc="mean", observed=True, sort=False))
    progress = (progress.reindex(columns=[k for k in TROOP_KINDS if k in progress.columns])
                .mul(100).round(0).astype("Int64").reset_index())
    progress.columns = [str(c) for c in progress.columns]
    panel.tables["Average level / max level, percent (home village)"] = progress
    failures = units.attrs.get("failures") or {}
    if failures:
        panel.message = f"Could not fetch {len(failures)} player(s): " + ", ".join(failures)
    return panel


@_guard("Raids")
def raids_panel(clan: str, *, client: Client | None = None) -> Panel:
    """The raids tab: capital loot per member of the last raid weekend and the seasons."""
    raids = api.raids(normalize_tag(clan), client=client)
    panel = Panel(title="Raids", frames={"raids": raids})
    if raids.seasons.empty:
        panel.message = "No capital raid weekend on record."
        return panel
    latest = raids.members
    if not latest.empty:
        latest = latest[latest["season_start"] == latest["season_start"].max()]
    panel.figures["Capital loot"] = figure(plots.raid_loot, raids.members,
                                           size=_height(len(latest)))
    panel.tables[f"{len(raids.seasons)} raid weekends"] = _columns(raids.seasons,
                                                                   RAID_SEASON_COLUMNS)
    return panel


# --------------------------------------------------------------------------- history
def history_store(clan: str, history: Any = None) -> HistoryStore | None:
    """Return the history file that holds ``clan``, or ``None``: when the file does not
    exist (it is never created here), cannot be read, or never tracked the clan.

    ``history``: a :class:`~cocframes.tracking.HistoryStore`, a path, or ``None`` for the
    default file (see :func:`cocframes.tracking.open_history`).
    """
    from cocframes.tracking import HistoryStore, open_history
    from cocframes.tracking.store import history_path

    try:
        tag = normalize_tag(clan)
        if not isinstance(history, HistoryStore) and not history_path(history).is_file():
            return None
        store = open_history(history)
        return store if _tracks(store, tag) else None
    except Exception:  # an unreadable history only means no history tab
        log.warning("could not read the history file %r", history, exc_info=True)
        return None


def _tracks(store: HistoryStore, tag: str) -> bool:
    return any(key == tag for _subject, key, *_ in store.subjects("clan"))


@_guard("History")
def history_panel(clan: str, *, history: Any = None) -> Panel:
    """The history tab: the clan's current season per member (``cf.season``) and the
    donations of its biggest donors over time (``cf.history``), from the history file."""
    from cocframes import plots_history, tracking

    tag = normalize_tag(clan)
    season = tracking.season(tag, history=history)
    donations = tracking.history(tag, metrics="donations", history=history)
    shown = season.sort_values("donations", ascending=False, kind="stable")
    period = str(season["season"].iloc[0]) if len(season) else ""
    panel = Panel(title="History", frames={"season": season, "donations": donations})
    panel.tables[f"Season {period}: {len(season)} members"] = _columns(shown, SEASON_COLUMNS)
    panel.figures["Donations over time"] = figure(
        plots_history.metric_over_time, donations, size=(10, 5), metric="donations",
        top=HISTORY_TOP)
    return panel


# --------------------------------------------------------------------------- players
def _split_tags(tags: str | Sequence[str]) -> list[str]:
    if isinstance(tags, str):
        tags = tags.replace(";", ",").replace("\n", ",").split(",")
    out = [t.strip() for t in tags if t and t.strip()]
    if not out:
        raise ValueError("give at least one player tag")
    return [normalize_tag(t) for t in out]


@_guard("Players", what="these players")
def players_panel(tags: str | Sequence[str], *, client: Client | None = None,
                  kind: str = "hero") -> Panel:
    """Compare players: a table of their profiles and a players × units heatmap of ``kind``.

    ``tags``: a list of tags or one string of tags separated by commas. Players that could not
    be fetched are named in the message; if none could, the panel is an error.
    """
    wanted = _split_tags(tags)
    with silenced(FAILURES_WARNING):  # the failures are shown in the panel's message instead
        profiles = api.players(wanted, client=client, progress=False)
        units = api.units(wanted, client=client, progress=False)
    panel = _units_panel("Players", units, kind)
    panel.frames["players"] = profiles
    panel.tables = {f"{len(profiles)} players": _columns(profiles, PLAYER_COLUMNS),
                    **panel.tables}
    failures = profiles.attrs.get("failures") or {}
    if failures:
        panel.message = "Could not fetch: " + "; ".join(
            f"{tag} ({info.get('reason', '?')})" for tag, info in failures.items())
    return panel


# --------------------------------------------------------------------------- defaults
def default_clan(client: Client | None = None) -> str:
    """The clan to prefill a tag box with: the demo world's main clan in demo mode, else ""."""
    try:
        client = client if client is not None else api.get_client()
    except CocError:
        return ""
    return _demo_clan_tag() if getattr(client, "demo", False) else ""


@functools.lru_cache(maxsize=1)
def _demo_clan_tag() -> str:
    from cocframes.demo import DEMO_CLAN_TAG

    return DEMO_CLAN_TAG
