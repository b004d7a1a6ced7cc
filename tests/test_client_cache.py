"""The client's SQLite cache against the demo server: no secret on disk, sharing between
threads and between processes, cache_info / clear_cache and where the file lives."""

from __future__ import annotations

import os
import threading
import time
import warnings
from pathlib import Path

import pytest
from _workers import run_workers

from cocframes.cache import CACHE_ENV_VAR, CACHE_FILE_NAME, CacheWarning
from cocframes.client import Client
from cocframes.demo import DemoServer, World

WORKER = Path(__file__).resolve().parent / "_client_worker.py"
SECRET = "SECRET-TOKEN-7f3a9c2e-do-not-store"


def _raw_cache_bytes(cache_dir: Path) -> bytes:
    data = b""
    for path in cache_dir.iterdir():  # the file, its -wal and -shm, the lock file
        if path.is_file():
            data += path.read_bytes()
    return data


# --------------------------------------------------------------------------- secrets
def test_token_never_reaches_the_cache_file(server: DemoServer, world: World,
                                            tmp_path: Path) -> None:
    client = Client(token=[SECRET, SECRET + "-2"], base_url=server.base_url,
                    cache_dir=tmp_path, progress=False)
    players = [client.get_player(tag) for tag in world.player_tags[:4]]
    client.get_clan(world.clan_tag)
    client.get_clan_members(world.clan_tag, limit=10)
    client.get_current_war(world.clan_tag)
    client.get_battle_log(world.player_tags[0])
    client.get_player_ranking("global", limit=5)
    assert set(server.stats()["by_token"]) >= {SECRET}  # the token did go over the wire
    assert client.cache_info().entries >= 9
    files = {p.name for p in tmp_path.iterdir()}
    assert CACHE_FILE_NAME in files
    raw = _raw_cache_bytes(tmp_path)  # while open: the WAL may hold the latest writes
    assert any(p["name"].encode() in raw for p in players)  # the data IS in these bytes
    assert SECRET.encode() not in raw
    assert b"SECRET-TOKEN" not in raw
    client.close()
    raw = _raw_cache_bytes(tmp_path)  # after close (checkpointed into the main file)
    assert players[0]["tag"].encode() in raw
    assert b"SECRET-TOKEN" not in raw
    # and the stored requests carry a redacted Authorization header
    reader = Client(offline=True, cache_dir=tmp_path, progress=False)
    responses = reader.session.cache.responses
    for key in list(responses):
        headers = responses[key].request.headers
        assert "SECRET" not in headers.get("Authorization", "")
    reader.close()


# --------------------------------------------------------------------------- threads
def test_threads_share_one_cache_dir(server: DemoServer, world: World, tmp_path: Path) -> None:
    tags = world.player_tags[:24]
    errors: list[str] = []
    results: dict[int, dict[str, str]] = {}
    barrier = threading.Barrier(8)

    def work(i: int) -> None:
        try:
            client = Client(token=f"thread-{i}", base_url=server.base_url, cache_dir=tmp_path,
                            rate=1000, progress=False)
            barrier.wait(timeout=20)
            mine = tags[i * 2: i * 2 + 10]  # overlapping slices: same rows read and written
            with warnings.catch_warnings():
                warnings.simplefilter("error", CacheWarning)
                got = {tag: client.get_player(tag)["name"] for tag in mine}
                again = client.many(client.get_player, mine)
            assert not again.failures
            assert [p["tag"] for p in again.results] == mine
            results[i] = got
            client.close()
        except Exception as exc:
            errors.append(f"thread {i}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not errors, errors
    assert len(results) == 8
    for got in results.values():
        for tag, name in got.items():
            assert name == world.player_by_tag(tag).name
    info = Client(offline=True, cache_dir=tmp_path, progress=False).cache_info()
    assert info.entries == len({t for i in range(8) for t in tags[i * 2: i * 2 + 10]})


def test_one_client_shared_by_threads(server: DemoServer, world: World, tmp_path: Path) -> None:
    client = Client(token="shared", base_url=server.base_url, cache_dir=tmp_path, rate=1000,
                    progress=False)
    tags = world.player_tags[30:50]
    errors: list[str] = []

    def work(i: int) -> None:
        try:
            for tag in tags[i: i + 8]:
                assert client.get_player(tag)["tag"] == tag
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert client.cache_info().entries == len(tags[:15])
    stats = client.stats()
    assert stats.requests + stats.cache_hits == 64
    assert stats.errors == 0


# --------------------------------------------------------------------------- processes
def _run_workers(server: DemoServer, cache_dir: Path, tag_lists: list[list[str]],
                 offline: bool = False, timeout: float = 30.0) -> list[dict]:
    start_at = time.time() + 0.5
    return run_workers(
        [[str(WORKER), server.base_url, f"proc-{i}", str(cache_dir), "1" if offline else "0",
          ",".join(tags), str(start_at)] for i, tags in enumerate(tag_lists)],
        timeout=timeout,
    )


def test_two_processes_share_a_new_cache_then_offline_reads_it(server: DemoServer,
                                                               world: World,
                                                               tmp_path: Path) -> None:
    deadline = time.monotonic() + 60
    tags = world.player_tags[:40]
    cache_dir = tmp_path / "round-0"
    for round_no in range(4):
        if time.monotonic() > deadline:
            break
        cache_dir = tmp_path / f"round-{round_no}"  # a NEW cache dir each round
        shift = 5 * round_no
        lists = [tags[shift: shift + 25], tags[shift + 10: shift + 35]]  # 15 tags in common
        outputs = _run_workers(server, cache_dir, lists)
        for out, wanted in zip(outputs, lists, strict=True):
            assert out["failures"] == {}
            assert sorted(out["results"]) == sorted(wanted)
            for tag, (got_tag, name) in out["results"].items():
                assert got_tag == tag and name == world.player_by_tag(tag).name
            assert out["stats"]["errors"] == 0
        info = Client(offline=True, cache_dir=cache_dir, progress=False).cache_info()
        assert info.entries == len(set(lists[0]) | set(lists[1]))
    assert round_no >= 1  # at least two rounds ran within the deadline
    # a third process, offline and without a token, gets everything from the last cache
    wanted = sorted(set(lists[0]) | set(lists[1]))
    before = server.stats()["requests"]
    (offline,) = _run_workers(server, cache_dir, [wanted], offline=True)
    assert offline["failures"] == {}
    assert sorted(offline["results"]) == wanted
    assert offline["stats"]["requests"] == 0
    assert offline["stats"]["cache_hits"] == len(wanted)
    assert server.stats()["requests"] == before


# --------------------------------------------------------------------------- info, clear, env
def test_cache_info_and_clear(server: DemoServer, world: World, tmp_path: Path) -> None:
    client = Client(token="t", base_url=server.base_url, cache_dir=tmp_path, rate=1000,
                    progress=False)
    empty = client.cache_info()
    assert empty.path == tmp_path / CACHE_FILE_NAME
    assert empty.entries == 0
    result = client.many(client.get_player, world.player_tags[:30])
    assert not result.failures
    client.get_clan(world.clan_tag)
    full = client.cache_info()
    assert full.entries == 31
    assert full.size_bytes > empty.size_bytes
    assert full.size_bytes == sum(
        os.path.getsize(f"{full.path}{s}") for s in ("", "-wal", "-shm")
        if os.path.exists(f"{full.path}{s}"))
    client.clear_cache()
    cleared = client.cache_info()
    assert cleared.entries == 0
    assert cleared.size_bytes < full.size_bytes
    before = server.stats()["requests"]
    client.get_clan(world.clan_tag)  # a miss again: goes to the server
    assert server.stats()["requests"] == before + 1
    assert client.cache_info().entries == 1
    # another client on the same dir sees the same file
    other = Client(token="t", base_url=server.base_url, cache_dir=tmp_path, progress=False)
    assert other.cache_info().entries == 1
    other.clear_cache()
    assert client.cache_info().entries == 0


def test_memory_cache_info(server: DemoServer, world: World) -> None:
    client = Client(token="t", base_url=server.base_url, cache=False, progress=False)
    client.get_player(world.player_tags[0])
    info = client.cache_info()
    assert info.path is None and info.entries == 1 and info.size_bytes > 0
    client.clear_cache()
    assert client.cache_info().entries == 0


def test_cache_env_var_decides_the_location(server: DemoServer, world: World, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    env_dir = tmp_path / "from-env" / "nested"
    monkeypatch.setenv(CACHE_ENV_VAR, str(env_dir))
    client = Client(token="t", base_url=server.base_url, progress=False)
    assert client.cache_info().path == env_dir / CACHE_FILE_NAME
    client.get_player(world.player_tags[0])
    assert (env_dir / CACHE_FILE_NAME).exists()
    assert client.cache_info().entries == 1
    client.close()
    # an explicit cache_dir wins over the variable
    explicit = tmp_path / "explicit"
    other = Client(token="t", base_url=server.base_url, cache_dir=explicit, progress=False)
    assert other.cache_info().path == explicit / CACHE_FILE_NAME
    assert other.cache_info().entries == 0
    # an offline client for the same server finds the env-var cache
    offline = Client(offline=True, base_url=server.base_url, progress=False)
    assert offline.get_player(world.player_tags[0])["tag"] == world.player_tags[0]
