"""Stress worker for tests/test_cache.py: many threads of one process hammer one cache file.

Run as ``python _cache_worker.py DB_PATH PROC_ID N_PROCS THREADS ITEMS START_AT``. The process
waits until wall-clock ``START_AT`` (so that several workers open a new file at the same
moment), builds one session shared by all its threads, and each thread then fetches
``ITEMS`` unique URLs through a fake transport (each a cache miss → write), reads each one back
with ``only_if_cached`` (must be a hit with the right body), refreshes a few URLs shared by
every worker, and reads other workers' URLs (a hit must have the right body). Exit status 0 and
``OK`` on stdout when nothing went wrong; otherwise 1 with the errors on stderr.

Also imported by the tests for the fake transport and the URL/body scheme.
"""

from __future__ import annotations

import io
import json
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter

BASE = "http://cache.test/"
SHARED_KEYS = 6
PAD = "x" * 1500  # a body of ~1.6 kB, about a small player payload


def item_url(proc: int, thread: int, item: int) -> str:
    """URL written by worker ``proc``'s thread ``thread`` as its item ``item``."""
    return f"{BASE}p{proc}/t{thread}/i{item}"


def shared_url(k: int) -> str:
    """URL that every worker refreshes (concurrent writes to the same row)."""
    return f"{BASE}shared/{k}"


def body_for(url: str) -> dict:
    """The JSON body the fake server answers for ``url``: derived from the URL alone."""
    return {"url": url, "pad": PAD}


class FakeTransport(BaseAdapter):
    """A requests transport answering every GET with ``body_for(url)`` and a Cache-Control."""

    def __init__(self, status: int = 200, max_age: int | None = 600):
        super().__init__()
        self.status = status
        self.max_age = max_age
        self.calls = 0
        self._lock = threading.Lock()

    def send(self, request, **kwargs):  # type: ignore[override]
        with self._lock:
            self.calls += 1
        headers = {"Content-Type": "application/json"}
        if self.max_age is not None:
            headers["Cache-Control"] = f"max-age={self.max_age}"
        payload = json.dumps(body_for(request.url)).encode()
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(payload),
            headers=headers,
            status=self.status,
            preload_content=False,
            request_url=request.url,
        )
        return HTTPAdapter().build_response(request, raw)

    def close(self) -> None:
        pass


def run_threads(
    session: requests.Session, proc: int, n_procs: int, threads: int, items: int
) -> list[str]:
    """Run the per-thread workload with ``threads`` threads on one session; return the errors."""
    errors: list[str] = []
    barrier = threading.Barrier(threads)

    def check(url: str, response: requests.Response, must_hit: bool) -> None:
        if response.status_code == 504 and not must_hit:
            return
        if response.status_code != 200 or response.json() != body_for(url):
            errors.append(f"{url}: status {response.status_code}, body {response.text[:80]!r}")

    def work(t: int) -> None:
        try:
            barrier.wait(timeout=60)
            for i in range(items):
                url = item_url(proc, t, i)
                check(url, session.get(url), must_hit=True)
                check(url, session.get(url, only_if_cached=True), must_hit=True)
                if i % 5 == 0:
                    shared = shared_url((t + i) % SHARED_KEYS)
                    check(shared, session.get(shared, force_refresh=True), must_hit=True)
                other = item_url((proc + 1) % n_procs, t, i)
                check(other, session.get(other, only_if_cached=True), must_hit=False)
        except Exception:
            errors.append(traceback.format_exc())

    workers = [threading.Thread(target=work, args=(t,), daemon=True) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return errors


def main(argv: list[str], make_session: Callable[[Path], requests.Session] | None = None) -> int:
    db_path, proc, n_procs, threads, items, start_at = argv
    if make_session is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from cocframes.cache import CacheWarning, new_session

        warnings.simplefilter("error", CacheWarning)  # a cache failure must fail the worker
        make_session = new_session
    time.sleep(max(0.0, float(start_at) - time.time()))
    errors: list[str] = []
    try:
        session = make_session(Path(db_path))
        session.mount(BASE, FakeTransport())
        errors = run_threads(session, int(proc), int(n_procs), int(threads), int(items))
        session.close()
    except Exception:
        errors.append(traceback.format_exc())
    if errors:
        sys.stderr.write(f"{len(errors)} error(s)\n" + "\n".join(errors[:5]))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
