"""The demo world's kept answers and values: the same answers as built afresh."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

from cocframes.demo import World, schedule, wars
from cocframes.demo.adapter import answer_bytes
from cocframes.demo.clans import clan_obj
from cocframes.demo.common import encode_body
from cocframes.demo.growth import overlay
from cocframes.demo.players import player_profile

START = datetime(2026, 3, 14, 12, tzinfo=timezone.utc)


def clan_path(world: World) -> str:
    return "/clans/" + quote(world.clan_tag, safe="")


def test_a_kept_clan_answer_is_a_fresh_copy_each_time() -> None:
    world = World(seed=7, now=START)
    first = world.handle("GET", clan_path(world)).body
    first["memberList"][0]["name"] = "changed by a reader"
    first["name"] = "changed"
    second = world.handle("GET", clan_path(world)).body
    assert second == clan_obj(world, world.clans[0])
    assert second["name"] == "Demo Dragons"


def test_kept_clan_answers_follow_the_world_as_it_lives() -> None:
    world = World(seed=7, now=START)
    changed = 0
    for _ in range(120):  # two hours in one-minute steps: some with changes, most without
        before = len(world.record)
        world.advance(60)
        changed += len(world.record) > before
        answer = world.handle("GET", clan_path(world))
        assert answer.body == clan_obj(world, world.clans[0])
        assert answer_bytes(answer) == encode_body(answer.body)
    assert 0 < changed < 120


def test_a_profile_with_life_laid_over_matches_the_full_profile() -> None:
    world = World(seed=7, now=START)
    world.advance(6 * 3600)
    for m in world.players[::7]:
        full = player_profile(world, m, overlay=False)
        overlay(world, m, full)
        assert player_profile(world, m) == full
        assert list(player_profile(world, m)) == list(full)


def test_kept_war_answers_follow_the_attacks_made() -> None:
    world = World(seed=7, now=START)
    path = "/clans/" + quote(world.clan_tag, safe="") + "/currentwar"
    seen = set()
    for _ in range(40):  # a battle day and a half in 40-minute steps
        world.advance(2400)
        body = world.handle("GET", path).body
        k = schedule.war_index_at(world, 0, world.now)
        times = schedule.war_times(world, 0, k)
        a, b = schedule.war_sides(world, 0, k)
        fresh = wars._war_payload(world, schedule.war_key(0, k), a, b, prep=times.prep,
                                  start=times.start, end=times.end, attacks_per_member=2,
                                  cwl=False)
        assert body == fresh
        seen.add((body["state"], body["clan"]["attacks"] + body["opponent"]["attacks"]))
    assert len(seen) > 3
