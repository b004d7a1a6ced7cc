"""The persistent HTTP cache: a requests-cache session on a SQLite file that many threads and
processes (Jupyter kernels, scripts, CI workers) can share safely.

requests-cache's own SQLite backend shares one connection between all threads, switches the file
to WAL mode on every open and silently rolls back a write whose commit fails; under two processes
× eight threads on a new file it fails with ``database is locked``, ``no more rows available`` or
hangs (GUIDE §5). :class:`SafeSQLiteCache` replaces it:

* one SQLite connection per thread (and per process: a forked child opens its own);
* the file is created and switched to WAL once, under an inter-process lock on a sidecar
  ``<file>.lock`` (``fcntl.flock``; ``msvcrt`` on Windows; none where neither exists); WAL mode is
  persistent, so ordinary opens never touch ``journal_mode`` again;
* every write is one ``BEGIN IMMEDIATE`` … ``COMMIT`` transaction, retried with bounded, jittered
  backoff while the database is busy, and raising :class:`CacheWriteError` if it still fails
  after ``retry_for`` seconds — a write is never dropped silently;
* reads are single statements, retried the same way on transient errors;
* a corrupt file is moved aside once (to ``<file>.corrupt-<time>``, under the inter-process
  lock, with a :class:`CacheWarning` naming it) and a new one started; a file deleted or
  replaced while the cache is open is followed (every thread reconnects to the new file).

:func:`new_session` wraps it in a :class:`requests_cache.CachedSession` with cocframes' settings and
the session policy that a cache failure never breaks a request: the response is returned and a
:class:`CacheWarning` naming the cache file is emitted.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import platformdirs
import requests
from requests.cookies import RequestsCookieJar
from requests.structures import CaseInsensitiveDict
from requests_cache import BaseCache, BaseStorage, CachedResponse, CachedSession
from requests_cache.cache_keys import redact_response
from requests_cache.serializers import pickle_serializer

__all__ = [
    "CACHE_ENV_VAR",
    "CACHE_FILE_NAME",
    "CacheError",
    "CacheInfo",
    "CacheReadError",
    "CacheWarning",
    "CacheWriteError",
    "MemoryCache",
    "SafeSQLiteCache",
    "cache_info",
    "clear_cache",
    "default_cache_path",
    "find_stale",
    "new_session",
    "resolve_cache_dir",
]

#: Name of the cache file inside the cache directory.
CACHE_FILE_NAME = "cocframes-http.sqlite"
#: Environment variable naming the cache directory (GUIDE §3).
CACHE_ENV_VAR = "COCFRAMES_CACHE"

#: Request headers that never reach the cache, whatever the session settings say.
_ALWAYS_REDACTED = ("authorization", "proxy-authorization", "cookie")
_REDACTED = "REDACTED"

# SQLite primary result codes that mean "try again later".
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_PROTOCOL = 5, 6, 15
_TRANSIENT_CODES = frozenset({_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_PROTOCOL})
_TRANSIENT_MESSAGES = ("database is locked", "database table is locked", "database is busy")

_T = TypeVar("_T")

# --------------------------------------------------------------------------------------------
# Errors and warnings
# --------------------------------------------------------------------------------------------


class CacheError(Exception):
    """A cache operation failed for good (after its retries). Names the cache file."""


class CacheReadError(CacheError):
    """Reading from the cache failed for good."""


class CacheWriteError(CacheError):
    """Writing to the cache failed for good; the value was **not** stored."""


class CacheWarning(UserWarning):
    """A cache failure that the session turned into a warning so the request still succeeds."""


# --------------------------------------------------------------------------------------------
# Where the cache lives
# --------------------------------------------------------------------------------------------


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the cache directory, creating it if needed.

    Order: the ``cache_dir`` argument if given, else ``$COCFRAMES_CACHE`` if set and non-empty,
    else ``platformdirs.user_cache_dir("cocframes")``. ``~`` is expanded; the result is absolute.
    """
    if cache_dir is None:
        cache_dir = os.environ.get(CACHE_ENV_VAR) or platformdirs.user_cache_dir("cocframes")
    path = Path(cache_dir).expanduser().absolute()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise NotADirectoryError(f"cache directory {path} exists and is not a directory") from None
    return path


def default_cache_path(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the cache file path, ``resolve_cache_dir(cache_dir) / CACHE_FILE_NAME``."""
    return resolve_cache_dir(cache_dir) / CACHE_FILE_NAME


# --------------------------------------------------------------------------------------------
# SQLite plumbing: per-thread connections, one-time initialisation, bounded retries
# --------------------------------------------------------------------------------------------


def _is_transient(exc: sqlite3.Error) -> bool:
    """Whether an SQLite error means "busy, try again" rather than a real failure."""
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None and (code & 0xFF) in _TRANSIENT_CODES:
        return True
    message = str(exc).lower()
    return any(m in message for m in _TRANSIENT_MESSAGES)


def _is_corrupt(exc: BaseException) -> bool:
    """Whether a cache error comes from a file that is not (or no longer) a valid database."""
    cause = exc.__cause__
    if not isinstance(cause, sqlite3.DatabaseError) or _is_transient(cause):
        return False
    message = str(cause).lower()
    return "not a database" in message or "malformed" in message


def _file_identity(path: Path) -> tuple[int, int] | None:
    """Return ``(device, inode)`` of the file at ``path``, or ``None`` if there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


@contextlib.contextmanager
def _interprocess_lock(lock_path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` across processes, for at most ``timeout`` s wait.

    Uses ``fcntl.flock`` (released by the OS if the holder dies, so it can't go stale) or
    ``msvcrt.locking`` on Windows. If the lock file can't be created (read-only directory) or
    neither API exists, runs unlocked: the initialisation it protects is idempotent and retried.
    """
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        acquire, release = _lock_functions(fd)
        deadline = time.monotonic() + timeout
        while not acquire():
            if time.monotonic() >= deadline:
                raise CacheError(f"timed out after {timeout:.0f} s waiting for lock {lock_path}")
            time.sleep(0.01 + 0.04 * random.random())
        try:
            yield
        finally:
            release()
    finally:
        os.close(fd)


def _lock_functions(fd: int) -> tuple[Callable[[], bool], Callable[[], None]]:
    """Non-blocking try-acquire and release functions for an exclusive lock on ``fd``."""
    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]
    if fcntl is not None:

        def acquire() -> bool:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except (BlockingIOError, PermissionError):
                return False
            return True

        return acquire, lambda: fcntl.flock(fd, fcntl.LOCK_UN)
    try:
        import msvcrt
    except ImportError:
        return (lambda: True), (lambda: None)

    def acquire_win() -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True

    def release_win() -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]

    return acquire_win, release_win


class _Holder:
    """One thread's connection; closes it when the thread (and so its ``threading.local``) dies."""

    __slots__ = ("__weakref__", "conn", "generation", "pid")

    def __init__(self, conn: sqlite3.Connection, pid: int, generation: int):
        self.conn: sqlite3.Connection | None = conn
        self.pid = pid
        self.generation = generation

    def close(self) -> None:
        conn, self.conn = self.conn, None
        # A connection inherited through fork() belongs to the parent: never touch it in a child.
        if conn is not None and self.pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def __del__(self) -> None:
        self.close()


class _Database:
    """Thread-local connections to one SQLite file, with bounded-retry reads and writes.

    Args:
        path: the database file.
        busy_timeout: seconds SQLite itself waits on a lock before reporting busy.
        retry_for: seconds an operation keeps retrying on busy/locked before raising.
        tables: names of the key/value tables to create (``key``, ``value``, ``expires``; the
            same schema as requests-cache's SQLite backend, so files are interchangeable).
    """

    def __init__(self, path: Path, busy_timeout: float, retry_for: float, tables: Iterable[str]):
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self.busy_timeout = busy_timeout
        self.retry_for = retry_for
        self.tables = tuple(tables)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._holders: weakref.WeakSet[_Holder] = weakref.WeakSet()
        self._generation = 0
        self._ready_pid: int | None = None
        # The file this process initialised: a different one at ``path`` (deleted, moved aside
        # by another process) means start over on the new one.
        self._file_id: tuple[int, int] | None = None
        self._check_next = False  # run an integrity check at the next initialisation

    # -- connections ----------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        """Return this thread's connection, opening it (and initialising the file) if needed."""
        pid = os.getpid()
        self._follow_file(pid)
        holder: _Holder | None = getattr(self._local, "holder", None)
        if (
            holder is not None
            and holder.conn is not None
            and holder.pid == pid
            and holder.generation == self._generation
        ):
            return holder.conn
        if holder is not None and holder.pid == pid:
            holder.close()
        self._ensure_initialised(pid)
        conn = self._open()
        with self._lock:
            holder = _Holder(conn, pid, self._generation)
            self._holders.add(holder)
        self._local.holder = holder
        return conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            # Connection-local settings only: nothing here takes a database lock.
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            conn.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            conn.close()
            raise
        return conn

    def _discard_connection(self) -> None:
        """Drop this thread's connection (after an error left it in an unknown state)."""
        holder: _Holder | None = getattr(self._local, "holder", None)
        if holder is not None:
            holder.close()
            self._local.holder = None

    def _follow_file(self, pid: int) -> None:
        """Start over if the file this process initialised was deleted or replaced."""
        generation = self._generation
        if self._ready_pid == pid and _file_identity(self.path) != self._file_id:
            self._restart(generation, check=False)

    def _restart(self, generation: int, *, check: bool) -> None:
        """Make every thread reconnect and the next operation initialise the file again.

        ``generation`` is the one the caller found wrong: if another thread restarted since,
        there is nothing to do. ``check`` (after a corruption error) also closes every thread's
        connection and runs an integrity check under the inter-process lock.
        """
        with self._lock:
            self._check_next = self._check_next or check
            if self._generation != generation or self._ready_pid is None:
                return
            self._generation += 1
            self._ready_pid = None
            holders = list(self._holders) if check else []
        for holder in holders:
            holder.close()

    def _ensure_initialised(self, pid: int) -> None:
        """Create the file, switch it to WAL and create the tables: once per process.

        A corrupt file is moved aside first (see :meth:`_prepare_file`), with a
        :class:`CacheWarning` naming where it is kept.
        """
        if self._ready_pid == pid:
            return
        with self._lock:
            if self._ready_pid == pid:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            check, self._check_next = self._check_next, False
            with _interprocess_lock(self.lock_path, timeout=self.retry_for):
                repaired = self._prepare_file(check)
            self._file_id = _file_identity(self.path)
            self._ready_pid = pid
        if repaired is not None:
            kept, reason = repaired
            warnings.warn(
                CacheWarning(
                    f"cocframes: the HTTP cache file {self.path} was corrupt ({reason}); the "
                    f"cache was reset and the old file kept at {kept} (delete it when done)"
                ),
                stacklevel=2,
            )

    def _prepare_file(self, check: bool) -> tuple[Path, str] | None:
        """Make ``path`` a ready cache file; hold the inter-process lock while calling this.

        A missing file loses its orphaned ``-wal``/``-shm`` (they must not be paired with a new
        file). A file that turns out corrupt *now*, under the lock, is moved aside with its
        companions and a new one started, so that processes meeting the same corrupt file
        move it only once. Returns ``(kept_path, reason)`` after such a move, else ``None``.
        """
        if not self.path.exists():
            self._remove_orphans()
        try:
            self._retry(lambda: self._initialise_file(check), error=CacheWriteError,
                        what="initialise")
            return None
        except CacheWriteError as exc:
            if not _is_corrupt(exc):
                raise
            reason = " ".join(str(exc.__cause__).split())  # one line
        kept = self._move_aside()
        self._retry(lambda: self._initialise_file(False), error=CacheWriteError,
                    what="initialise")
        return kept, reason

    def _remove_orphans(self) -> None:
        for suffix in ("-wal", "-shm"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise CacheWriteError(
                    f"cache file {self.path} is missing but its {suffix} could not be removed: "
                    f"{exc}"
                ) from exc

    def _move_aside(self) -> Path:
        """Rename the file and its ``-wal``/``-shm`` to ``<name>.corrupt-<time>``; return it."""
        base = f"{self.path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}"
        kept = self.path.with_name(base)
        n = 1
        while any(os.path.lexists(f"{kept}{s}") for s in ("", "-wal", "-shm")):
            n += 1
            kept = self.path.with_name(f"{base}-{n}")
        for suffix in ("", "-wal", "-shm"):
            try:
                os.replace(f"{self.path}{suffix}", f"{kept}{suffix}")
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise CacheWriteError(
                    f"cache file {self.path} is corrupt and could not be moved aside ({exc}); "
                    "delete it by hand"
                ) from exc
        return kept

    def _initialise_file(self, check: bool) -> None:
        """Switch the file to WAL and create the tables; with ``check``, verify it first.

        Raises:
            sqlite3.DatabaseError: the file is not a database, or (``check``) is malformed.
        """
        conn = self._open()
        try:
            if check:
                verdict = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
                if verdict != "ok":
                    raise sqlite3.DatabaseError(f"database disk image is malformed: {verdict}")
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                # Persistent in the file: done once, by whoever creates it (under the file lock).
                conn.execute("PRAGMA journal_mode=WAL")
            for table in self.tables:
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} "
                    "(key TEXT PRIMARY KEY, value BLOB, expires INTEGER)"
                )
                conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_expires ON {table}(expires)")
        finally:
            conn.close()

    def close(self) -> None:
        """Close every thread's connection. The next operation in any thread reopens one."""
        with self._lock:
            self._generation += 1
            holders = list(self._holders)
        for holder in holders:
            holder.close()

    # -- retries ----------------------------------------------------------------------------

    def _run(self, op: Callable[[], _T], *, error: type[CacheError], what: str) -> _T:
        """Run ``op`` with :meth:`_retry`; run it once more after a corruption error (the file is
        checked and repaired first) or if another thread restarted the connections meanwhile."""
        generation = self._generation
        try:
            return self._retry(op, error=error, what=what)
        except CacheError as exc:
            corrupt = _is_corrupt(exc)
            if not corrupt and self._generation == generation:
                raise
        self._restart(generation, check=corrupt)
        return self._retry(op, error=error, what=what)

    def _retry(self, op: Callable[[], _T], *, error: type[CacheError], what: str) -> _T:
        """Run ``op``, retrying on busy/locked errors for up to ``retry_for`` seconds."""
        deadline = time.monotonic() + self.retry_for
        attempt = 0
        while True:
            try:
                return op()
            except sqlite3.Error as exc:
                attempt += 1
                if not _is_transient(exc) or time.monotonic() >= deadline:
                    tries = f" after {attempt} attempts" if attempt > 1 else ""
                    raise error(f"cache {what} failed{tries} on {self.path}: {exc}") from exc
                # Jittered exponential backoff: 2 ms, 4 ms, ... capped at 250 ms.
                time.sleep(min(0.002 * 2**attempt, 0.25) * (0.5 + random.random()))

    def read(self, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``fn(connection)`` (autocommit reads), retried on transient errors.

        Raises:
            CacheReadError: if it still fails after ``retry_for`` seconds, or fails otherwise.
        """

        def op() -> _T:
            try:
                return fn(self._connection())
            except sqlite3.Error as exc:
                if not _is_transient(exc):
                    self._discard_connection()
                raise

        return self._run(op, error=CacheReadError, what="read")

    def write(self, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``fn(connection)`` inside ``BEGIN IMMEDIATE`` … ``COMMIT``; retried as a whole.

        ``fn`` must be idempotent (it may run again after a rollback). Returns its result once the
        transaction is committed.

        Raises:
            CacheWriteError: if it still fails after ``retry_for`` seconds, or fails otherwise;
                the transaction is then rolled back and nothing of it is stored.
        """

        def op() -> _T:
            conn = self._connection()
            try:
                if conn.in_transaction:  # left over from an interrupted operation
                    conn.rollback()
                conn.execute("BEGIN IMMEDIATE")
                result = fn(conn)
                conn.execute("COMMIT")
                return result
            except BaseException:
                try:
                    if conn.in_transaction:
                        conn.rollback()
                except sqlite3.Error:
                    self._discard_connection()
                raise

        return self._run(op, error=CacheWriteError, what="write")

    def maintenance(self, statement: str) -> Any:
        """Run a statement that must be outside a transaction (``VACUUM``, checkpoints)."""

        def op() -> Any:
            conn = self._connection()
            if conn.in_transaction:
                conn.rollback()
            return conn.execute(statement).fetchall()

        return self._run(op, error=CacheWriteError, what=statement.split()[0].lower())


# --------------------------------------------------------------------------------------------
# Storages
# --------------------------------------------------------------------------------------------


class SafeSQLiteStorage(BaseStorage):
    """A dict-like table in a :class:`_Database`; values pass through ``serializer`` if given.

    Every method is safe to call from any thread or process at any time. Reads raise
    :class:`CacheReadError` and writes :class:`CacheWriteError` if they fail for good.
    """

    def __init__(self, db: _Database, table_name: str, serializer: Any = None, **kwargs: Any):
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


class _CocframesCache(BaseCache):
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


class MemoryCache(_CocframesCache):
    """A non-persistent cache with the same semantics as :class:`SafeSQLiteCache`."""

    def __init__(self, cache_name: str = "memory", **kwargs: Any):
        super().__init__(cache_name=cache_name)
        self.responses = MemoryStorage(serializer=pickle_serializer)
        self.redirects = MemoryStorage(serializer=None)

    @property
    def db_path(self) -> None:  # type: ignore[override]
        return None


class SafeSQLiteCache(_CocframesCache):
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
        self.db = _Database(path, busy_timeout, retry_for, ("responses", "redirects"))
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


# --------------------------------------------------------------------------------------------
# Session helpers
# --------------------------------------------------------------------------------------------


def new_session(
    cache_path: str | os.PathLike[str] | None, *, fallback_expire: int = 60
) -> CachedSession:
    """Return a :class:`requests_cache.CachedSession` on cocframes' cache.

    Args:
        cache_path: the SQLite file (a directory means ``CACHE_FILE_NAME`` inside it), or
            ``None`` for a private in-memory cache.
        fallback_expire: seconds to keep a response that has no ``Cache-Control: max-age``.

    Settings: ``Cache-Control`` honoured; only ``200`` answers to ``GET`` are stored; the
    ``Authorization`` header is neither part of the key nor stored; no header matching; no
    stale-if-error (the client decides about stale data, see :func:`find_stale`). A cache that
    fails for good only emits a :class:`CacheWarning`; the request itself still succeeds.
    """
    backend: _CocframesCache
    if cache_path is None:
        backend = MemoryCache()
    else:
        path = Path(cache_path).expanduser()
        if path.is_dir():
            path = path / CACHE_FILE_NAME
        backend = SafeSQLiteCache(path)
    backend.on_error = "warn"
    return CachedSession(
        backend=backend,
        cache_control=True,
        expire_after=fallback_expire,
        allowable_codes=(200,),
        allowable_methods=("GET",),
        ignored_parameters=("Authorization",),
        match_headers=False,
        stale_if_error=False,
    )


def find_stale(
    session: CachedSession, request: requests.PreparedRequest, **send_kwargs: Any
) -> CachedResponse | None:
    """Return the stored response for ``request`` even if it has expired, or ``None``.

    ``send_kwargs`` are those the request is sent with (only ``verify`` matters for the key).
    Never raises for a cache failure: an unreadable cache is a miss (with a warning).
    """
    key = session.cache.create_key(request, **send_kwargs)
    try:
        return session.cache.get_response(key)
    except CacheError as exc:
        warnings.warn(CacheWarning(f"cocframes could not read the HTTP cache: {exc}"), stacklevel=2)
        return None


@dataclass(frozen=True)
class CacheInfo:
    """What is in a cache and how much room it takes.

    Attributes:
        path: the SQLite file, or ``None`` for an in-memory cache.
        size_bytes: bytes on disk (file + ``-wal`` + ``-shm``); for memory, of the stored values.
        entries: number of stored responses, expired ones included.
    """

    path: Path | None
    size_bytes: int
    entries: int


def _backend(session: CachedSession) -> _CocframesCache:
    cache = session.cache
    if not isinstance(cache, _CocframesCache):
        raise TypeError(f"not a cocframes cache session: {type(cache).__name__}")
    return cache


def cache_info(session: CachedSession) -> CacheInfo:
    """Return a :class:`CacheInfo` for the session's cache."""
    cache = _backend(session)
    return CacheInfo(
        path=cache.db_path, size_bytes=cache.size_bytes(), entries=len(cache.responses)
    )


def clear_cache(session: CachedSession) -> None:
    """Delete every cached response and shrink the cache file (``VACUUM`` + WAL truncation).

    Raises:
        CacheWriteError: if the file stayed locked by other processes beyond the retry bound.
    """
    _backend(session).clear()
