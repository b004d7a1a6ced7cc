"""The season report: one row per member who was in a clan during a gold pass season."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cocframes.frames.history import build_season

from .parts import CORE
from .runs import (
    GAMES_CHAMPION,
    Run,
    counter_total,
    current_parts,
    edge_runs,
    growth,
    intervals,
    overlap,
    read_runs,
    run_values,
)
from .store import HistoryStore
from .times import api_time
from .wars import attacks_of, members, sides, stored_wars, war_new_stars

if TYPE_CHECKING:
    import pandas as pd

MEMBERS = "memberList"
ENTRY_FIELDS = ("donations", "donationsReceived", "trophies")
DAY = 86400.0


def stored_seasons(store: HistoryStore) -> list[tuple[str, float, float]]:
    """Return ``(season id, start, end)`` of every stored season, oldest first."""
    return [tuple(r) for r in store.rows("SELECT season, start, end FROM seasons ORDER BY start")]


def season_bounds(store: HistoryStore, season: str | None,
                  poll: float) -> tuple[str, float, float]:
    """Return ``(season id, start, end)`` of ``season`` (``"YYYY-MM"``), or with ``None`` of
    the season holding ``poll`` (else the last one started before it).

    Raises:
        ValueError: no season is stored, or ``season`` is not one of them (the message lists
            the stored ones).
    """
    known = stored_seasons(store)
    if not known:
        raise ValueError("the history holds no season: a track pass stores the current gold "
                         "pass season (its bounds) when it runs")
    if season is not None:
        for found in known:
            if found[0] == season:
                return found
        raise ValueError(f"season {season!r} is not in the history; stored seasons: "
                         + ", ".join(s[0] for s in known))
    started = [s for s in known if s[1] <= poll] or known[:1]
    holding = [s for s in started if poll < s[2]]
    return (holding or started)[-1]


def _member_runs(store: HistoryStore, clan: str, start: float,
                 end: float) -> dict[str, list[Run]]:
    """Return player tag -> the runs of their member entry overlapping the season (times
    only: no stored value is read)."""
    out: dict[str, list[Run]] = defaultdict(list)
    for run in read_runs(store, "clan", keys=[clan], prefix=MEMBERS, since=start, until=end,
                         values=False):
        out[run.part.partition("/")[2]].append(run)
    return out


def _edges(store: HistoryStore, clan: str, start: float,
           end: float) -> dict[str, tuple[Run, Run]]:
    """Return player tag -> their first and last member entry of the season."""
    edges = edge_runs(store, "clan", [clan], prefix=MEMBERS, since=start, until=end)
    return {part.partition("/")[2]: pair for (_, part), pair in edges.items()}


def _segment_starts(runs: list[Run], start: float) -> list[Run]:
    """Return the runs that begin a stay in the clan inside the season: the member's first
    run, or one after a gap (a leave and rejoin), starting at or after ``start``. Their values
    are the counters' values no event gives (the first sight of a stay)."""
    out, previous_end = [], None
    for run in runs:
        if (previous_end is None or run.start > previous_end) and run.start >= start:
            out.append(run)
        previous_end = run.end if run.end is not None else float("inf")
    return out


def _counter_changes(store: HistoryStore, clan: str, start: float,
                     end: float) -> dict[tuple[str, str], list[tuple[float, Any, Any]]]:
    """Return (tag, member-list field) -> ``(time, old, new)`` of the stored donations and
    received events of the season, in time order (the counters' every value after a stay's
    first sight)."""
    rows = store.rows(
        "SELECT player, field, time_to, old, new FROM events WHERE clan = ? AND kind IN "
        "('member_donations', 'member_received') AND time_to >= ? AND time_to < ? "
        "ORDER BY time_to, id", (clan, start, end))
    out: dict[tuple[str, str], list[tuple[float, Any, Any]]] = defaultdict(list)
    for tag, field, time, old, new in rows:
        out[(tag, field)].append((time, _int(old), _int(new)))
    return out


def _int(text: Any) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _season_counter(firsts: list[tuple[float, Any]],
                    changes: list[tuple[float, Any, Any]]) -> int:
    """Return a season counter's total from the first values of the stays that began in the
    season and the changes seen (see :func:`counter_total`); a change's old value before any
    value of the season is the previous season's and does not count."""
    timeline = sorted([(t, 0, v, None) for t, v in firsts]
                      + [(t, 1, old, new) for t, old, new in changes], key=lambda x: x[:2])
    values: list[Any] = []
    for _, is_change, first_or_old, new in timeline:
        if not is_change:
            values.append(first_or_old)
            continue
        if values and values[-1] != first_or_old:
            values.append(first_or_old)
        values.append(new)
    return counter_total(values)


def _membership(runs: list[Run], poll: float, start: float, end: float) -> dict[str, Any]:
    """Return the membership columns of one member: days in the clan and whether still in
    it at the season's last poll."""
    last = runs[-1]
    return {"days_in_clan": overlap(intervals(runs, poll), start, min(end, poll)) / DAY,
            "in_clan_at_end": last.end is None or last.end >= end}


def _was_member(runs: list[Run], poll: float, start: float) -> bool:
    """Whether the member's runs (all starting before the season's end) reach into it."""
    return any(b > start or a >= start for a, b in intervals(runs, poll))


def _entry_columns(tag: str, firsts: dict[float, Any],
                   changes: dict[tuple[str, str], list[tuple[float, Any, Any]]],
                   edges: tuple[Run, Run] | None) -> dict[str, Any]:
    """Return the columns of one member's entries: donations and received (from the first
    values of the stays begun in the season and the stored changes) and trophies at the
    first and last observation."""
    totals = {}
    for field in ("donations", "donationsReceived"):
        values = [(t, v.get(field)) for t, v in firsts.items()]
        totals[field] = _season_counter(values, changes.get((tag, field), []))
    donations, received = totals["donations"], totals["donationsReceived"]
    first, last = edges if edges is not None else (None, None)
    return {"donations": donations, "received": received,
            "ratio": donations / received if received else None,
            "trophies_start": first.value.get("trophies") if first else None,
            "trophies_end": last.value.get("trophies") if last else None}


def _profile_columns(store: HistoryStore, tags: list[str], start: float,
                     end: float) -> dict[str, dict[str, Any]]:
    """Return tag -> clan games points and capital gold: the growth of the Games Champion
    achievement and of clanCapitalContributions within the season (NA without a profile)."""
    edges = edge_runs(store, "player", tags, parts=[CORE, GAMES_CHAMPION], since=start,
                      until=end)
    out = {}
    for tag in tags:
        games = edges.get((tag, GAMES_CHAMPION))
        core = edges.get((tag, CORE))
        out[tag] = {
            "clan_games_points": games and growth(games[0].value.get("value"),
                                                  games[1].value.get("value")),
            "capital_gold": core and growth(core[0].value.get("clanCapitalContributions"),
                                            core[1].value.get("clanCapitalContributions")),
        }
    return out


def _war_columns(store: HistoryStore, clan: str, start: float,
                 end: float) -> dict[str, Counter[str]]:
    """Return tag -> counts of the war and CWL columns over the wars prepared in the
    season."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for war in stored_wars(store, clan, start, end):
        prefix = "cwl" if war.war_type == "cwl" else "war"
        gained = war_new_stars(war.payload)
        for member in members(sides(war.payload, clan)["clan"]):
            counts = out[member.get("tag")]
            attacks = attacks_of(member)
            counts[f"{prefix}_attacks_available"] += war.attacks_per_member
            counts[f"{prefix}_attacks"] += len(attacks)
            counts[f"{prefix}_stars"] += sum(a.get("stars") or 0 for a in attacks)
            counts[f"{prefix}_new_stars"] += sum(gained.get(a.get("order"), 0) for a in attacks)
    return out


def _raid_attacks(store: HistoryStore, clan: str, start: float, end: float) -> Counter[str]:
    """Return tag -> capital raid attacks in the raid weekends starting in the season."""
    keys = [key for _, key, _, _ in store.subjects("raids")
            if key.startswith(f"{clan}|") and start <= (api_time(key.split("|")[1]) or 0) < end]
    out: Counter[str] = Counter()
    for found in current_parts(store, "raids", keys).values():
        for name, value in found.items():
            if name.startswith("members/") and isinstance(value, Mapping):
                out[value.get("tag")] += value.get("attacks") or 0
    return out


def season_frame(store: HistoryStore, clan: str, season: str | None = None) -> pd.DataFrame:
    """Return the season report of ``clan`` (a normalised tag): one row per member who was in
    the clan during ``season`` (``"YYYY-MM"``; ``None``: the season of the clan's last poll).

    Raises:
        ValueError: the clan was never polled, no season is stored, or ``season`` is unknown.
    """
    polls = store.rows("SELECT last_seen FROM subjects WHERE subject = 'clan' AND key = ?",
                       (clan,))
    if not polls:
        raise ValueError(f"clan {clan} is not in the history: track it first")
    poll = polls[0][0]
    name, start, end = season_bounds(store, season, poll)
    entries = _member_runs(store, clan, start, end)
    tags = sorted(entries)
    edges = _edges(store, clan, start, end)
    starts = [(run.part, run.start) for runs in entries.values()
              for run in _segment_starts(runs, start)]
    first_values = run_values(store, "clan", clan, starts, fields=ENTRY_FIELDS)
    changes = _counter_changes(store, clan, start, end)
    profiles = _profile_columns(store, tags, start, end)
    wars = _war_columns(store, clan, start, end)
    raids = _raid_attacks(store, clan, start, end)
    records = []
    for tag in tags:
        runs = entries[tag]
        if not _was_member(runs, poll, start):
            continue
        counts = wars.get(tag, Counter())
        firsts = {vf: value for (part, vf), value in first_values.items()
                  if part == f"{MEMBERS}/{tag}"}
        pair = edges.get(tag)
        records.append({
            "season": name, "clan": clan, "tag": tag,
            "name": pair[1].value.get("name") if pair else None,
            **_membership(runs, poll, start, end),
            **_entry_columns(tag, firsts, changes, pair),
            **profiles[tag], **{c: counts[c] for c in _WAR_COUNTS}, "raid_attacks": raids[tag],
        })
    return build_season(records)


_WAR_COUNTS = [f"{p}_{c}" for p in ("war", "cwl")
               for c in ("attacks", "attacks_available", "stars", "new_stars")]
