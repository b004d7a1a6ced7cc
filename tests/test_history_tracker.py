"""The tracker against the living demo world: every change found once, with the values the
world's own record holds, across a restart and an interrupted pass; maintenance and errors
reported as events; the schedule's requests."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from history_sim import compare

from cocframes.demo import World, life
from cocframes.demo.direct import DirectClient
from cocframes.errors import ServerError
from cocframes.tracking import simulation
from cocframes.tracking.kinds import kinds_of
from cocframes.tracking.store import HistoryStore
from cocframes.tracking.tracker import Tracker

START = datetime(2026, 3, 14, 12, tzinfo=timezone.utc)

# Rates that make a day of the busy world show every kind of member and clan change.
_BUSY = {"ROLES_PER_CLAN_DAY": 6, "NAMES_PER_CLAN_DAY": 4, "JOINS_PER_CLAN_DAY": 4,
         "LEAVES_PER_CLAN_DAY": 4, "TOWN_HALLS_PER_CLAN_DAY": 3,
         "BUILDER_HALLS_PER_CLAN_DAY": 3, "CLAN_CHANGES_PER_CLAN_DAY": 16,
         "CLAN_LEVELS_PER_CLAN_DAY": 2, "CAPITAL_HALLS_PER_CLAN_DAY": 2, "UPGRADES": 2.0,
         "LABEL_CHANGES": 0.2, "WAR_PREFERENCE_CHANGES": 0.2, "EQUIPMENT_SWAPS": 0.6}


@pytest.fixture(scope="module")
def busy_rates():
    """Raise the demo world's rates of rare changes for this module."""
    saved = {name: getattr(life, name) for name in _BUSY}
    for name, value in _BUSY.items():
        setattr(life, name, value)
    life._clan_rules.cache_clear()  # the clan rules read the rates once
    yield
    for name, value in saved.items():
        setattr(life, name, value)
    life._clan_rules.cache_clear()


class Interrupting(DirectClient):
    """A demo client whose ``call`` number ``at`` raises KeyboardInterrupt (Ctrl-C)."""

    def __init__(self, world: World, at: int) -> None:
        super().__init__(world)
        self.at = at

    def call(self, operation, **args):
        if self.requests + 1 == self.at:
            self.at = -1
            raise KeyboardInterrupt
        return super().call(operation, **args)


@pytest.fixture(scope="module")
def busy_day(busy_rates, tmp_path_factory):
    """A busy day of the main clan, polled with a restart at noon and a pass interrupted by
    Ctrl-C in the afternoon. Returns (world, run events, first pass, last pass, store,
    passes stored before and after the interrupt)."""
    world = World(seed=7, now=START)
    store = HistoryStore(tmp_path_factory.mktemp("busy") / "history.sqlite")
    morning = simulation.start(store, world=world).run_until(START + timedelta(hours=10))
    # a restart: a new process would have a new tracker on the same file
    afternoon = simulation.start(store, world=world, client=Interrupting(world, at=40))
    before = len(store.table("passes"))
    with pytest.raises(KeyboardInterrupt):
        afternoon.run_until(START + timedelta(hours=16))
    interrupted_at = len(store.table("passes"))
    afternoon.run_until(START + timedelta(days=1))
    events = morning.events + afternoon.events
    return (world, events, morning.first_pass, afternoon.last_pass, store,
            (before, interrupted_at))


def test_every_change_is_found_once_with_the_records_values(busy_day):
    world, events, first, last, _, _ = busy_day
    problems = compare(world, events, first, world.clan_tag, until=last)
    assert problems == [], "\n".join(problems[:20])


def test_a_busy_day_shows_every_kind_of_member_clan_and_war_change(busy_day):
    _, events, *_ = busy_day
    found = {e.change.kind for e in events}
    expected = set(kinds_of("member")) | {
        "clan_description", "clan_labels", "clan_settings", "clan_badge", "clan_level",
        "clan_capital", "clan_war_record", "war_new", "war_state", "war_attack",
        "player_town_hall", "player_troop_level", "player_spell_level", "player_hero_level",
        "player_equipment_level", "player_active_equipment", "player_war_stars",
        "player_attack_wins", "player_capital_contributions"}
    assert expected - found == set()


def test_an_interrupted_pass_stores_nothing_and_the_next_one_catches_up(busy_day):
    _, events, _, _, store, (before, interrupted_at) = busy_day
    assert interrupted_at > before, "passes before the interrupt were stored"
    passes = store.table("passes")
    assert passes["started"].is_monotonic_increasing
    assert passes["finished"].ge(passes["started"]).all()
    keys = Counter((e.change.kind, e.change.clan, e.change.player, e.change.field, e.time_to)
                   for e in events)
    assert max(keys.values()) == 1, "an event was reported twice"
    stored = store.events()
    assert len(stored) == len(events), "every event reported is stored, and only those"


def test_the_first_pass_is_a_baseline(tmp_path):
    world = World(seed=7, now=START)
    client = DirectClient(world)
    tracker = Tracker(client, HistoryStore(tmp_path), clans=[world.clan_tag])
    result = tracker.run_pass()
    assert not [e for e in result.events if e.change.kind.startswith(("member_", "clan_"))]
    members = len(world.clan_by_tag(world.clan_tag).members)
    assert result.requests >= 1 + members  # the clan and every member's profile
    again = tracker.run_pass()
    assert again.requests == 0 and again.events == [], "nothing is due again at once"
    client.advance(seconds=61)
    assert tracker.run_pass().requests == 1, "a minute later, only the clan is due"


def test_a_failed_poll_is_an_event_and_is_retried(tmp_path):
    world = World(seed=7, now=START)

    class Failing(DirectClient):
        fail = True

        def call(self, operation, **args):
            if operation == "getClan" and self.fail:
                self.fail = False
                raise ServerError(500, "unknownException", "boom", "/clans")
            return super().call(operation, **args)

    client = Failing(world)
    tracker = Tracker(client, HistoryStore(tmp_path), clans=[world.clan_tag], wars=False,
                      raids=False, legends=False)
    first = tracker.run_pass()
    errors = [e.change for e in first.events if e.change.kind == "poll_error"]
    assert len(errors) == 1 and "boom" in errors[0].new
    second = tracker.run_pass()
    assert second.requests >= 1 and not [e for e in second.events
                                         if e.change.kind == "poll_error"]
    assert tracker.store.seen("clan", world.clan_tag) is not None


def test_maintenance_is_reported_once_at_each_end(tmp_path):
    world = World(seed=7, now=START)
    window = world.maintenance_windows(START, START + timedelta(days=9))[0]
    store = HistoryStore(tmp_path)
    world.advance_to(window[0] - timedelta(minutes=10))
    run = simulation.start(store, world=world, wars=False, raids=False, legends=False).run_until(
        window[1] + timedelta(minutes=30))
    kinds = [e.change.kind for e in run.events]
    assert kinds.count("maintenance_start") == 1
    assert kinds.count("maintenance_end") == 1
    start = next(e for e in run.events if e.change.kind == "maintenance_start")
    end = next(e for e in run.events if e.change.kind == "maintenance_end")
    assert window[0].timestamp() <= start.time_to < window[1].timestamp()
    assert end.time_to >= window[1].timestamp()
    assert end.time_from == pytest.approx(start.time_to)


def _counter_total(start: int, changes: list) -> int:
    """The season counter rule computed from the world's own record: every value before a
    drop, plus the last value."""
    total, value = 0, start
    for h in changes:
        if h.new < value:
            total += value
        value = h.new
    return total + value


def test_season_totals_equal_the_worlds_own_record(busy_day):
    import cocframes as cf

    world, _, first, last, store, _ = busy_day
    frame = cf.season(world.clan_tag, history=store).set_index("tag")
    initial = World(seed=7, now=START)  # the members' counters when the world began
    start_values = {m.tag: (m.donations, m.received) for m in initial.players}
    record = [h for h in world.record if h.time.timestamp() <= last]
    members_seen = {h.player for h in record if h.kind == "member_joined"
                    and h.clan == world.clan_tag and h.time.timestamp() > first}
    first_members = {m.tag for m in World(seed=7, now=START).clan_by_tag(world.clan_tag).members}
    # the first pass ran at START: its members are the world's first members
    assert set(frame.index) == first_members | members_seen
    checked = 0
    for tag, row in frame.iterrows():
        for column, kind, index in (("donations", "member_donations", 0),
                                    ("received", "member_received", 1)):
            changes = [h for h in record if h.player == tag and h.kind == kind
                       and h.clan == world.clan_tag]
            joined_later = tag in members_seen and tag not in first_members
            start = 0 if joined_later else start_values[tag][index]
            if joined_later:  # counted from the first sight, after the join
                join = min(h.time for h in record if h.player == tag
                           and h.kind == "member_joined")
                before = [h for h in changes if h.time <= join]
                start = before[-1].new if before else 0
                changes = [h for h in changes if h.time > join]
            assert row[column] == _counter_total(start, changes), (tag, column)
            checked += 1
    assert checked >= 2 * 45


def test_answers_without_max_age_are_polled_at_the_apis_usual_ages(tmp_path):
    """A proxy that drops Cache-Control must not slow the war polls to the 10-minute default."""
    from dataclasses import replace

    class NoMaxAge(DirectClient):
        def call(self, operation, **args):
            return replace(super().call(operation, **args), max_age=None)

    world = World(seed=7, now=START)
    client = NoMaxAge(world)
    tracker = Tracker(client, HistoryStore(tmp_path), clans=[world.clan_tag], raids=False,
                      legends=False)
    tracker.run_pass()
    polled = Counter()
    client.advance(seconds=121)
    original = client.call

    def counting(operation, **args):
        polled[operation] += 1
        return original(operation, **args)

    client.call = counting
    tracker.run_pass()
    assert polled["getClan"] == 1
    assert polled["getCurrentWar"] == 1, "the current war is due after 120 s, as the API says"
    assert polled["getClanWarLeagueWar"] >= 1, "so are the clan's CWL wars"
