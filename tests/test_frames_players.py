"""Tests of cocframes.frames.players: members, players, units, achievements."""

from __future__ import annotations

import copy
import json
from urllib.parse import quote

import pandas as pd
import pytest
from _checks import assert_contract, every
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocframes.demo import World
from cocframes.frames._columns import SPECS
from cocframes.frames.players import (
    ACHIEVEMENTS,
    MEMBERS,
    PETS,
    PLAYERS,
    SIEGE_MACHINES,
    SUPER_TROOPS,
    UNITS,
    build_achievements,
    build_members,
    build_players,
    build_units,
)

PROFILE_BUILDERS = [(build_players, PLAYERS), (build_units, UNITS),
                    (build_achievements, ACHIEVEMENTS)]
ALL_BUILDERS = [(build_members, MEMBERS), *PROFILE_BUILDERS]




# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def player(real_payloads) -> dict:
    return real_payloads["player"]["body"]


@pytest.fixture(scope="module")
def members_body(real_payloads) -> dict:
    return real_payloads["members"]["body"]


@pytest.fixture(scope="module")
def clan_body(real_payloads) -> dict:
    return real_payloads["clan"]["body"]


@pytest.fixture(scope="module")
def world() -> World:
    return World()


def _get(world: World, path: str) -> dict:
    response = world.handle("GET", path, {})
    assert response.status == 200, (path, response.body)
    return response.body


@pytest.fixture(scope="module")
def demo_members(world) -> dict:
    return _get(world, f"/clans/{quote(world.clan_tag)}/members")


@pytest.fixture(scope="module")
def demo_clan(world) -> dict:
    return _get(world, f"/clans/{quote(world.clan_tag)}")


@pytest.fixture(scope="module")
def demo_profiles(world) -> list[dict]:
    return [_get(world, f"/players/{quote(tag)}") for tag in world.player_tags[:20]]


# ------------------------------------------------------------------------------ specs
def test_specs_registered_and_documented():
    for builder, frame_spec in ALL_BUILDERS:
        assert SPECS[frame_spec.name] is frame_spec
        assert builder.spec is frame_spec
        for name in frame_spec.names:
            assert f"    {name} (" in builder.__doc__


def test_kind_name_sets_are_disjoint():
    assert not PETS & SIEGE_MACHINES
    assert not PETS & SUPER_TROOPS
    assert not SIEGE_MACHINES & SUPER_TROOPS


# ---------------------------------------------------------------------------- empties
@pytest.mark.parametrize(("builder", "frame_spec"), ALL_BUILDERS)
@pytest.mark.parametrize("empty", [[], None, (), iter([])])
def test_empty_input_gives_empty_frame(builder, frame_spec, empty):
    df = builder(empty)
    assert len(df) == 0
    assert_contract(df, frame_spec)


@pytest.mark.parametrize("empty", [{}, {"items": []}, {"memberList": []}, {"items": None},
                                   {"tag": "#2PP", "memberList": "x"}])
def test_empty_members_payloads(empty):
    df = build_members(empty)
    assert len(df) == 0
    assert_contract(df, MEMBERS)


@pytest.mark.parametrize(("builder", "frame_spec"), PROFILE_BUILDERS)
@pytest.mark.parametrize("junk", [[None, 3, "x", []], 5, "text", [{"foo": 1}]])
def test_junk_profiles_never_crash(builder, frame_spec, junk):
    assert_contract(builder(junk), frame_spec)


# ---------------------------------------------------------------------------- members
def test_members_real_members(members_body):
    df = build_members(members_body)
    assert_contract(df, MEMBERS)
    items = members_body["items"]
    assert len(df) == len(items)
    assert df["tag"].tolist() == [m["tag"] for m in items]
    assert df["clan_tag"].isna().all()
    first, last = items[0], items[-1]
    assert df.loc[0, "role"] == first["role"] == "member"
    assert df.loc[len(df) - 1, "role"] == last["role"] == "coLeader"
    assert df.loc[0, "league"] == first["league"]["name"]
    assert df.loc[0, "league_id"] == first["league"]["id"]
    # 2023 capture: no town hall, no league tier
    assert df["town_hall"].isna().all()
    assert df["league_tier"].isna().all()
    assert df.loc[0, "builder_base_league"] == first["builderBaseLeague"]["name"]
    assert df["clan_rank"].tolist() == [m["clanRank"] for m in items]
    assert set(df["role"].dropna()) <= {"member", "admin", "coLeader", "leader"}


def test_members_old_capture_versus_trophies_feed_builder_base(members_body):
    items = [{k: v for k, v in m.items() if k != "builderBaseTrophies"}
             for m in members_body["items"]]
    df = build_members(items)
    assert df["builder_base_trophies"].tolist() == [m["versusTrophies"] for m in items]
    # the new name wins when both are there
    both = [dict(m, builderBaseTrophies=m["versusTrophies"] + 1) for m in items]
    assert build_members(both)["builder_base_trophies"].tolist() == [
        m["versusTrophies"] + 1 for m in items]


def test_members_real_clan_member_list(clan_body):
    df = build_members(clan_body)
    assert_contract(df, MEMBERS)
    member_list = clan_body["memberList"]
    assert len(df) == len(member_list) == 48
    assert every(df["clan_tag"] == clan_body["tag"])
    assert df.loc[0, "tag"] == "#QYJR2GGG8"
    assert df.loc[0, "role"] == "admin"
    assert df.loc[0, "builder_base_trophies"] == member_list[0]["builderBaseTrophies"]
    # a plain list and an explicit clan tag give the same rows
    plain = build_members(member_list, clan_tag=clan_body["tag"])
    pd.testing.assert_frame_equal(plain, df)


def test_members_demo(demo_members, demo_clan, world):
    df = build_members(demo_members, clan_tag=world.clan_tag)
    assert_contract(df, MEMBERS)
    items = demo_members["items"]
    assert len(df) == len(items) > 0
    assert df["tag"].tolist() == [m["tag"] for m in items]
    assert df["role"].tolist() == [m["role"] for m in items]
    assert df["town_hall"].tolist() == [m["townHallLevel"] for m in items]
    assert (df["role"] == "leader").sum() == 1
    tiers = [m.get("leagueTier", {}).get("name") for m in items]
    assert df["league_tier"].tolist() == [t if t is not None else pd.NA for t in tiers]
    pd.testing.assert_frame_equal(build_members(demo_clan), df)


# ---------------------------------------------------------------------------- players
def test_players_real(player):
    df = build_players([player])
    assert_contract(df, PLAYERS)
    row = df.iloc[0]
    assert row["tag"] == "#2PP"
    assert row["town_hall"] == 18
    assert row["exp_level"] == player["expLevel"]
    assert row["builder_base_trophies"] == player["builderBaseTrophies"]
    assert row["role"] == "leader"
    assert row["war_preference"] == "in"
    assert row["clan_tag"] == player["clan"]["tag"]
    assert row["clan_level"] == player["clan"]["clanLevel"]
    assert row["league_tier"] == player["leagueTier"]["name"]
    assert row["league_tier_id"] == player["leagueTier"]["id"]
    assert pd.isna(row["league"])
    assert row["current_league_season_id"] == player["currentLeagueSeasonId"] == 1773032400
    assert row["previous_league_group_tag"] == player["previousLeagueGroupTag"]
    assert row["labels"] == ", ".join(label["name"] for label in player["labels"])
    assert row["heroes"] == len(player["heroes"])
    assert row["hero_equipment"] == len(player["heroEquipment"])
    assert row["pets"] == 11
    assert pd.isna(row["town_hall_weapon"])
    # one body alone is accepted
    pd.testing.assert_frame_equal(build_players(player), df)


def test_players_without_clan_and_old_names(player):
    old = {k: v for k, v in player.items()
           if k not in ("clan", "role", "warPreference", "labels", "builderBaseTrophies",
                        "bestBuilderBaseTrophies")}
    old["versusTrophies"] = 1234
    old["bestVersusTrophies"] = 2345
    row = build_players([old]).iloc[0]
    for col in ("clan_tag", "clan_name", "clan_level", "role", "war_preference", "labels"):
        assert pd.isna(row[col]), col
    assert row["builder_base_trophies"] == 1234
    assert row["best_builder_base_trophies"] == 2345


def test_players_demo(demo_profiles):
    df = build_players(demo_profiles)
    assert_contract(df, PLAYERS)
    assert df["tag"].tolist() == [p["tag"] for p in demo_profiles]
    assert df["town_hall"].tolist() == [p["townHallLevel"] for p in demo_profiles]
    for i, p in enumerate(demo_profiles):
        assert (df.loc[i, "clan_tag"] == p["clan"]["tag"]) if "clan" in p else pd.isna(
            df.loc[i, "clan_tag"])
        if "currentLeagueSeasonId" in p:
            assert df.loc[i, "current_league_season_id"] == p["currentLeagueSeasonId"]
        if "townHallWeaponLevel" in p:
            assert df.loc[i, "town_hall_weapon"] == p["townHallWeaponLevel"]
    assert set(df["war_preference"].dropna()) <= {"in", "out"}


# ------------------------------------------------------------------------------ units
def test_units_real(player):
    df = build_units([player])
    assert_contract(df, UNITS)
    n = sum(len(player[k]) for k in ("troops", "heroes", "spells", "heroEquipment"))
    assert len(df) == n
    assert every(df["player_tag"] == "#2PP")
    counts = df["kind"].value_counts()
    assert counts["hero"] == 8
    assert counts["spell"] == 16
    assert counts["hero_equipment"] == 38
    assert counts["pet"] == 11
    assert counts["siege_machine"] == 8
    assert counts["super_troop"] == 17
    assert counts["troop"] == len(player["troops"]) - 11 - 8 - 17

    king = df[(df["kind"] == "hero") & (df["name"] == "Barbarian King")].iloc[0]
    assert king["level"] == 100 and king["max_level"] == 105
    assert king["progress"] == pytest.approx(100 / 105)
    assert pd.isna(king["equipment_hero"]) and pd.isna(king["equipped"])
    assert df[df["name"] == "Battle Machine"]["village"].tolist() == ["builderBase"]

    equipment = df[df["kind"] == "hero_equipment"].set_index("name")
    assert equipment.loc["Spiky Ball", "equipment_hero"] == "Barbarian King"
    assert equipment.loc["Rocket Spear", "equipment_hero"] == "Royal Champion"
    assert bool(equipment.loc["Fire Heart", "equipped"])
    assert not bool(equipment.loc["Giant Gauntlet", "equipped"])
    assert pd.isna(equipment.loc["Giant Gauntlet", "equipment_hero"])
    assert int(equipment["equipped"].sum()) == sum(
        len(h.get("equipment", [])) for h in player["heroes"])
    assert set(df["village"].dropna()) == {"home", "builderBase"}
    # the builder base Baby Dragon and the home one are two rows
    assert sorted(df[df["name"] == "Baby Dragon"]["village"]) == ["builderBase", "home"]
    assert df["super_troop_active"].isna().all()  # the real capture never sends the flag
    assert every(df["progress"].between(0, 1))


def test_units_super_troop_flag_and_bad_levels(player):
    p = copy.deepcopy(player)
    p["troops"][19]["superTroopIsActive"] = True  # Super Barbarian
    p["troops"][20]["superTroopIsActive"] = False
    p["troops"][0]["maxLevel"] = 0
    p["troops"][1]["level"] = "12"
    df = build_units(p)
    assert df.loc[19, "name"] == "Super Barbarian" and df.loc[19, "kind"] == "super_troop"
    assert df.loc[19, "super_troop_active"] is True or bool(df.loc[19, "super_troop_active"])
    assert not bool(df.loc[20, "super_troop_active"])
    assert pd.isna(df.loc[0, "progress"])
    assert pd.isna(df.loc[1, "level"]) and pd.isna(df.loc[1, "progress"])


def test_units_demo(demo_profiles):
    df = build_units(demo_profiles)
    assert_contract(df, UNITS)
    n = sum(len(p.get(k, [])) for p in demo_profiles
            for k in ("troops", "heroes", "spells", "heroEquipment"))
    assert len(df) == n
    assert set(df["kind"].dropna()) <= {"troop", "super_troop", "pet", "siege_machine", "hero",
                                        "hero_equipment", "spell"}
    # every equipped piece points at a hero that lists it
    for p in demo_profiles:
        worn = {e["name"]: h["name"] for h in p["heroes"] for e in h.get("equipment", [])}
        mine = df[(df["player_tag"] == p["tag"]) & (df["kind"] == "hero_equipment")]
        got = {r.name: r.equipment_hero for r in mine.itertuples() if r.equipped}
        assert got == worn
        active = [t["name"] for t in p["troops"] if t.get("superTroopIsActive")]
        flagged = df[(df["player_tag"] == p["tag"]) & df["super_troop_active"].fillna(False)]
        assert flagged["name"].tolist() == active
        assert set(flagged["kind"]) <= {"super_troop"}
    assert every(df["progress"].between(0, 1))


def test_units_many_profiles_shape(player):
    df = build_units([player] * 50)
    assert len(df) == 50 * len(build_units(player))
    assert_contract(df, UNITS)


# ----------------------------------------------------------------------- achievements
def test_achievements_real(player):
    df = build_achievements([player])
    assert_contract(df, ACHIEVEMENTS)
    items = player["achievements"]
    assert len(df) == len(items) == 54
    assert df["name"].tolist() == [a["name"] for a in items]
    first = df.iloc[0]
    assert first["name"] == "Bigger Coffers"
    assert first["stars"] == 3 and first["value"] == 19 and first["target"] == 10
    assert first["completion_info"] == "Highest Gold Storage level: 19"
    assert bool(first["completed"])
    assert df["completed"].tolist() == [a["stars"] == 3 for a in items]
    assert set(df["village"]) == {a["village"] for a in items}


def test_achievements_demo(demo_profiles):
    df = build_achievements(demo_profiles)
    assert_contract(df, ACHIEVEMENTS)
    items = [a for p in demo_profiles for a in p["achievements"]]
    assert len(df) == len(items)
    assert df["stars"].tolist() == [a["stars"] for a in items]
    nulls = [a["completionInfo"] is None for a in items]
    assert df["completion_info"].isna().tolist() == nulls


# ------------------------------------------------------------------ property tests
_JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                          max_size=2),
)


def _paths(node, prefix=()):
    """Every (path) to a value inside a JSON tree (dict keys and list indices)."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((*prefix, key))
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.append((*prefix, i))
            out += _paths(value, (*prefix, i))
    return out


def _containers(node, prefix=()):
    """Every path to a dict inside a JSON tree (the root included)."""
    out = [prefix] if isinstance(node, dict) else []
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        items = ()
    for key, value in items:
        out += _containers(value, (*prefix, key))
    return out


def _at(node, path):
    for key in path:
        node = node[key]
    return node


@st.composite
def mutated(draw, base):
    """A deep copy of ``base`` with a few fields dropped, nulled, retyped or added."""
    tree = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 6))):
        action = draw(st.sampled_from(["drop", "null", "retype", "add"]))
        if action == "add":
            holders = _containers(tree)
            if not holders:
                continue
            holder = _at(tree, draw(st.sampled_from(holders)))
            holder["zz_unknown_" + draw(st.text("abc", min_size=1, max_size=3))] = draw(_JUNK)
            continue
        paths = _paths(tree)
        if not paths:
            continue
        path = draw(st.sampled_from(paths))
        parent = _at(tree, path[:-1])
        if action == "drop":
            del parent[path[-1]]
        elif action == "null":
            parent[path[-1]] = None
        else:
            parent[path[-1]] = draw(_JUNK)
    return tree


def _small_player(player):
    """The real player with fewer list items, to keep path sampling meaningful."""
    p = copy.deepcopy(player)
    p["troops"] = p["troops"][17:22] + p["troops"][-3:] + p["troops"][:2]
    p["heroEquipment"] = p["heroEquipment"][:6]
    p["achievements"] = p["achievements"][:4]
    p["spells"] = p["spells"][:2]
    p["heroes"] = p["heroes"][:3]
    return p


_SETTINGS = settings(max_examples=50, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])


@_SETTINGS
@given(data=st.data())
def test_property_profile_builders_survive_mutation(player, data):
    base = _small_player(player)
    profile = data.draw(mutated(base))
    for builder, frame_spec in PROFILE_BUILDERS:
        df = builder([profile, base])
        assert_contract(df, frame_spec)
        # the untouched copy's rows come out exactly as on their own
        alone = builder([base])
        tail = df.iloc[len(df) - len(alone):].reset_index(drop=True)
        pd.testing.assert_frame_equal(tail, alone, check_categorical=False)


@_SETTINGS
@given(data=st.data())
def test_property_members_survive_mutation(real_payloads, data):
    for stem, key in (("members", "items"), ("clan", "memberList")):
        body = copy.deepcopy(real_payloads[stem]["body"])
        body[key] = body[key][:4]
        changed = data.draw(mutated(body))
        assert_contract(build_members(changed), MEMBERS)


def _add_unknown(node, rand):
    if isinstance(node, dict):
        for value in list(node.values()):
            _add_unknown(value, rand)
        node["zz_unknown"] = rand
    elif isinstance(node, list):
        for value in node:
            _add_unknown(value, rand)


@_SETTINGS
@given(junk=_JUNK)
def test_property_unknown_fields_are_ignored(player, members_body, junk):
    p = copy.deepcopy(_small_player(player))
    _add_unknown(p, junk)
    for builder, _ in PROFILE_BUILDERS:
        pd.testing.assert_frame_equal(builder(p), builder(_small_player(player)))
    m = copy.deepcopy(members_body)
    _add_unknown(m, junk)
    pd.testing.assert_frame_equal(build_members(m), build_members(members_body))


# payload field → players column it feeds alone
_PLAYER_FIELDS = {
    "tag": "tag", "name": "name", "townHallLevel": "town_hall", "expLevel": "exp_level",
    "trophies": "trophies", "bestTrophies": "best_trophies", "warStars": "war_stars",
    "attackWins": "attack_wins", "defenseWins": "defense_wins",
    "builderHallLevel": "builder_hall", "role": "role", "warPreference": "war_preference",
    "donations": "donations", "donationsReceived": "donations_received",
    "clanCapitalContributions": "clan_capital_contributions",
    "currentLeagueGroupTag": "current_league_group_tag",
    "currentLeagueSeasonId": "current_league_season_id",
    "previousLeagueGroupTag": "previous_league_group_tag",
    "previousLeagueSeasonId": "previous_league_season_id",
    "labels": "labels", "clan": "clan_tag", "leagueTier": "league_tier",
    "builderBaseLeague": "builder_base_league",
}
_MEMBER_FIELDS = {
    "tag": "tag", "name": "name", "role": "role", "expLevel": "exp_level",
    "trophies": "trophies", "league": "league", "builderBaseLeague": "builder_base_league",
    "clanRank": "clan_rank", "previousClanRank": "previous_clan_rank",
    "donations": "donations", "donationsReceived": "donations_received",
}
_BAD = st.one_of(st.just("drop"), st.none(), st.just([1, 2]), st.just({"x": 1}))


@_SETTINGS
@given(field=st.sampled_from(sorted(_PLAYER_FIELDS)), bad=_BAD,
       others=st.lists(st.sampled_from(sorted(_PLAYER_FIELDS)), max_size=3))
def test_property_missing_player_field_gives_na(player, field, bad, others):
    p = copy.deepcopy(player)
    for f in {field, *others}:
        if bad == "drop":
            p.pop(f, None)
        else:
            p[f] = bad
    df = build_players([p, player])
    assert pd.isna(df.loc[0, _PLAYER_FIELDS[field]])
    assert not pd.isna(df.loc[1, _PLAYER_FIELDS[field]])
    assert_contract(df, PLAYERS)


@_SETTINGS
@given(field=st.sampled_from(sorted(_MEMBER_FIELDS)), bad=_BAD,
       rows=st.sets(st.integers(0, 45), min_size=1, max_size=10))
def test_property_missing_member_field_gives_na(members_body, field, bad, rows):
    items = copy.deepcopy(members_body["items"])
    for i in rows:
        if bad == "drop":
            items[i].pop(field, None)
        else:
            items[i][field] = bad
    df = build_members({"items": items})
    col = df[_MEMBER_FIELDS[field]]
    assert col.isna().tolist() == [i in rows for i in range(len(items))]
    assert_contract(df, MEMBERS)


@_SETTINGS
@given(field=st.sampled_from(["name", "level", "maxLevel", "village"]), bad=_BAD,
       key=st.sampled_from(["troops", "heroes", "spells", "heroEquipment"]))
def test_property_missing_unit_field_gives_na(player, field, bad, key):
    p = copy.deepcopy(player)
    for unit in p[key]:
        if bad == "drop":
            unit.pop(field, None)
        else:
            unit[field] = bad
    df = build_units(p)
    column = {"name": "name", "level": "level", "maxLevel": "max_level",
              "village": "village"}[field]
    offset = {"troops": 0, "heroes": 79, "spells": 87, "heroEquipment": 103}[key]
    block = df.iloc[offset:offset + len(p[key])]
    assert block[column].isna().all()
    assert df.drop(block.index)[column].notna().all()
    if field in ("level", "maxLevel"):
        assert block["progress"].isna().all()
    assert_contract(df, UNITS)


def test_fixture_files_are_json(real_payloads):
    # guard against a fixture silently changing shape under the tests above
    assert json.dumps(real_payloads["player"]["body"]["heroes"][0]["name"]) == '"Barbarian King"'
