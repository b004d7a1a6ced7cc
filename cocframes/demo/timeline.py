"""The demo world's scheduled moments: maintenance windows, season ends, war states and
attacks, Clan War League rounds. Each happens at its exact time (see :func:`push_moments`)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import growth, schedule, wars
from .common import cached, fmt_time, rng
from .life import note
from .world import CWL_CLANS, MAIN, WAR_OPPONENT

if TYPE_CHECKING:
    from .world import World

Push = Callable[[datetime, tuple, Callable[[datetime], None]], None]
FIRST_MAINTENANCE = timedelta(days=1)  # at least this long after the start
MAINTENANCE_GAP = (5 * 1440, 8 * 1440)  # minutes between two windows' starts
MAINTENANCE_LENGTH = (20, 40)  # minutes


def maintenance_windows(world: World, start: datetime, end: datetime) -> list[tuple[datetime,
                                                                                     datetime]]:
    """Return the maintenance windows ``(begin, end)`` overlapping ``[start, end]``."""
    return [(a, b) for a, b in _windows_until(world, end) if a <= end and b > start]


def _windows_until(world: World, end: datetime) -> list[tuple[datetime, datetime]]:
    """Return the maintenance windows drawn so far, drawing more until one begins after
    ``end``."""
    def first() -> list:
        begin = world.start + FIRST_MAINTENANCE + timedelta(
            minutes=rng(world.seed, "maintenance-first").randint(0, 2 * 1440))
        return [[], begin]

    windows, begin = drawn = cached(world, "maintenance", first)
    while begin <= end:
        r = rng(world.seed, "maintenance", len(windows))
        windows.append((begin, begin + timedelta(minutes=r.randint(*MAINTENANCE_LENGTH))))
        begin += timedelta(minutes=r.randint(*MAINTENANCE_GAP))
        drawn[1] = begin
    return windows


def season_ends(start: datetime, end: datetime) -> list[datetime]:
    """Return the season ends (the 1st of a month, 08:00 UTC) in ``(start, end]``."""
    out = []
    moment = start.replace(day=1, hour=8, minute=0, second=0, microsecond=0)
    while moment <= end:
        if moment > start:
            out.append(moment)
        moment = (moment + timedelta(days=32)).replace(day=1)
    return out


def freeze_at_start(world: World) -> None:
    """Keep the lineups of the wars going on at the start and the CWL rosters."""
    for ci in schedule.war_clans(world):
        schedule.freeze_sides(world, ci, 0)
    for ci in CWL_CLANS:
        world.frozen[("cwl-roster", ci)] = wars.cwl_roster(world, ci)
    for rnd in range(wars.CWL_ROUNDS):
        if wars.round_times(world, rnd).prep <= world.start:
            _freeze_round(world, rnd)


def _freeze_round(world: World, rnd: int) -> None:
    for pair in range(len(wars.cwl_pairings()[rnd])):
        world.frozen[("cwl", rnd, pair)] = wars.cwl_sides(world, rnd, pair)


def push_moments(world: World, begin: datetime, end: datetime, push: Push) -> None:
    """Push every scheduled moment in ``(begin, end]`` (``push`` keeps only those)."""
    for j, (a, b) in enumerate(maintenance_windows(world, begin, end)):
        push(a, (0, 0, j, 0), lambda t: note(world, t, "maintenance_start"))
        push(b, (0, 0, j, 1), lambda t: note(world, t, "maintenance_end"))
    for moment in season_ends(begin, end):
        push(moment, (0, 1), lambda t: _new_season(world, t))
    window = (begin, end)
    for ci in schedule.war_clans(world):
        k = schedule.war_index_at(world, ci, begin)
        while (times := schedule.war_times(world, ci, k)).prep <= end:
            _push_war(world, ci, k, times, window, push)
            k += 1
    for rnd in range(wars.CWL_ROUNDS):
        _push_round(world, rnd, window, push)


def _new_season(world: World, t: datetime) -> None:
    old = (t - timedelta(days=1)).strftime("%Y-%m")
    note(world, t, "season_start", None, None, "season", old, t.strftime("%Y-%m"))
    growth.end_season(world, t)


# ---------------------------------------------------------------------- wars
def war_id(tag_a: str, tag_b: str, prep: datetime) -> str:
    """A war's identity as the history names it: both clan tags, sorted, and the war's
    preparation start (``cocframes.tracking.diff.war_id``; a test keeps the two equal)."""
    return "|".join([*sorted((tag_a, tag_b)), fmt_time(prep)])


def _records_attacks(ci: int, k: int) -> bool:
    """The main war 0 is recorded once, by the main clan."""
    return not (ci == WAR_OPPONENT and k == 0)


def _push_war(world: World, ci: int, k: int, times: schedule.WarTimes,
              window: tuple[datetime, datetime], push: Push) -> None:
    if _over_before(world, times, window):
        return
    tag = world.clans[ci].tag
    order = (0, 2, ci, k)

    def war() -> str:
        a, b = schedule.war_sides(world, ci, k)
        return war_id(a.tag, b.tag, times.prep)

    def prepare(t: datetime) -> None:
        schedule.freeze_sides(world, ci, k)
        note(world, t, "war_new", tag, None, war(), None, schedule.war_sides(world, ci, k)[1].tag)
        _push_attacks(world, ci, k, times, window, push)

    def state(old: str, new: str) -> Callable[[datetime], None]:
        return lambda t: note(world, t, "war_state", tag, None, war(), old, new)

    if k > 0:
        push(times.prep, (*order, 0), prepare)
    push(times.start, (*order, 1), state("preparation", "inWar"))
    push(times.end, (*order, 3), state("inWar", "warEnded"))
    if _records_attacks(ci, k):
        push(times.end, (*order, 4), lambda t: _end_war(world, ci, k, t))
        if times.prep <= window[0]:
            _push_attacks(world, ci, k, times, window, push)


def _over_before(world: World, times: schedule.WarTimes,
                 window: tuple[datetime, datetime]) -> bool:
    """Return whether every moment of a war (the latest: its end, or an attack appearing
    just after the world's start) comes before ``window``."""
    return max(times.end, world.start + timedelta(microseconds=1)) <= window[0]


def _plan(world: World, key: object, a, b, apm: int, times: schedule.WarTimes) -> list:
    plans = world.life.plans
    if key not in plans:
        plans[key] = wars.plan_for(world, key, a, b, apm, times.start, times.end)[0]
    return plans[key]


def _push_attacks(world: World, ci: int, k: int, times: schedule.WarTimes,
                  window: tuple[datetime, datetime], push: Push) -> None:
    if not _records_attacks(ci, k):
        return
    a, b = schedule.war_sides(world, ci, k)
    _push_plan(world, _plan(world, schedule.war_key(ci, k), a, b, 2, times), a, b, times,
               (0, 3, ci, k), window, push)


def _push_plan(world: World, plan: list, a, b, times: schedule.WarTimes, order: tuple,
               window: tuple[datetime, datetime], push: Push) -> None:
    """Push the attacks of ``plan`` that appear in ``window`` (``(begin, end]``)."""
    moments, attacks = _attacks_in_time(world, plan, a, b, times, order)
    for i in range(bisect_right(moments, window[0]), bisect_right(moments, window[1])):
        n, clan, attacker, defender, stars = attacks[i]
        push(moments[i], (*order, n), lambda t, c=clan, x=attacker, d=defender, s=stars:
             note(world, t, "war_attack", c, x, d, None, s))


def _attacks_in_time(world: World, plan: list, a, b, times: schedule.WarTimes,
                     order: tuple) -> tuple[list[datetime], list[tuple]]:
    """Return (the moments, in time order, of the attacks of ``plan`` not shown at the start,
    their ``(index in plan, clan tag, attacker tag, defender tag, stars)``), kept per war."""
    kept = world.memo.get(("attacks", order))
    if kept is not None and kept[0] is plan and kept[1] is a and kept[2] is b \
            and kept[3] == times:
        return kept[4], kept[5]
    moments, attacks = [], []
    for n, (when, side_no, slot, target, stars, _, _, early) in enumerate(plan):
        if early:
            continue
        own, other = (a, b) if side_no == 0 else (b, a)
        moments.append(wars.attack_moment(world, times.start, times.end, when))
        attacks.append((n, own.tag, own.lineup[slot][0], other.lineup[target][0], stars))
    world.memo[("attacks", order)] = (plan, a, b, times, moments, attacks)
    return moments, attacks


def _result(plan: list, a, b) -> tuple[tuple[int, float], tuple[int, float]]:
    """Return ((stars, destruction) of side a, of side b) once every attack is made."""
    best: dict[tuple[int, int], tuple[int, int]] = {}
    for _, side_no, _, target, stars, destruction, _, _ in plan:
        best[(side_no, target)] = max(best.get((side_no, target), (0, 0)), (stars, destruction))
    out = []
    for side_no, other in ((0, b), (1, a)):
        mine = [v for (s, _), v in best.items() if s == side_no]
        out.append((sum(s for s, _ in mine),
                    round(sum(d for _, d in mine) / max(1, len(other.lineup)), 6)))
    return out[0], out[1]


def _end_war(world: World, ci: int, k: int, t: datetime) -> None:
    """Count the war in its clans' records and their attackers' war stars."""
    a, b = schedule.war_sides(world, ci, k)
    times = schedule.war_times(world, ci, k)
    plan = _plan(world, schedule.war_key(ci, k), a, b, 2, times)
    ours, theirs = _result(plan, a, b)
    clans = [(world.clan_by_tag(a.tag), ours, theirs), (world.clan_by_tag(b.tag), theirs, ours)]
    for clan, mine, other in clans:
        if clan is not None:
            _count_result(world, t, clan, (mine > other) - (mine < other))
    _add_stars(world, t, plan, a, b)


def _add_stars(world: World, t: datetime, plan: list, a, b) -> None:
    stars: dict[str, int] = {}
    for _, side_no, slot, _, s, _, _, _ in plan:
        tag = (a if side_no == 0 else b).lineup[slot][0]
        stars[tag] = stars.get(tag, 0) + s
    for tag, total in stars.items():
        m = world.player_by_tag(tag)
        if m is not None and m.tag in world.life.facts0:
            growth.add_war_stars(world, t, m, total)


def _count_result(world: World, t: datetime, clan, outcome: int) -> None:
    """Add a win (1), tie (0) or loss (-1) to the clan's war record."""
    changes = {"war_win_streak": clan.war_win_streak + 1 if outcome > 0 else 0}
    attr = {1: "war_wins", 0: "war_ties", -1: "war_losses"}[outcome]
    changes[attr] = getattr(clan, attr) + 1
    fields = {"war_wins": "warWins", "war_losses": "warLosses", "war_ties": "warTies",
              "war_win_streak": "warWinStreak"}
    for key in ("war_wins", "war_losses", "war_ties", "war_win_streak"):
        if key not in changes or changes[key] == getattr(clan, key):
            continue
        old = getattr(clan, key)
        setattr(clan, key, changes[key])
        if clan.war_log_public or key in ("war_wins", "war_win_streak"):
            note(world, t, "clan_war_record", clan.tag, None, fields[key], old, changes[key])


# ---------------------------------------------------------------------- Clan War League
def _push_round(world: World, rnd: int, window: tuple[datetime, datetime],
                push: Push) -> None:
    times = wars.round_times(world, rnd)
    if _over_before(world, times, window):
        return
    main = world.clans[MAIN]
    pairs = wars.cwl_pairings()[rnd]
    pair = next(p for p, (x, y) in enumerate(pairs) if MAIN in (CWL_CLANS[x], CWL_CLANS[y]))
    key, order = ("cwl", rnd, pair), (0, 4, rnd)

    def publish(t: datetime) -> None:
        _freeze_round(world, rnd)
        tags = [wars.cwl_war_tag(world, rnd, p) for p in range(len(pairs))]
        note(world, t, "cwl_round", main.tag, None, str(rnd + 1), None, tags)
        a, b = wars.cwl_sides(world, rnd, pair)
        note(world, t, "war_new", main.tag, None, war_id(a.tag, b.tag, times.prep), None,
             b.tag if a.tag == main.tag else a.tag)
        _push_round_attacks(world, rnd, pair, times, window, push)

    def war() -> str:
        a, b = wars.cwl_sides(world, rnd, pair)
        return war_id(a.tag, b.tag, times.prep)

    def finish(t: datetime) -> None:
        note(world, t, "war_state", main.tag, None, war(), "inWar", "warEnded")
        a, b = wars.cwl_sides(world, rnd, pair)
        _add_stars(world, t, _plan(world, key, a, b, 1, times), a, b)

    push(times.prep, (*order, 0), publish)
    push(times.start, (*order, 1), lambda t: note(world, t, "war_state", main.tag, None,
                                                   war(), "preparation", "inWar"))
    push(times.end, (*order, 3), finish)
    if times.prep <= window[0]:
        _push_round_attacks(world, rnd, pair, times, window, push)


def _push_round_attacks(world: World, rnd: int, pair: int, times: schedule.WarTimes,
                        window: tuple[datetime, datetime], push: Push) -> None:
    a, b = wars.cwl_sides(world, rnd, pair)
    plan = _plan(world, ("cwl", rnd, pair), a, b, 1, times)
    _push_plan(world, plan, a, b, times, (0, 5, rnd), window, push)
