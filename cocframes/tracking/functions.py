"""The history functions users call: :func:`track`, :func:`watch`, :func:`changes`, the
reports :func:`season`, :func:`war_history`, :func:`legend_days` and :func:`history`, and
:func:`open_history` for the file itself.

Each takes ``history=``: a :class:`HistoryStore`, a path (a ``.sqlite``/``.db`` file or a
directory), or ``None`` for the default file (``$COCFRAMES_HISTORY``, else the user data
directory). One store object is kept per file and process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cocframes._frame_common import client_or_default
from cocframes.client import Client
from cocframes.frames import specs
from cocframes.frames._columns import documented
from cocframes.tags import normalize_tag

from .changes import as_seconds, frame_of_detected, frame_of_rows
from .kinds import event_kind
from .legends import legend_days_frame
from .season import season_frame
from .series import history_frame
from .store import HistoryStore, history_path
from .tracker import PLAYER_INTERVAL, Tracker
from .wars import war_history_frame
from .watch import Event, Watcher, WatchLoop, check_callbacks

if TYPE_CHECKING:
    import pandas as pd

HistoryLike = HistoryStore | str | os.PathLike[str] | None

_stores: dict[str, HistoryStore] = {}
_stores_lock = threading.Lock()


def open_history(history: HistoryLike = None) -> HistoryStore:
    """Return the history file (the same object for the same file), creating it if needed."""
    if isinstance(history, HistoryStore):
        return history
    path = str(history_path(history))
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = _stores[path] = HistoryStore(path)
        return store


def _tags(value: str | Iterable[str] | None, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    try:
        return [normalize_tag(v) for v in value]
    except (TypeError, AttributeError):
        raise TypeError(f"{what} must be a tag or a list of tags, got {value!r}") from None


def _tracker(clans: Any, players: Any, client: Client | None, history: HistoryLike,
             **options: Any) -> Tracker:
    return Tracker(client_or_default(client), open_history(history),
                   clans=_tags(clans, "clans"), players=_tags(players, "players"), **options)


@documented(specs.CHANGES)
def track(clans: str | Iterable[str] | None = None, players: str | Iterable[str] | None = None,
          *, wars: bool = True, raids: bool = True, legends: bool = True,
          player_interval: float = PLAYER_INTERVAL, client: Client | None = None,
          history: HistoryLike = None) -> pd.DataFrame:
    """Run one pass: fetch what is due for the clans and players, store it in the history
    file, and return the changes found (one row per change; empty the first time, which
    only records a baseline).

    Cron-friendly: every run fetches only what is due since the last one, e.g.
    ``cocframes track '#CLAN'`` every few minutes.

    Args:
        clans: clan tag(s) to follow, with their members' profiles.
        players: other player tag(s) to follow.
        wars: follow the clans' regular and CWL wars. raids: their capital raid weekends.
        legends: store the battle logs of followed players in legend league.
        player_interval: seconds between two fetches of a profile whose member-list entry
            did not change.
        client: the client to fetch with (default: :func:`cocframes.get_client`).
        history: the history file (see :func:`open_history`).
    """
    tracker = _tracker(clans, players, client, history, wars=wars, raids=raids,
                       legends=legends, player_interval=player_interval)
    result = tracker.run_pass()
    frame = frame_of_detected(result.events)
    frame.attrs.update(source="history:track", requests=result.requests,
                       history=str(tracker.store.path))
    return frame


def watch(clans: str | Iterable[str] | None = None, players: str | Iterable[str] | None = None,
          *, on: Mapping[str, Callable[[Event], Any]] | None = None, background: bool = False,
          max_passes: int | None = None, duration: float | None = None,
          speed: float | None = None, wars: bool = True, raids: bool = True,
          legends: bool = True, player_interval: float = PLAYER_INTERVAL,
          client: Client | None = None, history: HistoryLike = None,
          ) -> pd.DataFrame | Watcher:
    """Track in a loop on the polling schedule, calling ``on[kind](event)`` for each event.

    ``on`` maps event kinds (see :data:`cocframes.tracking.EVENT_KINDS`; ``"*"`` for every
    event) to callables taking one :class:`~cocframes.tracking.Event`. Errors, 429s and
    maintenance do not stop the watch: they are reported as ``poll_error``,
    ``maintenance_start`` and ``maintenance_end`` events, and polling backs off.

    In the foreground, runs until Ctrl-C (or ``max_passes`` passes, or ``duration``
    seconds) and returns every event found as a changes frame; an interrupted pass leaves
    the history as the previous pass left it. With ``background=True``, runs in a thread and
    returns a :class:`Watcher` at once (``.stop()``, ``.events()``), so a notebook stays
    usable.

    Args:
        speed: with the in-process demo world only: how many seconds the world lives per
            second watched (default 60), so that events come within seconds.
        Others: as for :func:`track`.

    Raises:
        ValueError: an unknown event kind in ``on``, or no clan and no player.
    """
    on = check_callbacks(on)  # a misspelt kind is refused before the file is created
    tracker = _tracker(clans, players, client, history, wars=wars, raids=raids,
                       legends=legends, player_interval=player_interval)
    loop = WatchLoop(tracker, on, max_passes=max_passes, duration=duration, speed=speed)
    if background:
        return Watcher(loop)
    loop.run()
    frame = loop.frame()
    frame.attrs.update(source="history:watch", passes=loop.passes,
                       history=str(tracker.store.path))
    return frame


@documented(specs.CHANGES)
def changes(clan: str | Iterable[str] | None = None,
            player: str | Iterable[str] | None = None, *, since: Any = None,
            until: Any = None, kinds: str | Iterable[str] | None = None,
            history: HistoryLike = None) -> pd.DataFrame:
    """Return the stored events: one row per change between two stored snapshots, oldest
    first.

    Args:
        clan: only events of these clan tag(s). player: only events of these player tag(s)
            (with ``clan`` too: events matching either).
        since, until: only events seen in ``[since, until)`` (datetimes or ISO strings; UTC
            when no zone is given).
        kinds: only these kinds (names from :data:`cocframes.tracking.EVENT_KINDS`).
        history: the history file (see :func:`open_history`).

    Raises:
        ValueError: an unknown kind, a bad tag or a bad time.
    """
    kind_names = None
    if kinds is not None:
        kind_names = [event_kind(k).name for k in ([kinds] if isinstance(kinds, str) else kinds)]
    store = open_history(history)
    rows = store.events(
        clans=_tags(clan, "clan") if clan is not None else None,
        players=_tags(player, "player") if player is not None else None,
        since=as_seconds(since, "since"), until=as_seconds(until, "until"), kinds=kind_names)
    return _report(frame_of_rows(rows), "events", store)


def _report(frame: pd.DataFrame, source: str, store: HistoryStore) -> pd.DataFrame:
    """Return ``frame`` with its ``attrs``: where it comes from (text only, so that the attrs
    stay JSON-serialisable)."""
    frame.attrs.update(source=f"history:{source}", history=str(store.path))
    return frame


@documented(specs.SEASON)
def season(clan: str, season: str | None = None, *, history: HistoryLike = None,
           ) -> pd.DataFrame:
    """Return the season report of a clan: one row per member who was in it during the
    season, with donations, days in the clan, clan games points, capital gold, war, CWL and
    raid attacks, and trophies, computed from the history file.

    Args:
        clan: the clan's tag (tracked with :func:`track` or :func:`watch`).
        season: ``"YYYY-MM"`` (a gold pass season a track pass stored); default the season of
            the clan's last poll.
        history: the history file (see :func:`open_history`).

    Raises:
        ValueError: a bad tag, a clan never tracked, no season stored, or an unknown season
            (the message lists the stored ones).
    """
    store = open_history(history)
    return _report(season_frame(store, normalize_tag(clan), season), "season", store)


@documented(specs.WAR_HISTORY)
def war_history(clan: str, *, history: HistoryLike = None) -> pd.DataFrame:
    """Return every attack of every stored war of a clan (both sides), and one ``missed``
    row per attack a member did not make in a finished war.

    Args:
        clan: the clan's tag. history: the history file (see :func:`open_history`).

    Raises:
        ValueError: a bad tag.
    """
    store = open_history(history)
    return _report(war_history_frame(store, normalize_tag(clan)), "war_history", store)


@documented(specs.LEGEND_DAYS)
def legend_days(player: str, *, history: HistoryLike = None) -> pd.DataFrame:
    """Return a player's legend days (from 05:00 UTC): attacks, defenses and stars from the
    stored battle logs where they cover the whole day, trophies at the day's start and end.

    Args:
        player: the player's tag. history: the history file (see :func:`open_history`).

    Raises:
        ValueError: a bad tag.
    """
    store = open_history(history)
    return _report(legend_days_frame(store, normalize_tag(player)), "legend_days", store)


@documented(specs.HISTORY)
def history(clan: str | None = None, player: str | None = None, *,
            metrics: str | Iterable[str] | None = None, since: Any = None, until: Any = None,
            history: HistoryLike = None) -> pd.DataFrame:
    """Return the stored values of metrics over time, tidy: one row per player, metric and
    time the value was seen to change, oldest first.

    Args:
        clan: only the members of this clan (profile metrics: while their profile named it).
        player: only this player. With neither, everyone stored.
        metrics: names from :data:`cocframes.tracking.series.METRICS` (default all).
        since, until: only values first seen in ``[since, until)`` (datetimes or ISO
            strings; UTC when no zone is given).
        history: the history file (see :func:`open_history`).

    Raises:
        ValueError: a bad tag, an unknown metric or a bad time.
    """
    store = open_history(history)
    frame = history_frame(
        store, clan=None if clan is None else normalize_tag(clan),
        player=None if player is None else normalize_tag(player), metrics=metrics,
        since=as_seconds(since, "since"), until=as_seconds(until, "until"))
    return _report(frame, "history", store)
