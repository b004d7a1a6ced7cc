"""Clan wars: current wars, war logs, Clan War League groups and their wars."""

from __future__ import annotations

import functools
import marshal
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import names, schedule
from .common import (
    KIND_FOREIGN_CLAN,
    KIND_FOREIGN_PLAYER,
    KIND_WAR,
    badge_urls,
    cached,
    clan_badge,
    fmt_time,
    make_tag,
    parse_tag,
    rng,
)
from .world import CWL_CLANS, MAIN, PRIVATE, WAR_OPPONENT

if TYPE_CHECKING:
    from .world import Clan, World

CWL_TEAM = 15
CWL_ROUNDS = 7
_NOT_IN_WAR_BADGE = "H39b_-WLZGtZVWQ0hqTkE-Tn2AaQnQWy_Iz4yBlvL0M"


@dataclass
class Side:
    """One side of a war: the clan's identity and its lineup ``(tag, name, th)``."""

    tag: str
    name: str
    level: int
    badge: dict
    lineup: list[tuple[str, str, int]]


def clan_side(world: World, clan: Clan, size: int, key: object) -> Side:
    """Return a war side of ``size`` members picked from ``clan`` (strongest mostly)."""
    r = rng(world.seed, "lineup", clan.tag, key)
    pool = sorted(clan.members, key=lambda m: (-(m.th + r.random() * 2), m.index))[:size]
    lineup = [(m.tag, m.name, m.th) for m in pool]
    return Side(clan.tag, clan.name, clan.level, clan_badge(world.seed, clan), lineup)


def foreign_side(world: World, key: object, size: int, strength: float) -> Side:
    """Return a war side for a clan outside the world (its tags are not fetchable)."""
    r = rng(world.seed, "foreign", key)
    index = r.randrange(10**9)
    lineup = []
    for slot in range(size):
        th = max(6, min(18, round(8 + strength * 9 + r.gauss(0, 1.5))))
        tag = make_tag(world.seed, KIND_FOREIGN_PLAYER, (index * 50 + slot) % 14**8)
        lineup.append((tag, names.player_name(r), th))
    tag = make_tag(world.seed, KIND_FOREIGN_CLAN, index)
    return Side(tag, names.clan_name(r), r.randint(3, 30), badge_urls(world.seed, tag), lineup)


def _outcome(r, attacker_th: int, defender_th: int) -> tuple[int, int]:
    edge = (attacker_th - defender_th) * 0.6 + r.gauss(0, 1.0)
    stars = 3 if edge > 0.8 else 2 if edge > -0.9 else 1 if edge > -2.0 else 0
    destruction = {3: 100, 2: r.randint(50, 99), 1: r.randint(30, 94), 0: r.randint(0, 49)}[stars]
    return stars, destruction


def _target(r, slot: int, n_other: int, hit: set[int]) -> int:
    target = max(0, min(n_other - 1, slot + r.randint(-3, 2)))
    while target in hit and len(hit) < n_other:
        target = (target + 1) % n_other
    hit.add(target)
    return target


Attack = tuple[float, int, int, int, int, int, int, bool]


def attack_plan(world: World, key: object, a: Side, b: Side, attacks_per_member: int,
                frozen: float) -> list[Attack]:
    """Return every attack of a war, shown yet or not, in the order they are made:
    ``(time fraction of the battle day, side, attacker slot, defender slot, stars,
    destruction, duration, shown at the start)``.

    The attacks made before ``frozen`` (the battle day's fraction gone at the world's start)
    are drawn as the demo world always drew them; each later one is drawn from its own
    seed, so the attacks shown at one moment stay the same at every later moment.
    """
    r = rng(world.seed, "war", key)
    events: list[Attack] = []
    late, hits = [], {}
    for side_no, (own, other) in enumerate(((a, b), (b, a))):
        n_other = len(other.lineup)
        for slot, (_, _, th) in enumerate(own.lineup):
            hit = hits.setdefault((side_no, slot), set())
            for k in range(attacks_per_member):
                when = r.random() ** 1.5  # fraction of the battle day, front-loaded
                if r.random() > (0.93 if k == 0 else 0.8):
                    continue
                if when >= frozen:
                    late.append((side_no, slot, k, when))
                    continue
                target = _target(r, slot, n_other, hit)
                stars, destruction = _outcome(r, th, other.lineup[target][2])
                events.append((when, side_no, slot, target, stars, destruction,
                               r.randint(40, 180), True))
    for side_no, slot, k, when in late:
        own, other = (a, b) if side_no == 0 else (b, a)
        lr = rng(world.seed, "war", key, side_no, slot, k)
        target = _target(lr, slot, len(other.lineup), hits[(side_no, slot)])
        stars, destruction = _outcome(lr, own.lineup[slot][2], other.lineup[target][2])
        events.append((when, side_no, slot, target, stars, destruction, lr.randint(40, 180),
                       False))
    events.sort()
    return events


def plan_for(world: World, key: object, a: Side, b: Side, attacks_per_member: int,
             start: datetime, end: datetime) -> tuple[list[Attack], list[datetime]]:
    """Return the :func:`attack_plan` of a war battling from ``start`` to ``end`` and the
    moment each of its attacks appears, kept once drawn (the plan is a function of the key,
    the town halls of both lineups and the fraction of the battle day gone at the start)."""
    frozen = frozen_progress(world, start, end)
    halls = (tuple(x[2] for x in a.lineup), tuple(x[2] for x in b.lineup))

    def make() -> tuple[list[Attack], list[datetime]]:
        plan = attack_plan(world, key, a, b, attacks_per_member, frozen)
        return plan, [attack_moment(world, start, end, e[0]) for e in plan]

    return cached(world, ("plan", key, attacks_per_member, frozen, halls, start, end), make)


def attack_moment(world: World, start: datetime, end: datetime, when: float) -> datetime:
    """Return when an attack made ``when`` into the battle day appears (after the world's
    start for the attacks not shown then)."""
    return max(start + (end - start) * when, world.start + timedelta(microseconds=1))


def frozen_progress(world: World, start: datetime, end: datetime) -> float:
    """Return the fraction of the battle day ``start``-``end`` gone at the world's start."""
    return max(0.0, min(1.0, (world.start - start) / (end - start)))


def build_war(world: World, key: object, a: Side, b: Side, *, prep: datetime,
              start: datetime, end: datetime, attacks_per_member: int, cwl: bool) -> dict:
    """Return a ``ClanWar`` payload between sides ``a`` (``clan``) and ``b`` (``opponent``)
    as it stands at the world's ``now``.

    The attacks are those of :func:`attack_plan` made by ``now``; attack orders, best
    opponent attacks and the clan totals are consistent with them. The latest payload of
    each war is kept (as marshal bytes) while its state, sides and attacks shown stay the same.
    """
    state = "preparation" if world.now < start else "inWar" if world.now < end else "warEnded"
    plan, moments = plan_for(world, key, a, b, attacks_per_member, start, end)
    shown = sum(1 for e, t in zip(plan, moments, strict=True) if e[7] or t <= world.now)
    look = (state, shown, _side_print(a), _side_print(b), prep, start, end,
            attacks_per_member, cwl)
    kept = world.memo.get(("war-answer", key))
    if kept is None or kept[0] != look:
        war = _war_payload(world, key, a, b, prep=prep, start=start, end=end,
                           attacks_per_member=attacks_per_member, cwl=cwl)
        kept = world.memo[("war-answer", key)] = (look, marshal.dumps(war))
    return marshal.loads(kept[1])


def _side_print(side: Side) -> tuple:
    """Return everything of a war side a payload shows, as a hashable value."""
    return side.tag, side.name, side.level, tuple(side.badge.items()), tuple(side.lineup)


def _war_payload(world: World, key: object, a: Side, b: Side, *, prep: datetime,
                 start: datetime, end: datetime, attacks_per_member: int, cwl: bool) -> dict:
    """Return the payload :func:`build_war` describes, built afresh."""
    state = "preparation" if world.now < start else "inWar" if world.now < end else "warEnded"
    plan, moments = plan_for(world, key, a, b, attacks_per_member, start, end)
    events = [e for e, t in zip(plan, moments, strict=True) if e[7] or t <= world.now]
    attacks_by = {0: {}, 1: {}}
    received = {0: {}, 1: {}}
    for order, (_, side_no, slot, target, stars, destruction, dur, _) in enumerate(events, 1):
        own, other = (a, b) if side_no == 0 else (b, a)
        attack = {"attackerTag": own.lineup[slot][0], "defenderTag": other.lineup[target][0],
                  "stars": stars, "destructionPercentage": destruction, "order": order,
                  "duration": dur}
        attacks_by[side_no].setdefault(slot, []).append(attack)
        received[1 - side_no].setdefault(target, []).append(attack)

    def war_clan(side: Side, side_no: int) -> dict:
        other_received = received[1 - side_no]
        best = [max(v, key=lambda x: (x["stars"], x["destructionPercentage"]))
                for v in other_received.values()]
        size = max(1, len(b.lineup if side_no == 0 else a.lineup))
        members = []
        for slot, (tag, name, th) in enumerate(side.lineup):
            member = {"tag": tag, "name": name, "townhallLevel": th, "mapPosition": slot + 1}
            if slot in attacks_by[side_no]:
                member["attacks"] = attacks_by[side_no][slot]
            hits = received[side_no].get(slot, [])
            member["opponentAttacks"] = len(hits)
            if hits:
                member["bestOpponentAttack"] = max(
                    hits, key=lambda x: (x["stars"], x["destructionPercentage"], -x["order"]))
            members.append(member)
        return {
            "tag": side.tag, "name": side.name, "badgeUrls": side.badge,
            "clanLevel": side.level,
            "attacks": sum(len(v) for v in attacks_by[side_no].values()),
            "stars": sum(x["stars"] for x in best),
            "destructionPercentage": round(sum(x["destructionPercentage"] for x in best) / size,
                                           6),
            "members": members,
        }

    war: dict = {"state": state, "teamSize": len(a.lineup)}
    if not cwl:
        war["attacksPerMember"] = attacks_per_member
        war["battleModifier"] = "none"
    war.update({"preparationStartTime": fmt_time(prep), "startTime": fmt_time(start),
                "endTime": fmt_time(end), "clan": war_clan(a, 0), "opponent": war_clan(b, 1)})
    if cwl:
        war["warStartTime"] = fmt_time(start)
    return war


def not_in_war() -> dict:
    """Return the ``notInWar`` payload (clan and opponent stubs without tag or name)."""
    badge = {size: f"https://api-assets.clashofclans.com/badges/{px}/{_NOT_IN_WAR_BADGE}.png"
             for size, px in (("small", 70), ("large", 512), ("medium", 200))}
    stub = {"badgeUrls": badge, "clanLevel": 0, "attacks": 0, "stars": 0,
            "destructionPercentage": 0}
    return {"state": "notInWar", "clan": dict(stub), "opponent": dict(stub)}


def current_war(world: World, clan: Clan) -> dict | None:
    """Return the ``/clans/{tag}/currentwar`` payload, or ``None`` when access is denied."""
    if clan.index == PRIVATE:
        return None
    if clan.index not in schedule.war_clans(world):
        return not_in_war()
    k = schedule.war_index_at(world, clan.index, world.now)
    war = scheduled_war(world, clan.index, k)
    if clan.index == WAR_OPPONENT and k == 0:
        war["clan"], war["opponent"] = war["opponent"], war["clan"]
    return war


def scheduled_war(world: World, ci: int, k: int) -> dict:
    """Return war ``k`` of clan ``ci``'s schedule as it stands at ``now`` (for the main war
    0, seen from the main clan)."""
    times = schedule.war_times(world, ci, k)
    own, other = schedule.war_sides(world, ci, k)
    return build_war(world, schedule.war_key(ci, k), own, other, prep=times.prep,
                     start=times.start, end=times.end, attacks_per_member=2, cwl=False)


def war_log(world: World, clan: Clan) -> list[dict] | None:
    """Return all entries of the clan's war log (newest first), or ``None`` if private."""
    if not clan.war_log_public:
        return None
    r = rng(world.seed, "warlog", clan.index)
    count = 60 if clan.index == MAIN else 15 + clan.index
    end = schedule.war_times(world, MAIN, 0).prep - timedelta(hours=r.randint(2, 30))
    badge = clan_badge(world.seed, clan)
    items = []
    for k in range(count):
        if k % 9 == 4:  # a Clan War League summary entry, as the real log shows them
            stars = r.randint(60, 110)
            items.append({
                "result": None, "endTime": fmt_time(end), "teamSize": 15,
                "attacksPerMember": 1, "battleModifier": "none",
                "clan": {"tag": clan.tag, "name": clan.name, "badgeUrls": badge,
                         "clanLevel": clan.level, "attacks": r.randint(90, 105),
                         "stars": stars, "destructionPercentage": round(r.uniform(500, 700), 5),
                         "expEarned": 0},
                "opponent": {**not_in_war()["opponent"], "stars": r.randint(50, 110),
                             "destructionPercentage": 0},
            })
            end -= timedelta(days=r.randint(2, 4), hours=r.randint(0, 12))
            continue
        size = r.choice((5, 10, 15, 15, 20, 25, 30, 40, 50))
        apm = 2 if r.random() < 0.9 else 1
        opponent_tag = make_tag(world.seed, KIND_FOREIGN_CLAN, r.randrange(10**9))
        ours, theirs = r.randint(size, size * 3), r.randint(size, size * 3)
        our_pct = round(min(100.0, ours / (size * 3) * 100 + r.uniform(0, 12)), 2)
        their_pct = round(min(100.0, theirs / (size * 3) * 100 + r.uniform(0, 12)), 2)
        result = ("win" if (ours, our_pct) > (theirs, their_pct)
                  else "lose" if (ours, our_pct) < (theirs, their_pct) else "tie")
        items.append({
            "result": result, "endTime": fmt_time(end), "teamSize": size,
            "attacksPerMember": apm, "battleModifier": "none" if r.random() < 0.9 else "hardMode",
            "clan": {"tag": clan.tag, "name": clan.name, "badgeUrls": badge,
                     "clanLevel": clan.level,
                     "attacks": min(size * apm, int(size * apm * r.uniform(0.7, 1.0)) + 1),
                     "stars": ours, "destructionPercentage": our_pct,
                     "expEarned": ours * 3 + (size * 2 if result == "win" else 0)},
            "opponent": {"tag": opponent_tag, "name": names.clan_name(r),
                         "badgeUrls": badge_urls(world.seed, opponent_tag),
                         "clanLevel": r.randint(3, 30), "stars": theirs,
                         "destructionPercentage": their_pct},
        })
        end -= timedelta(days=r.randint(2, 4), hours=r.randint(0, 12))
    return items


# ---------------------------------------------------------------------- Clan War League
def _cwl_start(world: World) -> datetime:
    """Preparation start of round 1 (round 5 is in its battle day at the world's start)."""
    return world.start - timedelta(hours=29, minutes=12) - timedelta(days=4)


@functools.cache
def cwl_pairings() -> list[list[tuple[int, int]]]:
    """Return the 7 rounds of pairings (indexes into ``CWL_CLANS``), circle method."""
    teams = list(range(len(CWL_CLANS)))
    rounds = []
    for _ in range(CWL_ROUNDS):
        rounds.append([(teams[i], teams[-1 - i]) for i in range(len(teams) // 2)])
        teams = [teams[0], teams[-1], *teams[1:-1]]
    return rounds


def round_times(world: World, rnd: int) -> schedule.WarTimes:
    """Return the times of CWL round ``rnd`` (0-based)."""
    prep = _cwl_start(world) + timedelta(days=rnd)
    return schedule.WarTimes(prep, prep + timedelta(days=1), prep + timedelta(days=2))


def _round_state(world: World, rnd: int) -> tuple[str | None, datetime, datetime, datetime]:
    prep = _cwl_start(world) + timedelta(days=rnd)
    start, end = prep + timedelta(days=1), prep + timedelta(days=2)
    if prep > world.now:
        state = None
    elif start > world.now:
        state = "preparation"
    elif end > world.now:
        state = "inWar"
    else:
        state = "warEnded"
    return state, prep, start, end


def cwl_war_tag(world: World, rnd: int, pair: int) -> str:
    """Return the war tag of pair ``pair`` in round ``rnd`` (0-based)."""
    return make_tag(world.seed, KIND_WAR, rnd * 4 + pair)


def league_group(world: World, clan: Clan) -> dict | None:
    """Return the ``/clans/{tag}/currentwar/leaguegroup`` payload, or ``None`` when the clan
    is not in a Clan War League group."""
    if clan.index not in CWL_CLANS:
        return None
    rounds = []
    for rnd, pairs in enumerate(cwl_pairings()):
        state = _round_state(world, rnd)[0]
        tags = ["#0" if state is None else cwl_war_tag(world, rnd, p) for p in range(len(pairs))]
        rounds.append({"warTags": tags})
    clans = []
    for ci in CWL_CLANS:
        c = world.clans[ci]
        clans.append({"tag": c.tag, "name": c.name, "clanLevel": c.level,
                      "badgeUrls": clan_badge(world.seed, c),
                      "members": cwl_roster(world, ci)})
    ended = _round_state(world, CWL_ROUNDS - 1)[0] == "warEnded"
    return {"state": "ended" if ended else "inWar", "season": world.start.strftime("%Y-%m"),
            "clans": clans, "rounds": rounds}


def cwl_roster(world: World, ci: int) -> list[dict]:
    """Return the CWL roster of clan ``ci`` (its members when the world started)."""
    return schedule.frozen(world, ("cwl-roster", ci), lambda: [  # type: ignore[return-value]
        {"tag": m.tag, "name": m.name, "townHallLevel": m.th} for m in world.clans[ci].members])


def cwl_sides(world: World, rnd: int, pair: int) -> tuple[Side, Side]:
    """Return the two sides of pair ``pair`` in CWL round ``rnd``."""
    def draw() -> tuple[Side, Side]:
        x, y = cwl_pairings()[rnd][pair]
        return (clan_side(world, world.clans[CWL_CLANS[x]], CWL_TEAM, ("cwl", rnd)),
                clan_side(world, world.clans[CWL_CLANS[y]], CWL_TEAM, ("cwl", rnd)))

    return schedule.frozen(world, ("cwl", rnd, pair), draw)  # type: ignore[return-value]


def cwl_war(world: World, war_tag: str) -> dict | None:
    """Return the ``/clanwarleagues/wars/{warTag}`` payload, or ``None`` if unknown."""
    parsed = parse_tag(world.seed, war_tag)
    if parsed is None or parsed[0] != KIND_WAR or parsed[1] >= CWL_ROUNDS * 4:
        return None
    rnd, pair = divmod(parsed[1], 4)
    state, prep, start, end = _round_state(world, rnd)
    if state is None:
        return None
    a, b = cwl_sides(world, rnd, pair)
    return build_war(world, ("cwl", rnd, pair), a, b, prep=prep, start=start, end=end,
                     attacks_per_member=1, cwl=True)
