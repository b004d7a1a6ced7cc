"""Watching a clan as a user does: callbacks per event kind, a watch in the background of a
notebook, Ctrl-C in the middle of a pass, maintenance and 429s on the way, and a watcher
writing the history file while another process reads it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

import cocframes as cf
from cocframes import Client
from cocframes.demo import DemoServer, World
from cocframes.demo.direct import DirectClient
from cocframes.tracking import (
    EVENT_KINDS,
    CallbackWarning,
    Event,
    HistoryStore,
    Watcher,
    open_history,
)

START = datetime(2026, 3, 14, 12, tzinfo=timezone.utc)
FAST = 3600.0  # seconds of the demo world per second watched: events within a second
KIND_NAMES = {k.name for k in EVENT_KINDS}


def demo_client(now: datetime = START) -> Client:
    """An in-process demo client on a new world of seed 7 at ``now``."""
    return Client(demo=True, world=World(seed=7, now=now), cache=False, progress=False)


def stored_keys(frame) -> list[tuple]:
    """The events of a changes frame as comparable tuples, in order."""
    columns = ["time_to", "kind", "clan", "player", "field", "old", "new"]
    import pandas as pd

    return [tuple(None if pd.isna(v) else str(v) for v in row)
            for row in frame[columns].astype(object).itertuples(index=False)]


def integrity(path) -> str:
    """``PRAGMA integrity_check`` of a history file, read by a new connection."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# ----------------------------------------------------------------- callbacks


def test_callbacks_get_each_matching_event_once_and_the_file_holds_the_same(tmp_path):
    client = demo_client()
    donations: list[Event] = []
    everything: list[Event] = []
    frame = cf.watch(client.demo_world.clan_tag, client=client, history=tmp_path,
                     on={"member_donations": donations.append, "*": everything.append},
                     max_passes=60, speed=FAST)
    assert frame.attrs["passes"] == 60
    assert len(everything) == len(frame) > 0
    assert [e.kind for e in everything] == list(frame["kind"].astype(str))
    assert donations, "an hour of the demo clan has donations"
    assert donations == [e for e in everything if e.kind == "member_donations"]
    for event in everything:
        assert event.kind in KIND_NAMES
        assert event.time_to.utcoffset() == timedelta(0)
        assert event.time_from is None or (event.time_from.utcoffset() == timedelta(0)
                                           and event.time_from <= event.time_to)
    assert stored_keys(cf.changes(history=tmp_path)) == stored_keys(frame)


def test_a_kind_spelled_otherwise_reaches_its_callback_canonically(tmp_path):
    client = demo_client()
    got: list[str] = []
    cf.watch(client.demo_world.clan_tag, client=client, history=tmp_path,
             on={"Member-Donations": lambda e: got.append(e.kind)}, max_passes=60, speed=FAST)
    assert got and set(got) == {"member_donations"}


def test_an_unknown_kind_is_refused_before_any_request_or_file(tmp_path):
    world = World(seed=7, now=START)
    client = DirectClient(world)
    with pytest.raises(ValueError, match="member_donatoins"):
        cf.watch(world.clan_tag, client=client, history=tmp_path / "h",
                 on={"member_donatoins": print}, max_passes=1)
    assert client.requests == 0
    assert not (tmp_path / "h").exists(), "a typo in a kind must not create a history file"


def test_a_callback_that_raises_is_a_warning_and_later_events_still_come(tmp_path):
    client = demo_client()
    calls: list[Event] = []

    def fails_once(event: Event) -> None:
        calls.append(event)
        if len(calls) == 1:
            raise RuntimeError("my bug")

    with pytest.warns(CallbackWarning, match="my bug"):
        frame = cf.watch(client.demo_world.clan_tag, client=client, history=tmp_path,
                         on={"*": fails_once}, max_passes=60, speed=FAST)
    assert len(calls) == len(frame) > 1, "every event after the failing one was delivered"


# ----------------------------------------------------------------- background


def wait_for(condition, timeout: float = 60.0) -> bool:
    """Poll ``condition`` every 50 ms until it is true or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_background_watch_leaves_the_caller_free_and_stops_on_request(tmp_path):
    client = demo_client()
    watcher = cf.watch(client.demo_world.clan_tag, client=client, history=tmp_path,
                       background=True, speed=FAST)
    try:
        assert isinstance(watcher, Watcher) and watcher.running
        assert "running" in repr(watcher)
        assert wait_for(lambda: len(watcher.events()) > 0), "events come in the background"
        seen = len(watcher.events())
        assert wait_for(lambda: len(watcher.events()) > seen), "and keep coming"
    finally:
        frame = watcher.stop(timeout=60)
    assert not watcher.running and watcher.error is None
    assert len(frame) >= seen
    again = watcher.stop(timeout=60)
    assert len(again) == len(frame), "stopping twice is harmless"
    assert "stopped" in repr(watcher)
    assert stored_keys(cf.changes(history=tmp_path)) == stored_keys(frame)


def test_an_error_that_ends_the_background_thread_is_kept(tmp_path):
    client = demo_client()

    def leave(event: Event) -> None:
        raise SystemExit("callback asked to exit")

    watcher = cf.watch(client.demo_world.clan_tag, client=client, history=tmp_path,
                       on={"*": leave}, background=True, speed=FAST)
    try:
        assert wait_for(lambda: not watcher.running)
    finally:
        watcher.stop(timeout=60)
    assert isinstance(watcher.error, SystemExit)
    assert "stopped" in repr(watcher)


def test_a_history_path_that_cannot_be_created_fails_at_once(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    client = demo_client()
    with pytest.raises(OSError):
        cf.watch(client.demo_world.clan_tag, client=client,
                 history=tmp_path / "file" / "sub", background=True, speed=FAST)


# ----------------------------------------------------------------- Ctrl-C


class InterruptedAt(DirectClient):
    """A demo client whose ``getClan`` call number ``at`` raises KeyboardInterrupt."""

    def __init__(self, world: World, at: int) -> None:
        super().__init__(world)
        self.at, self.clan_calls = at, 0

    def call(self, operation, **args):
        if operation == "getClan":
            self.clan_calls += 1
            if self.clan_calls == self.at:
                raise KeyboardInterrupt
        return super().call(operation, **args)


def test_ctrl_c_mid_pass_returns_the_whole_passes_and_stores_only_them(tmp_path):
    world = World(seed=7, now=START)
    path = tmp_path / "history.sqlite"
    client = InterruptedAt(world, at=30)
    frame = cf.watch(world.clan_tag, client=client, history=path, speed=FAST)
    assert client.clan_calls == 30, "the watch ran until Ctrl-C"
    passes = frame.attrs["passes"]
    store = HistoryStore(path)
    assert len(store.table("passes")) == passes > 1
    assert len(store.events()) == len(frame) > 0
    assert stored_keys(cf.changes(history=store)) == stored_keys(frame)
    store.close()
    assert integrity(path) == "ok"
    # a new watch on the same file goes on from there
    more = cf.watch(world.clan_tag, client=DirectClient(world), history=path, max_passes=5,
                    speed=FAST)
    assert len(HistoryStore(path).table("passes")) == passes + 5
    assert len(HistoryStore(path).events()) == len(frame) + len(more)


# ----------------------------------------------------------------- the API's moods


def test_maintenance_is_reported_once_each_way_and_the_watch_goes_on(tmp_path):
    world = World(seed=7, now=START)
    start, end = world.maintenance_windows(START, START + timedelta(days=9))[0]
    world.advance_to(start - timedelta(minutes=5))
    # no retries of the 503s: the in-process world's clock stands still while a client waits
    client = Client(demo=True, world=world, cache=False, progress=False, max_retries=0)
    got: list[Event] = []
    frame = cf.watch(world.clan_tag, client=client, history=tmp_path,
                     on={"maintenance_start": got.append, "maintenance_end": got.append},
                     duration=(end - start).total_seconds() + 3600, speed=FAST)
    kinds = list(frame["kind"].astype(str))
    assert kinds.count("maintenance_start") == 1 and kinds.count("maintenance_end") == 1
    assert [e.kind for e in got] == ["maintenance_start", "maintenance_end"]
    assert start <= got[0].time_to < end <= got[1].time_to
    after = frame[frame["time_to"] > got[1].time_to]
    assert after["kind"].astype(str).str.startswith("member_").any(), "the watch went on"


def test_429s_are_retried_and_never_lose_a_pass(tmp_path):
    world = World(seed=7, now=START)
    # the world lives 60 times faster than the wall clock: the clan is due again each second
    with DemoServer(world, rate_limit=20, burst=5, speed=60) as server:
        client = Client(token="t", base_url=server.base_url, cache=False, progress=False,
                        max_retry_time=120)
        frame = cf.watch(world.clan_tag, client=client, history=tmp_path, max_passes=3,
                         wars=False, raids=False, legends=False)
        throttled = server.stats()["throttled"]
    assert throttled > 0, "the server did throttle"
    assert frame.attrs["passes"] == 3
    assert not (frame["kind"] == "poll_error").any(), frame[frame["kind"] == "poll_error"]
    store = HistoryStore(tmp_path)
    assert len(store.table("passes")) == 3
    members = len(world.clan_by_tag(world.clan_tag).members)
    assert len(store.subjects("player")) == members, "every profile of the first pass stored"


# ----------------------------------------------------------------- two processes


def watch_process(history, clan: str, passes: int) -> subprocess.Popen:
    """``cocframes watch --demo`` writing ``passes`` passes to ``history``."""
    return subprocess.Popen(
        [sys.executable, "-m", "cocframes.cli", "watch", "--demo", clan, "--history",
         str(history), "--passes", str(passes), "--speed", "3600"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def read_everything(history, clan: str) -> tuple[int, int]:
    """Read the file as a notebook would; return (passes, events) seen."""
    store = open_history(history)
    passes = len(store.table("passes"))
    events = len(cf.changes(history=history))
    if passes:
        cf.season(clan, history=history)
        store.table("subjects")
    return passes, events


@pytest.mark.parametrize("attempt", range(3))
def test_a_notebook_reads_while_another_process_watches(tmp_path, attempt):
    clan = World(seed=7).clan_tag
    history = tmp_path / "shared.sqlite"
    proc = watch_process(history, clan, passes=25)
    seen: list[tuple[int, int]] = []
    errors: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                seen.append(read_everything(history, clan))
            except Exception as error:  # every error is a failure, listed at the end
                errors.append(f"{type(error).__name__}: {error}")
            time.sleep(0.02)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert errors == []
    assert proc.returncode == 0, err[-2000:]
    final = read_everything(history, clan)
    assert final[0] == 25
    passes = [p for p, _ in seen]
    assert passes == sorted(passes), "a reader never sees the file go back"
    assert len(set(passes)) > 1, "the reads saw the history grow"


def test_the_first_pass_reports_nothing_even_mid_war(tmp_path):
    client = demo_client()
    assert client.get_current_war(client.demo_world.clan_tag)["state"] == "inWar"
    assert len(cf.track(client.demo_world.clan_tag, client=client, history=tmp_path)) == 0
