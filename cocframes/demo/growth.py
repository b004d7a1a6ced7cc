"""How the demo world's players grow: battles, upgrades, equipment, labels, capital gold,
clan games, town halls, war stars and season resets, and the profile parts they change.

A player's profile is generated from the tag; once the world has been advanced, the parts
life changes (best trophies, war stars, wins, units, achievements...) are kept per player,
drawn once from the player's facts at the world's start, and laid over the generated
profile (:func:`overlay`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import catalog, life
from .common import clone, fmt_time, label_icons, rng, unit
from .life import between, clan_tag_of, note, pick, set_member
from .players import player_profile

if TYPE_CHECKING:
    from .world import Clan, Member, World

KEPT = ("townHallWeaponLevel", "bestTrophies", "warStars", "attackWins", "defenseWins",
        "warPreference", "clanCapitalContributions", "achievements", "labels", "troops",
        "heroes", "heroEquipment", "spells")
PETS = frozenset(name for name, _, _ in catalog.TROOPS[catalog.TROOPS.index(
    ("L.A.S.S.I", 15, "home")):])
LEGEND_FLOOR = 5000
LEGEND_BATTLES = 8  # attacks, and defenses, per legend day (from 05:00 UTC)
BATTLE_LOG_LENGTH = 30
_UNIT_KINDS = {"troops": "player_troop_level", "spells": "player_spell_level",
               "heroes": "player_hero_level", "heroEquipment": "player_equipment_level"}
_ACHIEVEMENTS = {a[0]: a for a in catalog.ACHIEVEMENTS}
_STARS = (0,) * 2 + (1,) * 3 + (2,) * 5 + (3,) * 3  # how often a battle ends with n stars


# ---------------------------------------------------------------------- the kept profile
def kept(world: World, m: Member) -> dict:
    """Return the changing parts of ``m``'s profile, drawn from its start facts when first
    needed."""
    state = world.life.profiles.get(m.tag)
    if state is None:
        body = player_profile(world, world.life.facts0.get(m.tag, m), overlay=False)
        state = {key: body[key] for key in KEPT if key in body}
        state.setdefault("warPreference", "in" if unit(world.seed, "pref", m.tag) < 0.75
                         else "out")
        world.life.profiles[m.tag] = state
    return state


def overlay(world: World, m: Member, body: dict) -> None:
    """Lay the kept parts of ``m``'s profile over the generated ``body``."""
    for key, value in kept(world, m).items():
        if key == "warPreference" and m.clan is None:
            continue
        body[key] = clone(value)


def _profile_note(world: World, t: datetime, m: Member, kind: str, field: str, old: object,
                  new: object) -> None:
    note(world, t, kind, clan_tag_of(world, m), m.tag, field, old, new)


def _set_kept(world: World, t: datetime, m: Member, key: str, value: object,
              kind: str) -> None:
    state = kept(world, m)
    old = state.get(key)
    if old != value:
        state[key] = value
        _profile_note(world, t, m, kind, key, old, value)


def achieve(world: World, t: datetime, m: Member, name: str, value: int) -> None:
    """Set the value of ``m``'s achievement ``name`` (its stars follow) and record it."""
    _, target, _, prefix, _ = _ACHIEVEMENTS[name]
    for entry in kept(world, m)["achievements"]:
        if entry["name"] == name and entry["value"] != value:
            _profile_note(world, t, m, "player_achievement", name, entry["value"], value)
            entry["value"] = value
            entry["stars"] = (3 if value >= target else 2 if value >= target * 0.5
                              else 1 if value >= target * 0.1 else 0)
            entry["completionInfo"] = f"{prefix}: {value}" if prefix else None


# ---------------------------------------------------------------------- rules
def in_clan_games(t: datetime) -> bool:
    """Return whether the clan games run at ``t`` (22nd 08:00 to 28th 08:00 UTC)."""
    return (22 < t.day < 28) or (t.day == 22 and t.hour >= 8) or (t.day == 28 and t.hour < 8)


def in_raid_weekend(t: datetime) -> bool:
    """Return whether a raid weekend runs at ``t`` (Friday 07:00 to Monday 07:00 UTC)."""
    day = t.weekday()
    return day in (5, 6) or (day == 4 and t.hour >= 7) or (day == 0 and t.hour < 7)


def member_rules(world: World, t: datetime) -> list[tuple[float, Callable]]:
    """Return ``(rate per member per day, rule)`` of what members do at ``t``."""
    rules = [(life.DONATIONS, life.donate), (life.BATTLES, battle),
             (life.BUILDER_BATTLES, life.builder_battle), (life.UPGRADES, upgrade),
             (life.EXPERIENCE, life.gain_experience), (life.EQUIPMENT_SWAPS, swap_equipment),
             (life.RAID_CAPITAL if in_raid_weekend(t) else life.CAPITAL, contribute),
             (life.LABEL_CHANGES, relabel), (life.WAR_PREFERENCE_CHANGES, toggle_preference)]
    if in_clan_games(t):
        rules.append((life.GAMES, play_games))
    return rules


def _legend_count(world: World, t: datetime, m: Member, attack: bool) -> bool:
    """Count a legend battle of ``m`` on the day of ``t``; False when the day's are used."""
    day = int((t - timedelta(hours=5)).timestamp() // 86400)
    seen, attacks, defenses = world.life.legend_day.get(m.tag, (day, 0, 0))
    if seen != day:
        attacks = defenses = 0
    if (attacks if attack else defenses) >= LEGEND_BATTLES:
        return False
    world.life.legend_day[m.tag] = (day, attacks + attack, defenses + (not attack))
    return True


def battle(world: World, t: datetime, clan: Clan, r) -> None:
    """A member attacks or is attacked in a multiplayer battle."""
    m = pick(r, clan.members)
    attack = r.random() < 0.55
    legend = m.has_league and m.trophies >= LEGEND_FLOOR
    if legend and not _legend_count(world, t, m, attack):
        return
    opponent = int(r.random() * len(world.players))
    stars = _STARS[int(r.random() * len(_STARS))]
    if legend:
        gain = (0, 5, 16, 32)[stars] + between(r, 0, 8) * (stars > 0)
        delta = gain if attack else -gain
    elif attack:
        delta = between(r, 8, 30) if stars else -between(r, 5, 20)
    else:
        delta = -between(r, 8, 30) if stars else between(r, 3, 12)
    state = kept(world, m)
    set_member(world, t, m, "trophies", max(0, m.trophies + delta))
    if attack and stars:
        _set_kept(world, t, m, "attackWins", state["attackWins"] + 1, "player_attack_wins")
    if not attack and not stars:
        _set_kept(world, t, m, "defenseWins", state["defenseWins"] + 1, "player_defense_wins")
    if m.trophies > state["bestTrophies"]:
        _set_kept(world, t, m, "bestTrophies", m.trophies, "player_best_trophies")
        achieve(world, t, m, "Sweet Victory!", m.trophies)
    kind = "legend" if legend else "ranked" if m.has_league else "homeVillage"
    destruction = 100 if stars == 3 else between(r, stars * 25, stars * 25 + 24)
    log = world.life.battles.setdefault(m.tag, [])
    log.append((t, attack, opponent, stars, destruction, kind))
    del log[:-BATTLE_LOG_LENGTH]


def upgrade(world: World, t: datetime, clan: Clan, r) -> None:
    """A member's troop, spell, hero, equipment or pet goes up one level."""
    m = r.choice(clan.members)
    state = kept(world, m)
    part = r.choice(tuple(_UNIT_KINDS))
    units = [u for u in state.get(part, []) if u["level"] < u["maxLevel"]]
    if not units:
        return
    u = r.choice(units)
    u["level"] += 1
    kind = "player_pet_level" if u["name"] in PETS else _UNIT_KINDS[part]
    name = u["name"] + (" (builder base)" if u.get("village") == "builderBase" else "")
    _profile_note(world, t, m, kind, name, u["level"] - 1, u["level"])
    if part == "heroEquipment":  # the heroes wearing it show its level too
        for hero in state["heroes"]:
            for worn in hero.get("equipment", []):
                if worn["name"] == u["name"]:
                    worn["level"] = u["level"]


def swap_equipment(world: World, t: datetime, clan: Clan, r) -> None:
    """A member equips another pair of items on one of their heroes."""
    m = r.choice(clan.members)
    state = kept(world, m)
    heroes = [h for h in state["heroes"] if "equipment" in h]
    if not heroes:
        return
    hero = r.choice(heroes)
    owned = [e for e in state["heroEquipment"]
             if e["name"] in catalog.HERO_EQUIPMENT.get(hero["name"], ())]
    if len(owned) < 3:
        return
    chosen = sorted(r.sample(range(len(owned)), 2))
    old = sorted(e["name"] for e in hero["equipment"])
    new = sorted(owned[i]["name"] for i in chosen)
    if old != new:
        hero["equipment"] = [dict(owned[i]) for i in chosen]
        _profile_note(world, t, m, "player_active_equipment", hero["name"], old, new)


def relabel(world: World, t: datetime, clan: Clan, r) -> None:
    """A member picks other player labels."""
    m = r.choice(clan.members)
    state = kept(world, m)
    picked = sorted(r.sample(range(len(catalog.PLAYER_LABELS)), r.randint(0, 3)))
    labels = [{"id": catalog.PLAYER_LABELS[i][0], "name": catalog.PLAYER_LABELS[i][1],
               "iconUrls": label_icons(catalog.PLAYER_LABELS[i][0])} for i in picked]
    old = sorted(x["name"] for x in state["labels"])
    new = sorted(x["name"] for x in labels)
    if old != new:
        state["labels"] = labels
        _profile_note(world, t, m, "player_labels", "labels", old, new)


def toggle_preference(world: World, t: datetime, clan: Clan, r) -> None:
    """A member opts in or out of wars."""
    m = r.choice(clan.members)
    flipped = "out" if kept(world, m)["warPreference"] == "in" else "in"
    _set_kept(world, t, m, "warPreference", flipped, "player_war_preference")


def war_preference_shown(world: World, t: datetime, m: Member, old_clan: str | None,
                         new_clan: str | None) -> None:
    """Record the war preference appearing (joining) or vanishing (leaving) on a profile."""
    value = kept(world, m)["warPreference"]
    old, new = (None, value) if new_clan else (value, None)
    note(world, t, "player_war_preference", new_clan, m.tag, "warPreference", old, new)


def contribute(world: World, t: datetime, clan: Clan, r) -> None:
    """A member contributes capital gold."""
    m = pick(r, clan.members)
    total = kept(world, m)["clanCapitalContributions"] + between(r, 500, 30_000)
    _set_kept(world, t, m, "clanCapitalContributions", total, "player_capital_contributions")


def play_games(world: World, t: datetime, clan: Clan, r) -> None:
    """A member taking part in this month's clan games scores points."""
    m = r.choice(clan.members)
    if unit(world.seed, "games", m.tag, t.strftime("%Y-%m")) >= 0.7:
        return
    entry = next(a for a in kept(world, m)["achievements"] if a["name"] == "Games Champion")
    achieve(world, t, m, "Games Champion", entry["value"] + r.choice((50, 100, 150, 200, 300)))


def town_hall(world: World, t: datetime, clan: Clan, r) -> None:
    """A member upgrades the town hall (its weapon starts again at level 1)."""
    pool = [m for m in clan.members if m.th < 17]
    if not pool:
        return
    m = r.choice(pool)
    m.th += 1
    _profile_note(world, t, m, "player_town_hall", "townHallLevel", m.th - 1, m.th)
    achieve(world, t, m, "Bigger & Better", m.th)
    if m.th >= 12:
        _set_kept(world, t, m, "townHallWeaponLevel", 1, "player_town_hall")


def builder_hall(world: World, t: datetime, clan: Clan, r) -> None:
    """A member upgrades the builder hall."""
    pool = [m for m in clan.members if m.bh < 10]
    if not pool:
        return
    m = r.choice(pool)
    m.bh += 1
    _profile_note(world, t, m, "player_builder_hall", "builderHallLevel", m.bh - 1, m.bh)
    achieve(world, t, m, "Master Engineering", m.bh)


def add_war_stars(world: World, t: datetime, m: Member, stars: int) -> None:
    """Add ``stars`` won in a war to ``m``'s total."""
    if stars:
        _set_kept(world, t, m, "warStars", kept(world, m)["warStars"] + stars,
                  "player_war_stars")


def end_season(world: World, t: datetime) -> None:
    """Reset donations, received, attack and defense wins; legends drop to the floor."""
    for m in world.players:
        set_member(world, t, m, "donations", 0)
        set_member(world, t, m, "received", 0)
        _set_kept(world, t, m, "attackWins", 0, "player_attack_wins")
        _set_kept(world, t, m, "defenseWins", 0, "player_defense_wins")
        if m.has_league and m.trophies > LEGEND_FLOOR:
            set_member(world, t, m, "trophies", LEGEND_FLOOR)


# ---------------------------------------------------------------------- battle log
def battle_items(world: World, m: Member) -> list[dict]:
    """Return ``m``'s battles since the world's start as battle log items, newest first."""
    items = []
    for t, attack, opponent_index, stars, destruction, kind in world.life.battles.get(m.tag, []):
        r = rng(world.seed, "battle", m.tag, t.isoformat())
        opponent = world.players[opponent_index]
        loot = [{"name": res, "amount": r.randint(0, 900_000 if res != "DarkElixir" else 9000)}
                for res in ("Gold", "Elixir", "DarkElixir")]
        items.append({
            "battleType": kind, "attack": attack,
            "armyShareCode": f"u{r.randint(1, 20)}x{r.randint(0, 40)}-s{r.randint(1, 3)}",
            "opponentPlayerTag": opponent.tag, "opponentName": opponent.name,
            "opponentTownHallLevel": opponent.th, "stars": stars,
            "destructionPercentage": destruction,
            "lootedResources": loot if attack else [],
            "extraLootedResources": [{"name": "Gold", "amount": r.randint(0, 50_000)}]
            if attack else [],
            "availableLoot": [{"name": x["name"], "amount": x["amount"] * 2} for x in loot],
            "battleTime": r.randint(45, 180), "battleTimestamp": fmt_time(t)})
    return items[::-1]
