"""Pure comparisons of two API snapshots of one thing, as :class:`~cocframes.tracking.kinds.Change`
records.

Each ``diff_*`` function takes the previous and the current JSON payload of one clan, player,
war or CWL group and returns what changed, in the conventions of the kinds table (kind, clan,
player, field, old, new). Nothing here does I/O.

Missing keys are tolerated: a field missing from either snapshot is not compared, since the
API hides fields (a private war log has no losses) and older or partial payloads lack some.
The exceptions are the fields whose absence means something: a player's clan and role (none
when clanless) and a league (none when unranked), reported with ``None`` on the missing side.
Builder base values fall back to their old ``versus`` spelling. A unit, equipment or
achievement missing from the new snapshot is not reported (only unlocks and level-ups are).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from cocframes.tracking.kinds import Change

__all__ = [
    "diff_clan",
    "diff_league_group",
    "diff_player",
    "diff_war",
    "member_changes",
    "war_id",
]

Payload = Mapping[str, Any]
Getter = Callable[[Payload], Any]

#: The war tag of a CWL round that is not played yet.
_NO_WAR = "#0"
_BUILDER_BASE = "builderBase"


# ----------------------------------------------------------------- value getters
def _key(name: str, *fallbacks: str) -> Getter:
    """Return a getter of the first of ``name``, ``fallbacks`` present in a payload."""
    def get(d: Payload) -> Any:
        for k in (name, *fallbacks):
            if k in d:
                return d[k]
        return None
    return get


def _name_of(name: str) -> Getter:
    """Return a getter of the ``name`` of the object at key ``name`` (a location, a league)."""
    def get(d: Payload) -> Any:
        value = d.get(name)
        return value.get("name") if isinstance(value, Mapping) else None
    return get


def _league_name(d: Payload) -> str | None:
    """Return the league name of a member entry or profile: ``league``, else ``leagueTier``."""
    return _name_of("league")(d) if "league" in d else _name_of("leagueTier")(d)


def _label_names(d: Payload) -> list[str] | None:
    """Return the sorted label names, or None when the payload has no ``labels``."""
    if "labels" not in d:
        return None
    return sorted(label.get("name", "") for label in d.get("labels") or [])


def _badge(d: Payload) -> str | None:
    """Return the clan's large badge URL."""
    return (d.get("badgeUrls") or {}).get("large")


def _clan_tag(d: Payload) -> str | None:
    """Return the tag of a player's clan, or None when clanless."""
    return (d.get("clan") or {}).get("tag")


# (kind, field, getter): compared only when both snapshots have the field, except these.
Field = tuple[str, str, Getter]
_ABSENCE_MEANS_NONE = frozenset({"role", "league"})

_CLAN_FIELDS: tuple[Field, ...] = (
    ("clan_name", "name", _key("name")),
    ("clan_level", "clanLevel", _key("clanLevel")),
    ("clan_description", "description", _key("description")),
    ("clan_badge", "badgeUrls", _badge),
    ("clan_settings", "type", _key("type")),
    ("clan_settings", "requiredTrophies", _key("requiredTrophies")),
    ("clan_settings", "requiredTownhallLevel", _key("requiredTownhallLevel")),
    ("clan_settings", "requiredBuilderBaseTrophies",
     _key("requiredBuilderBaseTrophies", "requiredVersusTrophies")),
    ("clan_settings", "warFrequency", _key("warFrequency")),
    ("clan_settings", "location", _name_of("location")),
    ("clan_settings", "chatLanguage", _name_of("chatLanguage")),
    ("clan_settings", "isFamilyFriendly", _key("isFamilyFriendly")),
    ("clan_war_log_visibility", "isWarLogPublic", _key("isWarLogPublic")),
    ("clan_labels", "labels", _label_names),
    ("clan_war_record", "warWins", _key("warWins")),
    ("clan_war_record", "warLosses", _key("warLosses")),
    ("clan_war_record", "warTies", _key("warTies")),
    ("clan_war_record", "warWinStreak", _key("warWinStreak")),
    ("clan_war_league", "warLeague", _name_of("warLeague")),
    ("clan_war_league", "capitalLeague", _name_of("capitalLeague")),
    ("clan_points", "clanPoints", _key("clanPoints")),
    ("clan_points", "clanBuilderBasePoints",
     _key("clanBuilderBasePoints", "clanVersusPoints")),
    ("clan_points", "clanCapitalPoints", _key("clanCapitalPoints")),
)

# The member-list fields, shared by member_* kinds and by the eight player_* kinds (kind suffix
# first).
_MEMBER_FIELDS: tuple[Field, ...] = (
    ("name", "name", _key("name")),
    ("role", "role", _key("role")),
    ("trophies", "trophies", _key("trophies")),
    ("builder_base_trophies", "builderBaseTrophies",
     _key("builderBaseTrophies", "versusTrophies")),
    ("level", "expLevel", _key("expLevel")),
    ("league", "league", _league_name),
    ("donations", "donations", _key("donations")),
    ("received", "donationsReceived", _key("donationsReceived")),
)
_MEMBER_KIND_FIELDS: tuple[Field, ...] = tuple(
    (f"member_{suffix}", field, get) for suffix, field, get in _MEMBER_FIELDS)
_PLAYER_MEMBER_FIELDS: tuple[Field, ...] = tuple(
    (f"player_{suffix}", field, get) for suffix, field, get in _MEMBER_FIELDS)

_PLAYER_FIELDS: tuple[Field, ...] = (
    ("player_war_stars", "warStars", _key("warStars")),
    ("player_attack_wins", "attackWins", _key("attackWins")),
    ("player_defense_wins", "defenseWins", _key("defenseWins")),
    ("player_best_trophies", "bestTrophies", _key("bestTrophies")),
    ("player_capital_contributions", "clanCapitalContributions",
     _key("clanCapitalContributions")),
    ("player_labels", "labels", _label_names),
    ("player_war_preference", "warPreference", _key("warPreference")),
)

# Levels: reported when the new snapshot has one that differs (an unlock is None -> level).
_PLAYER_LEVELS: tuple[tuple[str, str], ...] = (
    ("player_town_hall", "townHallLevel"),
    ("player_town_hall", "townHallWeaponLevel"),
    ("player_builder_hall", "builderHallLevel"),
)

# What a member-list entry shows that a profile refetch would update.
_PROFILE_GETTERS: tuple[Getter, ...] = (
    *(get for _, _, get in _MEMBER_FIELDS),
    _name_of("leagueTier"),
    _key("townHallLevel"),
)


def _compare(fields: Iterable[Field], old: Payload, new: Payload, clan: str | None,
             player: str | None = None) -> list[Change]:
    """Return one Change per field whose value differs between ``old`` and ``new``."""
    changes = []
    for kind, field, get in fields:
        before, after = get(old), get(new)
        if (before is None or after is None) and field not in _ABSENCE_MEANS_NONE:
            continue
        if before != after:
            changes.append(Change(kind, clan, player, field, before, after))
    return changes


# ----------------------------------------------------------------- clans
def diff_clan(old: Payload | None, new: Payload) -> list[Change]:
    """Return the clan_* and member_* changes from ``old`` to ``new`` (``/clans/{tag}``).

    ``old`` None (the clan's first sighting) gives ``[]``: the snapshot is a baseline. Member
    events need a ``memberList`` in both snapshots; joins and leaves come from its tag sets.
    """
    if old is None:
        return []
    clan = new.get("tag") or old.get("tag")
    changes = _compare(_CLAN_FIELDS, old, new, clan)
    changes += _capital_changes(old, new, clan)
    if "memberList" in old and "memberList" in new:
        changes += _member_list_changes(_members(old), _members(new), clan)
    return changes


def _capital_levels(clan: Payload) -> dict[str, Any]:
    """Return ``capitalHallLevel`` and ``district:<name>`` -> level of a clan's capital."""
    capital = clan.get("clanCapital") or {}
    levels = {}
    if "capitalHallLevel" in capital:
        levels["capitalHallLevel"] = capital["capitalHallLevel"]
    for district in capital.get("districts") or []:
        levels[f"district:{district.get('name')}"] = district.get("districtHallLevel")
    return levels


def _capital_changes(old: Payload, new: Payload, clan: str | None) -> list[Change]:
    """Return the clan_capital changes: the capital hall's and each district's level."""
    if "clanCapital" not in old:
        return []
    before, after = _capital_levels(old), _capital_levels(new)
    return [Change("clan_capital", clan, None, field, before.get(field), level)
            for field, level in after.items() if level != before.get(field)]


def _members(clan: Payload) -> dict[str, Payload]:
    """Return the member-list entries of a clan by tag, in list order."""
    return {m["tag"]: m for m in clan.get("memberList") or [] if m.get("tag")}


def _member_list_changes(old: dict[str, Payload], new: dict[str, Payload],
                         clan: str | None) -> list[Change]:
    """Return leaves, then joins, then the updates of members in both lists."""
    changes = [Change("member_left", clan, tag, None, entry.get("name"), None)
               for tag, entry in old.items() if tag not in new]
    changes += [Change("member_joined", clan, tag, None, None, entry.get("name"))
                for tag, entry in new.items() if tag not in old]
    for tag, entry in new.items():
        if tag in old:
            changes += _compare(_MEMBER_KIND_FIELDS, old[tag], entry, clan, tag)
    return changes


def member_changes(old_clan: Payload | None, new_clan: Payload) -> set[str]:
    """Return the tags of members whose profile is worth refetching.

    These are the members whose entry changed in a field a profile also shows (name, role,
    level, league or league tier, trophies, builder base trophies, donations, received, town
    hall level), plus the joiners. Rank changes alone do not count. With no previous member
    list (``old_clan`` None or without ``memberList``) every member is new to us: all tags.
    """
    new = _members(new_clan)
    if old_clan is None or "memberList" not in old_clan:
        return set(new)
    old = _members(old_clan)
    return {tag for tag, entry in new.items()
            if tag not in old or (old[tag] != entry and any(
                get(old[tag]) != get(entry) for get in _PROFILE_GETTERS))}


# ----------------------------------------------------------------- players
def diff_player(old: Payload | None, new: Payload, *, member_fields: bool = True,
                pets: Collection[str] = ()) -> list[Change]:
    """Return the player_* changes from ``old`` to ``new`` (``/players/{tag}``).

    Args:
        old: the previous profile; None (first sighting) gives ``[]``.
        new: the current profile.
        member_fields: False for a member of a watched clan: the eight fields the member list
            also shows (name, role, trophies, builder base trophies, level, league, donations,
            received) are then left to the member_* kinds.
        pets: names of the home village ``troops`` that are pets (reported as
            player_pet_level); by default every troop is reported as a troop.
    """
    if old is None:
        return []
    player, clan = new.get("tag") or old.get("tag"), _clan_tag(new)
    changes = _level_changes(old, new, clan, player)
    changes += _unit_changes(old, new, clan, player, frozenset(pets))
    changes += _active_equipment_changes(old, new, clan, player)
    changes += _achievement_changes(old, new, clan, player)
    changes += _compare(_PLAYER_FIELDS, old, new, clan, player)
    if _clan_tag(old) != clan:
        changes.append(Change("player_clan", clan, player, "clan", _clan_tag(old), clan))
    if member_fields:
        changes += _compare(_PLAYER_MEMBER_FIELDS, old, new, clan, player)
    return changes


def _level_changes(old: Payload, new: Payload, clan: str | None,
                   player: str | None) -> list[Change]:
    """Return the town hall, town hall weapon and builder hall level changes."""
    return [Change(kind, clan, player, field, old.get(field), new[field])
            for kind, field in _PLAYER_LEVELS
            if new.get(field) is not None and new[field] != old.get(field)]


def _unit_kind(list_key: str, unit: Payload, pets: frozenset[str]) -> str:
    """Return the level kind of one entry of a profile's unit list ``list_key``."""
    if list_key == "troops":
        home = unit.get("village") != _BUILDER_BASE
        return "player_pet_level" if home and unit.get("name") in pets else "player_troop_level"
    return {"spells": "player_spell_level", "heroes": "player_hero_level",
            "heroEquipment": "player_equipment_level"}[list_key]


def _unit_field(unit: Payload) -> str:
    """Return the field naming a unit: its name, with `` (builder base)`` for that village."""
    name = str(unit.get("name"))
    return f"{name} (builder base)" if unit.get("village") == _BUILDER_BASE else name


def _unit_levels(player: Payload, pets: frozenset[str]) -> dict[tuple[str, str], Any]:
    """Return (kind, field) -> level for every troop, pet, spell, hero and equipment."""
    return {(_unit_kind(key, unit, pets), _unit_field(unit)): unit.get("level")
            for key in ("troops", "spells", "heroes", "heroEquipment")
            for unit in player.get(key) or []}


def _unit_changes(old: Payload, new: Payload, clan: str | None, player: str | None,
                  pets: frozenset[str]) -> list[Change]:
    """Return the unit level changes; a newly unlocked unit is None -> level."""
    if all(old.get(key) == new.get(key) for key in ("troops", "spells", "heroes",
                                                     "heroEquipment")):
        return []  # the common case: no unit changed
    before, after = _unit_levels(old, pets), _unit_levels(new, pets)
    return [Change(kind, clan, player, field, before.get((kind, field)), level)
            for (kind, field), level in after.items()
            if level is not None and level != before.get((kind, field))]


def _equipped(player: Payload) -> dict[str, list[str]]:
    """Return hero name -> sorted names of the equipment it wears."""
    return {str(hero.get("name")): sorted(e.get("name", "") for e in hero.get("equipment") or [])
            for hero in player.get("heroes") or []}


def _active_equipment_changes(old: Payload, new: Payload, clan: str | None,
                              player: str | None) -> list[Change]:
    """Return the heroes whose equipped items changed (heroes in both snapshots).

    Profiles from before hero equipment existed (no ``heroEquipment``) are not compared.
    """
    if "heroEquipment" not in old or "heroEquipment" not in new:
        return []
    before, after = _equipped(old), _equipped(new)
    return [Change("player_active_equipment", clan, player, hero, before[hero], items)
            for hero, items in after.items() if hero in before and before[hero] != items]


def _achievement_values(player: Payload) -> dict[tuple[Any, Any], Any]:
    """Return (name, info) -> value of a profile's achievements.

    The info tells apart achievements of the same name ("Keep Your Account Safe!" is two).
    """
    return {(a.get("name"), a.get("info")): a.get("value")
            for a in player.get("achievements") or []}


def _achievement_changes(old: Payload, new: Payload, clan: str | None,
                         player: str | None) -> list[Change]:
    """Return one Change per achievement (in both snapshots) whose ``value`` changed."""
    before = _achievement_values(old)
    return [Change("player_achievement", clan, player, name, before[name, info], value)
            for (name, info), value in _achievement_values(new).items()
            if (name, info) in before and value != before[name, info]]


# ----------------------------------------------------------------- wars
def war_id(war: Payload) -> str | None:
    """Return a war's identity: both clan tags sorted, and its preparation start time.

    E.g. ``"#AAA|#BBB|20250628T083911.000Z"``; None for ``notInWar`` or when a tag or the
    preparation start time is missing.
    """
    if war.get("state") == "notInWar":
        return None
    tags = [(war.get(side) or {}).get("tag") for side in ("clan", "opponent")]
    start = war.get("preparationStartTime")
    if not all(tags) or not start:
        return None
    return "|".join([*sorted(tags), start])


def diff_war(old: Payload | None, new: Payload, clan_tag: str) -> list[Change]:
    """Return the war_* changes from ``old`` to ``new`` (a current war or a CWL war).

    ``clan_tag`` is the watched clan, on either side; war_new and war_state name the war by
    its :func:`war_id` in ``field``. A war not seen before (``old`` None,
    ``notInWar`` or another war) gives war_new and every attack it already has; the same war
    gives war_state when its state changed and its new attacks. ``notInWar`` gives ``[]``.

    Raises:
        ValueError: ``clan_tag`` is neither side of ``new``.
    """
    identity = war_id(new)
    if identity is None:
        return []
    opponent = _opponent_tag(new, clan_tag)
    if old is None or war_id(old) != identity:
        return [Change("war_new", clan_tag, None, identity, None, opponent),
                *_attack_changes(set(), new)]
    changes = []
    if old.get("state") != new.get("state"):
        changes.append(Change("war_state", clan_tag, None, identity, old.get("state"),
                              new.get("state")))
    return changes + _attack_changes(set(_attacks(old)), new)


def _opponent_tag(war: Payload, clan_tag: str) -> str:
    """Return the tag of the side of ``war`` that is not ``clan_tag``."""
    tags = [war["clan"]["tag"], war["opponent"]["tag"]]
    watched = clan_tag.strip().upper()
    if watched not in tags:
        raise ValueError(f"clan {clan_tag!r} is not in the war between {tags[0]} and {tags[1]}")
    return tags[1] if tags[0] == watched else tags[0]


def _attacks(war: Payload) -> dict[tuple[Any, Any, Any], tuple[str, Payload]]:
    """Return (attacker, defender, order) -> (the attacker's clan tag, the attack)."""
    found = {}
    for side in ("clan", "opponent"):
        team = war.get(side) or {}
        for member in team.get("members") or []:
            for attack in member.get("attacks") or []:
                key = (attack.get("attackerTag"), attack.get("defenderTag"), attack.get("order"))
                found[key] = (team.get("tag"), attack)
    return found


def _attack_changes(seen: set[tuple[Any, Any, Any]], war: Payload) -> list[Change]:
    """Return a war_attack per attack of ``war`` not in ``seen``, in attack order."""
    new = [(key, clan, attack) for key, (clan, attack) in _attacks(war).items()
           if key not in seen]
    new.sort(key=lambda item: (item[0][2] is None, item[0][2] or 0))
    return [Change("war_attack", clan, attack.get("attackerTag"), attack.get("defenderTag"),
                   None, attack.get("stars"))
            for _, clan, attack in new]


# ----------------------------------------------------------------- CWL groups
def _published_rounds(group: Payload | None) -> dict[str, list[str]]:
    """Return round number ("1".."7") -> war tags, for the rounds with real war tags."""
    rounds = (group or {}).get("rounds") or []
    return {str(number): list(r.get("warTags") or [])
            for number, r in enumerate(rounds, start=1)
            if any(tag != _NO_WAR for tag in r.get("warTags") or [])}


def diff_league_group(old: Payload | None, new: Payload, clan_tag: str) -> list[Change]:
    """Return a cwl_round per round whose war tags were published since ``old``.

    A round is published when its ``warTags`` are not all ``"#0"``. A group not seen before
    (``old`` None or of another season) has all its published rounds reported: they are new
    to us, as a new war's attacks are.
    """
    if old is not None and old.get("season") != new.get("season"):
        old = None
    before = _published_rounds(old)
    return [Change("cwl_round", clan_tag, None, number, None, tags)
            for number, tags in _published_rounds(new).items() if number not in before]
