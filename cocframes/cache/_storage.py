"""The requests-cache storages and backends: :class:`SafeSQLiteCache` (responses and redirects
as two tables of one :class:`._sqlite.Database`) and :class:`MemoryCache` (the same semantics
in memory), with what both share: credentials redacted before anything is stored, and the
error policy for the session path (``on_error``: raise, or warn and carry on).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
import warnings
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from requests.cookies import RequestsCookieJar
from requests.structures import CaseInsensitiveDict
from requests_cache import BaseCache, BaseStorage, CachedResponse
from requests_cache.cache_keys import redact_response
from requests_cache.serializers import pickle_serializer

from ._errors import CacheError, CacheWarning
from ._sqlite import Database

#: Request headers that never reach the cache, whatever the session settings say.
_ALWAYS_REDACTED = ("authorization", "proxy-authorization", "cookie")
_REDACTED = "REDACTED"


# --------------------------------------------------------------------------------------------
# Storages
# --------------------------------------------------------------------------------------------


class SafeSQLiteStorage(BaseStorage):
    """A dict-like table in a :class:`Database`; values pass through ``serializer`` if given.

    Every method is safe to call from any thread or process at any time. Reads raise
    :class:`CacheReadError` and writes :class:`CacheWriteError` if they fail for good.
    """

    def __init__(self, db: Database, table_name: str, serializer: Any = None, **kwargs: Any):
        super().__init__(serializer=serializer, **kwargs)
        self.db = db
        self.table_name = table_name

    def __getitem__(self, key: str) -> Any:
        sql = f"SELECT value FROM {self.table_name} WHERE key=?"
        row = self.db.read(lambda con: con.execute(sql, (key,)).fetchone())
        if row is None:
            raise KeyError(key)
        return self.deserialize(key, row[0])

    def __setitem__(self, key: str, value: Any) -> None:
        expires = getattr(value, "expires_unix", None)
        blob = self.serialize(value)
        if isinstance(blob, bytes):
            blob = sqlite3.Binary(blob)
        sql = f"INSERT OR REPLACE INTO {self.table_name} (key, value, expires) VALUES (?, ?, ?)"
        self.db.write(lambda con: con.execute(sql, (key, blob, expires)))

    def __delitem__(self, key: str) -> None:
        sql = f"DELETE FROM {self.table_name} WHERE key=?"
        if not self.db.write(lambda con: con.execute(sql, (key,)).rowcount):
            raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        sql = f"SELECT 1 FROM {self.table_name} WHERE key=?"
        return self.db.read(lambda con: con.execute(sql, (key,)).fetchone()) is not None

    def __iter__(self) -> Iterator[str]:
        # Materialised first: no cursor (or read snapshot) stays open while the caller iterates.
        sql = f"SELECT key FROM {self.table_name}"
        keys = self.db.read(lambda con: [row[0] for row in con.execute(sql)])
        return iter(keys)

    def __len__(self) -> int:
        sql = f"SELECT COUNT(*) FROM {self.table_name}"
        return int(self.db.read(lambda con: con.execute(sql).fetchone()[0]))

    def bulk_delete(self, keys: Iterable[str]) -> None:
        """Delete these keys (missing ones ignored), in one transaction."""
        rows = [(k,) for k in keys]
        if rows:
            sql = f"DELETE FROM {self.table_name} WHERE key=?"
            self.db.write(lambda con: con.executemany(sql, rows))

    def clear(self) -> None:
        """Delete every row of this table (the file shrinks on :meth:`SafeSQLiteCache.vacuum`)."""
        sql = f"DELETE FROM {self.table_name}"
        self.db.write(lambda con: con.execute(sql))

    def size_bytes(self) -> int:
        """Return the total size of the stored values, in bytes."""
        sql = f"SELECT COALESCE(SUM(LENGTH(value)), 0) FROM {self.table_name}"
        return int(self.db.read(lambda con: con.execute(sql).fetchone()[0]))

    def close(self) -> None:
        self.db.close()

    def __str__(self) -> str:
        return f"<{type(self).__name__} {self.db.path}:{self.table_name}>"


class MemoryStorage(BaseStorage):
    """A thread-safe in-memory dict whose values go through ``serializer`` like on disk, so a
    cached response is a fresh copy on every read, exactly as with :class:`SafeSQLiteStorage`."""

    def __init__(self, serializer: Any = None, **kwargs: Any):
        super().__init__(serializer=serializer, **kwargs)
        self._data: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __getitem__(self, key: str) -> Any:
        with self._lock:
            raw = self._data[key]
        return self.deserialize(key, raw)

    def __setitem__(self, key: str, value: Any) -> None:
        raw = self.serialize(value)
        with self._lock:
            self._data[key] = raw

    def __delitem__(self, key: str) -> None:
        with self._lock:
            del self._data[key]

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._data))

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def size_bytes(self) -> int:
        """Return the total size of the stored values, in bytes."""
        with self._lock:
            values = list(self._data.values())
        return sum(len(v) for v in values if isinstance(v, (bytes, str)))


# --------------------------------------------------------------------------------------------
# Caches
# --------------------------------------------------------------------------------------------


class CocframesCache(BaseCache):
    """Shared behaviour: secret redaction and the error policy for the session path.

    ``on_error`` applies to :meth:`get_response` and :meth:`save_response` (what a
    :class:`CachedSession` calls): ``"raise"`` (default) propagates :class:`CacheError`;
    ``"warn"`` (set by :func:`new_session`) emits a :class:`CacheWarning` naming the cache file
    and carries on — a failed read is a miss, a failed write leaves the response uncached.
    """

    on_error: str = "raise"

    @property
    def location(self) -> str:
        """Human-readable location of the cache, for messages."""
        return "in-memory cache"

    def _handle(self, exc: CacheError, doing: str) -> None:
        if self.on_error != "warn":
            raise exc
        warnings.warn(
            CacheWarning(f"cocframes could not {doing} the HTTP cache {self.location}: {exc}"),
            stacklevel=4,
        )

    def get_response(self, key: str, default: Any = None) -> CachedResponse | None:
        """Return the stored response for ``key`` (expired or not), or ``default``."""
        try:
            return super().get_response(key, default)
        except CacheError as exc:
            self._handle(exc, "read from")
            return default

    def save_response(
        self,
        response: requests.Response,
        cache_key: str | None = None,
        expires: datetime | None = None,
    ) -> None:
        """Store ``response`` with credentials redacted from its request (and redirects')."""
        cache_key = cache_key or self.create_key(response.request)
        cached = CachedResponse.from_response(response, expires=expires)
        ignored = tuple(self._settings.ignored_parameters or ())
        cached = redact_response(cached, ignored)
        for item in (cached, *cached.history):
            _redact_request(item, ignored)
        try:
            self.responses[cache_key] = cached
            if response.history and not cached.revalidated:
                for r in response.history:
                    self.redirects[self.create_key(r.request)] = cache_key
        except CacheError as exc:
            self._handle(exc, "write to")

    def vacuum(self) -> None:
        """Give free space back to the file system (no-op for memory)."""

    def size_bytes(self) -> int:
        """Return the cache's size: bytes on disk, or of the stored values in memory."""
        return int(self.responses.size_bytes() + self.redirects.size_bytes())  # type: ignore[attr-defined]


def _redact_request(response: CachedResponse, ignored: Iterable[str]) -> None:
    """Replace credential headers and cookies of the stored request, whatever their case.

    requests-cache's ``redact_response`` compares header names case-sensitively, so a header sent
    as ``authorization`` would be stored verbatim; and it keeps the request's cookie jar, which
    holds every cookie of the session (e.g. a developer-portal login).
    """
    names = {n.lower() for n in ignored} | set(_ALWAYS_REDACTED)
    request = response.request
    request.headers = CaseInsensitiveDict(
        {k: (_REDACTED if k.lower() in names else v) for k, v in request.headers.items()}
    )
    request.cookies = RequestsCookieJar()
    if response.raw is not None:
        response.raw.request_url = request.url


class MemoryCache(CocframesCache):
    """A non-persistent cache with the same semantics as :class:`SafeSQLiteCache`."""

    def __init__(self, cache_name: str = "memory", **kwargs: Any):
        super().__init__(cache_name=cache_name)
        self.responses = MemoryStorage(serializer=pickle_serializer)
        self.redirects = MemoryStorage(serializer=None)

    @property
    def db_path(self) -> None:  # type: ignore[override]
        return None


class SafeSQLiteCache(CocframesCache):
    """A requests-cache backend on one SQLite file, safe for many threads and processes.

    Args:
        db_path: the SQLite file; its directory is created if missing.
        busy_timeout: seconds SQLite waits on a lock before a statement reports busy.
        retry_for: seconds a read or write keeps retrying while busy before it raises
            :class:`CacheReadError` / :class:`CacheWriteError`.
    """

    def __init__(
        self,
        db_path: str | os.PathLike[str],
        *,
        busy_timeout: float = 30.0,
        retry_for: float = 120.0,
        **kwargs: Any,
    ):
        path = Path(db_path).expanduser().absolute()
        super().__init__(cache_name=str(path))
        self.db = Database(path, busy_timeout, retry_for, ("responses", "redirects"))
        self.responses = SafeSQLiteStorage(self.db, "responses", serializer=pickle_serializer)
        self.redirects = SafeSQLiteStorage(self.db, "redirects", serializer=None)

    @property
    def db_path(self) -> Path:
        """Path of the SQLite file."""
        return self.db.path

    @property
    def location(self) -> str:
        return str(self.db.path)

    def clear(self) -> None:
        """Delete every response and redirect (one transaction), then shrink the file."""

        def delete_all(con: sqlite3.Connection) -> None:
            con.execute("DELETE FROM responses")
            con.execute("DELETE FROM redirects")

        self.db.write(delete_all)  # a corrupt file is moved aside and a new one started
        self.vacuum()

    def vacuum(self) -> None:
        """Rebuild the file without free pages and truncate the write-ahead log.

        The checkpoint is retried briefly while another connection is reading; if readers stay,
        the WAL is truncated by a later checkpoint instead.
        """
        self.db.maintenance("VACUUM")
        for _ in range(50):
            busy, _log, _done = self.db.maintenance("PRAGMA wal_checkpoint(TRUNCATE)")[0]
            if not busy:
                break
            time.sleep(0.02)

    def size_bytes(self) -> int:
        """Return the bytes on disk: the file plus its ``-wal`` and ``-shm`` companions."""
        total = 0
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                total += os.path.getsize(f"{self.db.path}{suffix}")
        return total
