"""Players: clan members, player profiles, their units (troops, heroes, spells, equipment,
pets, siege machines) and achievements.

Pure builders, JSON in, DataFrame out. They accept the bodies of ``/clans/{tag}/members``,
``/clans/{tag}`` (its ``memberList``) and ``/players/{tag}``; a field that is missing, null or
of the wrong type becomes NA, unknown fields are ignored, and an empty input gives an empty
frame with the usual columns.

Old captures (before the 2023 builder base update) send ``versusTrophies`` /
``bestVersusTrophies`` instead of ``builderBaseTrophies`` / ``bestBuilderBaseTrophies``; both
feed the ``builder_base_*`` columns. Captures from before the 2025 ranked system have
``league`` and no ``leagueTier``: the ``league_tier*`` columns are then NA, and the other way
round for ``league*`` in new captures.

The API lists pets and siege machines among ``troops``; :data:`PETS`, :data:`SIEGE_MACHINES`
and :data:`SUPER_TROOPS` (names of the home village) tell them apart in :func:`build_units`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import repeat
from typing import Any

import pandas as pd

from cocframes.frames._columns import (
    BOOL,
    FLOAT,
    INT,
    STRING,
    convert_list,
    documented,
)
from cocframes.frames._paths import build_from_paths, read_fields
from cocframes.frames._payload import objs
from cocframes.frames.specs import ACHIEVEMENTS, MEMBERS, PLAYERS, UNITS

__all__ = [
    "ACHIEVEMENTS",
    "MEMBERS",
    "PETS",
    "PLAYERS",
    "SIEGE_MACHINES",
    "SUPER_TROOPS",
    "UNITS",
    "build_achievements",
    "build_members",
    "build_players",
    "build_units",
]

# Names the API lists among a player's ``troops`` that are not ordinary troops.
PETS: frozenset[str] = frozenset({
    "L.A.S.S.I", "Electro Owl", "Mighty Yak", "Unicorn", "Frosty", "Diggy", "Poison Lizard",
    "Phoenix", "Spirit Fox", "Angry Jelly", "Sneezy",
})
SIEGE_MACHINES: frozenset[str] = frozenset({
    "Wall Wrecker", "Battle Blimp", "Stone Slammer", "Siege Barracks", "Log Launcher",
    "Flame Flinger", "Battle Drill", "Troop Launcher",
})
SUPER_TROOPS: frozenset[str] = frozenset({
    "Super Barbarian", "Super Archer", "Sneaky Goblin", "Super Wall Breaker", "Super Giant",
    "Rocket Balloon", "Super Wizard", "Super Dragon", "Inferno Dragon", "Super Minion",
    "Super Valkyrie", "Super Witch", "Ice Hound", "Super Bowler", "Super Miner",
    "Super Hog Rider", "Super Yeti",
})

# ------------------------------------------------------------------------------- members
# The league columns members and players share: column → path.
_LEAGUE_PATHS = {
    "league": "league.name", "league_id": "league.id",
    "league_tier": "leagueTier.name", "league_tier_id": "leagueTier.id",
    "builder_base_league": "builderBaseLeague.name",
    "builder_base_league_id": "builderBaseLeague.id",
}


_MEMBER_PATHS = {
    "tag": "tag", "name": "name", "role": "role", "town_hall": "townHallLevel",
    "exp_level": "expLevel", "trophies": "trophies", **_LEAGUE_PATHS,
    "clan_rank": "clanRank", "previous_clan_rank": "previousClanRank",
    "donations": "donations", "donations_received": "donationsReceived",
}


def _member_items(payload: Any) -> list[Mapping[str, Any]]:
    """The member objects of a members body, a clan body (its ``memberList``) or a list."""
    if isinstance(payload, Mapping):
        items = payload.get("items")
        if not isinstance(items, list):
            items = payload.get("memberList")
        return objs(items)
    return objs(payload)


def _members_frame(rows: list[Mapping[str, Any]], clan_tags: list[Any]) -> pd.DataFrame:
    return build_from_paths(MEMBERS, rows, _MEMBER_PATHS, computed={
        "clan_tag": clan_tags,
        "builder_base_trophies": [_first(m, "builderBaseTrophies", "versusTrophies")
                                  for m in rows],
    })


@documented(MEMBERS)
def build_members(payload: Mapping[str, Any] | Iterable[Any] | None,
                  clan_tag: str | None = None) -> pd.DataFrame:
    """Return one row per clan member.

    ``payload`` is the body of ``/clans/{tag}/members`` (``{"items": [...]}``), a clan body
    (its ``memberList`` is used and its ``tag`` fills ``clan_tag``), or a plain list of member
    objects. ``clan_tag`` fills ``clan_tag`` when the payload does not carry it.
    """
    if isinstance(payload, Mapping) and clan_tag is None and isinstance(payload.get("tag"), str):
        clan_tag = payload["tag"]
    rows = _member_items(payload)
    return _members_frame(rows, [clan_tag] * len(rows))


@documented(MEMBERS)
def build_clan_members(clans: Mapping[str, Any]) -> pd.DataFrame:
    """Return one row per member of every clan of ``clans`` (clan tag → its
    ``/clans/{tag}/members`` body, or a clan body), clan by clan in the order given."""
    rows: list[Mapping[str, Any]] = []
    tags: list[Any] = []
    for clan_tag, payload in clans.items():
        members = _member_items(payload)
        rows += members
        tags += [clan_tag] * len(members)
    return _members_frame(rows, tags)


# ------------------------------------------------------------------------------- players
@documented(PLAYERS)
def build_players(profiles: Iterable[Any] | Mapping[str, Any] | None) -> pd.DataFrame:
    """Return one row per player profile (bodies of ``/players/{tag}``; one body alone is
    accepted too)."""
    rows = _profiles(profiles)
    return build_from_paths(PLAYERS, rows, {
        "tag": "tag", "name": "name", "town_hall": "townHallLevel",
        "town_hall_weapon": "townHallWeaponLevel", "exp_level": "expLevel",
        "trophies": "trophies", "best_trophies": "bestTrophies",
        "legend_trophies": "legendStatistics.legendTrophies", "war_stars": "warStars",
        "attack_wins": "attackWins", "defense_wins": "defenseWins",
        "builder_hall": "builderHallLevel", "role": "role", "war_preference": "warPreference",
        "donations": "donations", "donations_received": "donationsReceived",
        "clan_capital_contributions": "clanCapitalContributions",
        "clan_tag": "clan.tag", "clan_name": "clan.name", "clan_level": "clan.clanLevel",
        **_LEAGUE_PATHS,
        "current_league_group_tag": "currentLeagueGroupTag",
        "current_league_season_id": "currentLeagueSeasonId",
        "previous_league_group_tag": "previousLeagueGroupTag",
        "previous_league_season_id": "previousLeagueSeasonId",
    }, computed={
        "builder_base_trophies": [_first(p, "builderBaseTrophies", "versusTrophies")
                                  for p in rows],
        "best_builder_base_trophies": [_first(p, "bestBuilderBaseTrophies", "bestVersusTrophies")
                                       for p in rows],
        "labels": [_label_names(p.get("labels")) for p in rows],
        "heroes": [len(objs(p.get("heroes"))) for p in rows],
        "hero_equipment": [len(objs(p.get("heroEquipment"))) for p in rows],
        "pets": [sum(_name(t) in PETS for t in objs(p.get("troops"))) for p in rows],
    })


# --------------------------------------------------------------------------------- units
# payload key → kind of its items (troops are split further by name)
_UNIT_LISTS = (("troops", "troop"), ("heroes", "hero"), ("spells", "spell"),
               ("heroEquipment", "hero_equipment"))


# troop name → its kind where not "troop"
_TROOP_KINDS: dict[str, str] = {**dict.fromkeys(SUPER_TROOPS, "super_troop"),
                                **dict.fromkeys(SIEGE_MACHINES, "siege_machine"),
                                **dict.fromkeys(PETS, "pet")}


# every kind, sorted as the categories of the kind column are; and troop name → kind code
_KINDS = sorted({base for _, base in _UNIT_LISTS} | set(_TROOP_KINDS.values()))
_KIND_CODES = {kind: code for code, kind in enumerate(_KINDS)}
_TROOP_CODES = {name: _KIND_CODES[kind] for name, kind in _TROOP_KINDS.items()}
_TROOP_CODE = _KIND_CODES["troop"]


def _unit_lists(players: list[Mapping[str, Any]], pick: Any
                ) -> tuple[list[Mapping[str, Any]], list[tuple[int, str, int]]]:
    """Return every unit of ``players`` in order, and the runs they came in: (player index,
    base kind, count) per unit list; ``pick`` turns a list's value into its items."""
    units: list[Mapping[str, Any]] = []
    runs: list[tuple[int, str, int]] = []
    for i, p in enumerate(players):
        for key, base in _UNIT_LISTS:
            items = pick(p.get(key))
            if items:
                units += items
                runs.append((i, base, len(items)))
    return units, runs


def _listed(value: Any) -> Any:
    return value if isinstance(value, (list, tuple)) else ()


def _troop_kind(name: Any) -> str:
    return _TROOP_KINDS.get(name, "troop") if isinstance(name, str) else "troop"


@documented(UNITS)
def build_units(profiles: Iterable[Any] | Mapping[str, Any] | None) -> pd.DataFrame:
    """Return one row per player × unit from player profiles (bodies of ``/players/{tag}``;
    one body alone is accepted too).

    ``kind`` splits the API's ``troops`` into troop, super_troop, pet and siege_machine by
    name (:data:`SUPER_TROOPS`, :data:`PETS`, :data:`SIEGE_MACHINES`). The equipment listed
    inside each hero is not repeated: it sets ``equipment_hero`` / ``equipped`` of the
    matching ``heroEquipment`` row.
    """
    import numpy as np

    players = _profiles(profiles)
    units, runs = _unit_lists(players, _listed)
    if not set(map(type, units)) <= {dict}:  # a list item that is not an object: drop it
        units, runs = _unit_lists(players, objs)
    if not units:
        return UNITS.empty()
    n = len(units)
    names, village, level, max_level, super_active = read_fields(
        units, ["name", "village", "level", "maxLevel", "superTroopIsActive"])
    counts = [count for _, _, count in runs]
    owner = np.repeat(np.array([i for i, _, _ in runs], dtype=np.intp), counts)
    kind, equipment_hero, equipped = _kinds_and_wearers(players, runs, names)

    df = UNITS.build({
        "player_tag": _per_row(players, "tag", STRING, owner),
        "player_name": _per_row(players, "name", STRING, owner),
        "player_town_hall": _per_row(players, "townHallLevel", INT, owner),
        "kind": kind,
        "name": names,
        "village": village,
        "level": level,
        "max_level": max_level,
        "super_troop_active": super_active,
        "equipment_hero": equipment_hero,
        "equipped": equipped,
    }, length=n)
    level_now = df["level"].to_numpy(dtype="float64", na_value=np.nan)
    level_max = df["max_level"].to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        ratio = level_now / np.where(level_max > 0, level_max, np.nan)
    df["progress"] = pd.array(ratio, dtype=FLOAT)  # NaN (a level missing, max 0) → NA
    return df


def _per_row(players: list[Mapping[str, Any]], key: str, dtype: str, owner: Any) -> Any:
    """Return the players' values of ``key`` as a column of ``dtype`` with one value per row,
    ``owner`` giving each row's player (index into ``players``)."""
    return convert_list([p.get(key) for p in players], dtype).array.take(owner)


def _kinds_and_wearers(players: list[Mapping[str, Any]], runs: list[tuple[int, str, int]],
                       names: Any) -> tuple[Any, Any, Any]:
    """Return the ``kind``, ``equipment_hero`` and ``equipped`` columns of the units read in
    ``runs`` (see :func:`_unit_lists`), whose names are ``names``."""
    import numpy as np

    n = len(names)
    counts = [count for _, _, count in runs]
    kind = np.repeat(np.array([_KIND_CODES[base] for _, base, _ in runs], dtype=np.int8), counts)
    equipment_hero = np.full(n, None, dtype=object)
    equipped, not_equipment = np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
    start = 0
    for i, base, count in runs:
        stop = start + count
        segment = names[start:stop]
        if base == "troop":
            try:
                kind[start:stop] = list(map(_TROOP_CODES.get, segment, repeat(_TROOP_CODE)))
            except TypeError:  # an unhashable name (a list where text belongs)
                kind[start:stop] = [_KIND_CODES[_troop_kind(v)] for v in segment]
        elif base == "hero_equipment":
            wearer = _wearers(players[i].get("heroes"))
            try:  # a name that is not text finds nothing: wearers are keyed by text
                worn = list(map(wearer.get, segment))
            except TypeError:  # an unhashable name
                worn = [wearer.get(v) if isinstance(v, str) else None for v in segment]
            equipment_hero[start:stop] = worn
            equipped[start:stop] = [w is not None for w in worn]
            not_equipment[start:stop] = False
        start = stop
    kinds = pd.Categorical.from_codes(kind, categories=_KINDS).remove_unused_categories()
    return kinds, equipment_hero, pd.arrays.BooleanArray(equipped, mask=not_equipment)


def _wearers(heroes: Any) -> dict[str, Any]:
    """Return equipment name → name of the hero that has it equipped (first hero wins)."""
    out: dict[str, Any] = {}
    for hero in objs(heroes):
        hero_name = _name(hero)
        for eq in objs(hero.get("equipment")):
            if isinstance(eq_name := eq.get("name"), str) and eq_name not in out:
                out[eq_name] = hero_name
    return out


# --------------------------------------------------------------------------- achievements
@documented(ACHIEVEMENTS)
def build_achievements(profiles: Iterable[Any] | Mapping[str, Any] | None) -> pd.DataFrame:
    """Return one row per player × achievement from player profiles (bodies of
    ``/players/{tag}``; one body alone is accepted too)."""
    import numpy as np

    players = _profiles(profiles)
    lists = [objs(p.get("achievements")) for p in players]
    rows = [a for items in lists for a in items]
    owner = np.repeat(np.arange(len(players), dtype=np.intp), [len(items) for items in lists])
    name, stars, value, target, info, completion, village = read_fields(
        rows, ["name", "stars", "value", "target", "info", "completionInfo", "village"])
    df = ACHIEVEMENTS.build({
        "player_tag": _per_row(players, "tag", STRING, owner),
        "player_name": _per_row(players, "name", STRING, owner),
        "name": name,
        "stars": stars,
        "value": value,
        "target": target,
        "info": info,
        "completion_info": completion,
        "village": village,
    }, length=len(rows))
    df["completed"] = df["stars"].eq(3).astype(BOOL)
    return df


# -------------------------------------------------------------------------------- helpers




def _profiles(profiles: Any) -> list[Mapping[str, Any]]:
    if isinstance(profiles, Mapping):
        return [profiles]
    if not isinstance(profiles, Iterable) or isinstance(profiles, (str, bytes)):
        return []
    return objs(list(profiles))


def _name(item: Mapping[str, Any]) -> str | None:
    name = item.get("name")
    return name if isinstance(name, str) else None


def _first(item: Mapping[str, Any], *keys: str) -> Any:
    """Return the first of ``keys`` whose value is a number (bools excluded), else None."""
    for key in keys:
        value = item.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
    return None


def _label_names(labels: Any) -> str | None:
    names = [n for n in (_name(x) for x in objs(labels)) if n]
    return ", ".join(names) if names else None
