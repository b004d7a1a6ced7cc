"""The persistent HTTP cache (cocframes/cache/): settings, secrecy, clearing, concurrency."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import platformdirs
import pytest
import requests

from cocframes import cache as cc
from cocframes.cache import (
    CACHE_FILE_NAME,
    CacheInfo,
    CacheWarning,
    CacheWriteError,
    SafeSQLiteCache,
    cache_info,
    clear_cache,
    find_stored,
    key_for,
    new_session,
    resolve_cache_dir,
)

sys.path.insert(0, str(Path(__file__).parent))
import _cache_worker as worker

WORKER = Path(__file__).parent / "_cache_worker.py"
URL = worker.BASE + "players/%232PP"


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(params=["file", "memory"])
def session(request, tmp_path):
    """A cocframes session (file-backed or in-memory) with a fake API mounted."""
    s = new_session(tmp_path / CACHE_FILE_NAME if request.param == "file" else None)
    s.transport = worker.FakeTransport(max_age=120)
    s.mount(worker.BASE, s.transport)
    yield s
    s.close()


@pytest.fixture
def file_session(tmp_path):
    s = new_session(tmp_path / CACHE_FILE_NAME)
    s.transport = worker.FakeTransport(max_age=120)
    s.mount(worker.BASE, s.transport)
    yield s
    s.close()


class FrozenClock:
    def __init__(self):
        self.now = datetime(2025, 6, 28, 8, 39, 11, tzinfo=timezone.utc)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    """Freeze requests-cache's notion of "now" (every module that imported its utcnow)."""
    from requests_cache.policy import expiration

    frozen = FrozenClock()
    original = expiration.utcnow
    for name, module in list(sys.modules.items()):
        if name.startswith("requests_cache") and getattr(module, "utcnow", None) is original:
            monkeypatch.setattr(module, "utcnow", lambda: frozen.now)
    return frozen


def raw_bytes(db: Path) -> bytes:
    return b"".join(
        Path(f"{db}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{db}{suffix}").exists()
    )


# --------------------------------------------------------------------------------------------
# Where the cache lives
# --------------------------------------------------------------------------------------------


def test_cache_dir_argument_wins_over_env_and_default(monkeypatch, tmp_path):
    monkeypatch.setenv("COCFRAMES_CACHE", str(tmp_path / "env"))
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda name: str(tmp_path / "default"))
    assert resolve_cache_dir(tmp_path / "arg") == tmp_path / "arg"
    assert (tmp_path / "arg").is_dir()


def test_cache_dir_env_var_wins_over_default(monkeypatch, tmp_path):
    monkeypatch.setenv("COCFRAMES_CACHE", str(tmp_path / "env" / "nested"))
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda name: str(tmp_path / "default"))
    assert resolve_cache_dir() == tmp_path / "env" / "nested"
    assert (tmp_path / "env" / "nested").is_dir()


def test_cache_dir_default_is_the_platform_user_cache_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("COCFRAMES_CACHE", raising=False)
    asked = []

    def user_cache_dir(name):
        asked.append(name)
        return str(tmp_path / "default")

    monkeypatch.setattr(platformdirs, "user_cache_dir", user_cache_dir)
    assert resolve_cache_dir() == tmp_path / "default"
    assert asked == ["cocframes"]
    assert cc.default_cache_path() == tmp_path / "default" / CACHE_FILE_NAME


def test_importing_the_cache_does_not_import_pandas():
    code = "import sys, cocframes.cache; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == "False"


def test_new_session_given_a_directory_uses_the_cache_file_inside(tmp_path):
    s = new_session(tmp_path)
    s.mount(worker.BASE, worker.FakeTransport())
    s.get(URL)
    assert cache_info(s).path == tmp_path / CACHE_FILE_NAME
    assert (tmp_path / CACHE_FILE_NAME).is_file()
    s.close()


# --------------------------------------------------------------------------------------------
# What is stored, for how long, and the per-call switches
# --------------------------------------------------------------------------------------------


def test_a_200_is_stored_and_served_identically_from_the_cache(session):
    first = session.get(URL)
    second = session.get(URL)
    assert not first.from_cache and second.from_cache
    assert session.transport.calls == 1
    assert second.status_code == 200
    assert second.json() == first.json() == worker.body_for(URL)
    assert second.headers["Cache-Control"] == "max-age=120"
    assert second.url == URL
    assert cache_info(session).entries == 1


@pytest.mark.parametrize("status", [404, 429, 500, 503])
def test_error_answers_are_never_stored(session, status):
    session.transport.status = status
    assert session.get(URL).status_code == status
    assert session.get(URL).status_code == status
    assert session.transport.calls == 2
    assert cache_info(session).entries == 0


def test_post_is_never_stored(session):
    session.post(URL, json={"a": 1})
    session.post(URL, json={"a": 1})
    assert session.transport.calls == 2
    assert cache_info(session).entries == 0


def test_cache_control_max_age_is_honoured(session, clock):
    session.get(URL)
    clock.advance(119)
    assert session.get(URL).from_cache
    clock.advance(2)
    refetched = session.get(URL)
    assert not refetched.from_cache
    assert session.transport.calls == 2
    assert session.get(URL).from_cache  # the fresh answer replaced the expired one


def test_fallback_expiry_for_answers_without_cache_control(tmp_path, clock):
    s = new_session(tmp_path / CACHE_FILE_NAME, fallback_expire=30)
    transport = worker.FakeTransport(max_age=None)
    s.mount(worker.BASE, transport)
    s.get(URL)
    clock.advance(29)
    assert s.get(URL).from_cache
    clock.advance(2)
    assert not s.get(URL).from_cache
    assert transport.calls == 2
    s.close()


def test_force_refresh_bypasses_and_updates_the_cache(session):
    session.get(URL)
    refreshed = session.get(URL, force_refresh=True)
    assert not refreshed.from_cache
    assert session.transport.calls == 2
    assert session.get(URL).from_cache
    assert cache_info(session).entries == 1


def test_only_if_cached_answers_504_on_a_miss_and_200_on_a_hit(session):
    miss = session.get(URL, only_if_cached=True)
    assert miss.status_code == 504
    assert session.transport.calls == 0
    session.get(URL)
    hit = session.get(URL, only_if_cached=True)
    assert hit.status_code == 200 and hit.from_cache
    assert hit.json() == worker.body_for(URL)
    assert session.transport.calls == 1


def test_find_stored_returns_an_expired_entry(session, clock):
    session.get(URL)
    clock.advance(3600)
    stale = find_stored(session, key_for("GET", URL))
    assert stale is not None
    assert stale.is_expired
    assert stale.json() == worker.body_for(URL)
    assert find_stored(session, key_for("GET", worker.BASE + "clans/%232PP")) is None


# --------------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------------


def test_the_api_token_never_reaches_the_cache_file(tmp_path):
    db = tmp_path / CACHE_FILE_NAME
    s = new_session(db)
    s.mount(worker.BASE, worker.FakeTransport())
    secrets = [f"SECRET-{uuid.uuid4().hex}" for _ in range(3)]
    # The three ways a client may send it: session header, per-call header, lower-case name.
    s.headers["Authorization"] = f"Bearer {secrets[0]}"
    s.get(worker.BASE + "a")
    s.get(worker.BASE + "b", headers={"Authorization": f"Bearer {secrets[1]}"})
    s.get(worker.BASE + "c", headers={"authorization": f"Bearer {secrets[2]}"})
    for name in "abc":
        cached = s.get(worker.BASE + name, only_if_cached=True)
        assert cached.status_code == 200
        assert cached.request.headers["Authorization"] == "REDACTED"
    s.close()
    data = raw_bytes(db)
    assert len(data) > 0
    for secret in secrets:
        assert secret.encode() not in data
        assert secret.encode("utf-16-le") not in data


def test_the_token_is_not_part_of_the_cache_key(session):
    session.get(URL, headers={"Authorization": "Bearer key-one"})
    again = session.get(URL, headers={"Authorization": "Bearer key-two"})
    assert again.from_cache
    assert session.transport.calls == 1


# --------------------------------------------------------------------------------------------
# Clearing and size
# --------------------------------------------------------------------------------------------


def test_clear_cache_empties_it_and_shrinks_the_file(file_session):
    for i in range(100):  # ~40 kB per entry: the long URL appears in the body and the metadata
        file_session.get(f"{worker.BASE}players/{i}", params={"pad": "y" * 10_000})
    before = cache_info(file_session)
    assert before.entries == 100
    assert before.size_bytes > 3_000_000
    clear_cache(file_session)
    after = cache_info(file_session)
    assert after == CacheInfo(path=before.path, size_bytes=after.size_bytes, entries=0)
    assert after.size_bytes < before.size_bytes / 10
    # and the cache still works afterwards
    file_session.get(URL)
    assert file_session.get(URL).from_cache


def test_clear_cache_empties_a_memory_cache():
    s = new_session(None)
    s.mount(worker.BASE, worker.FakeTransport())
    s.get(URL)
    assert cache_info(s).entries == 1 and cache_info(s).size_bytes > 0
    assert cache_info(s).path is None
    clear_cache(s)
    assert cache_info(s) == CacheInfo(path=None, size_bytes=0, entries=0)


def test_clear_cache_recovers_a_corrupt_file(tmp_path):
    db = tmp_path / CACHE_FILE_NAME
    db.write_bytes(b"this is not a database" * 1000)
    s = new_session(db)
    s.mount(worker.BASE, worker.FakeTransport())
    with pytest.warns(CacheWarning, match=CACHE_FILE_NAME):
        assert s.get(URL).json() == worker.body_for(URL)  # a broken cache never breaks a request
    clear_cache(s)
    s.get(URL)
    assert s.get(URL).from_cache
    s.close()


# --------------------------------------------------------------------------------------------
# Locking: waits, never loses, and fails loudly (not silently) past its bound
# --------------------------------------------------------------------------------------------


def _hold_write_lock(db: Path) -> sqlite3.Connection:
    """Another process's view: a connection holding the database's write lock."""
    con = sqlite3.connect(db, isolation_level=None, timeout=10)
    con.execute("BEGIN IMMEDIATE")
    return con


def test_a_write_waits_for_another_writer_and_is_not_lost(file_session):
    file_session.get(worker.BASE + "warm-up")  # create the file
    holder = _hold_write_lock(file_session.cache.db_path)
    results: list[requests.Response] = []
    t = threading.Thread(target=lambda: results.append(file_session.get(URL)), daemon=True)
    t.start()
    t.join(timeout=0.3)  # most likely blocked on the lock now (no assertion on timing)
    holder.execute("COMMIT")
    holder.close()
    t.join(timeout=60)
    assert not t.is_alive(), "the cache write hung"
    assert results and results[0].json() == worker.body_for(URL)
    assert file_session.get(URL, only_if_cached=True).status_code == 200


def test_a_write_that_fails_for_good_raises_instead_of_vanishing(tmp_path):
    cache = SafeSQLiteCache(tmp_path / CACHE_FILE_NAME, busy_timeout=0.05, retry_for=0.3)
    cache.responses["warm-up"] = "x"
    holder = _hold_write_lock(cache.db_path)
    try:
        with pytest.raises(CacheWriteError, match=CACHE_FILE_NAME):
            cache.responses["key"] = "value"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "key" not in cache.responses
    cache.responses["key"] = "value"  # and it works again once the lock is gone
    assert cache.responses["key"] == "value"
    cache.close()


def test_a_failed_cache_write_warns_but_still_returns_the_response(tmp_path):
    s = new_session(tmp_path / CACHE_FILE_NAME)
    s.mount(worker.BASE, worker.FakeTransport())
    s.get(worker.BASE + "warm-up")
    s.cache.close()
    s.cache.db.busy_timeout, s.cache.db.retry_for = 0.05, 0.3
    holder = _hold_write_lock(s.cache.db_path)
    try:
        with pytest.warns(CacheWarning, match=CACHE_FILE_NAME):
            response = s.get(URL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 200
    assert response.json() == worker.body_for(URL)
    s.close()


# --------------------------------------------------------------------------------------------
# Concurrency
# --------------------------------------------------------------------------------------------


def _assert_everything_readable(db: Path, n_procs: int, threads: int, items: int) -> None:
    """Every URL any worker wrote is in the file with the right content."""
    s = new_session(db)
    missing = []
    for p in range(n_procs):
        for t in range(threads):
            for i in range(items):
                url = worker.item_url(p, t, i)
                r = s.get(url, only_if_cached=True)
                if r.status_code != 200 or r.json() != worker.body_for(url):
                    missing.append(url)
    for k in range(worker.SHARED_KEYS):
        url = worker.shared_url(k)
        r = s.get(url, only_if_cached=True)
        if r.status_code != 200 or r.json() != worker.body_for(url):
            missing.append(url)
    assert cache_info(s).entries == n_procs * threads * items + worker.SHARED_KEYS
    s.close()
    assert not missing, f"{len(missing)} lost entries, e.g. {missing[:3]}"


@pytest.mark.filterwarnings("error::cocframes.cache.CacheWarning")  # a cache failure is an error
def test_16_threads_on_two_sessions_sharing_one_new_file(tmp_path):
    threads, items, rounds = 8, 25, 3
    deadline = time.monotonic() + 40
    for r in range(rounds):
        if time.monotonic() > deadline:
            break
        db = tmp_path / f"round{r}" / CACHE_FILE_NAME
        sessions = [new_session(db), new_session(db)]  # e.g. two Client objects, one file
        errors: list[str] = []

        def run(s: requests.Session, proc: int, errors: list[str]) -> None:
            s.mount(worker.BASE, worker.FakeTransport())
            errors.extend(worker.run_threads(s, proc, 2, threads, items))

        outer = [
            threading.Thread(target=run, args=(sessions[p], p, errors), daemon=True)
            for p in range(2)
        ]
        for t in outer:
            t.start()
        for t in outer:
            t.join(timeout=max(1.0, deadline + 20 - time.monotonic()))
        assert not any(t.is_alive() for t in outer), f"round {r}: workers hung"
        assert not errors, f"round {r}: {errors[:3]}"
        for s in sessions:
            s.close()
        _assert_everything_readable(db, 2, threads, items)


@pytest.mark.slow
def test_2_processes_x_8_threads_on_one_new_file(tmp_path):
    n_procs, threads, items = 2, 8, 25
    rounds, min_rounds = 8, 3
    deadline = time.monotonic() + 45
    per_process_timeout = 30
    done = 0
    for r in range(rounds):
        if done >= min_rounds and time.monotonic() > deadline:
            break
        db = tmp_path / f"round{r}" / CACHE_FILE_NAME
        start_at = time.time() + 1.0  # both open the new file at the same moment
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(WORKER),
                    str(db),
                    str(p),
                    str(n_procs),
                    str(threads),
                    str(items),
                    str(start_at),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for p in range(n_procs)
        ]
        failures = []
        for p, proc in enumerate(procs):
            try:
                out, err = proc.communicate(timeout=per_process_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                failures.append(f"process {p} hung (killed after {per_process_timeout} s)")
                continue
            if proc.returncode != 0 or out.strip() != "OK":
                failures.append(f"process {p} exited {proc.returncode}: {err[-2000:]}")
        assert not failures, f"round {r}: " + "\n".join(failures)
        _assert_everything_readable(db, n_procs, threads, items)
        done += 1
    assert done >= min_rounds
