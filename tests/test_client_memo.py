"""Answers kept in memory: a warm call costs no request and no cache read, but only while the
API's Cache-Control says the answer is fresh; refresh=True and clear_cache() bypass or forget
it; the memory it holds is bounded; bulk fetches reuse one thread pool, nested ones too, and
answer what memory or the cache file holds in the calling thread."""

from __future__ import annotations

import time

import pytest
import responses

from cocframes.client import Client
from cocframes.memo import Memo

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
    monkeypatch.setattr(client._path, "memo", Memo(max_bytes=10_000))
    tags = [f"#{c}PP" for c in "2890PYLQGRJCUV"]
    for tag in tags:
        responses.get(f"{API}/players/%23{tag[1:]}", **player(tag, 1, padding=1500))
    for tag in tags:
        client.get_player(tag)
    assert 0 < client._path.memo.nbytes <= 10_000
    assert len(client._path.memo) < len(tags)
    # The oldest answers left memory first; the cache file still answers them.
    client.get_player(tags[0])
    assert len(responses.calls) == len(tags)


@responses.activate
def test_bulk_fetches_reuse_one_pool_and_nested_ones_do_not_deadlock(client):
    tags = [f"#{c}PP" for c in "2890PYLQ"]
    for tag in tags:
        responses.get(f"{API}/players/%23{tag[1:]}", **player(tag, 1))
    first = client.many(client.get_player, tags)
    pool = client._bulk._pool
    again = client.many(client.get_player, tags)
    assert client._bulk._pool is pool, "the second bulk fetch reused the threads"
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
    looked_up, sent = set(), set()
    look_up, send = client._path.look_up, client._sender.send

    def spy_look_up(request):
        looked_up.add(threading.current_thread())
        return look_up(request)

    def spy_send(*args):
        sent.add(threading.current_thread())
        return send(*args)

    monkeypatch.setattr(client._path, "look_up", spy_look_up)
    monkeypatch.setattr(client._sender, "send", spy_send)
    cold = client.many(client.get_player, tags)
    assert sent and threading.current_thread() not in sent, "cold: sent from the pool"
    looked_up.clear()
    sent.clear()
    warm = client.many(client.get_player, tags)
    assert looked_up == {threading.current_thread()} and not sent
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
        original = restarted.session.cache.get_response

        def spy(*args, **kwargs):
            threads.add(threading.current_thread())
            return original(*args, **kwargs)

        restarted.session.cache.get_response = spy
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


# --------------------------------------------------------------------------- issue 12, defect 2
@pytest.fixture(params=[False, True], ids=["memory-cache", "cache-file"])
def demo_client(request, tmp_path):
    cache_dir = tmp_path if request.param else None
    with Client(demo=True, cache=request.param, cache_dir=cache_dir, progress=False) as c:
        yield c


def test_changing_a_payload_does_not_change_what_later_calls_return(demo_client):
    import cocframes as cf
    from cocframes.demo import World

    tag = World().player_tags[0]
    before_players = cf.players(tag, client=demo_client)
    before_units = cf.units(tag, client=demo_client)
    payload = demo_client.get_player(tag)
    payload["trophies"] = -1
    payload["troops"].clear()
    payload["name"] = "changed by the caller"
    assert demo_client.get_player(tag)["trophies"] != -1
    after_players = cf.players(tag, client=demo_client)
    after_units = cf.units(tag, client=demo_client)
    assert after_players["trophies"].tolist() == before_players["trophies"].tolist()
    assert after_players["name"].tolist() == before_players["name"].tolist()
    assert len(after_units) == len(before_units)
    assert (after_units["kind"] == "troop").sum() == (before_units["kind"] == "troop").sum()


def test_changing_paginated_items_does_not_rename_members(demo_client):
    import cocframes as cf
    from cocframes.demo import DEMO_CLAN_TAG

    names = cf.members(DEMO_CLAN_TAG, client=demo_client)["name"].tolist()
    for item in demo_client.paginate("getClanMembers", clanTag=DEMO_CLAN_TAG):
        item["name"] = "renamed"
    fetched = demo_client.call("getClanMembers", clanTag=DEMO_CLAN_TAG)
    fetched.payload["items"].clear()
    assert cf.members(DEMO_CLAN_TAG, client=demo_client)["name"].tolist() == names
