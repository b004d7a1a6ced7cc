"""When wars happen: each war-going clan's continuing schedule of wars, and their lineups.

War 0 of a clan is the war its ``currentwar`` shows at the world's start; the next war's
preparation begins a few hours after the previous one ended, against another opponent. All
times are anchored to :attr:`World.start`, so they do not move as the clock does. A lineup is
drawn from the clan's members when its war's preparation begins (or at the start for the wars
already going on then) and kept in :attr:`World.frozen`, so members leaving later do not
change a war that is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .common import cached, rng, unit
from .world import MAIN, NOT_IN_WAR, PRIVATE, WAR_OPPONENT

if TYPE_CHECKING:
    from .wars import Side
    from .world import World

PREPARATION = timedelta(hours=23)
BATTLE_DAY = timedelta(hours=24)
MAIN_WAR_SIZE = 15


@dataclass(frozen=True)
class WarTimes:
    """The three moments of one war."""

    prep: datetime
    start: datetime
    end: datetime

    def state(self, moment: datetime) -> str:
        """Return the war's state at ``moment`` (``preparation`` before the battle day)."""
        if moment < self.start:
            return "preparation"
        return "inWar" if moment < self.end else "warEnded"


def war_clans(world: World) -> list[int]:
    """Return the indexes of the clans that go to war (their ``currentwar`` is a war)."""
    return [c.index for c in world.clans if _first_kind(world, c.index) is not None]


def _first_kind(world: World, ci: int) -> str | None:
    """Return how clan ``ci``'s war 0 stands at the start: ``main``, ``preparation``,
    ``ended``, or ``None`` when it is not in war (or hides its wars)."""
    if ci in (MAIN, WAR_OPPONENT):
        return "main"
    if ci in (PRIVATE, NOT_IN_WAR):
        return None
    kind = ci % 3
    if kind == 2 or (not world.clans[ci].war_log_public and kind == 1):
        return None
    return "preparation" if kind == 0 else "ended"


def _other_draws(world: World, ci: int) -> tuple[int, float, int]:
    """Return (size choice, opponent strength, hours) of a non-main clan's war 0, drawn in
    the order the demo world has always drawn them."""
    r = rng(world.seed, "other-war", ci)
    return r.choice((10, 15, 20, 25, 30)), r.uniform(0.4, 0.9), r.randint(1, 20)


def _first_times(world: World, ci: int) -> WarTimes:
    kind = _first_kind(world, ci)
    if kind == "main":
        start = world.start - timedelta(hours=6, minutes=12)
        return WarTimes(start - PREPARATION, start, start + BATTLE_DAY)
    hours = timedelta(hours=_other_draws(world, ci)[2])
    if kind == "preparation":
        prep = world.start - hours
        return WarTimes(prep, prep + PREPARATION, prep + PREPARATION + BATTLE_DAY)
    start = world.start - BATTLE_DAY - hours
    return WarTimes(start - PREPARATION, start, start + BATTLE_DAY)


def war_times(world: World, ci: int, k: int) -> WarTimes:
    """Return the times of war ``k`` (0: the one going on at the start) of clan ``ci``."""
    return _schedule(world, ci, lambda times: len(times) > k)[k]


def _schedule(world: World, ci: int, enough: Callable[[list[WarTimes]], bool]
              ) -> list[WarTimes]:
    """Return clan ``ci``'s wars drawn so far, drawing more until ``enough`` of them.

    They are kept per kind of war 0 (a clan hiding its war log later stops being at war)."""
    times = cached(world, ("war-times", ci, _first_kind(world, ci)),
                   lambda: [_first_times(world, ci)])
    while not enough(times):
        times.append(_next(world, ci, len(times), times[-1]))
    return times


def _next(world: World, ci: int, n: int, before: WarTimes) -> WarTimes:
    """Return the times of war ``n``, a few hours after war ``n - 1`` ended (and after the
    start: a war ended at the start is the one its clan shows then)."""
    gap = timedelta(minutes=rng(world.seed, "war-gap", ci, n).randint(120, 480))
    prep = max(before.end, world.start) + gap
    return WarTimes(prep, prep + PREPARATION, prep + PREPARATION + BATTLE_DAY)


def war_index_at(world: World, ci: int, moment: datetime) -> int:
    """Return the number of clan ``ci``'s latest war whose preparation began by ``moment``
    (0 when none did after the start)."""
    times = _schedule(world, ci, lambda times: times[-1].prep > moment)
    k = len(times) - 1
    while k > 0 and times[k].prep > moment:
        k -= 1
    return k


def war_key(ci: int, k: int) -> object:
    """Return the key a war's randomness is drawn from (war 0 keeps the demo's old keys)."""
    if k == 0:
        return "current-main" if ci in (MAIN, WAR_OPPONENT) else ("current", ci)
    return ("war", ci, k)


def frozen(world: World, key: object, make: Callable[[], object]) -> object:
    """Return the value kept under ``key`` in :attr:`World.frozen`, or ``make()`` when none
    is kept yet (the members have not changed since, so it is the same)."""
    if key in world.frozen:
        return world.frozen[key]
    return make()


def war_sides(world: World, ci: int, k: int) -> tuple[Side, Side]:
    """Return (clan ``ci``'s side, its opponent's side) in its war ``k``; for the main war
    0 between the main clan and its rival, the main clan's side comes first."""
    return frozen(world, ("sides", ci, k), lambda: draw_sides(world, ci, k))  # type: ignore


def draw_sides(world: World, ci: int, k: int) -> tuple[Side, Side]:
    """Draw the sides of clan ``ci``'s war ``k`` from the current members."""
    from .wars import clan_side, foreign_side

    clan = world.clans[ci]
    if k == 0 and ci in (MAIN, WAR_OPPONENT):
        main = clan_side(world, world.clans[MAIN], MAIN_WAR_SIZE, "current")
        rival = clan_side(world, world.clans[WAR_OPPONENT], MAIN_WAR_SIZE, "current")
        return main, rival
    if ci == MAIN:
        size, strength = MAIN_WAR_SIZE, 0.5 + unit(world.seed, "war-strength", ci, k) * 0.4
    else:
        choice, strength, _ = _other_draws(world, ci)
        size = min(len(clan.members) // 5 * 5, choice) or 5
        if k:
            strength = 0.4 + unit(world.seed, "war-strength", ci, k) * 0.5
    own = clan_side(world, clan, size, "current" if k == 0 else ("war", k))
    other_key = ("current", ci) if k == 0 else ("war", ci, k)
    return own, foreign_side(world, other_key, size, strength)


def freeze_sides(world: World, ci: int, k: int) -> None:
    """Keep the sides of clan ``ci``'s war ``k`` as they are drawn now."""
    world.frozen.setdefault(("sides", ci, k), draw_sides(world, ci, k))
