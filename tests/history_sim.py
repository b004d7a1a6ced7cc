"""Checking what the tracker found in the living demo world against the world's own record of
what happened (the simulation itself is cocframes.tracking.simulation)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cocframes.demo import World
from cocframes.tracking.store import Detected

#: Kinds the demo world does not record (clan points follow the members' trophies; the
#: watcher's own kinds are checked separately).
UNRECORDED = {"clan_points", "poll_error", "season_start", "maintenance_start",
              "maintenance_end"}


def _key(kind: str, clan: str | None, player: str | None, field: str | None) -> tuple:
    return kind, clan, player, field


def compare(world: World, events: Iterable[Detected], after: float, clan: str, *,
            until: float, player_interval: float = 3600.0) -> list[str]:
    """Return the differences between the events found and the world's record of the watched
    ``clan``, for changes after ``after`` (the first pass: what was there before is the
    baseline) and seen by ``until`` (the last pass; profile-only changes must be seen within
    ``player_interval``). Attacks on the clan are the opponents' happenings: they must match
    when found, and are not required otherwise (the record holds other clans' wars too).

    Each event must equal the record's happenings of the same kind, clan, player and field in
    its interval ``(time_from, time_to]``, coalesced (the first one's old, the last one's
    new); each happening must fall in exactly one event's interval, unless the happenings of
    an interval cancel out (no net change to see).
    """
    problems: list[str] = []
    happenings: dict[tuple, list[Any]] = defaultdict(list)
    for h in world.record:
        if h.kind not in UNRECORDED and h.time.timestamp() > after:
            happenings[_key(h.kind, h.clan, h.player, h.field)].append(h)
    required = {key for key in happenings if key[1] == clan and key[0] != "player_clan"}
    player_until = until - player_interval
    events = list(events)
    absorbed = _absorbed_by_joins_and_leaves(events, player_interval)
    claimed: set[int] = set()
    for e in events:
        c = e.change
        if c.kind in UNRECORDED or e.time_from is None:
            continue
        key = _key(c.kind, c.clan, c.player, c.field)
        inside = [h for h in happenings.get(key, ())
                  if e.time_from < h.time.timestamp() <= e.time_to]
        if not inside:
            problems.append(f"found but not in the record: {c} in "
                            f"({_utc(e.time_from)}, {_utc(e.time_to)}]")
            continue
        twice = [h for h in inside if id(h) in claimed]
        if twice:
            problems.append(f"found twice: {twice[0]}")
        claimed.update(id(h) for h in inside)
        if (inside[0].old, inside[-1].new) != (c.old, c.new):
            problems.append(f"wrong values: {c}; the record says {inside[0].old!r} -> "
                            f"{inside[-1].new!r} ({len(inside)} changes)")
    for key in required:
        found = happenings[key]
        last = player_until if key[0].startswith("player_") else until
        missed = [h for h in found if id(h) not in claimed and h.time.timestamp() <= last
                  and not absorbed(h)]
        if missed and not _cancel_out(missed):
            problems.append(f"in the record but not found: {missed[0]} "
                            f"(+{len(missed) - 1} more of {key})")
    return problems


def _absorbed_by_joins_and_leaves(events: list[Detected], player_interval: float) -> Any:
    """Return a test telling the happenings no poll can see: those of a player in the
    interval in which they joined (the first sight of them is the baseline) or left (the
    member list no longer shows them), and the profile changes of a leaver that their next
    profile poll would have shown."""
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    profile_spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for e in events:
        c = e.change
        if c.kind in ("member_joined", "member_left") and e.time_from is not None:
            spans[c.player].append((e.time_from, e.time_to))
        if c.kind == "member_left":
            profile_spans[c.player].append((e.time_to - player_interval, e.time_to))

    def absorbed(h: Any) -> bool:
        t = h.time.timestamp()
        found = spans.get(h.player, [])
        if h.kind.startswith("player_"):
            found = found + profile_spans.get(h.player, [])
        return any(a < t <= b for a, b in found)

    return absorbed


def _cancel_out(happenings: list[Any]) -> bool:
    return happenings[0].old == happenings[-1].new


def _utc(stamp: float) -> str:
    return f"{datetime.fromtimestamp(stamp):%m-%d %H:%M:%S}"

