"""The history's snapshot comparisons (:mod:`cocframes.tracking.diff`): each test changes one
thing in a copy of a real or demo payload and checks the exact Change records that come out."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from cocframes.frames.players import PETS
from cocframes.tracking.diff import (
    diff_clan,
    diff_league_group,
    diff_player,
    diff_war,
    member_changes,
    war_id,
)
from cocframes.tracking.kinds import Change, kinds_of


def _get(world, path: str) -> dict:
    """Return the demo world's JSON answer to GET ``path`` (a ``#`` in it is encoded)."""
    answer = world.handle("GET", path.replace("#", "%23"))
    assert answer.status == 200, answer.body
    return answer.body


@pytest.fixture(params=["real", "demo"])
def source(request, real_payloads, world) -> dict:
    """The payloads of one source: clan, player, war, cwl_war, group, and the clan's tag."""
    if request.param == "real":
        bodies = {k: v["body"] for k, v in real_payloads.items()}
        return {"clan": bodies["clan"], "player": bodies["player"],
                "war": bodies["currentwar_inwar"], "cwl_war": bodies["clanwarleagues_war"],
                "group": bodies["leaguegroup"], "tag": bodies["clan"]["tag"]}
    tag = world.clan_tag
    clan = _get(world, f"/clans/{tag}")
    group = _get(world, f"/clans/{tag}/currentwar/leaguegroup")
    return {"clan": clan, "player": _get(world, f"/players/{clan['memberList'][0]['tag']}"),
            "war": _get(world, f"/clans/{tag}/currentwar"),
            "cwl_war": _get(world, f"/clanwarleagues/wars/{group['rounds'][0]['warTags'][0]}"),
            "group": group, "tag": tag}


def _real(real_payloads, stem: str) -> dict:
    """Return a deep copy of the body of one recorded response."""
    return copy.deepcopy(real_payloads[stem]["body"])


# ----------------------------------------------------------------- clan cases
# Each case takes a copy of a clan and returns (changed copy, expected changes).
ClanCase = Callable[[dict], tuple[dict, list[Change]]]


def _clan_field(kind: str, field: str, value, shown=None) -> ClanCase:
    """A case setting the clan's ``field`` to ``value`` (``shown``: the Change's values)."""
    def case(old: dict) -> tuple[dict, list[Change]]:
        new = copy.deepcopy(old)
        new[field] = value
        before, after = (shown(old), shown(new)) if shown else (old.get(field), value)
        return new, [Change(kind, old["tag"], None, field, before, after)]
    return case


def _name(key: str):
    return lambda d: (d.get(key) or {}).get("name")


def _plus(kind: str, field: str, by: int = 1) -> ClanCase:
    """A case raising the clan's counter ``field`` by ``by``."""
    def case(old: dict) -> tuple[dict, list[Change]]:
        return _clan_field(kind, field, old[field] + by)(old)
    return case


def _badge(old: dict):
    new = copy.deepcopy(old)
    new["badgeUrls"]["large"] = "https://example.invalid/badge.png"
    return new, [Change("clan_badge", old["tag"], None, "badgeUrls", old["badgeUrls"]["large"],
                        "https://example.invalid/badge.png")]


def _labels(old: dict):
    new = copy.deepcopy(old)
    new["labels"] = old["labels"][1:]
    names = sorted(label["name"] for label in old["labels"])
    return new, [Change("clan_labels", old["tag"], None, "labels", names,
                        sorted(label["name"] for label in new["labels"]))]


def _capital_hall(old: dict):
    new = copy.deepcopy(old)
    level = old["clanCapital"]["capitalHallLevel"]
    new["clanCapital"]["capitalHallLevel"] = level + 1
    return new, [Change("clan_capital", old["tag"], None, "capitalHallLevel", level, level + 1)]


def _district(old: dict):
    new = copy.deepcopy(old)
    district = new["clanCapital"]["districts"][1]
    district["districtHallLevel"] += 1
    return new, [Change("clan_capital", old["tag"], None, f"district:{district['name']}",
                        district["districtHallLevel"] - 1, district["districtHallLevel"])]


def _member_leaves(old: dict):
    new = copy.deepcopy(old)
    gone = new["memberList"].pop(3)
    return new, [Change("member_left", old["tag"], gone["tag"], None, gone["name"], None)]


def _member_joins(old: dict):
    new = copy.deepcopy(old)
    joiner = dict(copy.deepcopy(old["memberList"][0]), tag="#JOINER0", name="Newcomer")
    new["memberList"].append(joiner)
    return new, [Change("member_joined", old["tag"], "#JOINER0", None, None, "Newcomer")]


def _member_field(kind: str, field: str, value: Callable) -> ClanCase:
    """A case setting the 3rd member's ``field`` to ``value(old value)``."""
    def case(old: dict) -> tuple[dict, list[Change]]:
        new = copy.deepcopy(old)
        entry = new["memberList"][2]
        before = entry[field]
        entry[field] = value(before)
        return new, [Change(kind, old["tag"], entry["tag"], field, before, entry[field])]
    return case


def _member_donations_reset(old: dict):
    new = copy.deepcopy(old)
    entry = next(e for e in new["memberList"] if e["donations"] > 0)
    before, entry["donations"] = entry["donations"], 0
    return new, [Change("member_donations", old["tag"], entry["tag"], "donations", before, 0)]


def _member_league(old: dict):
    new = copy.deepcopy(old)
    entry = new["memberList"][2]
    before = entry["league"]["name"]
    entry["league"] = {"id": 1, "name": "Test League"}
    return new, [Change("member_league", old["tag"], entry["tag"], "league", before,
                        "Test League")]


def _other(value):
    """A value of the same type that differs from ``value``."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 7
    return {"member": "admin", "admin": "coLeader"}.get(value, f"{value} (changed)")


CLAN_CASES: dict[str, ClanCase] = {
    "name": _clan_field("clan_name", "name", "Renamed Clan"),
    "level": _plus("clan_level", "clanLevel"),
    "description": _clan_field("clan_description", "description", "New words"),
    "badge": _badge,
    "type": _clan_field("clan_settings", "type", "inviteOnly"),
    "required_trophies": _plus("clan_settings", "requiredTrophies", 200),
    "required_town_hall": _plus("clan_settings", "requiredTownhallLevel"),
    "required_bb_trophies": _plus("clan_settings", "requiredBuilderBaseTrophies", 100),
    "war_frequency": _clan_field("clan_settings", "warFrequency", "never"),
    "location": _clan_field("clan_settings", "location", {"id": 1, "name": "Atlantis"},
                            _name("location")),
    "chat_language": _clan_field("clan_settings", "chatLanguage", {"id": 2, "name": "Latin"},
                                 _name("chatLanguage")),
    "family_friendly": lambda c: _clan_field("clan_settings", "isFamilyFriendly",
                                             not c["isFamilyFriendly"])(c),
    "war_log": lambda c: _clan_field("clan_war_log_visibility", "isWarLogPublic",
                                     not c["isWarLogPublic"])(c),
    "labels": _labels,
    "capital_hall": _capital_hall,
    "district": _district,
    "war_wins": _plus("clan_war_record", "warWins"),
    "war_win_streak": _plus("clan_war_record", "warWinStreak"),
    "war_league": _clan_field("clan_war_league", "warLeague", {"id": 3, "name": "Champion I"},
                              _name("warLeague")),
    "capital_league": _clan_field("clan_war_league", "capitalLeague", {"id": 4, "name": "X"},
                                  _name("capitalLeague")),
    "clan_points": _plus("clan_points", "clanPoints", 40),
    "builder_base_points": _plus("clan_points", "clanBuilderBasePoints", 40),
    "capital_points": _plus("clan_points", "clanCapitalPoints", 40),
    "member_left": _member_leaves,
    "member_joined": _member_joins,
    "member_role": _member_field("member_role", "role", _other),
    "member_name": _member_field("member_name", "name", _other),
    "member_donations": _member_field("member_donations", "donations", _other),
    "member_received": _member_field("member_received", "donationsReceived", _other),
    "member_trophies": _member_field("member_trophies", "trophies", _other),
    "member_builder_base_trophies": _member_field("member_builder_base_trophies",
                                                  "builderBaseTrophies", _other),
    "member_level": _member_field("member_level", "expLevel", _other),
    "member_donations_reset": _member_donations_reset,
    "member_league": _member_league,
}


@pytest.mark.parametrize("case", CLAN_CASES, ids=str)
def test_one_clan_change_gives_exactly_its_change(source, case):
    old = copy.deepcopy(source["clan"])
    new, expected = CLAN_CASES[case](old)
    assert diff_clan(old, new) == expected


def test_an_unchanged_clan_gives_nothing_and_a_first_sighting_is_a_baseline(source):
    clan = source["clan"]
    assert diff_clan(clan, copy.deepcopy(clan)) == []
    assert diff_clan(None, clan) == []


def test_reordered_members_give_nothing(source):
    new = copy.deepcopy(source["clan"])
    new["memberList"].reverse()
    for rank, entry in enumerate(new["memberList"], start=1):
        entry["clanRank"] = rank
    assert diff_clan(source["clan"], new) == []


def test_a_leave_and_a_rejoin_are_one_leave_then_one_join(source):
    first = copy.deepcopy(source["clan"])
    second = copy.deepcopy(first)
    gone = second["memberList"].pop(5)
    third = copy.deepcopy(second)
    third["memberList"].append(copy.deepcopy(gone))
    tag, clan = gone["tag"], first["tag"]
    assert diff_clan(first, second) + diff_clan(second, third) == [
        Change("member_left", clan, tag, None, gone["name"], None),
        Change("member_joined", clan, tag, None, None, gone["name"]),
    ]


def test_member_league_falls_back_to_the_league_tier(real_payloads):
    old = _real(real_payloads, "clan")
    for entry in old["memberList"]:
        entry.pop("league")
        entry["leagueTier"] = {"id": 1, "name": "Electro League 33"}
    new = copy.deepcopy(old)
    new["memberList"][0]["leagueTier"] = {"id": 2, "name": "Dragon League 30"}
    assert diff_clan(old, new) == [
        Change("member_league", old["tag"], old["memberList"][0]["tag"], "league",
               "Electro League 33", "Dragon League 30")]


def test_old_clan_shapes_do_not_crash_and_versus_spellings_match(real_payloads):
    new = _real(real_payloads, "clan")
    old = copy.deepcopy(new)
    old["requiredVersusTrophies"] = old.pop("requiredBuilderBaseTrophies")
    old["clanVersusPoints"] = old.pop("clanBuilderBasePoints")
    for entry in old["memberList"]:
        entry["versusTrophies"] = entry.pop("builderBaseTrophies")
    assert diff_clan(old, new) == []
    bare = {"tag": new["tag"], "name": new["name"]}
    assert diff_clan(bare, new) == diff_clan(new, bare) == []
    no_members = {k: v for k, v in new.items() if k != "memberList"}
    assert diff_clan(no_members, new) == diff_clan(new, no_members) == []


def test_a_private_war_log_hides_counters_without_reporting_them(source):
    old = source["clan"]
    new = {k: v for k, v in old.items() if k not in ("warLosses", "warTies")}
    assert diff_clan(old, new) == diff_clan(new, old) == []


# ----------------------------------------------------------------- member_changes
def test_member_changes_lists_changed_entries_and_joiners_not_rank_moves(source):
    old = source["clan"]
    for case in ("member_donations", "member_league", "member_level", "member_joined"):
        new, expected = CLAN_CASES[case](copy.deepcopy(old))
        assert member_changes(old, new) == {expected[0].player}, case
    ranks = copy.deepcopy(old)
    for entry in ranks["memberList"]:
        entry["clanRank"], entry["previousClanRank"] = 99, 98
    assert member_changes(old, ranks) == set()
    assert member_changes(old, copy.deepcopy(old)) == set()


def test_member_changes_sees_town_hall_and_league_tier_and_baselines_everyone(source):
    old = copy.deepcopy(source["clan"])
    old["memberList"][1]["townHallLevel"] = 12
    old["memberList"][4]["leagueTier"] = {"id": 1, "name": "Electro League 33"}
    new = copy.deepcopy(old)
    new["memberList"][1]["townHallLevel"] = 13
    new["memberList"][4]["leagueTier"] = {"id": 2, "name": "Dragon League 30"}
    assert member_changes(old, new) == {old["memberList"][1]["tag"], old["memberList"][4]["tag"]}
    everyone = {entry["tag"] for entry in new["memberList"]}
    assert member_changes(None, new) == everyone
    assert member_changes({"tag": new["tag"]}, new) == everyone


# ----------------------------------------------------------------- player cases
PlayerCase = Callable[[dict], tuple[dict, dict, list[Change]]]


def _player_change(kind: str, field: str, change: Callable[[dict], object],
                   shown: Callable[[dict], object] | None = None) -> PlayerCase:
    """A case applying ``change(new)`` (which returns nothing) to a copy of the profile."""
    def case(old: dict) -> tuple[dict, dict, list[Change]]:
        new = copy.deepcopy(old)
        change(new)
        get = shown or (lambda d: d.get(field))
        return old, new, [Change(kind, (new.get("clan") or {}).get("tag"), old["tag"], field,
                                 get(old), get(new))]
    return case


def _bump(field: str, by: int = 1):
    def change(p: dict) -> None:
        p[field] += by
    return change


def _set(field: str, value):
    def change(p: dict) -> None:
        p[field] = value
    return change


def _first(p: dict, key: str, test: Callable[[dict], bool] = lambda u: True) -> dict:
    return next(unit for unit in p[key] if test(unit))


def _home_troop(u: dict) -> bool:
    return u["village"] == "home" and u["name"] not in PETS


def _unit_case(kind: str, key: str, test: Callable[[dict], bool], suffix: str = "",
               unlocked: bool = False) -> PlayerCase:
    """A case raising (or, ``unlocked``, adding) the first unit of ``key`` that passes ``test``."""
    def case(old: dict) -> tuple[dict, dict, list[Change]]:
        new = copy.deepcopy(old)
        unit = _first(new, key, test)
        before = unit["level"]
        if unlocked:
            old = copy.deepcopy(old)
            old[key] = [u for u in old[key] if u["name"] != unit["name"] or not test(u)]
            before = None
        else:
            unit["level"] += 1
        return old, new, [Change(kind, new["clan"]["tag"], old["tag"], unit["name"] + suffix,
                                 before, unit["level"])]
    return case


def _weapon_unlocked(old: dict):
    old = {k: v for k, v in old.items() if k != "townHallWeaponLevel"}
    new = dict(copy.deepcopy(old), townHallWeaponLevel=1)
    return old, new, [Change("player_town_hall", old["clan"]["tag"], old["tag"],
                             "townHallWeaponLevel", None, 1)]


def _active_equipment(old: dict):
    new = copy.deepcopy(old)
    hero = _first(new, "heroes", lambda h: bool(h.get("equipment")))
    worn = sorted(e["name"] for e in hero["equipment"])
    spare = _first(new, "heroEquipment", lambda e: e["name"] not in worn)
    kept = hero["equipment"][0]
    hero["equipment"] = [spare, kept]
    return old, new, [Change("player_active_equipment", old["clan"]["tag"], old["tag"],
                             hero["name"], worn, sorted([spare["name"], kept["name"]]))]


def _achievement(old: dict):
    new = copy.deepcopy(old)
    achievement = new["achievements"][4]
    achievement["value"] += 3
    return old, new, [Change("player_achievement", old["clan"]["tag"], old["tag"],
                             achievement["name"], achievement["value"] - 3,
                             achievement["value"])]


def _label_names(p: dict) -> list[str]:
    return sorted(label["name"] for label in p["labels"])


def _add_label(p: dict) -> None:
    p["labels"].append({"id": 57000099, "name": "Aaa Test Label"})


def _new_clan(p: dict) -> None:
    p["clan"] = {"tag": "#NEWCLAN", "name": "Elsewhere", "clanLevel": 3}


def _league(p: dict) -> str | None:
    return (p.get("league") or p.get("leagueTier") or {}).get("name")


def _change_league(p: dict) -> None:
    p["league" if "league" in p else "leagueTier"] = {"id": 9, "name": "Test League"}


def _leave_clan(old: dict):
    new = {k: v for k, v in old.items() if k not in ("clan", "role")}
    return old, new, [
        Change("player_clan", None, old["tag"], "clan", old["clan"]["tag"], None),
        Change("player_role", None, old["tag"], "role", old["role"], None),
    ]


# The cases of the eight fields the member list also shows (not reported for members).
MEMBER_FIELD_CASES: dict[str, PlayerCase] = {
    "player_name": _player_change("player_name", "name", _set("name", "Renamed")),
    "player_role": _player_change("player_role", "role", _set("role", "coLeader")),
    "player_trophies": _player_change("player_trophies", "trophies", _bump("trophies", 30)),
    "player_builder_base_trophies": _player_change("player_builder_base_trophies",
                                                   "builderBaseTrophies",
                                                   _bump("builderBaseTrophies", 30)),
    "player_level": _player_change("player_level", "expLevel", _bump("expLevel")),
    "player_league": _player_change("player_league", "league", _change_league, _league),
    "player_donations": _player_change("player_donations", "donations", _bump("donations", 8)),
    "player_received": _player_change("player_received", "donationsReceived",
                                      _bump("donationsReceived", 8)),
}

PLAYER_CASES: dict[str, PlayerCase] = {
    "town_hall": _player_change("player_town_hall", "townHallLevel", _bump("townHallLevel")),
    "weapon_unlocked": _weapon_unlocked,
    "builder_hall": _player_change("player_builder_hall", "builderHallLevel",
                                   _bump("builderHallLevel")),
    "troop": _unit_case("player_troop_level", "troops", _home_troop),
    "troop_unlocked": _unit_case("player_troop_level", "troops", _home_troop, unlocked=True),
    "builder_base_troop": _unit_case("player_troop_level", "troops",
                                     lambda u: u["village"] == "builderBase", " (builder base)"),
    "pet": _unit_case("player_pet_level", "troops", lambda u: u["name"] in PETS),
    "spell": _unit_case("player_spell_level", "spells", lambda u: True),
    "hero": _unit_case("player_hero_level", "heroes", lambda u: u["village"] == "home"),
    "builder_base_hero": _unit_case("player_hero_level", "heroes",
                                    lambda u: u["village"] == "builderBase", " (builder base)"),
    "equipment": _unit_case("player_equipment_level", "heroEquipment", lambda u: True),
    "active_equipment": _active_equipment,
    "achievement": _achievement,
    "war_stars": _player_change("player_war_stars", "warStars", _bump("warStars")),
    "attack_wins": _player_change("player_attack_wins", "attackWins", _bump("attackWins")),
    "defense_wins": _player_change("player_defense_wins", "defenseWins", _bump("defenseWins")),
    "best_trophies": _player_change("player_best_trophies", "bestTrophies",
                                    _bump("bestTrophies")),
    "capital_contributions": _player_change("player_capital_contributions",
                                            "clanCapitalContributions",
                                            _bump("clanCapitalContributions", 500)),
    "labels": _player_change("player_labels", "labels", _add_label, _label_names),
    "war_preference": _player_change("player_war_preference", "warPreference",
                                     lambda p: p.update(warPreference="out"
                                                        if p["warPreference"] == "in"
                                                        else "in")),
    "clan": _player_change("player_clan", "clan", _new_clan, lambda p: p["clan"]["tag"]),
    "left_clan": _leave_clan,
    **MEMBER_FIELD_CASES,
}


@pytest.mark.parametrize("case", PLAYER_CASES, ids=str)
def test_one_player_change_gives_exactly_its_change(source, case):
    old, new, expected = PLAYER_CASES[case](copy.deepcopy(source["player"]))
    assert diff_player(old, new, pets=PETS) == expected


@pytest.mark.parametrize("case", MEMBER_FIELD_CASES, ids=str)
def test_member_list_fields_are_not_reported_for_members(source, case):
    old, new, _ = MEMBER_FIELD_CASES[case](copy.deepcopy(source["player"]))
    assert diff_player(old, new, member_fields=False, pets=PETS) == []


def test_leaving_the_clan_as_a_member_reports_only_the_clan(source):
    old, new, _ = _leave_clan(copy.deepcopy(source["player"]))
    assert diff_player(old, new, member_fields=False) == [
        Change("player_clan", None, old["tag"], "clan", old["clan"]["tag"], None)]


def test_without_pet_names_a_pet_is_a_troop(source):
    old, new, [expected] = PLAYER_CASES["pet"](copy.deepcopy(source["player"]))
    assert diff_player(old, new) == [Change("player_troop_level", expected.clan,
                                            expected.player, expected.field, expected.old,
                                            expected.new)]


def test_an_unchanged_or_reordered_player_gives_nothing(source):
    old = source["player"]
    new = copy.deepcopy(old)
    for key in ("troops", "spells", "heroes", "heroEquipment", "achievements", "labels"):
        new[key].reverse()
    for hero in new["heroes"]:
        hero.get("equipment", []).reverse()
    assert diff_player(old, new, pets=PETS) == []
    assert diff_player(None, old) == []


def test_old_player_shapes_do_not_crash(real_payloads):
    new = _real(real_payloads, "player")
    old = {k: v for k, v in new.items() if k not in ("heroEquipment", "leagueTier", "labels")}
    old["versusTrophies"] = old.pop("builderBaseTrophies")
    for hero in old["heroes"]:
        hero.pop("equipment", None)
    changes = diff_player(old, new)
    assert {c.kind for c in changes} == {"player_equipment_level", "player_league"}
    assert all(c.old is None for c in changes)
    assert diff_player({"tag": new["tag"]}, {"tag": new["tag"]}) == []


# ----------------------------------------------------------------- wars
def _attack_list(war: dict) -> list[tuple[str, dict]]:
    """Return (attacker's clan tag, attack) for every attack, in attack order."""
    found = [(war[side]["tag"], attack) for side in ("clan", "opponent")
             for member in war[side].get("members", []) for attack in member.get("attacks", [])]
    return sorted(found, key=lambda item: item[1]["order"])


def _attack_change(clan: str, attack: dict) -> Change:
    return Change("war_attack", clan, attack["attackerTag"], attack["defenderTag"], None,
                  attack["stars"])


def _without_attacks(war: dict, keep: Callable[[dict], bool] = lambda a: False) -> dict:
    war = copy.deepcopy(war)
    for side in ("clan", "opponent"):
        for member in war[side].get("members", []):
            member["attacks"] = [a for a in member.get("attacks", []) if keep(a)]
    return war


@pytest.fixture(params=["war", "cwl_war"])
def war(request, source) -> dict:
    """A war of the source in which the source's clan takes part (regular or CWL)."""
    war = copy.deepcopy(source[request.param])
    if source["tag"] not in (war["clan"]["tag"], war["opponent"]["tag"]):
        pytest.skip("the source's clan is not in this war")
    return war


def test_war_id_is_the_sorted_tags_and_the_preparation_start(war, real_payloads):
    tags = sorted([war["clan"]["tag"], war["opponent"]["tag"]])
    assert war_id(war) == f"{tags[0]}|{tags[1]}|{war['preparationStartTime']}"
    assert war_id(_real(real_payloads, "currentwar_notinwar")) is None
    del war["opponent"]["tag"]
    assert war_id(war) is None


@pytest.mark.parametrize("side", ["clan", "opponent"])
def test_a_new_war_is_reported_with_the_opponent_and_its_attacks(war, side):
    watched, other = war[side]["tag"], war["opponent" if side == "clan" else "clan"]["tag"]
    empty = _without_attacks(war)
    identity = war_id(war)
    assert diff_war(None, empty, watched) == [Change("war_new", watched, None, identity, None,
                                                     other)]
    expected = [Change("war_new", watched, None, identity, None, other),
                *(_attack_change(clan, a) for clan, a in _attack_list(war))]
    assert len(expected) > 2
    assert diff_war(None, war, watched) == expected


def test_a_war_after_not_in_war_or_another_war_is_new(war, real_payloads):
    tag = war["clan"]["tag"]
    not_in_war = _real(real_payloads, "currentwar_notinwar")
    empty = _without_attacks(war)
    assert diff_war(not_in_war, empty, tag) == [
        Change("war_new", tag, None, war_id(war), None, war["opponent"]["tag"])]
    previous = dict(copy.deepcopy(empty), preparationStartTime="20200101T000000.000Z")
    assert [c.kind for c in diff_war(previous, empty, tag)] == ["war_new"]
    assert diff_war(empty, not_in_war, tag) == []
    assert diff_war(None, not_in_war, tag) == []


def test_a_state_change_of_the_same_war_is_war_state(war):
    old = dict(_without_attacks(war), state="preparation")
    new = dict(_without_attacks(war), state="inWar")
    tag = war["opponent"]["tag"]
    assert diff_war(old, new, tag) == [Change("war_state", tag, None, war_id(war),
                                              "preparation", "inWar")]


@pytest.mark.parametrize("side", ["clan", "opponent"])
def test_a_new_attack_of_either_side_is_reported_for_the_attackers_clan(war, side):
    clan, attack = next((c, a) for c, a in reversed(_attack_list(war)) if c == war[side]["tag"])
    old = _without_attacks(war, keep=lambda a: a != attack)
    assert diff_war(old, war, war["clan"]["tag"]) == [_attack_change(clan, attack)]


def test_an_unchanged_war_gives_nothing_and_a_stranger_clan_is_refused(war):
    assert diff_war(war, copy.deepcopy(war), war["clan"]["tag"]) == []
    with pytest.raises(ValueError, match="not in the war"):
        diff_war(None, war, "#NOTHERE")


def test_a_not_in_war_without_clan_tags_gives_nothing():
    bare = {"state": "notInWar", "clan": {}, "opponent": {}}
    assert diff_war(bare, {"state": "notInWar"}, "#2PP") == []
    assert diff_war({"state": "notInWar"}, bare, "#2PP") == []


# ----------------------------------------------------------------- CWL groups
def _unpublish(group: dict, number: int) -> dict:
    group = copy.deepcopy(group)
    group["rounds"][number - 1]["warTags"] = ["#0"] * len(group["rounds"][number - 1]["warTags"])
    return group


def test_a_published_round_is_reported_once(source):
    new = source["group"]
    last = max(n for n, r in enumerate(new["rounds"], 1) if r["warTags"][0] != "#0")
    tag = source["tag"]
    expected = [Change("cwl_round", tag, None, str(last), None, new["rounds"][last - 1]["warTags"])]
    assert diff_league_group(_unpublish(new, last), new, tag) == expected
    shorter = dict(copy.deepcopy(new), rounds=new["rounds"][:last - 1])
    assert diff_league_group(shorter, new, tag) == expected
    assert diff_league_group(new, copy.deepcopy(new), tag) == []


def test_a_group_not_seen_before_reports_its_published_rounds(source):
    new, tag = source["group"], source["tag"]
    published = [(str(n), r["warTags"]) for n, r in enumerate(new["rounds"], 1)
                 if r["warTags"][0] != "#0"]
    expected = [Change("cwl_round", tag, None, n, None, tags) for n, tags in published]
    assert diff_league_group(None, new, tag) == expected
    last_season = dict(copy.deepcopy(new), season="2000-01")
    assert diff_league_group(last_season, new, tag) == expected
    assert diff_league_group(None, {"state": "notInWar"}, tag) == []


# ----------------------------------------------------------------- coverage of the kinds
def test_every_clan_member_player_and_war_kind_is_produced_by_a_case(real_payloads):
    produced = {c.kind for case in CLAN_CASES.values()
                for c in case(_real(real_payloads, "clan"))[1]}
    produced |= {c.kind for case in PLAYER_CASES.values()
                 for c in case(_real(real_payloads, "player"))[2]}
    war = _real(real_payloads, "currentwar_inwar")
    produced |= {c.kind for c in diff_war(dict(war, state="preparation"), war, "#2PP")}
    produced |= {c.kind for c in diff_war(None, war, "#2PP")}
    produced |= {c.kind for c in diff_league_group(None, _real(real_payloads, "leaguegroup"),
                                                    "#2PP")}
    expected = {*kinds_of("clan"), *kinds_of("member"), *kinds_of("player"), *kinds_of("war")}
    assert expected - produced == set()


def test_achievements_of_the_same_name_are_told_apart_by_their_info(real_payloads):
    old = _real(real_payloads, "player")
    twins = [a for a in old["achievements"] if a["name"] == "Keep Your Account Safe!"]
    assert len(twins) == 2
    twins[0]["value"], twins[1]["value"] = 0, 2
    assert diff_player(old, copy.deepcopy(old)) == []
    new = copy.deepcopy(old)
    new["achievements"].reverse()
    next(a for a in new["achievements"] if a["info"] == twins[0]["info"])["value"] = 1
    assert diff_player(old, new) == [Change("player_achievement", old["clan"]["tag"], old["tag"],
                                            "Keep Your Account Safe!", 0, 1)]
