"""Player profiles, battle logs, league history and ranked league groups, generated from tags."""

from __future__ import annotations

import bisect
import functools
import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import catalog, names
from .common import (
    KIND_GROUP,
    KIND_RANKED,
    clan_badge,
    fmt_time,
    label_icons,
    league_icons,
    make_tag,
    mix,
    parse_tag,
    rng,
    tier_icons,
)

if TYPE_CHECKING:
    from .world import Member, World

_SUPER = (
    "Super Barbarian",
    "Super Archer",
    "Super Giant",
    "Sneaky Goblin",
    "Super Wall Breaker",
    "Rocket Balloon",
    "Super Wizard",
    "Super Dragon",
    "Inferno Dragon",
    "Super Minion",
    "Super Valkyrie",
    "Super Witch",
    "Ice Hound",
    "Super Bowler",
    "Super Miner",
    "Super Hog Rider",
    "Super Yeti",
)
_HERO_TH = {
    "Barbarian King": 7,
    "Archer Queen": 8,
    "Minion Prince": 9,
    "Grand Warden": 11,
    "Royal Champion": 13,
    "Dragon Duke": 15,
    "Battle Machine": 0,
    "Battle Copter": 0,
}
_HERO_BH = {"Battle Machine": 5, "Battle Copter": 8}


def verify_token_for(tag: str, seed: int = 7) -> str:
    """Return the one-time in-game API token that ``verifyToken`` accepts for ``tag``.

    The demo world's tokens are 8 lower-case hex characters derived from the seed and tag.
    """
    return hashlib.blake2b(f"{seed}|token|{tag}".encode(), digest_size=4).hexdigest()


def ranked_member(world: World, tag: str) -> Member | None:
    """Return the light facts of a ranking player (a tag of the ranked kind), or ``None``."""
    from .world import Member

    parsed = parse_tag(world.seed, tag)
    if parsed is None or parsed[0] != KIND_RANKED or parsed[1] >= _ranked_count():
        return None
    index = parsed[1]
    r = rng(world.seed, "ranked", index)
    th = 18 if index < 4000 else r.randint(15, 18)
    return Member(
        index=index,
        tag=tag,
        name=names.player_name(r),
        th=th,
        exp=int(200 + r.random() * 300),
        trophies=ranked_trophies(world.seed, index),
        bb_trophies=int(4000 + r.random() * 2500),
        bh=10,
        role="member",
        donations=0,
        received=0,
        clan=None,
        kind=KIND_RANKED,
    )


def _ranked_count() -> int:
    from .world import RANKED_PLAYERS

    return RANKED_PLAYERS


def ranked_trophies(seed: int, index: int) -> int:
    """Current trophies of ranking player ``index`` (decreasing with the index)."""
    return int(6400 - index * 0.045 - mix(seed, "rt", index) % 7)


def ranked_tag(world: World, index: int) -> str:
    """Return the tag of ranking player ``index``."""
    return make_tag(world.seed, KIND_RANKED, index)


def league_for(trophies: int) -> tuple[int, str]:
    """Return the home-village (legacy) league ``(id, name)`` for a trophy count."""
    return catalog.LEAGUES[max(0, bisect.bisect_right(catalog.LEAGUE_FLOORS, trophies) - 1)]


def league_obj(trophies: int) -> dict:
    """Return the ``league`` object of a player with ``trophies``."""
    lid, name = league_for(trophies)
    return {"id": lid, "name": name, "iconUrls": league_icons(lid)}


def tier_for(m: Member) -> tuple[int, str, str]:
    """Return the ranked league tier ``(id, name, icon)`` of a player."""
    pos = max(1, min(34, round((m.trophies - 300) / 5800 * 33)))
    return catalog.LEAGUE_TIERS[pos]


def tier_obj(m: Member) -> dict:
    """Return the ``leagueTier`` object of a player."""
    tid, name, icon = tier_for(m)
    return {"id": tid, "name": name, "iconUrls": tier_icons(icon)}


def bb_league_obj(bb_trophies: int) -> dict:
    """Return the ``builderBaseLeague`` object for builder base trophies."""
    pos = max(0, min(len(catalog.BUILDER_BASE_LEAGUES) - 1, bb_trophies // 150))
    lid, name = catalog.BUILDER_BASE_LEAGUES[pos]
    return {"id": lid, "name": name}


def player_house(seed: int, tag: str) -> dict:
    """Return the ``playerHouse`` object (a fresh one each call)."""
    return {"elements": [{"type": part, "id": house_id}
                         for part, house_id in _house_ids(seed, tag)]}


@functools.lru_cache(maxsize=4096)
def _house_ids(seed: int, tag: str) -> tuple[tuple[str, int], ...]:
    """Return ``(part, id)`` of each element of a player's house, drawn from the tag."""
    r = rng(seed, "house", tag)
    return tuple((part, 82000000 + r.randint(0, 95)) for part in catalog.HOUSE_PARTS)


def clan_stub(world: World, clan_index: int) -> dict:
    """Return the ``clan`` object embedded in a player profile."""
    clan = world.clans[clan_index]
    return {
        "tag": clan.tag,
        "name": clan.name,
        "clanLevel": clan.level,
        "badgeUrls": clan_badge(world.seed, clan),
    }


def _items(r, catalogue, level_cap_fraction: float, unlocked_upto: float, village: str):
    out = []
    chosen = [x for x in catalogue if x[2] == village]
    for pos, (name, max_level, vil) in enumerate(chosen):
        if pos / max(1, len(chosen)) > unlocked_upto:
            break
        level = max(1, min(max_level, round(max_level * level_cap_fraction * r.uniform(0.8, 1.05))))
        out.append({"name": name, "level": level, "maxLevel": max_level, "village": vil})
    return out


def _league_week(world: World, weeks_ago: int) -> int:
    return int(world.league_week_start(weeks_ago).timestamp())


def league_group_tag(world: World, m: Member, weeks_ago: int) -> str:
    """Return the ranked league group tag of ``m`` in the week ``weeks_ago`` back."""
    week = _league_week(world, weeks_ago)
    group = mix(world.seed, "group", m.tag, week) % _group_count(world)
    return make_tag(world.seed, KIND_GROUP, (week // 3600) * 1000 + group)


def _group_count(world: World) -> int:
    return max(1, len(world.players) // 20)


def player_profile(world: World, m: Member, *, overlay: bool = True) -> dict:
    """Return the full ``/players/{tag}`` payload of ``m`` (with ``overlay``, and once the
    world has been advanced, with what life changed in it)."""
    seed = world.seed
    r = rng(seed, "profile", m.tag)
    frac = min(1.0, max(0.15, (m.th - 5) / 13))
    unlocked = min(1.0, max(0.2, (m.th - 3) / 15))
    body: dict = {
        "tag": m.tag,
        "name": m.name,
        "townHallLevel": m.th,
    }
    if m.th >= 12:
        body["townHallWeaponLevel"] = r.randint(1, 5 if m.th <= 15 else 3)
    best = m.trophies + int(r.expovariate(1 / 250))
    body.update(
        {
            "expLevel": m.exp,
            "trophies": m.trophies,
            "bestTrophies": best,
            "warStars": int(m.exp * r.uniform(2, 9)),
            "attackWins": r.randint(0, 120),
            "defenseWins": r.randint(0, 30),
            "builderHallLevel": m.bh,
            "builderBaseTrophies": m.bb_trophies,
            "bestBuilderBaseTrophies": m.bb_trophies + int(r.expovariate(1 / 200)),
        }
    )
    if m.clan is not None:
        body["role"] = m.role
        body["warPreference"] = "in" if r.random() < 0.75 else "out"
    body["donations"] = m.donations
    body["donationsReceived"] = m.received
    body["clanCapitalContributions"] = int(m.exp * r.uniform(500, 20000))
    if m.clan is not None:
        body["clan"] = clan_stub(world, m.clan)
    if m.has_league:
        body["league"] = league_obj(m.trophies)
        body["leagueTier"] = tier_obj(m)
    body["builderBaseLeague"] = bb_league_obj(m.bb_trophies)
    if m.has_league:
        body["currentLeagueGroupTag"] = league_group_tag(world, m, 0)
        body["currentLeagueSeasonId"] = _league_week(world, 0)
        body["previousLeagueGroupTag"] = league_group_tag(world, m, 1)
        body["previousLeagueSeasonId"] = _league_week(world, 1)
    if m.trophies >= 5000 and m.has_league:
        body["legendStatistics"] = _legend_stats(world, m, r)
    lay_over = overlay and world.life is not None
    if lay_over:  # life's kept parts replace everything drawn from here on: skip the draws
        body.update(dict.fromkeys(_KEPT_TAIL))
        body["playerHouse"] = player_house(seed, m.tag)
    else:
        _draw_tail(body, m, r, best, seed, frac, unlocked)
    if lay_over:
        from .growth import overlay as lay

        lay(world, m, body)
    return body


# the keys player_profile draws last, in order; all but the house are kept parts of life
_KEPT_TAIL = ("achievements", "playerHouse", "labels", "troops", "heroes", "heroEquipment",
              "spells")


def _draw_tail(body: dict, m: Member, r, best: int, seed: int, frac: float,
               unlocked: float) -> None:
    """Draw the profile's achievements, house, labels, troops, heroes and spells."""
    body["achievements"] = _achievements(m, r, best)
    body["playerHouse"] = player_house(seed, m.tag)
    labels = sorted(r.sample(range(len(catalog.PLAYER_LABELS)), r.randint(0, 3)))
    body["labels"] = [
        {
            "id": catalog.PLAYER_LABELS[i][0],
            "name": catalog.PLAYER_LABELS[i][1],
            "iconUrls": label_icons(catalog.PLAYER_LABELS[i][0]),
        }
        for i in labels
    ]
    troops = _items(r, catalog.TROOPS, frac, unlocked, "home")
    supers = [t for t in troops if t["name"] in _SUPER]
    if supers and m.th >= 11 and r.random() < 0.4:
        r.choice(supers)["superTroopIsActive"] = True
    bb_frac = min(1.0, max(0.15, m.bh / 10))
    troops += _items(r, catalog.TROOPS, bb_frac, bb_frac, "builderBase")
    body["troops"] = troops
    body["heroes"], body["heroEquipment"] = _heroes(m, r, frac)
    body["spells"] = _items(r, catalog.SPELLS, frac, min(1.0, max(0.1, (m.th - 4) / 13)), "home")


def _legend_stats(world: World, m: Member, r) -> dict:
    prev = world.now.replace(day=1) - timedelta(days=1)
    best_month = prev.replace(year=prev.year - r.randint(0, 3))
    return {
        "legendTrophies": r.randint(100, 6000),
        "bestSeason": {
            "id": best_month.strftime("%Y-%m"),
            "rank": r.randint(1, 90000),
            "trophies": m.trophies + r.randint(0, 400),
        },
        "previousSeason": {
            "id": prev.strftime("%Y-%m"),
            "rank": r.randint(1, 200000),
            "trophies": m.trophies + r.randint(-200, 200),
        },
        "currentSeason": {"rank": r.randint(1, 200000), "trophies": m.trophies},
    }


def _achievements(m: Member, r, best: int) -> list[dict]:
    out = []
    for name, target, info, prefix, village in catalog.ACHIEVEMENTS:
        if "trophies" in info and village == "home":
            value = best
        elif "Town Hall to level" in info:
            value = m.th
        elif "Builder Hall to level" in info:
            value = m.bh
        else:
            value = int(target * r.uniform(0.05, 3) * min(1.0, m.exp / 150))
        stars = (
            3
            if value >= target
            else 2
            if value >= target * 0.5
            else 1
            if value >= target * 0.1
            else 0
        )
        out.append(
            {
                "name": name,
                "stars": stars,
                "value": value,
                "target": target,
                "info": info,
                "completionInfo": f"{prefix}: {value}" if prefix else None,
                "village": village,
            }
        )
    return out


def _heroes(m: Member, r, frac: float) -> tuple[list[dict], list[dict]]:
    heroes, equipment = [], []
    owned: dict[str, dict] = {}
    for name, max_level, village in catalog.HEROES:
        if village == "home" and m.th < _HERO_TH[name]:
            continue
        if village == "builderBase" and m.bh < _HERO_BH[name]:
            continue
        cap = frac if village == "home" else m.bh / 10
        level = max(1, min(max_level, round(max_level * cap * r.uniform(0.75, 1.0))))
        hero = {"name": name, "level": level, "maxLevel": max_level}
        if village == "home":
            gear = []
            for eq_name in catalog.HERO_EQUIPMENT.get(name, ()):
                if r.random() < 0.75 or not gear:
                    eq_max = next(e[1] for e in catalog.EQUIPMENT if e[0] == eq_name)
                    eq = {
                        "name": eq_name,
                        "level": max(1, min(eq_max, round(eq_max * frac * r.uniform(0.6, 1.0)))),
                        "maxLevel": eq_max,
                        "village": "home",
                    }
                    owned[eq_name] = eq
                    gear.append(eq)
            hero["equipment"] = [dict(e) for e in gear[:2]]
        hero["village"] = village
        heroes.append(hero)
    order = [e[0] for e in catalog.EQUIPMENT]
    equipment = sorted(owned.values(), key=lambda e: order.index(e["name"]))
    return heroes, equipment


def battle_log(world: World, m: Member) -> dict:
    """Return the ``/players/{tag}/battlelog`` payload of ``m``: once the world has been
    advanced, its battles since the start on top of the log it had then."""
    if world.life is None or m.tag not in world.life.facts0:
        return {"items": _generated_log(world, m, world.now)}
    from .growth import BATTLE_LOG_LENGTH, battle_items

    items = battle_items(world, m) + _generated_log(world, m, world.start)
    return {"items": items[:BATTLE_LOG_LENGTH]}


def _generated_log(world: World, m: Member, now: datetime) -> list[dict]:
    """Return a battle log of ``m`` drawn from the seed, as it stood at ``now``."""
    r = rng(world.seed, "battlelog", m.tag, world.league_week_start(0, now).isoformat())
    items = []
    moment = now - timedelta(minutes=r.randint(5, 90))
    for _ in range(r.randint(8, 25)):
        opponent = world.players[r.randrange(len(world.players))]
        attack = r.random() < 0.55
        stars = r.choices((0, 1, 2, 3), (1, 3, 5, 3))[0]
        destruction = {0: r.randint(5, 49), 1: r.randint(30, 80), 2: r.randint(50, 99), 3: 100}[
            stars
        ]
        loot = [
            {
                "name": res,
                "amount": r.randint(0, 900_000) if res != "DarkElixir" else r.randint(0, 9000),
            }
            for res in ("Gold", "Elixir", "DarkElixir")
        ]
        battle_type = "ranked" if m.has_league and r.random() < 0.8 else "homeVillage"
        items.append(
            {
                "battleType": battle_type,
                "attack": attack,
                "armyShareCode": (
                    f"u{r.randint(1, 20)}x{r.randint(0, 40)}-s{r.randint(1, 3)}x{r.randint(0, 15)}"
                ),
                "opponentPlayerTag": opponent.tag,
                "opponentName": opponent.name,
                "opponentTownHallLevel": opponent.th,
                "stars": stars,
                "destructionPercentage": destruction,
                "lootedResources": loot if attack else [],
                "extraLootedResources": [{"name": "Gold", "amount": r.randint(0, 50_000)}]
                if attack
                else [],
                "availableLoot": [{"name": x["name"], "amount": x["amount"] * 2} for x in loot],
                "battleTime": r.randint(45, 180),
                "battleTimestamp": fmt_time(moment),
            }
        )
        moment -= timedelta(minutes=r.randint(10, 300))
    return items


def league_history(world: World, m: Member) -> dict:
    """Return the ``/players/{tag}/leaguehistory`` payload (one row per past ranked week)."""
    if not m.has_league:
        return {"items": []}
    items = []
    tid = tier_for(m)[0]
    for weeks_ago in range(1, 11):
        r = rng(world.seed, "history", m.tag, weeks_ago)
        attack_wins = r.randint(0, 8)
        defense_wins = r.randint(0, 8)
        items.append(
            {
                "leagueSeasonId": _league_week(world, weeks_ago),
                "leagueTrophies": max(0, m.trophies + r.randint(-300, 300)),
                "leagueTierId": max(105000001, min(105000034, tid + r.randint(-2, 1))),
                "placement": r.randint(1, 30),
                "attackWins": attack_wins,
                "attackLosses": 8 - attack_wins,
                "attackStars": attack_wins * 3 - r.randint(0, attack_wins),
                "defenseWins": defense_wins,
                "defenseLosses": 8 - defense_wins,
                "defenseStars": (8 - defense_wins) * 2 + r.randint(0, 3),
                "maxBattles": 8,
            }
        )
    return {"items": items}


def league_group(world: World, group_tag: str, season_id: str, player_tag: str) -> dict | None:
    """Return the ``/leaguegroup/{tag}/{season}`` payload, or ``None`` if not found."""
    parsed = parse_tag(world.seed, group_tag)
    if parsed is None or parsed[0] != KIND_GROUP:
        return None
    week_hours, group = divmod(parsed[1], 1000)
    if not season_id.isdigit() or int(season_id) // 3600 != week_hours:
        return None
    week = int(season_id)
    players = [
        p
        for p in world.players
        if p.has_league and mix(world.seed, "group", p.tag, week) % _group_count(world) == group
    ]
    if player_tag not in {p.tag for p in players}:
        return None
    members = []
    by_tag = {}
    for p in players:
        r = rng(world.seed, "group-member", p.tag, week)
        clan = world.clan_of(p)
        entry = {
            "playerTag": p.tag,
            "playerName": p.name,
            "leagueTrophies": max(0, p.trophies + r.randint(-150, 150)),
            "attackWinCount": r.randint(0, 8),
            "attackLoseCount": r.randint(0, 4),
            "defenseWinCount": r.randint(0, 8),
            "defenseLoseCount": r.randint(0, 4),
        }
        if clan is not None:
            entry["clanTag"], entry["clanName"] = clan.tag, clan.name
        members.append(entry)
        by_tag[p.tag] = p
    members.sort(key=lambda e: -e["leagueTrophies"])
    me = by_tag[player_tag]
    r = rng(world.seed, "group-log", player_tag, week)
    others = [p for p in players if p.tag != player_tag] or [me]
    start = world.league_week_start(0) if week == _league_week(world, 0) else None

    def log(n: int) -> list[dict]:
        out = []
        for i in range(n):
            opp = r.choice(others)
            stars = r.choices((0, 1, 2, 3), (1, 3, 5, 4))[0]
            moment = (start or world.now) + timedelta(hours=6 * i + r.randint(0, 5))
            out.append(
                {
                    "opponentPlayerTag": opp.tag,
                    "opponentName": opp.name,
                    "stars": stars,
                    "destructionPercentage": 100 if stars == 3 else r.randint(20, 99),
                    "trophies": stars * 10 + r.randint(0, 8),
                    "creationTime": fmt_time(min(moment, world.now)),
                }
            )
        return out

    return {
        "members": members,
        "attackLogs": log(r.randint(0, 8)),
        "defenseLogs": log(r.randint(0, 8)),
    }
