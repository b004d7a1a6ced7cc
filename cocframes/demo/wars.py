"""Clan wars: current wars, war logs, Clan War League groups and their wars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import names
from .common import (
    KIND_FOREIGN_CLAN,
    KIND_FOREIGN_PLAYER,
    KIND_WAR,
    badge_urls,
    fmt_time,
    make_tag,
    parse_tag,
    rng,
)
from .world import CWL_CLANS, MAIN, NOT_IN_WAR, PRIVATE, WAR_OPPONENT

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
    return Side(clan.tag, clan.name, clan.level, badge_urls(world.seed, clan.tag), lineup)


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


def build_war(world: World, key: object, a: Side, b: Side, *, state: str, prep: datetime,
              start: datetime, end: datetime, attacks_per_member: int, cwl: bool) -> dict:
    """Return a ``ClanWar`` payload between sides ``a`` (``clan``) and ``b`` (``opponent``).

    Attacks are generated for the part of the battle day before the world's ``now``; attack
    orders, best opponent attacks and the clan totals are consistent with them.
    """
    r = rng(world.seed, "war", key)
    if state == "inWar":
        progress = max(0.0, min(1.0, (world.now - start) / (end - start)))
    else:
        progress = 1.0 if state == "warEnded" else 0.0
    events = []  # (time fraction, side, attacker slot, defender slot, stars, destruction, dur)
    for side_no, (own, other) in enumerate(((a, b), (b, a))):
        n_other = len(other.lineup)
        for slot, (_, _, th) in enumerate(own.lineup):
            hit: set[int] = set()
            for k in range(attacks_per_member):
                when = r.random() ** 1.5  # fraction of the battle day, front-loaded
                if r.random() > (0.93 if k == 0 else 0.8) or when >= progress:
                    continue
                target = max(0, min(n_other - 1, slot + r.randint(-3, 2)))
                while target in hit and len(hit) < n_other:
                    target = (target + 1) % n_other
                hit.add(target)
                stars, destruction = _outcome(r, th, other.lineup[target][2])
                events.append((when, side_no, slot, target, stars, destruction,
                               r.randint(40, 180)))
    events.sort()
    attacks_by = {0: {}, 1: {}}
    received = {0: {}, 1: {}}
    for order, (_, side_no, slot, target, stars, destruction, dur) in enumerate(events, 1):
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


def _main_war_times(world: World) -> tuple[datetime, datetime, datetime]:
    start = world.now - timedelta(hours=6, minutes=12)
    return start - timedelta(hours=23), start, start + timedelta(hours=24)


def current_war(world: World, clan: Clan) -> dict | None:
    """Return the ``/clans/{tag}/currentwar`` payload, or ``None`` when access is denied."""
    if clan.index == PRIVATE:
        return None
    if clan.index == NOT_IN_WAR:
        return not_in_war()
    if clan.index in (MAIN, WAR_OPPONENT):
        prep, start, end = _main_war_times(world)
        main = clan_side(world, world.clans[MAIN], 15, "current")
        rival = clan_side(world, world.clans[WAR_OPPONENT], 15, "current")
        war = build_war(world, "current-main", main, rival, state="inWar", prep=prep,
                        start=start, end=end, attacks_per_member=2, cwl=False)
        if clan.index == WAR_OPPONENT:
            war["clan"], war["opponent"] = war["opponent"], war["clan"]
        return war
    kind = clan.index % 3
    if kind == 2 or (not clan.war_log_public and kind == 1):
        return not_in_war()
    r = rng(world.seed, "other-war", clan.index)
    size = min(len(clan.members) // 5 * 5, r.choice((10, 15, 20, 25, 30))) or 5
    own = clan_side(world, clan, size, "current")
    other = foreign_side(world, ("current", clan.index), size, r.uniform(0.4, 0.9))
    if kind == 0:  # preparation day
        prep = world.now - timedelta(hours=r.randint(1, 20))
        start = prep + timedelta(hours=23)
        state = "preparation"
    else:  # ended a few hours ago
        start = world.now - timedelta(hours=24 + r.randint(1, 20))
        prep = start - timedelta(hours=23)
        state = "warEnded"
    return build_war(world, ("current", clan.index), own, other, state=state, prep=prep,
                     start=start, end=start + timedelta(hours=24), attacks_per_member=2,
                     cwl=False)


def war_log(world: World, clan: Clan) -> list[dict] | None:
    """Return all entries of the clan's war log (newest first), or ``None`` if private."""
    if not clan.war_log_public:
        return None
    r = rng(world.seed, "warlog", clan.index)
    count = 60 if clan.index == MAIN else 15 + clan.index
    end = _main_war_times(world)[0] - timedelta(hours=r.randint(2, 30))
    badge = badge_urls(world.seed, clan.tag)
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
    """Preparation start of round 1 (round 5 is in its battle day at ``now``)."""
    return world.now - timedelta(hours=29, minutes=12) - timedelta(days=4)


def cwl_pairings() -> list[list[tuple[int, int]]]:
    """Return the 7 rounds of pairings (indexes into ``CWL_CLANS``), circle method."""
    teams = list(range(len(CWL_CLANS)))
    rounds = []
    for _ in range(CWL_ROUNDS):
        rounds.append([(teams[i], teams[-1 - i]) for i in range(len(teams) // 2)])
        teams = [teams[0], teams[-1], *teams[1:-1]]
    return rounds


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
                      "badgeUrls": badge_urls(world.seed, c.tag),
                      "members": [{"tag": m.tag, "name": m.name, "townHallLevel": m.th}
                                  for m in c.members]})
    return {"state": "inWar", "season": world.now.strftime("%Y-%m"), "clans": clans,
            "rounds": rounds}


def cwl_war(world: World, war_tag: str) -> dict | None:
    """Return the ``/clanwarleagues/wars/{warTag}`` payload, or ``None`` if unknown."""
    parsed = parse_tag(world.seed, war_tag)
    if parsed is None or parsed[0] != KIND_WAR or parsed[1] >= CWL_ROUNDS * 4:
        return None
    rnd, pair = divmod(parsed[1], 4)
    state, prep, start, end = _round_state(world, rnd)
    if state is None:
        return None
    x, y = cwl_pairings()[rnd][pair]
    a = clan_side(world, world.clans[CWL_CLANS[x]], CWL_TEAM, ("cwl", rnd))
    b = clan_side(world, world.clans[CWL_CLANS[y]], CWL_TEAM, ("cwl", rnd))
    return build_war(world, ("cwl", rnd, pair), a, b, state=state, prep=prep, start=start,
                     end=end, attacks_per_member=1, cwl=True)
