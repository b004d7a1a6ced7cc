"""History: what changed in a clan, kept in a SQLite file and read back as DataFrames.

The API answers "what is"; the tracker polls it on a schedule that respects it (a clan at its
``max-age``, a member's profile when their member-list entry changed or hourly, wars until
seen ended...), stores what it sees in a history file (:class:`HistoryStore`) and finds the
changes between snapshots: events of the kinds in :data:`EVENT_KINDS`.

The functions (also at the top level: ``cf.track``, ``cf.watch``...):

- :func:`track`: one pass (cron-friendly); :func:`watch`: passes in a loop with callbacks;
- :func:`changes`: the events as a frame; :func:`season`: a season per member;
  :func:`war_history`: every war attack seen; :func:`legend_days`: a player's legend days;
  :func:`history`: tidy time series for plots;
- :func:`simulate`: a history made offline from the living demo world.

Modules, by job: :mod:`.kinds` (the event kinds), :mod:`.diff` (two snapshots -> changes),
:mod:`.tracker` (the schedule and a pass), :mod:`.watch` (the loop), :mod:`.store`,
:mod:`.parts` and :mod:`.schema` (the file), :mod:`.runs`, :mod:`.season`, :mod:`.wars`,
:mod:`.legends`, :mod:`.series` and :mod:`.changes` (reading it back), :mod:`.functions`,
:mod:`.simulation` (the demo world followed offline).
"""

from cocframes.tracking.functions import (
    changes,
    history,
    legend_days,
    open_history,
    season,
    track,
    war_history,
    watch,
)
from cocframes.tracking.kinds import EVENT_KINDS, KIND_NAMES, EventKind
from cocframes.tracking.schema import HistoryVersionError
from cocframes.tracking.simulation import simulate
from cocframes.tracking.store import HISTORY_ENV_VAR, HistoryStore
from cocframes.tracking.watch import CallbackWarning, Event, Watcher

__all__ = [
    "EVENT_KINDS",
    "HISTORY_ENV_VAR",
    "KIND_NAMES",
    "CallbackWarning",
    "Event",
    "EventKind",
    "HistoryStore",
    "HistoryVersionError",
    "Watcher",
    "changes",
    "history",
    "legend_days",
    "open_history",
    "season",
    "simulate",
    "track",
    "war_history",
    "watch",
]
