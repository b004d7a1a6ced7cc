"""SQLite plumbing for the cache file: one connection per thread (and per process: a forked
child opens its own), one-time initialisation of the file, and reads and writes with bounded
retries.

requests-cache's own SQLite backend shares one connection between all threads, switches the file
to WAL mode on every open and silently rolls back a write whose commit fails; under two processes
× eight threads on a new file it fails with ``database is locked``, ``no more rows available`` or
hangs (GUIDE §5). :class:`Database` instead:

* creates the file and switches it to WAL once per process, under the inter-process lock
  (:mod:`._locking`); WAL mode is persistent, so ordinary opens never touch ``journal_mode``;
* runs every write as one ``BEGIN IMMEDIATE`` … ``COMMIT`` transaction, retried with bounded,
  jittered backoff while the database is busy, raising :class:`CacheWriteError` if it still
  fails after ``retry_for`` seconds — a write is never dropped silently;
* runs reads as single statements, retried the same way on transient errors;
* after a corruption error, checks the file under the lock and has :mod:`._repair` move it aside
  and start a new one; follows a file deleted or replaced while open (every thread reconnects).
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from ._errors import CacheError, CacheReadError, CacheWriteError
from ._locking import interprocess_lock
from ._repair import file_identity, is_corrupt, prepare_file, warn_reset

# SQLite primary result codes that mean "try again later".
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_PROTOCOL = 5, 6, 15
_TRANSIENT_CODES = frozenset({_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_PROTOCOL})
_TRANSIENT_MESSAGES = ("database is locked", "database table is locked", "database is busy")

_T = TypeVar("_T")


def _is_transient(exc: sqlite3.Error) -> bool:
    """Whether an SQLite error means "busy, try again" rather than a real failure."""
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None and (code & 0xFF) in _TRANSIENT_CODES:
        return True
    message = str(exc).lower()
    return any(m in message for m in _TRANSIENT_MESSAGES)


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


class Database:
    """Thread-local connections to one SQLite file, with bounded-retry reads and writes.

    Args:
        path: the database file.
        busy_timeout: seconds SQLite itself waits on a lock before reporting busy.
        retry_for: seconds an operation keeps retrying on busy/locked before raising.
        tables: names of the key/value tables to create (``key``, ``value``, ``expires``; the
            same schema as requests-cache's SQLite backend, so files are interchangeable).
    """

    #: What the file holds, for messages ("cache write failed on ...").
    noun = "cache"

    def __init__(self, path: Path, busy_timeout: float, retry_for: float,
                 tables: Iterable[str] = ()):
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
        if self._ready_pid == pid and file_identity(self.path) != self._file_id:
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

        Done under the inter-process lock, where a corrupt file is moved aside first (see
        :func:`._repair.prepare_file`) with a :class:`CacheWarning` naming where it is kept.
        """
        if self._ready_pid == pid:
            return
        with self._lock:
            if self._ready_pid == pid:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with interprocess_lock(self.lock_path, timeout=self.retry_for):
                repaired = prepare_file(self.path, self._initialise, self._check_next)
            self._check_next = False  # only once it succeeded: a failure checks again
            self._file_id = file_identity(self.path)
            self._ready_pid = pid
        if repaired is not None:
            warn_reset(self.path, *repaired, noun=self.noun)

    def _initialise(self, check: bool) -> None:
        """:meth:`_initialise_file`, retried while busy; raises :class:`CacheWriteError`."""
        self._retry(lambda: self._initialise_file(check), error=CacheWriteError,
                    what="initialise")

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
            self.create_schema(conn)
        finally:
            conn.close()

    def create_schema(self, conn: sqlite3.Connection) -> None:
        """Create the tables (under the inter-process lock, once per process); a subclass
        holding another schema overrides this."""
        for table in self.tables:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {table} "
                         "(key TEXT PRIMARY KEY, value BLOB, expires INTEGER)")
            conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_expires ON {table}(expires)")

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
            corrupt = is_corrupt(exc)
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
                    raise error(f"{self.noun} {what} failed{tries} on {self.path}: {exc}") from exc
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

