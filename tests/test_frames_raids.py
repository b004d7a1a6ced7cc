"""Capital raid frames: seasons, members, districts (cocframes.frames.raids)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from _checks import assert_contract, every, mutate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cocframes.demo import World
from cocframes.frames import SPECS
from cocframes.frames.raids import (
    RAID_DISTRICTS,
    RAID_MEMBERS,
    RAID_SEASONS,
    build_raid_districts,
    build_raid_members,
    build_raid_seasons,
)

BUILDERS = ((build_raid_seasons, RAID_SEASONS), (build_raid_members, RAID_MEMBERS),
            (build_raid_districts, RAID_DISTRICTS))




@pytest.fixture(scope="module")
def real(real_payloads) -> dict:
    return real_payloads["capitalraidseasons"]["body"]


@pytest.fixture(scope="module")
def demo() -> dict:
    w = World()
    return w.handle("GET", f"/clans/{w.clan_tag.replace('#', '%23')}/capitalraidseasons",
                    {}).body


def test_specs_registered_and_documented():
    for builder, spec in BUILDERS:
        assert SPECS[spec.name] is spec and builder.spec is spec
        for name in spec.names:
            assert f"    {name} (" in builder.__doc__


@pytest.mark.parametrize(("builder", "spec"), BUILDERS)
def test_contract_on_real_and_demo(real, demo, builder, spec):
    for payload in (real, demo):
        frame = builder(payload)
        assert_contract(frame, spec)
        assert len(frame) > 0


@pytest.mark.parametrize(("builder", "spec"), BUILDERS)
def test_empty_inputs(builder, spec):
    for payload in ({"items": []}, {}, {"items": None}, {"items": [{}]}):
        frame = builder(payload)
        assert_contract(frame, spec)
    assert builder({"items": []}).empty


def test_seasons_real(real):
    seasons = build_raid_seasons(real)
    assert len(seasons) == 2
    raw = real["items"][0]
    row = seasons.iloc[0]
    assert row["season_start"] == pd.Timestamp("2023-05-26T07:00:00Z")
    assert row["season_end"] == pd.Timestamp("2023-05-29T07:00:00Z")
    assert row["state"] == "ended"
    assert row["capital_total_loot"] == raw["capitalTotalLoot"]
    assert row["raids_completed"] == raw["raidsCompleted"]
    assert row["total_attacks"] == raw["totalAttacks"]
    assert row["enemy_districts_destroyed"] == raw["enemyDistrictsDestroyed"]
    assert row["offensive_reward"] == raw["offensiveReward"]
    assert row["defensive_reward"] == raw["defensiveReward"]
    assert row["member_count"] == len(raw["members"])
    assert row["raids_attacked"] == len(raw["attackLog"])
    assert row["raids_defended"] == len(raw["defenseLog"])
    assert "members" not in real["items"][1]
    assert pd.isna(seasons.loc[1, "member_count"])
    assert str(seasons["season_start"].dt.tz) == "UTC"


def test_members_real_skip_season_without_members(real):
    members = build_raid_members(real)
    raw = real["items"][0]["members"]
    assert len(members) == len(raw)  # the second season has no members key
    assert every(members["season_start"] == pd.Timestamp("2023-05-26T07:00:00Z"))
    first = members.iloc[0]
    assert first["tag"] == raw[0]["tag"] and first["name"] == raw[0]["name"]
    assert first["attacks"] == raw[0]["attacks"]
    assert first["attack_limit"] == raw[0]["attackLimit"]
    assert first["bonus_attack_limit"] == raw[0]["bonusAttackLimit"]
    assert first["capital_resources_looted"] == raw[0]["capitalResourcesLooted"]
    assert members["attacks"].sum() == sum(m["attacks"] for m in raw)
    only_old = {"items": [real["items"][1]]}
    assert build_raid_members(only_old).empty
    assert_contract(build_raid_members(only_old), RAID_MEMBERS)


def test_districts_real(real):
    districts = build_raid_districts(real)
    n = sum(len(r["districts"]) for s in real["items"] for key in ("attackLog", "defenseLog")
            for r in s[key])
    assert len(districts) == n
    season = real["items"][0]
    attack, defense = season["attackLog"][0], season["defenseLog"][0]
    row = districts.iloc[0]
    assert row["log"] == "attack"
    assert row["opponent_tag"] == attack["defender"]["tag"]
    assert row["opponent_name"] == attack["defender"]["name"]
    assert row["opponent_level"] == attack["defender"]["level"]
    d = attack["districts"][0]
    assert row["district_id"] == d["id"] and row["district_name"] == d["name"]
    assert row["district_hall_level"] == d["districtHallLevel"]
    assert row["destruction"] == pytest.approx(d["destructionPercent"])
    assert row["stars"] == d["stars"] and row["attack_count"] == d["attackCount"]
    assert row["total_looted"] == d["totalLooted"]
    first_defense = districts[districts["log"] == "defense"].iloc[0]
    assert first_defense["opponent_tag"] == defense["attacker"]["tag"]
    assert first_defense["opponent_name"] == defense["attacker"]["name"]
    assert set(districts["log"].cat.categories) == {"attack", "defense"}
    # the attack log's districts add up to the raid's attack count
    mine = districts[(districts["log"] == "attack")
                     & (districts["season_start"] == pd.Timestamp("2023-05-26T07:00Z"))
                     & (districts["opponent_tag"] == attack["defender"]["tag"])]
    assert mine["attack_count"].sum() == attack["attackCount"]


def test_demo_values(demo):
    seasons = build_raid_seasons(demo)
    members = build_raid_members(demo)
    assert len(seasons) == len(demo["items"])
    with_members = [s for s in demo["items"] if "members" in s]
    assert len(members) == sum(len(s["members"]) for s in with_members)
    assert seasons["member_count"].isna().sum() == len(demo["items"]) - len(with_members)
    per_season = members.groupby("season_start")["capital_resources_looted"].sum()
    for s in with_members:
        start = pd.Timestamp(s["startTime"].replace(".000Z", "Z"))
        assert per_season[start] == sum(m["capitalResourcesLooted"] for m in s["members"])
    districts = build_raid_districts(demo)
    assert set(districts["log"]) == {"attack", "defense"}
    assert districts["opponent_tag"].str.startswith("#").all()


# --- robustness: mutated real payloads -------------------------------------------------







PROPERTY = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


@PROPERTY
@given(data=st.data())
def test_builders_survive_mutations(real, data):
    payload = mutate(real, data, leaves=("attacks",))
    for builder, spec in BUILDERS:
        assert_contract(builder(payload), spec)


MEMBER_FIELDS = {"tag": "tag", "name": "name", "attacks": "attacks",
                 "attackLimit": "attack_limit", "bonusAttackLimit": "bonus_attack_limit",
                 "capitalResourcesLooted": "capital_resources_looted"}


@PROPERTY
@given(data=st.data(), field=st.sampled_from(sorted(MEMBER_FIELDS)),
       how=st.sampled_from(["drop", "null", "retype"]))
def test_missing_member_field_is_na(real, data, field, how):
    payload = copy.deepcopy(real)
    listed = payload["items"][0]["members"]
    i = data.draw(st.integers(0, len(listed) - 1))
    if how == "drop":
        del listed[i][field]
    else:
        listed[i][field] = None if how == "null" else {"not": "a value"}
    members = build_raid_members(payload)
    assert_contract(members, RAID_MEMBERS)
    assert len(members) == len(listed)
    assert pd.isna(members.loc[i, MEMBER_FIELDS[field]])
    assert members.drop(index=i)[MEMBER_FIELDS[field]].notna().all()


SEASON_FIELDS = {"startTime": "season_start", "endTime": "season_end", "state": "state",
                 "capitalTotalLoot": "capital_total_loot", "raidsCompleted": "raids_completed",
                 "totalAttacks": "total_attacks", "offensiveReward": "offensive_reward",
                 "defensiveReward": "defensive_reward", "members": "member_count",
                 "attackLog": "raids_attacked", "defenseLog": "raids_defended"}


@PROPERTY
@given(field=st.sampled_from(sorted(SEASON_FIELDS)), i=st.integers(0, 1),
       how=st.sampled_from(["drop", "null", "retype"]))
def test_missing_season_field_is_na(real, field, i, how):
    payload = copy.deepcopy(real)
    season = payload["items"][i]
    if how == "drop":
        season.pop(field, None)
    else:
        season[field] = None if how == "null" else {"not": "a value"}
    seasons = build_raid_seasons(payload)
    assert_contract(seasons, RAID_SEASONS)
    assert pd.isna(seasons.loc[i, SEASON_FIELDS[field]])


DISTRICT_FIELDS = {"id": "district_id", "name": "district_name",
                   "districtHallLevel": "district_hall_level",
                   "destructionPercent": "destruction", "stars": "stars",
                   "attackCount": "attack_count", "totalLooted": "total_looted"}


@PROPERTY
@given(field=st.sampled_from(sorted(DISTRICT_FIELDS)), j=st.integers(0, 4))
def test_missing_district_field_is_na(real, field, j):
    payload = copy.deepcopy(real)
    del payload["items"][0]["attackLog"][0]["districts"][j][field]
    districts = build_raid_districts(payload)
    assert_contract(districts, RAID_DISTRICTS)
    assert pd.isna(districts.loc[j, DISTRICT_FIELDS[field]])
    assert districts.loc[j, "opponent_tag"] == real["items"][0]["attackLog"][0]["defender"][
        "tag"]
