"""The client over real HTTP on 127.0.0.1 against the demo server: throttle vs server limits,
retries of every fault kind, maintenance, stale-on-error, offline mode and the cache path.

Every server runs on a free port of the loopback interface; no test depends on wall-clock
speed except one throughput *ratio* with a generous margin.
"""

from __future__ import annotations

import time
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cocframes.client import Client, StaleDataWarning
from cocframes.demo import DemoServer, World
from cocframes.errors import (
    ApiError,
    MaintenanceError,
    NetworkError,
    OfflineCacheMissError,
    ServerError,
    ThrottledError,
)

NOW = datetime(2026, 3, 14, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, now=NOW)


@pytest.fixture
def server(world: World):
    with DemoServer(world) as srv:
        yield srv


def expire_all(client: Client) -> int:
    """Mark every cached response of ``client`` as expired; return how many there were."""
    responses = client.session.cache.responses
    past = datetime.now(timezone.utc) - timedelta(minutes=5)
    keys = list(responses)
    for key in keys:
        response = responses[key]
        response.expires = past
        responses[key] = response
    client._clear_memo()  # the in-memory layer holds fresh copies of the same answers
    return len(keys)


# --------------------------------------------------------------------------- throttle vs limit
def _bulk_run(world: World, tokens: list[str], tags: list[str]) -> tuple[float, dict, Client]:
    with DemoServer(world, rate_limit=10, burst=10) as srv:
        client = Client(token=tokens, base_url=srv.base_url, cache=False, rate=10,
                        progress=False)
        started = time.monotonic()
        result = client.many(client.get_player, tags)
        elapsed = time.monotonic() - started
        stats = srv.stats()
        client.close()
    assert not result.failures, result.failures
    assert [p["tag"] for p in result.results] == tags
    return elapsed, stats, client


def test_throttle_stays_under_server_limit_and_keys_add_up(world: World) -> None:
    tags = world.player_tags[:40]
    one_time, one_stats, one = _bulk_run(world, ["key-a"], tags)
    three_time, three_stats, three = _bulk_run(world, ["key-a", "key-b", "key-c"], tags)
    for stats in (one_stats, three_stats):
        assert stats["throttled"] == 0
        assert stats["requests"] == len(tags)
    assert one.stats().throttled == three.stats().throttled == 0
    assert one_stats["by_token"] == {"key-a": 40}
    spread = three_stats["by_token"]
    assert set(spread) == {"key-a", "key-b", "key-c"}
    assert max(spread.values()) - min(spread.values()) <= 2
    # 40 requests at 10/s take ~3.9 s on one key and ~1.3 s on three: demand well under 3×.
    assert one_time / three_time > 1.8, (one_time, three_time)


def test_no_client_throttle_meets_429s_but_loses_nothing(world: World) -> None:
    tags = world.player_tags[40:70]
    with DemoServer(world, rate_limit=10, burst=5) as srv:
        client = Client(token="greedy", base_url=srv.base_url, cache=False, rate=1000,
                        progress=False)
        result = client.many(client.get_player, tags)
        server_stats = srv.stats()
    assert not result.failures, {t: str(e) for t, e in result.failures.items()}
    assert [p["tag"] for p in result.results] == tags
    stats = client.stats()
    assert stats.throttled > 0 and server_stats["throttled"] == stats.throttled
    assert stats.retries >= stats.throttled
    assert stats.errors == 0
    assert server_stats["requests"] == len(tags) + stats.throttled


def test_429s_are_retried_up_to_max_retries(server: DemoServer, world: World) -> None:
    """A 429 is waited out and retried like any other failure, up to max_retries (issue 12:
    the retry count bounds 429s too, so a storm cannot run a call for minutes)."""
    client = Client(token="t", base_url=server.base_url, cache=False, max_retries=3,
                    progress=False)
    server.inject_faults("429", 3)
    assert client.get_player(world.player_tags[0])["tag"] == world.player_tags[0]
    assert client.stats().retries == 3 and client.stats().throttled == 3
    server.inject_faults("429", 4)
    with pytest.raises(ThrottledError):
        client.get_player(world.player_tags[1])
    assert client.stats().throttled == 3 + 4


def test_429s_end_at_the_time_budget(server: DemoServer, world: World) -> None:
    client = Client(token="t", base_url=server.base_url, cache=False, max_retries=50,
                    max_retry_time=0.6, progress=False)
    server.inject_faults("429", 50)
    started = time.monotonic()
    with pytest.raises(ThrottledError):
        client.get_player(world.player_tags[0])
    assert time.monotonic() - started < 10  # bounded (budget 0.6 s, generous margin)
    assert 1 <= client.stats().retries < 10


# --------------------------------------------------------------------------- retries
@pytest.mark.parametrize(("kind", "count"), [("500", 2), ("503", 1), ("drop", 1), ("429", 2)])
def test_faults_are_retried(server: DemoServer, world: World, kind: str, count: int) -> None:
    client = Client(token="t", base_url=server.base_url, cache=False, progress=False)
    server.inject_faults(kind, count)
    tag = world.player_tags[1]
    assert client.get_player(tag)["tag"] == tag
    stats = client.stats()
    assert stats.retries == count
    assert stats.requests == count + 1
    assert stats.errors == 0
    assert stats.throttled == (count if kind == "429" else 0)
    assert server.stats()["requests"] == count + 1


def test_slow_answer_times_out_and_is_retried(server: DemoServer, world: World) -> None:
    server.slow_seconds = 3.0
    client = Client(token="t", base_url=server.base_url, cache=False, timeout=0.5,
                    progress=False)
    server.inject_faults("slow", 1)
    tag = world.player_tags[2]
    assert client.get_player(tag)["tag"] == tag
    assert client.stats().retries == 1
    assert client.stats().requests == 2


@pytest.mark.parametrize(("kind", "error"), [
    ("500", ServerError), ("503", MaintenanceError), ("drop", NetworkError),
])
def test_retries_exhausted_raise_the_right_error(server: DemoServer, world: World, kind: str,
                                                 error: type) -> None:
    client = Client(token="t", base_url=server.base_url, cache=False, max_retries=1,
                    progress=False)
    server.inject_faults(kind, 2)
    with pytest.raises(error) as info:
        client.get_player(world.player_tags[3])
    if kind == "500":
        assert type(info.value) is ServerError
    stats = client.stats()
    assert stats.retries == 1 and stats.requests == 2 and stats.errors == 1


def test_slow_exhausted_raises_network_error(server: DemoServer, world: World) -> None:
    server.slow_seconds = 2.0
    client = Client(token="t", base_url=server.base_url, cache=False, timeout=0.3,
                    max_retries=0, progress=False)
    server.inject_faults("slow", 1)
    with pytest.raises(NetworkError) as info:
        client.get_player(world.player_tags[3])
    assert info.value.reason == "timeout"


# --------------------------------------------------------------------------- maintenance, stale
def test_maintenance_without_cache_raises(server: DemoServer, world: World,
                                          tmp_path: Path) -> None:
    client = Client(token="t", base_url=server.base_url, cache_dir=tmp_path, max_retries=1,
                    progress=False)
    server.set_maintenance(True)
    with pytest.raises(MaintenanceError):
        client.get_player(world.player_tags[4])


def test_maintenance_serves_expired_cache_with_warning(server: DemoServer, world: World,
                                                       tmp_path: Path) -> None:
    client = Client(token="t", base_url=server.base_url, cache_dir=tmp_path, max_retries=1,
                    progress=False)
    tag = world.player_tags[5]
    fresh = client.get_player(tag)
    assert expire_all(client) == 1
    server.set_maintenance(True)
    before = server.stats()["requests"]
    with pytest.warns(StaleDataWarning, match="maintenance"):
        fetched = client.fetch("/players/" + tag.replace("#", "%23"))
    assert fetched.payload == fresh
    assert fetched.stale and fetched.from_cache
    assert server.stats()["requests"] > before  # it did ask the API first
    with pytest.warns(StaleDataWarning):
        assert client.get_player(tag) == fresh


def test_unreachable_server_serves_expired_cache_with_warning(world: World,
                                                              tmp_path: Path) -> None:
    srv = DemoServer(world).start()
    client = Client(token="t", base_url=srv.base_url, cache_dir=tmp_path, max_retries=1,
                    timeout=2, progress=False)
    tag = world.player_tags[6]
    fresh = client.get_player(tag)
    srv.stop()
    # a miss with no server at all: NetworkError
    with pytest.raises(NetworkError):
        client.get_player(world.player_tags[7])
    expire_all(client)
    with pytest.warns(StaleDataWarning, match="could not answer"):
        assert client.get_player(tag) == fresh


def test_unexpired_cache_answers_even_in_maintenance(server: DemoServer, world: World,
                                                     tmp_path: Path) -> None:
    client = Client(token="t", base_url=server.base_url, cache_dir=tmp_path, progress=False)
    tag = world.player_tags[8]
    fresh = client.get_player(tag)
    server.set_maintenance(True)
    before = server.stats()["requests"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert client.get_player(tag) == fresh
    assert server.stats()["requests"] == before


# --------------------------------------------------------------------------- offline mode
def test_offline_answers_from_cache_without_requests(server: DemoServer, world: World,
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    tags = world.player_tags[10:15]
    online = Client(token="t", base_url=server.base_url, cache_dir=tmp_path, progress=False)
    expected = {tag: online.get_player(tag) for tag in tags}
    clan = online.get_clan(world.clan_tag)
    online.close()
    sent = server.stats()["requests"]
    monkeypatch.delenv("COC_API_TOKEN", raising=False)
    offline = Client(offline=True, cache_dir=tmp_path, base_url=server.base_url,
                     progress=False)  # no token needed
    for tag in tags:
        assert offline.get_player(tag) == expected[tag]
    assert offline.get_clan(world.clan_tag) == clan
    result = offline.many(offline.get_player, tags)
    assert result.results == [expected[t] for t in tags] and not result.failures
    assert server.stats()["requests"] == sent  # zero server requests
    assert offline.stats().requests == 0
    with pytest.raises(OfflineCacheMissError) as info:
        offline.get_player(world.player_tags[20])
    text = str(info.value)
    assert "offline" in text.lower() and "cache" in text.lower()
    assert "/players/%23" in text  # names what was missing
    assert server.stats()["requests"] == sent


def test_offline_serves_expired_entries_with_warning(server: DemoServer, world: World,
                                                     tmp_path: Path) -> None:
    online = Client(token="t", base_url=server.base_url, cache_dir=tmp_path, progress=False)
    tag = world.player_tags[16]
    fresh = online.get_player(tag)
    expire_all(online)
    sent = server.stats()["requests"]
    offline = Client(offline=True, cache_dir=tmp_path, base_url=server.base_url,
                     progress=False)
    with pytest.warns(StaleDataWarning, match="offline"):
        assert offline.get_player(tag) == fresh
    assert server.stats()["requests"] == sent


# --------------------------------------------------------------------------- cache path
def test_cache_hits_cost_nothing_and_refresh_bypasses(server: DemoServer, world: World,
                                                      tmp_path: Path) -> None:
    client = Client(token="t", base_url=server.base_url, cache_dir=tmp_path, progress=False)
    tag = world.player_tags[17]
    first = client.fetch("/players/" + tag.replace("#", "%23"))
    assert not first.from_cache
    assert server.stats()["requests"] == 1
    for _ in range(3):
        hit = client.fetch("/players/" + tag.replace("#", "%23"))
        assert hit.from_cache and hit.payload == first.payload
    assert server.stats()["requests"] == 1
    assert client.stats().cache_hits == 3 and client.stats().requests == 1
    refreshed = client.get_player(tag, refresh=True)
    assert refreshed == first.payload
    assert server.stats()["requests"] == 2
    client.get_player(tag, refresh=True)
    assert server.stats()["requests"] == 3
    assert client.stats().requests == 3
    client.get_player(tag)  # and the refreshed entry is a hit again
    assert server.stats()["requests"] == 3


def test_a_429_storm_ends_a_whole_bulk_call_within_its_budget(server: DemoServer,
                                                              world: World) -> None:
    """Issue 12, defect 8: max_retry_time bounds a whole call, not each of its requests."""
    import warnings

    from cocframes import api

    budget = 1.0
    client = Client(token="t", base_url=server.base_url, cache=False, max_retries=100,
                    max_retry_time=budget, progress=False)
    tags = world.player_tags[:45]
    server.inject_faults("429", 100_000)
    started = time.monotonic()
    with pytest.raises(ThrottledError):  # nothing succeeded: the call raises
        api.players(tags, client=client)
    elapsed = time.monotonic() - started
    sent = server.stats()["requests"]
    # 45 tags at 10/s take 4.5 s of throttle slots: none may be waited for past the budget
    assert elapsed < budget + 1.5, f"a storm ran {elapsed:.1f} s on a {budget} s budget"
    assert sent < len(tags), "requests were still sent after the budget was spent"
    server.clear_faults()
    # Part of a bulk succeeds, then the storm: every unfinished item is itemised.
    result = client.many(client.get_player, tags)
    assert not result.failures
    client.clear_cache()
    server.inject_faults("429", 100_000)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        result = client.many(client.get_player, tags)
    assert len(result.failures) == len(tags)
    assert all(isinstance(e, ApiError) for e in result.failures.values())


def test_a_healthy_bulk_fetch_outlives_a_short_retry_budget(server: DemoServer,
                                                            world: World) -> None:
    """max_retry_time bounds failing, not working: 45 profiles at 10/s take 4.5 s, and a
    0.5 s budget must not cut them short."""
    client = Client(token="t", base_url=server.base_url, cache=False, max_retry_time=0.5,
                    progress=False)
    result = client.many(client.get_player, world.player_tags[:45])
    assert not result.failures, list(result.failures.values())[:2]
