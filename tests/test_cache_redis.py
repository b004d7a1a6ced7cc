"""The HTTP cache on Redis, against a real redis-server on 127.0.0.1 and the demo server:
answers shared between processes, max-age honoured, no token stored, a namespace of its own,
a Redis that goes away costing one warning and no request, bad cache settings refused."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest
from _redis import running_redis, skip_without_redis, stored_bytes
from _workers import run_workers

from cocframes.answers import StaleDataWarning
from cocframes.cache import (
    CACHE_URL_ENV_VAR,
    CacheError,
    CacheReadError,
    CacheWarning,
    CacheWriteError,
    RedisCache,
    cache_info,
    clear_cache,
    new_session,
)
from cocframes.cache._redis import redact_url
from cocframes.client import Client
from cocframes.demo import DemoServer, World

skip_without_redis()

WORKER = Path(__file__).resolve().parent / "_redis_worker.py"
SECRET = "SECRET-TOKEN-5b1e77d0-not-for-redis"


@pytest.fixture(scope="module")
def redis_server():
    with running_redis() as srv:
        yield srv


@pytest.fixture
def redis_url(redis_server) -> str:
    """The shared server's URL, its database emptied for each test."""
    redis_server.connection().flushdb()
    return redis_server.url


def _client(server: DemoServer, cache: str, token: str = "t") -> Client:
    return Client(token=token, base_url=server.base_url, cache=cache, rate=1000,
                  progress=False)


# --------------------------------------------------------------------------- sharing
def test_a_second_process_is_answered_from_redis(server: DemoServer, world: World,
                                                 redis_url: str) -> None:
    tags = world.player_tags[:12]
    with _client(server, redis_url) as first:
        assert not first.many(first.get_player, tags).failures
        assert first.cache_info().entries == len(tags)
    before = server.stats()["requests"]
    (out,) = run_workers([[str(WORKER), server.base_url, "t", redis_url, ",".join(tags)]],
                         timeout=60)
    assert out["failures"] == {}
    assert out["names"] == {t: world.player_by_tag(t).name for t in tags}
    assert out["stats"]["requests"] == 0
    assert out["stats"]["cache_hits"] == len(tags)
    assert server.stats()["requests"] == before


def test_max_age_is_honoured_and_expired_answers_serve_an_outage(redis_url: str) -> None:
    # speed=120: the players' max-age of 60 s becomes 1 s.
    with DemoServer(World(seed=7), speed=120) as fast:
        tag = fast.world.player_tags[0]
        with _client(fast, redis_url) as client:
            client.get_player(tag)
        assert fast.stats()["requests"] == 1
        with _client(fast, redis_url) as fresh:  # a new memo: the answer comes from Redis
            fresh.get_player(tag)
            assert fresh.stats().cache_hits == 1
        assert fast.stats()["requests"] == 1
        time.sleep(1.5)  # past the max-age
        with _client(fast, redis_url) as later:
            later.get_player(tag)
            assert later.stats().requests == 1
        assert fast.stats()["requests"] == 2
        # Expired answers stay in Redis for a while (with a TTL), for when the API is down.
        redis = RedisCache(redis_url).responses.connection
        ttls = [redis.ttl(k) for k in redis.scan_iter("cocframes:*")]
        assert len(ttls) == 1 and ttls[0] > 60
        time.sleep(1.5)
        fast.set_maintenance(True)
        with _client(fast, redis_url) as down, pytest.warns(StaleDataWarning):
            assert down.get_player(tag)["tag"] == tag


# --------------------------------------------------------------------------- secrets
def test_no_token_in_any_stored_value(server: DemoServer, world: World, redis_server,
                                      redis_url: str) -> None:
    with Client(token=[SECRET, SECRET + "-2"], base_url=server.base_url, cache=redis_url,
                progress=False) as client:
        players = [client.get_player(tag) for tag in world.player_tags[:4]]
        client.get_clan(world.clan_tag)
        client.get_clan_members(world.clan_tag, limit=10)
        client.get_current_war(world.clan_tag)
        client.get_player_ranking("global", limit=5)
        assert client.cache_info().entries == 8
        for key in list(client.session.cache.responses):
            headers = client.session.cache.responses[key].request.headers
            assert headers["Authorization"] == "REDACTED"
    assert SECRET in server.stats()["by_token"]  # the token did go over the wire
    raw = stored_bytes(redis_server.connection())
    assert all(p["name"].encode() in raw for p in players)  # the data IS in these bytes
    assert b"SECRET-TOKEN" not in raw


# --------------------------------------------------------------------------- namespaces
def test_a_namespace_is_cleared_alone(server: DemoServer, world: World, redis_server,
                                      redis_url: str) -> None:
    redis = redis_server.connection()
    foreign = {b"other:key": b"1", b"cocframes2:key": b"2", b"cocframes": b"3",
               b"cocframes-redirectsX": b"4"}
    for key, value in foreign.items():
        redis.set(key, value)
    redis.hset("other-redirects", "k", "v")
    client = _client(server, redis_url)
    assert client.cache_info().entries == 0
    assert not client.many(client.get_player, world.player_tags[:5]).failures
    info = client.cache_info()
    assert info.path is None and info.entries == 5 and info.size_bytes > 1000
    client.session.cache.redirects["a-redirect"] = "a-key"
    team = new_session(RedisCache(redis_url, namespace="team-b"))
    assert cache_info(team).entries == 0
    team.get(f"{server.base_url}/players/%23{world.player_tags[9][1:]}",
             headers={"Authorization": "Bearer t"})
    assert cache_info(team).entries == 1
    client.clear_cache()
    assert client.cache_info().entries == 0
    assert client.cache_info().size_bytes == 0
    assert cache_info(team).entries == 1
    assert {k: redis.get(k) for k in foreign} == foreign
    assert redis.hgetall("other-redirects") == {b"k": b"v"}
    clear_cache(team)
    assert {k.decode() for k in redis.scan_iter()} == \
        {k.decode() for k in foreign} | {"other-redirects"}


def test_the_in_process_demo_world_keeps_its_own_namespace(redis_server,
                                                           redis_url: str) -> None:
    redis = redis_server.connection()
    redis.set("cocframes:real-answer", b"kept")
    demo = Client(demo=True, cache=redis_url, progress=False)
    demo.get_player(demo.demo_world.player_tags[0])
    assert any(k.startswith(b"cocframes-demo:") for k in redis.scan_iter())
    demo.advance(hours=1)  # forgets the demo's answers, never the real API's
    assert not any(k.startswith(b"cocframes-demo:") for k in redis.scan_iter())
    assert redis.get("cocframes:real-answer") == b"kept"


# --------------------------------------------------------------------------- Redis down
def test_redis_stopped_mid_session_costs_one_warning(server: DemoServer, world: World) -> None:
    password = "pw-7c1d-never-shown"
    with running_redis(password) as redis_srv:
        client = _client(server, redis_srv.url)
        for tag in world.player_tags[20:23]:
            client.get_player(tag)
        assert client.cache_info().entries == 3
        redis_srv.stop()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for tag in world.player_tags[23:27]:
                assert client.get_player(tag)["tag"] == tag
            result = client.many(client.get_player, world.player_tags[27:32])
            assert not result.failures
            client.get_clan(world.clan_tag, refresh=True)
        messages = [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]
        assert len(messages) == 1, messages
        assert f"redis://***@127.0.0.1:{redis_srv.port}/0" in messages[0]
        assert password not in messages[0]
        with pytest.raises(CacheError) as failed:
            client.cache_info()
        assert password not in str(failed.value)
        # Redis back (on the same port): the cache is used again once it is tried again.
        redis_srv.start()
        client.session.cache.retry_after = 0.0
        client.get_player(world.player_tags[40])
        assert client.cache_info().entries == 1


@pytest.mark.parametrize(("url", "shown"), [
    ("redis://:pw-1@h:6379/0", "redis://***@h:6379/0"),
    ("rediss://user:pw-1@h/2", "rediss://***@h/2"),
    ("redis://:p/w-1@h:6379", "redis://***@h:6379"),
    ("redis://h:6379/0?password=pw-1", "redis://h:6379/0?***"),
    (":pw-1@h:6379", "***@h:6379"),
    ("redis://h:6379/0", "redis://h:6379/0"),
])
def test_urls_are_shown_without_credentials(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_an_unreachable_redis_raises_cache_errors_outside_the_session() -> None:
    cache = RedisCache("redis://127.0.0.1:1/0")
    with pytest.raises(CacheReadError, match=r"127\.0\.0\.1:1"):
        cache.responses["key"]
    cache.retry_after = 0.0
    with pytest.raises(CacheWriteError):
        cache.redirects["key"] = "value"


# --------------------------------------------------------------------------- settings
def test_the_env_var_chooses_redis_when_cache_is_true(server: DemoServer, world: World,
                                                      redis_server, redis_url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_URL_ENV_VAR, redis_url)
    client = Client(token="t", base_url=server.base_url, progress=False)
    client.get_player(world.player_tags[0])
    assert client.cache_info().path is None
    assert any(k.startswith(b"cocframes:") for k in redis_server.connection().scan_iter())
    assert Client(token="t", base_url=server.base_url, cache=False).cache_info().path is None
    tls = Client(token="t", cache="rediss://127.0.0.1:1/0")  # made, not connected yet
    assert "rediss://127.0.0.1:1/0" in tls.session.cache.location


@pytest.mark.parametrize("bad", ["http://127.0.0.1:6379/0", "/tmp/a-cache-dir", "", "redis:",
                                 "redis-127.0.0.1", "memcached://h:11211"])
def test_bad_cache_strings_are_refused_before_any_request(server: DemoServer, bad: str) -> None:
    before = server.stats()["requests"]
    with pytest.raises(ValueError, match=r"cache=.*redis://.*rediss://"):
        Client(token="t", base_url=server.base_url, cache=bad)
    # Credentials would log in to the portal first: the setting is checked before that.
    with pytest.raises(ValueError, match="cache="):
        Client(email="a@b.c", password="p", portal_url="http://127.0.0.1:9/api", cache=bad)
    assert server.stats()["requests"] == before


def test_a_bad_cache_url_is_refused_without_its_password(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError) as refused:
        Client(token="t", cache="http://:hunter2-secret@cache.example:6379/0")
    assert "hunter2" not in str(refused.value)
    monkeypatch.setenv(CACHE_URL_ENV_VAR, "memcached://user:hunter2-secret@h/")
    with pytest.raises(ValueError, match=CACHE_URL_ENV_VAR) as refused:
        Client(token="t")
    assert "hunter2" not in str(refused.value)
