"""The fresh-answer memo: answers kept in memory while the API's ``Cache-Control`` says they
are fresh, so that a warm call reads neither the cache file nor the network.

The memo keeps each answer as a serialised snapshot, not the decoded object: every recall
builds a new object, so no caller can change what a later call returns (sharing one decoded
object would let ``p["troops"].clear()`` in one cell empty the troops of every later frame).
The snapshot is in :mod:`marshal`'s format, which rebuilds JSON values (dicts, lists,
strings, numbers) about 2.4x faster than ``json.loads`` re-reads their text: 0.16 ms for a
23 kB player profile here. It never leaves the process.
"""

from __future__ import annotations

import marshal
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

#: The memo's default bound: the bytes of the snapshots it holds.
DEFAULT_MAX_BYTES = 16 * 2**20


@dataclass(frozen=True)
class _Entry:
    expires: float  # epoch seconds
    body: bytes
    fetched_at: datetime
    demo: bool


@dataclass(frozen=True)
class Recalled:
    """An answer recalled from the memo: a new decoded payload and its provenance."""

    payload: Any
    fetched_at: datetime
    demo: bool


class Memo:
    """Fresh answers by request key, least recently stored first out.

    Args:
        max_bytes: bound on the snapshots' bytes held (about the size of the answers' JSON
            text); an answer over a quarter of it is not kept.
        clock: seconds since the epoch (injectable for tests).
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, clock: Any = time.time) -> None:
        self.max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        """Bytes of snapshots held."""
        return self._bytes

    def recall(self, key: str) -> Recalled | None:
        """Return a new copy of the fresh answer stored under ``key``, or ``None``."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or entry.expires <= self._clock():
            return None
        return Recalled(marshal.loads(entry.body), entry.fetched_at, entry.demo)

    def remember(self, key: str, payload: Any, expires: datetime | None, fetched_at: datetime,
                 demo: bool) -> None:
        """Keep a snapshot of ``payload`` (decoded JSON) under ``key`` until ``expires``
        (naive means UTC; ``None``: the answer said nothing about freshness and is not
        kept)."""
        if expires is None:
            return
        body = marshal.dumps(payload)
        if len(body) > self.max_bytes // 4:  # it would push out everything else
            return
        if expires.tzinfo is None:  # requests-cache keeps expiry times as naive UTC
            expires = expires.replace(tzinfo=timezone.utc)
        deadline = expires.timestamp()
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes += len(body) - (len(old.body) if old else 0)
            self._entries[key] = _Entry(deadline, body, fetched_at, demo)
            while self._bytes > self.max_bytes:
                self._bytes -= len(self._entries.popitem(last=False)[1].body)

    def forget(self) -> None:
        """Drop every answer."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

