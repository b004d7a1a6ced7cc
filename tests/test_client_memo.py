"""Answers kept in memory: a warm call costs no request and no cache read, but only while the
API's Cache-Control says the answer is fresh; refresh=True and clear_cache() bypass or forget
it; the memory it holds is bounded; bulk fetches reuse one thread pool, nested ones too, and
answer what memory or the cache file holds in the calling thread."""

from __future__ import annotations

import time

import pytest
import responses

from cocframes import client as client_module
from cocframes.client import Client

API = "https://api.clashofclans.com/v1"


def player(tag: str, trophies: int, max_age: int = 600, padding: int = 0) -> dict:
    body = {"tag": tag, "name": "x" * padding, "trophies": trophies}
    return {"json": body, "headers": {"Cache-Control": f"max-age={max_age}"}}


@pytest.fixture
def client(tmp_path):
    with Client(token="T", cache_dir=tmp_path, rate=1000, progress=False) as c:
        yield c


@responses.activate
def test_a_fresh_answer_is_answered_from_memory(client):
    responses.get(f"{API}/players/%232PP", **player("#2PP", 5000))
    first = client.call("getPlayer", playerTag="#2PP")
    client.session.cache.clear()  # not even the cache file is read for a fresh answer
    second = client.call("getPlayer", playerTag="#2PP")
    assert len(responses.calls) == 1
    assert second.payload == first.payload == {"tag": "#2PP", "name": "", "trophies": 5000}
    assert second.from_cache and not first.from_cache
    assert second.fetched_at == first.fetched_at
    assert client.stats().cache_hits == 1


@responses.activate
def test_an_expired_answer_is_asked_again(client):
    responses.get(f"{API}/players/%232PP", **player("#2PP", 5000, max_age=1))
    responses.get(f"{API}/players/%232PP", **player("#2PP", 5100, max_age=1))
    assert client.get_player("#2PP")["trophies"] == 5000
    time.sleep(1.2)
    assert client.get_player("#2PP")["trophies"] == 5100
    assert len(responses.calls) == 2


@responses.activate
def test_refresh_bypasses_memory_and_clear_cache_forgets_it(client):
    for trophies in (5000, 5100, 5200):
        responses.get(f"{API}/players/%232PP", **player("#2PP", trophies))
    assert client.get_player("#2PP")["trophies"] == 5000
    assert client.get_player("#2PP", refresh=True)["trophies"] == 5100
    assert client.get_player("#2PP")["trophies"] == 5100, "the refreshed answer is kept"
    client.clear_cache()
    assert client.get_player("#2PP")["trophies"] == 5200
    assert len(responses.calls) == 3


@responses.activate
def test_memory_is_bounded_by_the_size_of_the_answers(client, monkeypatch):
    monkeypatch.setattr(client_module, "_MEMO_BYTES", 10_000)
    tags = [f"#{c}PP" for c in "2890PYLQGRJCUV"]
    for tag in tags:
        responses.get(f"{API}/players/%23{tag[1:]}", **player(tag, 1, padding=1500))
    for tag in tags:
        client.get_player(tag)
    assert 0 < client._memo_bytes <= 10_000
    assert len(client._memo) < len(tags)
    # The oldest answers left memory first; the cache file still answers them.
    client.get_player(tags[0])
    assert len(responses.calls) == len(tags)


@responses.activate
def test_bulk_fetches_reuse_one_pool_and_nested_ones_do_not_deadlock(client):
    tags = [f"#{c}PP" for c in "2890PYLQ"]
    for tag in tags:
        responses.get(f"{API}/players/%23{tag[1:]}", **player(tag, 1))
    first = client.many(client.get_player, tags)
    pool = client._pool
    again = client.many(client.get_player, tags)
    assert client._pool is pool, "the second bulk fetch reused the threads"
    assert [p["tag"] for p in again.results] == [p["tag"] for p in first.results] == tags

    def inner(tag: str) -> list:
        return client.many(client.get_player, [tag, tag]).results

    nested = client.many(inner, tags)
    assert not nested.failures
    assert [r[0]["tag"] for r in nested.results] == tags


@responses.activate
def test_a_warm_bulk_fetch_is_answered_in_the_calling_thread(client, monkeypatch):
    import threading

    tags = [f"#{c}PP" for c in "2890PYLQ"]
    for tag in tags:
        responses.get(f"{API}/players/%23{tag[1:]}", **player(tag, 1))
    threads = set()
    original = client._recall

    def spy(key, path):
        threads.add(threading.current_thread())
        return original(key, path)

    monkeypatch.setattr(client, "_recall", spy)
    cold = client.many(client.get_player, tags)
    assert len(threads) > 1 or threading.current_thread() not in threads, "cold: the pool"
    threads.clear()
    warm = client.many(client.get_player, tags)
    assert threads == {threading.current_thread()}
    assert warm.results == cold.results and not warm.failures
    assert len(responses.calls) == len(tags)


@responses.activate
def test_a_bulk_fetch_on_a_warm_cache_file_is_answered_in_the_calling_thread(tmp_path):
    # a restarted kernel: nothing in memory, every answer fresh in the cache file; starting
    # pool threads (slow while others hold the GIL) would cost more than reading the file
    import threading

    tags = [f"#{c}PP" for c in "2890PYLQ"]
    for tag in tags:
        responses.get(f"{API}/players/%23{tag[1:]}", **player(tag, 1))
    with Client(token="T", cache_dir=tmp_path, rate=1000, progress=False) as first:
        cold = first.many(first.get_player, tags)
    with Client(token="T", cache_dir=tmp_path, rate=1000, progress=False) as restarted:
        threads = set()
        original = restarted.session.request

        def spy(*args, **kwargs):
            threads.add(threading.current_thread())
            return original(*args, **kwargs)

        restarted.session.request = spy
        warm = restarted.many(restarted.get_player, tags)
        assert threads == {threading.current_thread()}
        assert restarted.stats().cache_hits == len(tags)
    assert warm.results == cold.results and not warm.failures
    assert len(responses.calls) == len(tags), "no request from the restarted client"


@responses.activate
def test_a_users_own_function_always_runs_once_per_item(client):
    tags = [f"#{c}PP" for c in "2890"]
    for tag in [*tags, "#RRPP"]:
        responses.get(f"{API}/players/%23{tag[1:]}", **player(tag, 1))
    client.many(client.get_player, tags)  # in memory now; #RRPP is not
    runs = []

    def mine(tag):
        runs.append(tag)
        return client.get_player(tag)

    result = client.many(mine, [*tags, "#RRPP"])
    assert sorted(runs) == sorted([*tags, "#RRPP"]), "never abandoned and run again"
    assert [p["tag"] for p in result.results] == [*tags, "#RRPP"]
