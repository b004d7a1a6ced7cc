"""Clan capital raid seasons: members, attack log and defense log with districts."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import catalog, names
from .common import (
    KIND_FOREIGN_CLAN,
    KIND_FOREIGN_PLAYER,
    badge_urls,
    cached,
    clone,
    fmt_time,
    make_tag,
    rng,
)

if TYPE_CHECKING:
    from .world import Clan, World

SEASONS_MAIN = 8
SEASONS_OTHER = 4


def _districts(r, hall: int) -> list[tuple[int, str, int]]:
    count = max(3, min(len(catalog.DISTRICTS), 2 + hall))
    out = []
    for i, (did, name) in enumerate(catalog.DISTRICTS[:count]):
        level = hall if i == 0 else max(1, min(5, hall // 2 + r.randint(-1, 1)))
        out.append((did, name, level))
    return out


def _raid(r, attackers: list[tuple[str, str]], hall: int, budget: dict[str, int] | None,
          finished: bool) -> tuple[dict, dict[str, int], dict[str, int], int]:
    """Raid one capital. Returns (districts part of a log entry, attacks by attacker tag,
    loot by attacker tag, total attacks)."""
    districts, counts, loot = [], {}, {}
    destroyed = 0
    total_attacks = 0
    plan = _districts(r, hall)
    for did, name, level in plan:
        attacks, destruction, looted = [], 0, 0
        while destruction < 100:
            usable = [a for a in attackers if budget is None or budget.get(a[0], 0) > 0]
            if not usable or (not finished and r.random() < 0.15):
                break
            tag, pname = r.choice(usable)
            if budget is not None:
                budget[tag] -= 1
            remaining = 100 - destruction
            gain = r.randint(min(10, remaining), min(55, remaining))
            if r.random() < 0.25:
                gain = 100 - destruction
            destruction += gain
            stars = (3 if destruction == 100 else 2 if destruction >= 50
                     else 1 if destruction >= 25 else 0)
            part = 300 * level + r.randint(0, 800)
            attacks.append({"attacker": {"tag": tag, "name": pname},
                            "destructionPercent": destruction, "stars": stars})
            counts[tag] = counts.get(tag, 0) + 1
            loot[tag] = loot.get(tag, 0) + part
            looted += part
        if not attacks:
            break
        destroyed += destruction == 100
        total_attacks += len(attacks)
        districts.append({"id": did, "name": name, "districtHallLevel": level,
                          "destructionPercent": destruction,
                          "stars": max(a["stars"] for a in attacks),
                          "attackCount": len(attacks), "totalLooted": looted,
                          "attacks": list(reversed(attacks))})
    entry = {"attackCount": total_attacks, "districtCount": len(plan),
             "districtsDestroyed": destroyed, "districts": districts}
    return entry, counts, loot, total_attacks


def _raiders(world: World, clan: Clan) -> list:
    """Return the clan's raiders: its members as they were at the world's start (the raid
    seasons shown then do not change as members come and go)."""
    if world.life is None:
        return clan.members
    start = [m for m in world.life.facts0.values() if m.clan == clan.index]
    return start or clan.members


def raid_seasons(world: World, clan: Clan) -> list[dict]:
    """Return the clan's capital raid seasons, newest first.

    The newest is ``ongoing`` when ``now`` falls inside a raid weekend (Friday 07:00 to
    Monday 07:00 UTC). The oldest season has no ``members`` key, as in real data.
    """
    count = SEASONS_MAIN if clan.index == 0 else SEASONS_OTHER
    raiders = tuple((m.tag, m.name) for m in _raiders(world, clan))
    seasons = []
    for k in range(count):
        start = world.raid_weekend_start(k)
        end = start + timedelta(days=3)
        ongoing = end > world.now
        # a weekend begun by the world's start is drawn as it stood then, so what it showed
        # stays the same as the world lives on
        drawn_ongoing = start <= world.start < end if start <= world.start else ongoing
        args = (raiders, start, ongoing, drawn_ongoing, k < count - 1)
        seasons.append(clone(cached(world, ("raid", clan.tag, clan.capital_hall, *args),
                                    functools.partial(_season, world, clan, *args))))
    return seasons


def _season(world: World, clan: Clan, clan_raiders: tuple[tuple[str, str], ...],
            start: datetime, ongoing: bool, drawn_ongoing: bool, with_members: bool) -> dict:
    """Return one raid season of the clan (see :func:`raid_seasons`), drawn from its start."""
    end = start + timedelta(days=3)
    r = rng(world.seed, "raid", clan.tag, start.isoformat())
    roster = [m for m in clan_raiders if r.random() < 0.8] or [clan_raiders[0]]
    bonus = {tag: int(r.random() < 0.3) for tag, _ in roster}
    budget = {tag: 5 + bonus[tag] for tag, _ in roster}
    attack_log, counts, loot = [], {}, {}
    total_attacks, destroyed_total, raids_completed = 0, 0, 0
    for n in range(r.randint(5, 9)):
        if not any(budget.values()):
            break
        index = r.randrange(10**9)
        ftag = make_tag(world.seed, KIND_FOREIGN_CLAN, index)
        hall = r.randint(4, 10)
        entry, c, lt, total = _raid(r, roster, hall, budget,
                                    finished=not drawn_ongoing or n < 2)
        if not entry["districts"]:
            break
        attack_log.append({"defender": {"tag": ftag, "name": names.clan_name(r),
                                        "level": r.randint(3, 30),
                                        "badgeUrls": badge_urls(world.seed, ftag)}, **entry})
        for tag, v in c.items():
            counts[tag] = counts.get(tag, 0) + v
        for tag, v in lt.items():
            loot[tag] = loot.get(tag, 0) + v
        total_attacks += total
        destroyed_total += entry["districtsDestroyed"]
        raids_completed += entry["districtsDestroyed"] == entry["districtCount"]
    defense_log = []
    for _ in range(r.randint(1 if drawn_ongoing else 2, 5)):
        index = r.randrange(10**9)
        ftag = make_tag(world.seed, KIND_FOREIGN_CLAN, index)
        raiders = [(make_tag(world.seed, KIND_FOREIGN_PLAYER, (index * 50 + i) % 14**8),
                    names.player_name(r)) for i in range(r.randint(15, 40))]
        entry, _, _, _ = _raid(r, raiders, clan.capital_hall, None,
                               finished=not drawn_ongoing)
        defense_log.append({"attacker": {"tag": ftag, "name": names.clan_name(r),
                                         "level": r.randint(3, 30),
                                         "badgeUrls": badge_urls(world.seed, ftag)}, **entry})
    season: dict = {"state": "ongoing" if ongoing else "ended",
                    "startTime": fmt_time(start), "endTime": fmt_time(end),
                    "capitalTotalLoot": sum(loot.values()),
                    "raidsCompleted": raids_completed, "totalAttacks": total_attacks,
                    "enemyDistrictsDestroyed": destroyed_total}
    if not ongoing:
        season["offensiveReward"] = destroyed_total * 3 + r.randint(0, 40)
        season["defensiveReward"] = r.randint(100, 300)
    members = [{"tag": tag, "name": name, "attacks": counts[tag], "attackLimit": 5,
                "bonusAttackLimit": bonus[tag], "capitalResourcesLooted": loot[tag]}
               for tag, name in roster if tag in counts]
    members.sort(key=lambda m: -m["capitalResourcesLooted"])
    if with_members:
        season["members"] = members
    season["attackLog"] = attack_log
    season["defenseLog"] = defense_log
    return season
