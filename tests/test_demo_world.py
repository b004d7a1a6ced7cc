"""The demo world is consistent, deterministic, and behaves like the real API at the edges."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from urllib.parse import quote

import pytest

from cocframes.demo import World, verify_token_for
from cocframes.demo.paging import decode_cursor

NOW = datetime(2026, 3, 14, 12, tzinfo=timezone.utc)


def q(tag: str) -> str:
    return quote(tag, safe="")


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, now=NOW)


def get(world: World, path: str, **query: str) -> dict:
    answer = world.handle("GET", path, query)
    assert answer.status == 200, (path, answer.body)
    return answer.body


def walk(world: World, path: str, limit: int) -> list[dict]:
    """Follow ``after`` cursors to the end; return all items."""
    items, after, pages = [], None, 0
    while True:
        query = {"limit": str(limit)} | ({"after": after} if after else {})
        body = get(world, path, **query)
        items += body["items"]
        pages += 1
        after = body["paging"]["cursors"].get("after")
        if after is None:
            return items
        assert pages < 1000


def test_world_is_fast_to_build_and_large_enough() -> None:
    started = time.perf_counter()
    world = World(seed=11, now=NOW)
    assert time.perf_counter() - started < 2  # generous; typically ~0.03 s
    assert len(set(world.player_tags)) >= 600
    assert len(world.cwl_clan_tags) == 8
    assert all(tag.startswith("#") and set(tag[1:]) <= set("0289PYLQGRJCUV")
               for tag in world.player_tags + world.clan_tags)


def test_every_player_is_fetchable_with_a_full_profile(world: World) -> None:
    keys = {"troops", "heroes", "heroEquipment", "spells", "achievements", "labels",
            "builderBaseTrophies", "clanCapitalContributions", "playerHouse"}
    for tag in world.player_tags:
        profile = get(world, f"/players/{q(tag)}")
        assert profile["tag"] == tag
        assert keys <= profile.keys()


def test_some_players_lack_clan_or_league(world: World) -> None:
    profiles = [get(world, f"/players/{q(t)}") for t in world.player_tags]
    assert any("clan" not in p for p in profiles)
    assert any("league" not in p and "leagueTier" not in p for p in profiles)


def test_members_have_profiles_naming_their_clan(world: World) -> None:
    clan = get(world, f"/clans/{q(world.clan_tag)}")
    members = get(world, f"/clans/{q(world.clan_tag)}/members")["items"]
    assert [m["tag"] for m in members] == [m["tag"] for m in clan["memberList"]]
    assert clan["members"] == len(members)
    for member in members:
        profile = get(world, f"/players/{q(member['tag'])}")
        assert profile["clan"]["tag"] == world.clan_tag
        assert profile["name"] == member["name"]
        assert profile["role"] == member["role"]


def test_current_war_attacks_reference_the_right_sides(world: World) -> None:
    war = get(world, f"/clans/{q(world.clan_tag)}/currentwar")
    assert war["state"] == "inWar"
    start, end = (datetime.strptime(war[k], "%Y%m%dT%H%M%S.000Z").replace(tzinfo=timezone.utc)
                  for k in ("startTime", "endTime"))
    assert start <= NOW < end
    ours = {m["tag"] for m in war["clan"]["members"]}
    theirs = {m["tag"] for m in war["opponent"]["members"]}
    roster = {m["tag"] for m in get(world, f"/clans/{q(world.clan_tag)}/members")["items"]}
    assert ours <= roster and not ours & theirs
    orders = []
    for side, own, other in (("clan", ours, theirs), ("opponent", theirs, ours)):
        for member in war[side]["members"]:
            for attack in member.get("attacks", []):
                assert attack["attackerTag"] == member["tag"] and attack["attackerTag"] in own
                assert attack["defenderTag"] in other
                assert 0 <= attack["stars"] <= 3 and 0 <= attack["destructionPercentage"] <= 100
                orders.append(attack["order"])
            best = member.get("bestOpponentAttack")
            if best:
                assert best["defenderTag"] == member["tag"] and best["attackerTag"] in other
    assert sorted(orders) == list(range(1, len(orders) + 1))
    mirrored = get(world, f"/clans/{q(world.war_opponent_clan_tag)}/currentwar")
    assert mirrored["clan"] == war["opponent"] and mirrored["opponent"] == war["clan"]


def test_cwl_group_has_8_clans_and_war_tags_resolve(world: World) -> None:
    group = get(world, f"/clans/{q(world.clan_tag)}/currentwar/leaguegroup")
    clans = {c["tag"] for c in group["clans"]}
    assert len(clans) == 8 and clans == set(world.cwl_clan_tags)
    assert len(group["rounds"]) == 7
    states = []
    for rnd in group["rounds"]:
        assert len(rnd["warTags"]) == 4
        for tag in rnd["warTags"]:
            if tag == "#0":
                continue
            war = get(world, f"/clanwarleagues/wars/{q(tag)}")
            states.append(war["state"])
            assert {war["clan"]["tag"], war["opponent"]["tag"]} <= clans
            rosters = {c["tag"]: {m["tag"] for m in c["members"]} for c in group["clans"]}
            assert {m["tag"] for m in war["clan"]["members"]} <= rosters[war["clan"]["tag"]]
    assert {"warEnded", "inWar", "preparation"} <= set(states)
    assert group["rounds"][-1]["warTags"] == ["#0"] * 4


def test_raid_members_are_clan_members(world: World) -> None:
    roster = {m["tag"] for m in get(world, f"/clans/{q(world.clan_tag)}/members")["items"]}
    seasons = get(world, f"/clans/{q(world.clan_tag)}/capitalraidseasons")["items"]
    assert "members" not in seasons[-1]
    for season in seasons[:-1]:
        attackers = {m["tag"] for m in season["members"]}
        assert attackers <= roster
        logged = {a["attacker"]["tag"] for entry in season["attackLog"]
                  for d in entry["districts"] for a in d["attacks"]}
        assert logged == attackers
        assert season["totalAttacks"] == sum(m["attacks"] for m in season["members"])


def test_legend_rankings_page_through_25000_rows(world: World) -> None:
    rows = walk(world, "/leagues/29000022/seasons/2024-05", limit=5000)
    assert len(rows) >= 25_000
    assert len({r["tag"] for r in rows}) == len(rows)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert get(world, f"/players/{q(rows[12345]['tag'])}")["name"] == rows[12345]["name"]


def test_war_log_pages_and_cursors(world: World) -> None:
    everything = get(world, f"/clans/{q(world.clan_tag)}/warlog")["items"]
    assert len(everything) >= 50
    assert walk(world, f"/clans/{q(world.clan_tag)}/warlog", limit=7) == everything
    first = get(world, f"/clans/{q(world.clan_tag)}/warlog", limit="10")
    cursor = first["paging"]["cursors"]["after"]
    assert decode_cursor(cursor) == 10 and "before" not in first["paging"]["cursors"]
    second = get(world, f"/clans/{q(world.clan_tag)}/warlog", limit="10", after=cursor)
    back = get(world, f"/clans/{q(world.clan_tag)}/warlog", limit="10",
               before=second["paging"]["cursors"]["before"])
    assert back["items"] == first["items"]


def test_unknown_tag_and_invalid_path_answer_404(world: World) -> None:
    for path in (f"/players/{q(world.unknown_tag)}", f"/clans/{q(world.unknown_tag)}",
                 "/clans/%230", "/no/such/path", "/clanwarleagues/wars/%230"):
        answer = world.handle("GET", path, {})
        assert answer.status == 404
        assert answer.body["reason"] == "notFound" and answer.body["message"]


def test_private_war_log_answers_403(world: World) -> None:
    for suffix in ("warlog", "currentwar", "currentwar/leaguegroup"):
        answer = world.handle("GET", f"/clans/{q(world.private_clan_tag)}/{suffix}", {})
        assert answer.status == 403 and answer.body["reason"] == "accessDenied"
    assert get(world, f"/clans/{q(world.private_clan_tag)}")["isWarLogPublic"] is False


def test_not_in_war_shape(world: World) -> None:
    war = get(world, f"/clans/{q(world.not_in_war_clan_tag)}/currentwar")
    assert war["state"] == "notInWar"
    for side in ("clan", "opponent"):
        assert "tag" not in war[side] and "name" not in war[side]
        assert set(war[side]) == {"badgeUrls", "clanLevel", "attacks", "stars",
                                  "destructionPercentage"}
    clan = get(world, f"/clans/{q(world.not_in_war_clan_tag)}")
    assert "description" not in clan and "location" not in clan


def test_same_seed_same_answers() -> None:
    a, b = World(seed=7, now=NOW), World(seed=7, now=NOW)
    assert a.player_tags == b.player_tags
    for path in (f"/clans/{q(a.clan_tag)}/currentwar", f"/players/{q(a.player_tags[5])}",
                 f"/clans/{q(a.clan_tag)}/capitalraidseasons", "/locations/global/rankings/clans"):
        assert a.handle("GET", path, {}).body == b.handle("GET", path, {}).body
    assert World(seed=8, now=NOW).clan_tag != a.clan_tag


def test_search_clans_filters(world: World) -> None:
    assert world.handle("GET", "/clans", {}).status == 400
    assert get(world, "/clans", name="demo drag")["items"][0]["tag"] == world.clan_tag
    french = get(world, "/clans", locationId="32000087")["items"]
    assert french and all(c["location"]["countryCode"] == "FR" for c in french)
    big = get(world, "/clans", minMembers="45", minClanLevel="5")["items"]
    assert big and all(c["members"] >= 45 and c["clanLevel"] >= 5 for c in big)
    labelled = get(world, "/clans", labelIds="56000000,56000001")["items"]
    assert world.clan_tag in {c["tag"] for c in labelled}
    paged = get(world, "/clans", minMembers="1", limit="5")
    assert len(paged["items"]) == 5 and "after" in paged["paging"]["cursors"]


def test_verify_token(world: World) -> None:
    tag = world.player_tags[3]
    path = f"/players/{q(tag)}/verifytoken"
    good = world.handle("POST", path, {}, b'{"token": "%s"}' % verify_token_for(tag).encode())
    assert good.body == {"tag": tag, "token": verify_token_for(tag), "status": "ok"}
    bad = world.handle("POST", path, {}, b'{"token": "nope"}')
    assert bad.status == 200 and bad.body["status"] == "invalid"
    assert world.handle("GET", path, {}).status == 404


def test_rankings_reference_world_entities(world: World) -> None:
    clans = get(world, "/locations/32000087/rankings/clans")["items"]
    assert clans and {c["tag"] for c in clans} <= set(world.clan_tags)
    players = get(world, "/locations/global/rankings/players", limit="50")["items"]
    assert [p["trophies"] for p in players] == sorted((p["trophies"] for p in players),
                                                      reverse=True)
    for p in players[:5]:
        assert get(world, f"/players/{q(p['tag'])}")["trophies"] == p["trophies"]
    locations = get(world, "/locations")["items"]
    assert {"id": 32000087, "name": "France", "isCountry": True, "countryCode": "FR"} in locations
    assert {"id": 32000006, "name": "International", "isCountry": False} in locations


def test_league_group_of_a_player(world: World) -> None:
    tag = next(t for t in world.player_tags if "currentLeagueGroupTag" in
               get(world, f"/players/{q(t)}"))
    profile = get(world, f"/players/{q(tag)}")
    path = f"/leaguegroup/{q(profile['currentLeagueGroupTag'])}/{profile['currentLeagueSeasonId']}"
    group = get(world, path, playerTag=tag)
    assert tag in {m["playerTag"] for m in group["members"]}
    assert world.handle("GET", path, {}).status == 400


def test_the_demo_clan_constant_names_the_default_worlds_clan():
    from cocframes.demo import DEMO_CLAN_TAG

    assert World().clan_tag == DEMO_CLAN_TAG
