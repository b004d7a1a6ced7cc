"""The demo world living through time: what its members and clans do as the clock moves.

Life happens on a fixed grid of ticks, every :data:`TICK` from :attr:`World.start`; tick
``i``'s randomness is ``rng(seed, "life", i)``, so the world reached at a moment is the same
whatever steps led to it. Between ticks, the scheduled moments of :mod:`.timeline` (war
states and attacks, CWL rounds, seasons, maintenance) happen at their exact times. Every
change is one :class:`Happening` in :attr:`World.record`, described as the history's events
are (kind names of ``cocframes.tracking.kinds``, as plain strings).

Rates are per member per day unless named ``_PER_CLAN_DAY``.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .common import rng
from .players import league_for

if TYPE_CHECKING:
    from .world import Clan, Member, World

TICK = timedelta(minutes=5)
TICKS_PER_DAY = 288

DONATIONS = 2.5  # a donation of 1..DONATION_MAX troops to a clanmate
DONATION_MAX = 30
BATTLES = 3.0  # multiplayer battles (legend players: at most 8 attacks and 8 defenses a day)
BUILDER_BATTLES = 1.0
UPGRADES = 0.5  # one level of a troop, spell, hero, equipment or pet
EXPERIENCE = 0.25  # one experience level
EQUIPMENT_SWAPS = 0.2
CAPITAL = 0.3  # capital gold contributions (RAID_CAPITAL during raid weekends)
RAID_CAPITAL = 1.5
GAMES = 2.0  # clan games points, for the members taking part, during the clan games
LABEL_CHANGES = 0.01
WAR_PREFERENCE_CHANGES = 0.02
ROLES_PER_CLAN_DAY = 1 / 3
NAMES_PER_CLAN_DAY = 1 / 10
JOINS_PER_CLAN_DAY = 0.5
LEAVES_PER_CLAN_DAY = 0.5
TOWN_HALLS_PER_CLAN_DAY = 1 / 7
BUILDER_HALLS_PER_CLAN_DAY = 1 / 14
CLAN_CHANGES_PER_CLAN_DAY = 1 / 10  # description, labels, a setting, war log, badge
CLAN_LEVELS_PER_CLAN_DAY = 1 / 20
CAPITAL_HALLS_PER_CLAN_DAY = 1 / 30
MAX_MEMBERS, MIN_MEMBERS = 50, 10

# member attribute -> (member-list field, kind for clan members, kind for clanless players)
MEMBER_FIELDS = {
    "name": ("name", "member_name", "player_name"),
    "role": ("role", "member_role", "player_role"),
    "donations": ("donations", "member_donations", "player_donations"),
    "received": ("donationsReceived", "member_received", "player_received"),
    "trophies": ("trophies", "member_trophies", "player_trophies"),
    "bb_trophies": ("builderBaseTrophies", "member_builder_base_trophies",
                    "player_builder_base_trophies"),
    "exp": ("expLevel", "member_level", "player_level"),
}


@dataclass(frozen=True)
class Happening:
    """One change in the demo world at ``time``, described as the history describes the same
    change (``cocframes.tracking.kinds.Change``: kind, clan, player, field, old, new)."""

    time: datetime
    kind: str
    clan: str | None = None
    player: str | None = None
    field: str | None = None
    old: object = None
    new: object = None


class Life:
    """The moving parts of a world that has been advanced: the players' facts at the start,
    their profiles' changing parts, their battles and the cached war plans."""

    def __init__(self, world: World) -> None:
        from . import timeline

        self.facts0 = {m.tag: replace(m) for m in world.players}
        self.profiles: dict[str, dict] = {}
        self.battles: dict[str, list[tuple]] = {}
        self.legend_day: dict[str, tuple[int, int, int]] = {}  # tag -> (day, attacks, defenses)
        self.plans: dict[object, list] = {}
        self.version = 1  # counts the advances that changed something (answers kept per version)
        timeline.freeze_at_start(world)


def note(world: World, time: datetime, kind: str, clan: str | None = None,
         player: str | None = None, field: str | None = None, old: object = None,
         new: object = None) -> None:
    """Add one :class:`Happening` to the world's record."""
    world.record.append(Happening(time, kind, clan, player, field, old, new))


def clan_tag_of(world: World, m: Member) -> str | None:
    """Return the tag of ``m``'s clan, or ``None``."""
    return None if m.clan is None else world.clans[m.clan].tag


def set_member(world: World, t: datetime, m: Member, attr: str, value: object) -> None:
    """Change one member-list fact of ``m`` and record it (and a league it moved to)."""
    old = getattr(m, attr)
    if old == value:
        return
    leagues = attr == "trophies" and m.has_league
    old_league = league_for(m.trophies)[1] if leagues else None
    setattr(m, attr, value)
    field, member_kind, player_kind = MEMBER_FIELDS[attr]
    clan = clan_tag_of(world, m)
    note(world, t, member_kind if clan else player_kind, clan, m.tag, field, old, value)
    if leagues:
        new_league = league_for(m.trophies)[1]
        if new_league != old_league:
            kind = "member_league" if clan else "player_league"
            note(world, t, kind, clan, m.tag, "league", old_league, new_league)


# ---------------------------------------------------------------------- the clock
def live_until(world: World, end: datetime) -> None:
    """Run every tick and scheduled moment in ``(now, end]``, then set ``now`` to ``end``."""
    from . import timeline

    if world.life is None:
        world.life = Life(world)
    begin = world.now
    queue: list[tuple[datetime, tuple, Callable]] = []

    def push(time: datetime, order: tuple, action: Callable[[datetime], None]) -> None:
        if begin < time <= end:
            heapq.heappush(queue, (time, order, action))

    first = math.floor((begin - world.start) / TICK) + 1
    last = math.floor((end - world.start) / TICK)
    for i in range(first, last + 1):
        push(world.start + TICK * i, (1, i), lambda t, i=i: tick(world, t, i))
    timeline.push_moments(world, begin, end, push)
    changed = bool(queue)
    while queue:
        time, _, action = heapq.heappop(queue)
        world.now = time
        action(time)
    world.now = end
    if changed:  # ranks follow trophies and members, which change only in ticks and moments
        world.life.version += 1
        _rank(world)


def _rank(world: World) -> None:
    """Give the members of every clan their rank by trophies."""
    for clan in world.clans:
        ranked = sorted(clan.members, key=lambda m: (-m.trophies, m.index))
        for rank, m in enumerate(ranked, start=1):
            m.clan_rank = rank


def poisson(r, lam: float) -> int:
    """Return a Poisson-distributed count with mean ``lam`` (small) drawn from ``r``."""
    limit, k, p = math.exp(-lam), 0, r.random()
    while p > limit:
        k += 1
        p *= r.random()
    return k


def pick(r, items: list):
    """Return one of ``items`` drawn with ``r`` (quicker than ``r.choice``)."""
    return items[int(r.random() * len(items))]


def between(r, low: int, high: int) -> int:
    """Return an integer in ``[low, high]`` drawn with ``r`` (quicker than ``r.randint``)."""
    return low + int(r.random() * (high - low + 1))


def tick(world: World, t: datetime, i: int) -> None:
    """Let every clan live one tick at ``t``."""
    from . import growth

    r = rng(world.seed, "life", i)
    member_rules = growth.member_rules(world, t)
    clan_rules = _clan_rules()
    per_member = sum(rate for rate, _ in member_rules)
    per_clan = sum(rate for rate, _ in clan_rules)
    for clan in world.clans:
        members = per_member * len(clan.members)
        for _ in range(poisson(r, (members + per_clan) / TICKS_PER_DAY)):
            pick = r.random() * (members + per_clan)
            if pick < members:
                rules, pick = member_rules, pick / len(clan.members)
            else:
                rules, pick = clan_rules, pick - members
            rule(rules, pick)(world, t, clan, r)


def rule(rules: list[tuple[float, Callable]], pick: float) -> Callable:
    """Return the rule whose share of the summed rates holds ``pick``."""
    for rate, chosen in rules:
        pick -= rate
        if pick < 0:
            return chosen
    return rules[-1][1]


# ---------------------------------------------------------------------- members
def donate(world: World, t: datetime, clan: Clan, r) -> None:
    """A member donates troops to another member of the clan."""
    n = len(clan.members)
    if n < 2:
        return
    i, j = int(r.random() * n), int(r.random() * (n - 1))
    donor, receiver = clan.members[i], clan.members[j + (j >= i)]
    k = between(r, 1, DONATION_MAX)
    set_member(world, t, donor, "donations", donor.donations + k)
    set_member(world, t, receiver, "received", receiver.received + k)


def builder_battle(world: World, t: datetime, clan: Clan, r) -> None:
    """A member fights a builder base battle."""
    m = pick(r, clan.members)
    delta = between(r, 5, 30) * (1 if r.random() < 0.5 else -1)
    set_member(world, t, m, "bb_trophies", max(0, m.bb_trophies + delta))


def gain_experience(world: World, t: datetime, clan: Clan, r) -> None:
    """A member goes up one experience level."""
    m = pick(r, clan.members)
    set_member(world, t, m, "exp", m.exp + 1)


def change_role(world: World, t: datetime, clan: Clan, r) -> None:
    """A member is promoted or demoted, or the leader hands over to a co-leader."""
    m = r.choice(clan.members)
    if m.role == "leader":
        heirs = [x for x in clan.members if x.role == "coLeader"]
        if heirs:
            heir = r.choice(heirs)
            set_member(world, t, m, "role", "coLeader")
            set_member(world, t, heir, "role", "leader")
        return
    roles = [x for x in ("member", "admin", "coLeader") if x != m.role]
    set_member(world, t, m, "role", r.choice(roles))


def rename(world: World, t: datetime, clan: Clan, r) -> None:
    """A member changes name."""
    from . import names

    m = r.choice(clan.members)
    set_member(world, t, m, "name", names.player_name(r))


def leave(world: World, t: datetime, clan: Clan, r) -> None:
    """A member other than the leader leaves and becomes clanless, counters reset."""
    from . import growth

    if len(clan.members) <= MIN_MEMBERS:
        return
    m = r.choice([x for x in clan.members if x.role != "leader"])
    clan.members.remove(m)
    note(world, t, "member_left", clan.tag, m.tag, None, m.name, None)
    m.clan, m.role, m.previous_clan_rank = None, "member", 0
    note(world, t, "player_clan", None, m.tag, "clan", clan.tag, None)
    growth.war_preference_shown(world, t, m, clan.tag, None)
    set_member(world, t, m, "donations", 0)
    set_member(world, t, m, "received", 0)


def join(world: World, t: datetime, clan: Clan, r) -> None:
    """A clanless player joins the clan as a member."""
    from . import growth

    pool = [p for p in world.players if p.clan is None]
    if not pool or len(clan.members) >= MAX_MEMBERS:
        return
    m = r.choice(pool)
    m.clan, m.role = clan.index, "member"
    m.clan_rank = len(clan.members) + 1
    clan.members.append(m)
    note(world, t, "member_joined", clan.tag, m.tag, None, None, m.name)
    note(world, t, "player_clan", clan.tag, m.tag, "clan", None, clan.tag)
    growth.war_preference_shown(world, t, m, None, clan.tag)


@functools.cache
def _clan_rules() -> list[tuple[float, Callable]]:
    from . import clanlife, growth

    return [(ROLES_PER_CLAN_DAY, change_role), (NAMES_PER_CLAN_DAY, rename),
            (JOINS_PER_CLAN_DAY, join), (LEAVES_PER_CLAN_DAY, leave),
            (TOWN_HALLS_PER_CLAN_DAY, growth.town_hall),
            (BUILDER_HALLS_PER_CLAN_DAY, growth.builder_hall),
            (CLAN_CHANGES_PER_CLAN_DAY, clanlife.change_clan),
            (CLAN_LEVELS_PER_CLAN_DAY, clanlife.level_up),
            (CAPITAL_HALLS_PER_CLAN_DAY, clanlife.capital_hall_up)]
