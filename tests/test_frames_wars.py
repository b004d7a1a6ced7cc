"""War frames: attacks and members of a war, the war log, CWL groups (cocframes.frames.wars)."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest
from _checks import assert_contract, every, mutate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocframes.demo import World
from cocframes.frames import SPECS
from cocframes.frames.wars import (
    CWL_CLANS,
    CWL_ROUNDS,
    WAR_ATTACKS,
    WAR_LOG,
    WAR_MEMBERS,
    build_cwl_attacks,
    build_cwl_clans,
    build_cwl_rounds,
    build_war_attacks,
    build_war_log,
    build_war_members,
)

WAR_FILES = ["currentwar_inwar", "currentwar_preparation", "currentwar_ended",
             "currentwar_notinwar", "clanwarleagues_war"]
SCORED_WARS = ["currentwar_inwar", "currentwar_ended", "clanwarleagues_war"]




def body(real_payloads, name: str) -> dict:
    return real_payloads[name]["body"]


def encoded(tag: str) -> str:
    return tag.replace("#", "%23")


# --- demo world ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    w = World()
    clan = encoded(w.clan_tag)

    def get(path: str) -> dict:
        return w.handle("GET", path, {}).body

    group = get(f"/clans/{clan}/currentwar/leaguegroup")
    wars = {tag: get(f"/clanwarleagues/wars/{encoded(tag)}")
            for rnd in group["rounds"] for tag in rnd["warTags"] if tag != "#0"}
    return {"clan_tag": w.clan_tag, "war": get(f"/clans/{clan}/currentwar"), "group": group,
            "wars": wars, "warlog": get(f"/clans/{clan}/warlog")}


# --- specs -----------------------------------------------------------------------------

def test_specs_registered_and_documented():
    for spec in (WAR_ATTACKS, WAR_MEMBERS, WAR_LOG, CWL_CLANS, CWL_ROUNDS):
        assert SPECS[spec.name] is spec
    for builder in (build_war_attacks, build_war_members, build_war_log, build_cwl_clans,
                    build_cwl_rounds, build_cwl_attacks):
        assert builder.spec.name in SPECS
        for name in builder.spec.names:
            assert f"    {name} (" in builder.__doc__


# --- war attacks and members on the real fixtures --------------------------------------

@pytest.mark.parametrize("name", WAR_FILES)
def test_war_frames_build_from_every_real_war(real_payloads, name):
    war = body(real_payloads, name)
    attacks, members = build_war_attacks(war), build_war_members(war)
    assert_contract(attacks, WAR_ATTACKS)
    assert_contract(members, WAR_MEMBERS)
    n_members = sum(len(war[s].get("members", [])) for s in ("clan", "opponent"))
    n_attacks = sum(len(m.get("attacks", [])) for s in ("clan", "opponent")
                    for m in war[s].get("members", []))
    assert len(members) == n_members
    assert len(attacks) == n_attacks
    assert attacks["war_tag"].isna().all() and attacks["round"].isna().all()


def test_not_in_war_gives_empty_frames(real_payloads):
    war = body(real_payloads, "currentwar_notinwar")
    for frame, spec in ((build_war_attacks(war), WAR_ATTACKS),
                        (build_war_members(war), WAR_MEMBERS)):
        assert frame.empty
        assert_contract(frame, spec)
    for empty in ({}, {"state": "notInWar"}, {"clan": None, "opponent": []}):
        assert_contract(build_war_attacks(empty), WAR_ATTACKS)
        assert_contract(build_war_members(empty), WAR_MEMBERS)


def test_preparation_has_members_but_no_attacks(real_payloads):
    war = body(real_payloads, "currentwar_preparation")
    members = build_war_members(war)
    assert len(members) == 100 and build_war_attacks(war).empty
    assert every(members["attacks_used"] == 0)
    assert every(members["attacks_remaining"] == 2)
    assert members["attacks_missed"].isna().all()
    assert members["best_opponent_stars"].isna().all()
    # map positions are not in listing order; the rank is 1..n within each side
    for _, side in members.groupby("side", observed=True):
        assert sorted(side["rank"]) == list(range(1, 51))
        assert list(side.sort_values("map_position")["rank"]) == list(range(1, 51))


def test_attack_values_match_json(real_payloads):
    war = body(real_payloads, "currentwar_inwar")
    attacks = build_war_attacks(war)
    member = war["clan"]["members"][0]
    raw = member["attacks"][0]
    row = attacks[(attacks["attacker_tag"] == raw["attackerTag"])
                  & (attacks["order"] == raw["order"])].iloc[0]
    assert row["side"] == "clan"
    assert row["attacker_name"] == member["name"]
    assert row["attacker_town_hall"] == member["townhallLevel"]
    assert row["attacker_map_position"] == member["mapPosition"]
    assert row["defender_tag"] == raw["defenderTag"]
    defender = next(m for m in war["opponent"]["members"] if m["tag"] == raw["defenderTag"])
    assert row["defender_name"] == defender["name"]
    assert row["defender_map_position"] == defender["mapPosition"]
    assert row["stars"] == raw["stars"]
    assert row["destruction"] == pytest.approx(raw["destructionPercentage"])
    assert row["duration"] == raw["duration"]
    assert row["attacker_clan_tag"] == war["clan"]["tag"]
    assert row["defender_clan_tag"] == war["opponent"]["tag"]
    assert row["war_start_time"] == pd.Timestamp("2023-05-28T14:47:40Z")
    assert row["war_end_time"] == pd.Timestamp("2023-05-28T15:32:40Z")
    assert str(attacks["war_start_time"].dt.tz) == "UTC"


def test_member_values_match_json(real_payloads):
    war = body(real_payloads, "currentwar_ended")
    members = build_war_members(war)
    for side in ("clan", "opponent"):
        for raw in war[side]["members"]:
            row = members[(members["side"] == side) & (members["tag"] == raw["tag"])].iloc[0]
            assert row["attacks_used"] == len(raw.get("attacks", []))
            assert row["stars_earned"] == sum(a["stars"] for a in raw.get("attacks", []))
            assert row["opponent_attacks"] == raw["opponentAttacks"]
            assert row["town_hall"] == raw["townhallLevel"]
            assert row["clan_tag"] == war[side]["tag"]
            best = raw.get("bestOpponentAttack")
            if best:
                assert row["best_opponent_stars"] == best["stars"]
                assert row["best_opponent_destruction"] == best["destructionPercentage"]
            else:
                assert pd.isna(row["best_opponent_stars"])
    assert every(members["attacks_missed"] == 1 - members["attacks_used"])
    assert members["attacks_remaining"].isna().all()
    assert every(members["attacks_per_member"] == 1)


def test_cwl_war_has_one_attack_per_member(real_payloads):
    war = body(real_payloads, "clanwarleagues_war")
    assert "attacksPerMember" not in war
    members = build_war_members(war)
    assert every(members["attacks_per_member"] == 1)
    assert every(members["attacks_remaining"] == 1 - members["attacks_used"])
    # CWL map positions are not 1..15, the rank is
    assert members["map_position"].max() > 15
    assert sorted(members.loc[members["side"] == "clan", "rank"]) == list(range(1, 16))
    attacks = build_war_attacks(war, 3, war_tag="#82G0JYVGG")
    assert every(attacks["round"] == 3) and every(attacks["war_tag"] == "#82G0JYVGG")


# --- new stars -------------------------------------------------------------------------

def _attack(attacker: str, defender: str, stars: int, order: int, pct: int = 50) -> dict:
    return {"attackerTag": attacker, "defenderTag": defender, "stars": stars,
            "destructionPercentage": pct, "order": order, "duration": 100}


def hand_made_war() -> dict:
    """Defender #D1 is attacked three times: 1★ (order 1), 3★ (order 2), 2★ (order 3);
    #D2 once (1★). The clan's score is 3 + 1 = 4 stars."""
    return {
        "state": "warEnded", "teamSize": 3, "attacksPerMember": 2,
        "startTime": "20240101T000000.000Z", "endTime": "20240102T000000.000Z",
        "clan": {"tag": "#C", "name": "Us", "stars": 4, "members": [
            # listed out of order on purpose: order decides, not the listing
            {"tag": "#A3", "name": "three", "townhallLevel": 14, "mapPosition": 3,
             "attacks": [_attack("#A3", "#D1", 2, 3, 90)]},
            {"tag": "#A1", "name": "one", "townhallLevel": 16, "mapPosition": 1,
             "attacks": [_attack("#A1", "#D1", 1, 1, 40), _attack("#A1", "#D2", 1, 4)]},
            {"tag": "#A2", "name": "two", "townhallLevel": 15, "mapPosition": 2,
             "attacks": [_attack("#A2", "#D1", 3, 2, 100)]},
        ]},
        "opponent": {"tag": "#O", "name": "Them", "stars": 0, "members": [
            {"tag": "#D1", "name": "d1", "townhallLevel": 16, "mapPosition": 1,
             "opponentAttacks": 3},
            {"tag": "#D2", "name": "d2", "townhallLevel": 15, "mapPosition": 2,
             "opponentAttacks": 1},
        ]},
    }


def test_new_stars_on_hand_made_war():
    attacks = build_war_attacks(hand_made_war())
    on_d1 = attacks[attacks["defender_tag"] == "#D1"].sort_values("order")
    assert list(on_d1["stars"]) == [1, 3, 2]
    assert list(on_d1["new_stars"]) == [1, 2, 0]
    assert list(on_d1["is_fresh"]) == [True, False, False]
    on_d2 = attacks[attacks["defender_tag"] == "#D2"]
    assert list(on_d2["new_stars"]) == [1] and list(on_d2["is_fresh"]) == [True]
    assert attacks["new_stars"].sum() == 4  # == the clan's stars
    members = build_war_members(hand_made_war()).set_index("tag")
    assert members.loc["#A1", "new_stars_earned"] == 2
    assert members.loc["#A2", "new_stars_earned"] == 2
    assert members.loc["#A3", "new_stars_earned"] == 0
    assert members.loc["#A1", "stars_earned"] == 2
    assert members.loc["#A3", "attacks_missed"] == 1
    assert members.loc["#D1", "new_stars_earned"] == 0
    assert members.loc["#A3", "rank"] == 3


def test_new_stars_never_negative_and_na_without_order():
    war = hand_made_war()
    del war["clan"]["members"][0]["attacks"][0]["order"]  # #A3's attack on #D1
    attacks = build_war_attacks(war)
    row = attacks[attacks["attacker_tag"] == "#A3"].iloc[0]
    assert pd.isna(row["new_stars"]) and pd.isna(row["is_fresh"])
    assert list(attacks.loc[attacks["defender_tag"] == "#D1", "new_stars"].dropna()) == [1, 2]
    assert every(attacks["new_stars"].dropna() >= 0)


@pytest.mark.parametrize("name", SCORED_WARS)
def test_new_stars_sum_to_side_stars_on_real_wars(real_payloads, name):
    war = body(real_payloads, name)
    attacks = build_war_attacks(war)
    for side in ("clan", "opponent"):
        mine = attacks[attacks["side"] == side]
        assert mine["new_stars"].sum() <= mine["stars"].sum()
        assert mine["new_stars"].sum() == war[side]["stars"]
        # one fresh attack per attacked defender
        assert mine["is_fresh"].sum() == mine["defender_tag"].nunique()
    members = build_war_members(war)
    for side in ("clan", "opponent"):
        assert members.loc[members["side"] == side, "new_stars_earned"].sum() == war[side][
            "stars"]
        assert members.loc[members["side"] == side, "attacks_used"].sum() == war[side][
            "attacks"]


# --- war log ---------------------------------------------------------------------------

def test_war_log_real(real_payloads):
    payload = body(real_payloads, "warlog")
    log = build_war_log(payload)
    assert_contract(log, WAR_LOG)
    items = payload["items"]
    assert len(log) == len(items)
    cwl = log[log["is_cwl"]]
    # 4 CWL season summaries; 3 without a result, one older one with "win"
    assert len(cwl) == 4
    assert cwl["result"].isna().sum() == 3 and cwl.loc[42, "result"] == "win"
    assert log.loc[log["result"].isna(), "is_cwl"].all()
    assert every(cwl["attacks_per_member"] == 1)
    assert cwl["opponent_tag"].isna().all()
    assert cwl["opponent_name"].isna().all() and cwl["opponent_level"].isna().all()
    assert set(log.loc[~log["is_cwl"], "result"]) <= {"win", "lose", "tie"}
    assert log.loc[~log["is_cwl"], "opponent_tag"].notna().all()
    first = items[0]
    row = log.iloc[0]
    assert row["end_time"] == pd.Timestamp("2026-03-13T19:22:46Z")
    assert row["result"] == first["result"]
    assert row["clan_stars"] == first["clan"]["stars"]
    assert row["clan_destruction"] == pytest.approx(first["clan"]["destructionPercentage"])
    assert row["clan_exp_earned"] == first["clan"]["expEarned"]
    assert row["opponent_tag"] == first["opponent"]["tag"]
    assert row["opponent_level"] == first["opponent"]["clanLevel"]
    assert row["battle_modifier"] == "none"


def test_war_log_empty():
    for payload in ({"items": []}, {}, {"items": None}):
        log = build_war_log(payload)
        assert log.empty
        assert_contract(log, WAR_LOG)


# --- CWL -------------------------------------------------------------------------------

def test_cwl_group_real(real_payloads):
    group = body(real_payloads, "leaguegroup")
    clans = build_cwl_clans(group)
    assert_contract(clans, CWL_CLANS)
    assert len(clans) == 8 and every(clans["season"] == "2023-06")
    assert clans.loc[0, "member_count"] == len(group["clans"][0]["members"])
    assert clans.loc[0, "clan_tag"] == "#2PP"
    rounds = build_cwl_rounds(group)
    assert_contract(rounds, CWL_ROUNDS)
    assert len(rounds) == 28
    assert list(rounds["round"].unique()) == list(range(1, 8))
    assert rounds["played"].sum() == 20
    assert every(rounds.loc[~rounds["played"], "war_tag"] == "#0")


def test_cwl_attacks_real(real_payloads):
    group = body(real_payloads, "leaguegroup")
    war = body(real_payloads, "clanwarleagues_war")
    tag = group["rounds"][1]["warTags"][2]
    attacks = build_cwl_attacks(group, {tag: war})
    assert_contract(attacks, WAR_ATTACKS)
    assert len(attacks) == len(build_war_attacks(war))
    assert every(attacks["round"] == 2) and every(attacks["war_tag"] == tag)
    empty = build_cwl_attacks(group, {})
    assert empty.empty
    assert_contract(empty, WAR_ATTACKS)


def test_cwl_empty():
    for group in ({}, {"state": "notInWar"}, {"clans": [], "rounds": []}):
        assert_contract(build_cwl_clans(group), CWL_CLANS)
        assert_contract(build_cwl_rounds(group), CWL_ROUNDS)
        assert_contract(build_cwl_attacks(group, {}), WAR_ATTACKS)


# --- demo world ------------------------------------------------------------------------

def test_demo_current_war(demo):
    war = demo["war"]
    attacks, members = build_war_attacks(war), build_war_members(war)
    assert_contract(attacks, WAR_ATTACKS)
    assert_contract(members, WAR_MEMBERS)
    assert len(attacks) > 0
    assert every(members.loc[members["side"] == "clan", "clan_tag"] == demo["clan_tag"])
    for side in ("clan", "opponent"):
        assert attacks.loc[attacks["side"] == side, "new_stars"].sum() == war[side]["stars"]
        assert members.loc[members["side"] == side, "attacks_used"].sum() == war[side][
            "attacks"]


def test_demo_cwl(demo):
    group, wars = demo["group"], demo["wars"]
    clans, rounds = build_cwl_clans(group), build_cwl_rounds(group)
    assert_contract(clans, CWL_CLANS)
    assert_contract(rounds, CWL_ROUNDS)
    assert demo["clan_tag"] in set(clans["clan_tag"])
    assert set(rounds.loc[rounds["played"], "war_tag"]) == set(wars)
    attacks = build_cwl_attacks(group, wars)
    assert_contract(attacks, WAR_ATTACKS)
    assert len(attacks) == sum(len(build_war_attacks(w)) for w in wars.values())
    assert attacks["round"].notna().all() and attacks["war_tag"].notna().all()
    for tag, war in wars.items():
        mine = attacks[attacks["war_tag"] == tag]
        for side in ("clan", "opponent"):
            got = mine.loc[mine["side"] == side, "new_stars"].sum()
            assert got == war[side]["stars"], (tag, side)
        members = build_war_members(war, war_tag=tag)
        assert_contract(members, WAR_MEMBERS)
        assert every(members["attacks_per_member"] == 1)
        if war["state"] == "warEnded":
            assert every(members["attacks_missed"] == 1 - members["attacks_used"])


def test_demo_war_log(demo):
    log = build_war_log(demo["warlog"])
    assert_contract(log, WAR_LOG)
    assert len(log) == len(demo["warlog"]["items"])
    assert every(log["clan_tag"] == demo["clan_tag"])
    assert log.loc[log["result"].isna(), "is_cwl"].all()
    assert log.loc[~log["is_cwl"], "opponent_tag"].notna().all()


# --- robustness: mutated real payloads -------------------------------------------------







PROPERTY = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


@PROPERTY
@given(data=st.data(), name=st.sampled_from(WAR_FILES))
def test_war_builders_survive_mutations(real_payloads, data, name):
    war = mutate(body(real_payloads, name), data)
    assert_contract(build_war_attacks(war), WAR_ATTACKS)
    assert_contract(build_war_attacks(war, 2, war_tag="#X"), WAR_ATTACKS)
    members = build_war_members(war)
    assert_contract(members, WAR_MEMBERS)
    assert every(members["attacks_used"].dropna() >= 0)


@PROPERTY
@given(data=st.data())
def test_war_log_survives_mutations(real_payloads, data):
    assert_contract(build_war_log(mutate(body(real_payloads, "warlog"), data)), WAR_LOG)


@PROPERTY
@given(data=st.data())
def test_cwl_builders_survive_mutations(real_payloads, data):
    group = mutate(body(real_payloads, "leaguegroup"), data)
    tag = body(real_payloads, "leaguegroup")["rounds"][0]["warTags"][0]
    war = mutate(body(real_payloads, "clanwarleagues_war"), data)
    assert_contract(build_cwl_clans(group), CWL_CLANS)
    assert_contract(build_cwl_rounds(group), CWL_ROUNDS)
    assert_contract(build_cwl_attacks(group, {tag: war}), WAR_ATTACKS)


MEMBER_FIELDS = {"name": "name", "townhallLevel": "town_hall", "mapPosition": "map_position",
                 "opponentAttacks": "opponent_attacks", "tag": "tag"}


@PROPERTY
@given(data=st.data(), how=st.sampled_from(["drop", "null", "retype"]),
       field=st.sampled_from(sorted(MEMBER_FIELDS)))
def test_missing_member_field_is_na(real_payloads, data, how, field):
    war = copy.deepcopy(body(real_payloads, "currentwar_ended"))
    listed = war["clan"]["members"] + war["opponent"]["members"]
    i = data.draw(st.integers(0, len(listed) - 1))
    if how == "drop":
        del listed[i][field]
    else:
        listed[i][field] = None if how == "null" else {"not": "a value"}
    members = build_war_members(war)
    assert_contract(members, WAR_MEMBERS)
    assert pd.isna(members.loc[i, MEMBER_FIELDS[field]])
    if field == "mapPosition":
        assert pd.isna(members.loc[i, "rank"])
    others = members.drop(index=i)[MEMBER_FIELDS[field]]
    assert others.notna().all()


ATTACK_FIELDS = {"stars": "stars", "destructionPercentage": "destruction", "order": "order",
                 "duration": "duration", "defenderTag": "defender_tag"}


@PROPERTY
@given(data=st.data(), field=st.sampled_from(sorted(ATTACK_FIELDS)),
       name=st.sampled_from(SCORED_WARS))
def test_missing_attack_field_is_na(real_payloads, data, field, name):
    war = copy.deepcopy(body(real_payloads, name))
    raw = [a for s in ("clan", "opponent") for m in war[s]["members"]
           for a in m.get("attacks", [])]
    i = data.draw(st.integers(0, len(raw) - 1))
    del raw[i][field]
    attacks = build_war_attacks(war)
    assert_contract(attacks, WAR_ATTACKS)
    assert pd.isna(attacks.loc[i, ATTACK_FIELDS[field]])
    if field in ("stars", "order", "defenderTag"):
        assert pd.isna(attacks.loc[i, "new_stars"])
    assert attacks.drop(index=i)[ATTACK_FIELDS[field]].notna().all()


LOG_FIELDS = {"result": "result", "teamSize": "team_size", "endTime": "end_time",
              "attacksPerMember": "attacks_per_member", "battleModifier": "battle_modifier"}


@PROPERTY
@given(data=st.data(), field=st.sampled_from(sorted(LOG_FIELDS)),
       how=st.sampled_from(["drop", "null", "retype"]))
def test_missing_war_log_field_is_na(real_payloads, data, field, how):
    payload = copy.deepcopy(body(real_payloads, "warlog"))
    i = data.draw(st.integers(0, len(payload["items"]) - 1))
    if how == "drop":
        del payload["items"][i][field]
    else:
        payload["items"][i][field] = None if how == "null" else ["not", "a", "value"]
    log = build_war_log(payload)
    assert_contract(log, WAR_LOG)
    assert pd.isna(log.loc[i, LOG_FIELDS[field]])
