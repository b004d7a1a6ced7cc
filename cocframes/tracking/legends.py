"""Legend days: a player's attacks, defenses and trophies per legend day (from 05:00 UTC)."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cocframes.frames.history import build_legend_days

from .parts import CORE
from .runs import Run, ends, last_seen, merge_spans, read_runs
from .store import HistoryStore
from .times import legend_day, seconds, utc

if TYPE_CHECKING:
    import pandas as pd

DAY = 86400.0
Battle = tuple[float, float | None, float, Any]  # (time, seen_after, seen_by, entry)


def _day(stamp: float) -> float:
    return seconds(legend_day(stamp))


def _days(start: float, end: float) -> Iterable[float]:
    """Return the starts of the legend days that ``[start, end]`` touches."""
    day = _day(start)
    while day <= end:
        yield day
        day += DAY


def _battles(store: HistoryStore, player: str) -> list[Battle]:
    """Return the player's stored battles as ``(time, seen_after, seen_by, entry)``; a battle
    without a timestamp is taken at the poll that first saw it."""
    return [(by if when is None else when, after, by, entry)
            for when, after, by, entry in store.battles(player)]


def _log_sizes(store: HistoryStore, player: str) -> tuple[list[Run], float | None]:
    """Return the runs of the battle-log poll marker (``{"count": entries}``) and the time of
    the last battle-log poll."""
    runs = read_runs(store, "battlelog", keys=[player], part=CORE)
    return runs, last_seen(store, "battlelog").get(player)


def _poll_times(battles: list[Battle], sizes: list[Run], last: float | None) -> list[float]:
    """Return the known battle-log poll times: when battles were first seen, the polls before
    them, when the log's size changed, and the last poll."""
    times = {b[2] for b in battles} | {b[1] for b in battles if b[1] is not None}
    times |= {r.start for r in sizes}
    if last is not None:
        times.add(last)
    return sorted(times)


def coverage(battles: list[Battle], sizes: list[Run],
             last: float | None) -> list[tuple[float, float]]:
    """Return the times the stored battle logs cover, as merged ``(start, end)`` intervals.

    A poll's log holds the most recent battles (as many as the log's size at that poll, or,
    with the size unknown, those first seen by that poll) and covers from the oldest of them
    to the poll; consecutive polls cover without a gap only where their logs overlap.
    """
    spans = []
    for poll in _poll_times(battles, sizes, last):
        size = next((r.value.get("count") for r in reversed(sizes) if r.start <= poll), None)
        if isinstance(size, int):
            log = heapq.nlargest(size, (b[0] for b in battles if b[2] <= poll))
        else:
            log = [b[0] for b in battles if b[2] == poll]
        if log:
            spans.append((min(log), poll))
    return merge_spans(spans)


def _trophy_runs(store: HistoryStore, player: str) -> list[tuple[float, float, Any]]:
    """Return ``(start, end, trophies)`` of the player's profile runs, or of their member
    entries in the stored clans when no profile is stored."""
    runs = read_runs(store, "player", keys=[player], part=CORE)
    if runs:
        poll = last_seen(store, "player")[player]
        return [(r.start, end, r.value.get("trophies")) for r, end in ends(runs, poll)]
    clans = last_seen(store, "clan")
    entries = read_runs(store, "clan", part=f"memberList/{player}")
    out = []
    for run in entries:
        end = clans[run.key] if run.end is None else run.end
        out.append((run.start, end, run.value.get("trophies")))
    return sorted(out, key=lambda r: r[0])


def _trophies(runs: list[tuple[float, float, Any]], day: float) -> dict[str, Any]:
    """Return the trophy columns of one day: the values at its first and last observation."""
    seen = [r for r in runs if r[0] < day + DAY and (r[1] > day or r[0] >= day)]
    if not seen:
        return {}
    first, last = seen[0][2], seen[-1][2]
    change = last - first if isinstance(first, int) and isinstance(last, int) else None
    return {"trophies_start": first, "trophies_end": last, "trophy_change": change}


def _battle_counts(battles: list[Battle]) -> dict[float, dict[str, int]]:
    """Return day -> attacks, defenses, stars won and stars lost."""
    out: dict[float, dict[str, int]] = defaultdict(
        lambda: {"attacks": 0, "defenses": 0, "stars_won": 0, "stars_lost": 0})
    for when, _, _, entry in battles:
        counts = out[_day(when)]
        stars = entry.get("stars") or 0
        if entry.get("attack"):
            counts["attacks"] += 1
            counts["stars_won"] += stars
        else:
            counts["defenses"] += 1
            counts["stars_lost"] += stars
    return out


def _covered(spans: list[tuple[float, float]], day: float) -> bool:
    return any(a <= day and day + DAY <= b for a, b in spans)


def legend_days_frame(store: HistoryStore, player: str) -> pd.DataFrame:
    """Return the legend days of ``player`` (a normalised tag): one row per legend day with a
    stored battle, battle-log poll or trophy observation, oldest first."""
    battles = _battles(store, player)
    sizes, last = _log_sizes(store, player)
    spans = coverage(battles, sizes, last)
    trophies = _trophy_runs(store, player)
    counts = _battle_counts(battles)
    days = set(counts)
    for start, end in spans + [(r[0], r[1]) for r in trophies]:
        days.update(_days(start, end))
    records = []
    for day in sorted(days):
        covered = _covered(spans, day)
        records.append({"player": player, "day": utc(day), **_trophies(trophies, day),
                        **(counts.get(day) or _NO_BATTLES if covered else {}),
                        "source": "battle_log" if covered else "trophies"})
    return build_legend_days(records)


_NO_BATTLES = {"attacks": 0, "defenses": 0, "stars_won": 0, "stars_lost": 0}
