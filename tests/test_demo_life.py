"""The demo world living through time: World.advance, its record, wars going on, maintenance,
and the client's and the server's clocks."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.error import HTTPError
from urllib.parse import quote

import pytest

from cocframes import Client
from cocframes.demo import DemoServer, World
from cocframes.errors import ConfigurationError
from cocframes.tracking import diff
from cocframes.tracking.kinds import KIND_NAMES

START = datetime(2026, 3, 14, 12, tzinfo=timezone.utc)
EXPECTED_KINDS = (
    "member_joined", "member_left", "member_role", "member_name", "member_donations",
    "member_received", "member_trophies", "member_builder_base_trophies", "member_level",
    "member_league", "clan_level", "clan_description", "clan_badge", "clan_settings",
    "clan_war_log_visibility", "clan_labels", "clan_capital", "clan_war_record",
    "player_town_hall", "player_builder_hall", "player_troop_level", "player_spell_level",
    "player_hero_level", "player_equipment_level", "player_pet_level",
    "player_active_equipment", "player_achievement", "player_war_stars", "player_attack_wins",
    "player_defense_wins", "player_best_trophies", "player_capital_contributions",
    "player_labels", "player_war_preference", "player_clan", "player_donations",
    "player_received", "war_new", "war_state", "war_attack", "cwl_round",
    "maintenance_start", "maintenance_end", "season_start",
)


def q(tag: str) -> str:
    return quote(tag, safe="")


def get(world: World, path: str) -> dict:
    answer = world.handle("GET", path)
    assert answer.status == 200, answer.body
    return answer.body


def outside_maintenance(world: World, moment: datetime) -> datetime:
    """Return ``moment``, or the end of the maintenance window it falls in."""
    for begin, end in world.maintenance_windows(moment, moment):
        if begin <= moment < end:
            return end
    return moment


@pytest.fixture(scope="module")
def month() -> World:
    """The demo world of seed 7 after 28 days of life."""
    world = World(seed=7, now=START)
    world.advance(timedelta(days=28))
    return world


def test_advancing_in_one_step_or_many_reaches_the_same_world() -> None:
    once, steps = World(seed=7, now=START), World(seed=7, now=START)
    once.advance(timedelta(days=2))
    for n in range(60):  # irregular steps, some within a tick, summing to two days
        steps.advance(timedelta(minutes=37, seconds=n * 11))
    steps.advance_to(START + timedelta(days=2))
    assert steps.now == once.now == START + timedelta(days=2)
    assert steps.record == once.record
    player = once.clans[0].members[3].tag
    for path in (f"/clans/{q(once.clan_tag)}", f"/clans/{q(once.clan_tag)}/currentwar",
                 f"/players/{q(player)}", f"/players/{q(player)}/battlelog"):
        assert once.handle("GET", path).body == steps.handle("GET", path).body


def test_every_recorded_kind_is_a_history_kind_and_each_kind_occurs(month: World) -> None:
    kinds = Counter(h.kind for h in month.record)
    assert set(kinds) <= set(KIND_NAMES)
    assert [k for k in EXPECTED_KINDS if not kinds[k]] == []
    assert [h.time for h in month.record] == sorted(h.time for h in month.record)
    assert all(START < h.time <= month.now for h in month.record)


def test_members_never_report_the_player_kinds_the_member_list_shows(month: World) -> None:
    member_only = {"player_name", "player_role", "player_trophies", "player_level",
                   "player_builder_base_trophies", "player_league", "player_donations",
                   "player_received"}
    assert all(h.clan is None for h in month.record if h.kind in member_only)


def test_the_member_list_agrees_with_the_recorded_donations() -> None:
    world = World(seed=7, now=START)
    before = {m["tag"]: m["donations"] for m in get(world, f"/clans/{q(world.clan_tag)}")[
        "memberList"]}
    world.advance(timedelta(days=1, hours=5))
    after = {m["tag"]: m["donations"] for m in get(world, f"/clans/{q(world.clan_tag)}")[
        "memberList"]}
    deltas = Counter()
    for h in world.record:
        if h.kind == "member_donations" and h.clan == world.clan_tag:
            deltas[h.player] += h.new - h.old
    for tag, donations in after.items():
        if tag in before:  # members who stayed all along
            assert donations == before[tag] + deltas[tag]
    assert any(deltas.values())


def test_a_leaver_is_gone_from_the_member_list_and_clanless(month: World) -> None:
    left = [h for h in month.record if h.kind == "member_left"]
    last = {}
    for h in month.record:
        if h.kind in ("member_left", "member_joined"):
            last[h.player] = h
    gone = next(h for h in reversed(left) if last[h.player] is h)
    members = {m["tag"] for m in get(month, f"/clans/{q(gone.clan)}/members")["items"]}
    assert gone.player not in members
    profile = get(month, f"/players/{q(gone.player)}")
    assert "clan" not in profile and profile["donations"] == 0


def shown_attacks(world: World) -> dict[tuple, dict]:
    """Return the attacks shown in the main clan's current war and its CWL wars."""
    wars = [get(world, f"/clans/{q(world.clan_tag)}/currentwar")]
    group = get(world, f"/clans/{q(world.clan_tag)}/currentwar/leaguegroup")
    wars += [get(world, f"/clanwarleagues/wars/{q(tag)}")
             for r in group["rounds"] for tag in r["warTags"] if tag != "#0"]
    return {(a["attackerTag"], a["defenderTag"], a["stars"]): a for war in wars
            for side in ("clan", "opponent") for m in war[side]["members"]
            for a in m.get("attacks", [])}


def test_recorded_war_attacks_are_in_the_wars_and_stay_there() -> None:
    world = World(seed=7, now=START)
    world.advance(timedelta(hours=3))
    first = shown_attacks(world)
    sides = (world.clan_tag, world.war_opponent_clan_tag)  # the main war's and CWL's attackers
    recorded = [h for h in world.record if h.kind == "war_attack" and h.clan in sides]
    assert recorded
    assert [h for h in recorded if (h.player, h.field, h.new) not in first] == []
    world.advance(timedelta(hours=5))
    later = shown_attacks(world)
    assert all(later[key] == attack for key, attack in first.items())
    assert len(later) > len(first)


def test_the_main_war_ends_and_the_next_one_follows() -> None:
    world = World(seed=7, now=START)
    world.advance(timedelta(days=2))
    states = [(h.old, h.new) for h in world.record
              if h.kind == "war_state" and h.clan == world.clan_tag]
    assert ("preparation", "inWar") in states and ("inWar", "warEnded") in states
    war = get(world, f"/clans/{q(world.clan_tag)}/currentwar")
    new = [h for h in world.record if h.kind == "war_new" and h.clan == world.clan_tag
           and h.field.endswith(war["preparationStartTime"])]
    assert war["opponent"]["tag"] == new[-1].new
    assert new[-1].field == diff.war_id(war), "the record names the war as the history does"
    records = [h for h in world.record if h.kind == "clan_war_record"]
    assert {h.clan for h in records} >= {world.clan_tag, world.war_opponent_clan_tag}


def test_maintenance_answers_503_inside_a_window_and_200_outside() -> None:
    world = World(seed=7, now=START)
    (begin, end), *_ = world.maintenance_windows(START, START + timedelta(days=10))
    assert begin >= START + timedelta(days=1)
    assert timedelta(minutes=20) <= end - begin <= timedelta(minutes=40)
    world.advance_to(begin + timedelta(minutes=5))
    assert world.in_maintenance()
    answer = world.handle("GET", f"/clans/{q(world.clan_tag)}")
    assert (answer.status, answer.body["reason"]) == (503, "inMaintenance")
    world.advance_to(end)
    assert world.handle("GET", f"/clans/{q(world.clan_tag)}").status == 200
    bounds = [(h.kind, h.time) for h in world.record if h.kind.startswith("maintenance")]
    assert bounds == [("maintenance_start", begin), ("maintenance_end", end)]


def test_the_clock_only_moves_forward() -> None:
    world = World(seed=7, now=START)
    with pytest.raises(ValueError):
        world.advance(-1)
    world.advance(60.0)
    with pytest.raises(ValueError):
        world.advance_to(START)
    assert world.start == START and world.now == START + timedelta(minutes=1)


def test_a_world_advanced_by_nothing_answers_as_a_new_one() -> None:
    fresh, still = World(seed=7, now=START), World(seed=7, now=START)
    still.advance(0)
    player = fresh.clans[0].members[0].tag
    for path in (f"/clans/{q(fresh.clan_tag)}", f"/players/{q(player)}",
                 f"/players/{q(player)}/battlelog", f"/clans/{q(fresh.clan_tag)}/currentwar"):
        assert fresh.handle("GET", path).body == still.handle("GET", path).body
    assert still.record == []


def test_the_battle_log_shows_the_battles_fought(month: World) -> None:
    legend = next(m for c in month.clans for m in c.members
                  if m.trophies >= 5000 and m.has_league and month.life.battles.get(m.tag))
    items = get(month, f"/players/{q(legend.tag)}/battlelog")["items"]
    stamps = [i["battleTimestamp"] for i in items]
    assert stamps == sorted(stamps, reverse=True)
    assert stamps[0] > START.strftime("%Y%m%dT%H%M%S")


def test_the_season_end_resets_donations(month: World) -> None:
    season = next(h for h in month.record if h.kind == "season_start")
    assert (season.old, season.new) == ("2026-03", "2026-04")
    at_end = [h for h in month.record if h.time == season.time]
    resets = {h.player for h in at_end if h.kind == "member_donations" and h.new == 0}
    assert len(resets) > 100


def test_an_advanced_demo_client_answers_fresh_data() -> None:
    world = World(seed=7, now=START)
    client = Client(demo=True, cache=False, world=world)
    assert client.demo_world is world and client.clock() == START
    before = client.get(f"/clans/{q(world.clan_tag)}/members")
    now = client.advance(hours=1)
    assert now == client.clock() == START + timedelta(hours=1)
    after = client.get(f"/clans/{q(world.clan_tag)}/members")
    assert after != before
    assert after == get(world, f"/clans/{q(world.clan_tag)}/members")


def test_advance_needs_an_in_process_demo_client() -> None:
    client = Client(token="abc", cache=False)
    assert client.demo_world is None
    assert client.clock().tzinfo is not None
    with pytest.raises(ConfigurationError):
        client.advance(hours=1)


def test_a_fast_server_moves_the_clock_and_shortens_max_age() -> None:
    world = World(seed=7, now=START)
    with DemoServer(world, speed=3600) as server:
        url = f"{server.base_url}/clans/{q(world.clan_tag)}"
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                control = answer.headers["Cache-Control"]
        except HTTPError as err:  # a maintenance window may be reached
            control = err.headers["Cache-Control"]
    assert world.now > START
    assert control == "max-age=1"


def test_a_server_without_speed_keeps_the_clock() -> None:
    world = World(seed=7, now=START)
    with DemoServer(world) as server:
        url = f"{server.base_url}/clans/{q(world.clan_tag)}"
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.headers["Cache-Control"] == "max-age=60"
    assert world.now == START


def test_raid_seasons_shown_stay_the_same_as_members_come_and_go() -> None:
    world = World(seed=7, now=START)  # a Saturday: a raid weekend is going on
    path = f"/clans/{q(world.clan_tag)}/capitalraidseasons"
    before = get(world, path)["items"]
    assert before[0]["state"] == "ongoing"
    world.advance(timedelta(days=7))
    assert any(h.kind == "member_left" and h.clan == world.clan_tag for h in world.record)
    after = get(world, path)["items"]
    assert after[0]["startTime"] > before[0]["startTime"]  # a new weekend began
    for old in before[:-2]:  # (the oldest season shown has no members)
        new = next(s for s in after if s["startTime"] == old["startTime"])
        assert new["attackLog"] == old["attackLog"] and new["members"] == old["members"]


def test_demo_serve_with_speed_says_so_and_scales_max_age() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "cocframes.cli", "demo", "serve", "--port", "0", "--speed", "120"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
        url = re.search(r"(http://127\.0\.0\.1:\d+/v1)", lines[0])
        assert url and "120x faster" in lines[2], lines
        with urllib.request.urlopen(f"{url.group(1)}/clans/{q(World().clan_tag)}",
                                    timeout=10) as answer:
            assert answer.headers["Cache-Control"] == "max-age=1"  # 60 s / 120
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()


def test_advancing_a_demo_client_keeps_the_real_apis_cached_answers(tmp_path):
    world = World(seed=7, now=START)
    with DemoServer(World(seed=7, now=START)) as server:
        real = Client(token="t", base_url=server.base_url, cache_dir=tmp_path, progress=False)
        real.get_clan(world.clan_tag)
        stored = real.cache_info().entries
        assert stored >= 1
        demo = Client(demo=True, world=world, cache_dir=tmp_path, progress=False)
        before = demo.get_clan(world.clan_tag)
        demo.advance(days=2)
        assert real.cache_info().entries == stored, "the real API's answers were lost"
        assert demo.cache_info().path != real.cache_info().path
        after = demo.get_clan(world.clan_tag)
        assert after != before, "the demo client answered from before the advance"
        real.close()
        demo.close()
