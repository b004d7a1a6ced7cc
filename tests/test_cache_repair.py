"""A damaged or vanished cache file heals itself: a corrupt file is moved aside once (kept for
inspection, named in a warning) and a new cache starts; a file deleted under an open client is
recreated. Run against the demo server, with new processes as a user's Jupyter kernels are."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import _cache_worker as cache_worker
import pytest
from _workers import run_workers

from cocframes.cache import CACHE_FILE_NAME, CacheWarning, cache_info, new_session
from cocframes.client import Client
from cocframes.demo import DemoServer, World

WORKER = Path(__file__).resolve().parent / "_repair_worker.py"
GARBAGE = b"this is not a database, it is what a crash left behind\n" * 400


def _run(server: DemoServer, cache_dir: Path, jobs: list[tuple[str, list[str]]]) -> list[dict]:
    """Start one worker per ``(token, tags)`` at the same moment; return their JSON outputs."""
    start_at = time.time() + 0.5 * len(jobs)
    return run_workers(
        [[str(WORKER), server.base_url, token, str(cache_dir), ",".join(tags), str(start_at)]
         for token, tags in jobs],
        timeout=60.0,
    )


def _kept_files(cache_dir: Path) -> list[Path]:
    """The corrupt files moved aside (main files only, not their -wal/-shm)."""
    return sorted(p for p in cache_dir.glob(CACHE_FILE_NAME + ".corrupt-*")
                  if not p.name.endswith(("-wal", "-shm")))


def _assert_names(out: dict, world: World, tags: list[str]) -> None:
    assert out["names"] == {tag: world.player_by_tag(tag).name for tag in tags}


# --------------------------------------------------------------------------- corrupt file
def test_a_corrupt_file_is_moved_aside_once_and_the_next_process_hits(
        server: DemoServer, world: World, tmp_path: Path) -> None:
    (tmp_path / CACHE_FILE_NAME).write_bytes(GARBAGE)
    tags = world.player_tags[:2]
    (first,) = _run(server, tmp_path, [("repair-1", tags)])
    _assert_names(first, world, tags)
    kept = _kept_files(tmp_path)
    assert len(kept) == 1, sorted(p.name for p in tmp_path.iterdir())
    assert kept[0].read_bytes() == GARBAGE
    assert len(first["warnings"]) == 1, first["warnings"]
    assert str(kept[0]) in first["warnings"][0]
    assert "reset" in first["warnings"][0]
    # the next process (offline, no token) answers from the new cache, and quietly
    before = server.stats()["requests"]
    (second,) = _run(server, tmp_path, [("-", tags)])
    _assert_names(second, world, tags)
    assert second["warnings"] == []
    assert second["stats"]["requests"] == 0
    assert second["stats"]["cache_hits"] == 2 * len(tags)
    assert server.stats()["requests"] == before
    assert _kept_files(tmp_path) == kept


def test_two_processes_on_one_corrupt_file_move_it_aside_once(
        server: DemoServer, world: World, tmp_path: Path) -> None:
    deadline = time.monotonic() + 90
    tags = world.player_tags[:30]
    rounds = 0
    for round_no in range(3):
        if rounds and time.monotonic() > deadline:
            break
        cache_dir = tmp_path / f"round-{round_no}"
        cache_dir.mkdir()
        (cache_dir / CACHE_FILE_NAME).write_bytes(GARBAGE)
        lists = [tags[round_no: round_no + 15], tags[round_no + 8: round_no + 23]]
        outputs = _run(server, cache_dir, [(f"kernel-{i}", lst) for i, lst in enumerate(lists)])
        for out, wanted in zip(outputs, lists, strict=True):
            _assert_names(out, world, wanted)
        kept = _kept_files(cache_dir)
        assert len(kept) == 1, f"round {round_no}: {sorted(p.name for p in cache_dir.iterdir())}"
        assert kept[0].read_bytes() == GARBAGE
        all_warnings = outputs[0]["warnings"] + outputs[1]["warnings"]
        assert len(all_warnings) == 1, all_warnings
        assert str(kept[0]) in all_warnings[0]
        # neither process lost the new cache the other one created
        reader = Client(offline=True, cache_dir=cache_dir, progress=False)
        assert reader.cache_info().entries == len(set(lists[0]) | set(lists[1]))
        reader.close()
        rounds += 1
    assert rounds >= 1


# --------------------------------------------------------------------------- deleted file
@pytest.mark.parametrize("companions", [False, True], ids=["file", "file-wal-shm"])
def test_a_file_deleted_under_an_open_client_is_recreated(
        server: DemoServer, world: World, tmp_path: Path, companions: bool) -> None:
    path = tmp_path / CACHE_FILE_NAME
    first, second = world.player_tags[40:42]
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        client = Client(token="t", base_url=server.base_url, cache_dir=tmp_path, rate=1000,
                        progress=False)
        client.get_player(first)
        assert client.cache_info().entries == 1
        for suffix in ("", "-wal", "-shm") if companions else ("",):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        assert client.get_player(second)["tag"] == second  # stored in a new file
        info = client.cache_info()
        assert info.path == path and path.is_file()
        assert info.entries == 1
        assert info.size_bytes > 0
        client.close()
        reader = Client(offline=True, base_url=server.base_url, cache_dir=tmp_path,
                        progress=False)
        assert reader.get_player(second)["name"] == world.player_by_tag(second).name
        assert reader.stats().cache_hits == 1 and reader.stats().requests == 0
        assert reader.cache_info().entries == 1
        reader.close()


# --------------------------------------------------------------------------- in one process
def _session(db: Path):
    s = new_session(db)
    s.mount(cache_worker.BASE, cache_worker.FakeTransport())
    return s


def test_a_malformed_file_is_checked_moved_aside_and_replaced(tmp_path: Path) -> None:
    db = tmp_path / CACHE_FILE_NAME
    s = _session(db)
    for i in range(50):
        s.get(f"{cache_worker.BASE}players/{i}")
    s.close()
    data = bytearray(db.read_bytes())
    for offset in range(2 * 4096, len(data), 4096):  # a valid header, broken table pages
        data[offset: offset + 100] = b"\xff" * 100
    db.write_bytes(bytes(data))
    s = _session(db)
    url = f"{cache_worker.BASE}players/3"
    with pytest.warns(CacheWarning, match="malformed") as caught:
        assert s.get(url).json() == cache_worker.body_for(url)
    assert len(caught) == 1
    (kept,) = _kept_files(tmp_path)
    assert str(kept) in str(caught[0].message)
    assert kept.read_bytes() == bytes(data)
    assert s.get(url).from_cache
    assert cache_info(s).entries == 1
    s.close()


def test_an_open_session_follows_the_file_another_one_repaired(tmp_path: Path) -> None:
    db = tmp_path / CACHE_FILE_NAME
    old_url, new_url = cache_worker.BASE + "old", cache_worker.BASE + "new"
    first = _session(db)
    first.get(old_url)
    db.write_bytes(GARBAGE)  # e.g. a disk error; the -wal/-shm stay
    second = _session(db)  # another kernel meets the corrupt file: moves it aside once
    with pytest.warns(CacheWarning, match="reset"):
        second.get(new_url)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert first.get(new_url, only_if_cached=True).status_code == 200
        assert first.get(old_url, only_if_cached=True).status_code == 504
        first.get(old_url)
    assert second.get(old_url, only_if_cached=True).status_code == 200
    assert len(_kept_files(tmp_path)) == 1
    assert cache_info(first).entries == cache_info(second).entries == 2
    first.close()
    second.close()
