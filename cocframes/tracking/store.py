"""The history file: snapshots, events, wars, battles and seasons in one SQLite file.

One file in WAL mode, shared safely by a watcher writing and notebooks reading, in any number
of threads and processes (the connection handling is the HTTP cache's, see
:class:`cocframes.cache.Database`). A pass of the tracker is written as ONE transaction: an
interrupt or a crash leaves the file as it was after the previous pass.

Snapshots are stored cut into parts (:mod:`.parts`), each part as a run of time over which it
did not change (``valid_from`` .. ``valid_to``), its JSON compressed once per distinct value in
``blobs``. A poll that finds a subject unchanged only moves ``subjects.last_seen``: no row, no
payload.

Times are stored as UNIX seconds (UTC); the reading functions of :mod:`.reports` turn them into
tz-aware datetimes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from cocframes.cache import Database

from . import parts as _parts
from .kinds import Change
from .schema import migrate

HISTORY_ENV_VAR = "COCFRAMES_HISTORY"
HISTORY_FILE_NAME = "history.sqlite"

#: The tables :meth:`HistoryStore.table` reads (every table of the file but the raw blobs).
TABLES = ("passes", "subjects", "parts", "events", "wars", "battles", "seasons", "meta")


def history_path(history_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the history file's path: ``history_dir`` if given, else ``$COCFRAMES_HISTORY``,
    else the user data directory (``platformdirs.user_data_dir("cocframes")``); a path ending
    in ``.sqlite`` or ``.db`` is the file itself, anything else a directory holding
    ``history.sqlite``."""
    where = history_dir or os.environ.get(HISTORY_ENV_VAR) or platformdirs.user_data_dir(
        "cocframes")
    path = Path(where).expanduser().absolute()
    if path.suffix in (".sqlite", ".db"):
        return path
    return path / HISTORY_FILE_NAME


def digest(data: bytes) -> bytes:
    """Return the 16-byte content hash the file names values by."""
    return hashlib.blake2b(data, digest_size=16).digest()


def encode_value(value: Any) -> str | None:
    """Return an event value as stored: ``None`` stays NULL, text stays text, anything else
    (numbers, booleans, lists) is JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def delta_of(old: Any, new: Any) -> int | None:
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (old, new))
    return new - old if ints else None


@dataclass
class Observation:
    """One subject as one poll saw it.

    Attributes:
        subject: ``"clan"``, ``"player"``, ``"war"``, ``"league_group"``, ``"raids"``,
            ``"season"``...
        key: which one (a tag, a war id).
        time: when it was seen (UNIX seconds).
        version: how many times the subject was seen to change (1 the first time it is seen);
            the same as the stored one when the payload did not change.
        payload: the payload, or ``None`` when it did not change (nothing to store but the
            time).
        max_age: the answer's max-age, when known.
        parts: the payload's parts (:func:`.parts.split_values`), when the caller has them.
        previous: the parts of the payload the caller last saw for this subject, at
            ``version - 1``: when the file still holds that version, only the parts that
            differ from them are encoded and compared.
    """

    subject: str
    key: str
    time: float
    version: int
    payload: Mapping[str, Any] | None
    max_age: float | None = None
    parts: Mapping[str, Any] | None = None
    previous: Mapping[str, Any] | None = None


@dataclass
class Detected:
    """One change with the time bounds of the interval it happened in (UNIX seconds)."""

    change: Change
    time_from: float | None
    time_to: float


def event_row(found: Detected) -> tuple[Any, ...]:
    """Return an event as the ``events`` table holds it: ``(time_from, time_to, kind, clan,
    player, field, old, new, delta)``."""
    c = found.change
    return (found.time_from, found.time_to, c.kind, c.clan, c.player, c.field,
            encode_value(c.old), encode_value(c.new), delta_of(c.old, c.new))


@dataclass
class WarRow:
    """The ``wars`` row of one war (see the table for the columns)."""

    war_id: str
    clan: str
    opponent: str | None
    war_type: str
    war_tag: str | None
    preparation_start: float | None
    start: float | None
    end: float | None
    state: str | None
    final: bool
    seen: float


@dataclass
class BattleRow:
    """One battle log entry, first stored when first seen."""

    player: str
    fingerprint: bytes
    battle_time: float | None
    seen_after: float | None
    seen_by: float
    body: bytes


@dataclass
class PassRecord:
    """Everything one pass of the tracker found, written by :meth:`HistoryStore.record`."""

    started: float
    finished: float
    requests: int = 0
    received: int = 0
    errors: int = 0
    observations: list[Observation] = field(default_factory=list)
    events: list[Detected] = field(default_factory=list)
    wars: list[WarRow] = field(default_factory=list)
    battles: list[BattleRow] = field(default_factory=list)
    seasons: list[tuple[str, float, float]] = field(default_factory=list)
    meta: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Seen:
    """What the file knows of a subject: its latest payload and when it was polled."""

    payload: dict[str, Any]
    version: int
    first_seen: float
    last_seen: float
    max_age: float | None
    parts: dict[str, Any] | None = None  # the payload's split values, once computed
    body_hash: bytes | None = None  # the hash of the answer's body, when this process saw it


class _HistoryDatabase(Database):
    noun = "history"

    def create_schema(self, conn: sqlite3.Connection) -> None:
        migrate(conn)


class HistoryStore:
    """The history file (created on first use, migrated when made by an older release).

    Args:
        path: the file, or a directory to hold ``history.sqlite``; default
            :func:`history_path`.
        busy_timeout: seconds SQLite waits on another writer before retrying.
        retry_for: seconds a read or a pass's write keeps retrying while the file is busy.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 busy_timeout: float = 5.0, retry_for: float = 60.0) -> None:
        self.path = history_path(path)
        self._db = _HistoryDatabase(self.path, busy_timeout, retry_for)

    def __repr__(self) -> str:
        return f"HistoryStore({str(self.path)!r})"

    def close(self) -> None:
        """Close this process's connections (any later call reopens one)."""
        self._db.close()

    # ----------------------------------------------------------------- writing
    def record(self, found: PassRecord) -> int:
        """Store one pass in one transaction and return its id.

        Nothing of the pass is stored if this raises (or is interrupted).
        """
        return self._db.write(lambda conn: _write_pass(conn, found))

    # ----------------------------------------------------------------- reading
    def seen(self, subject: str, key: str) -> Seen | None:
        """Return the latest stored state of one subject, or ``None`` if never seen."""
        def read(conn: sqlite3.Connection) -> Seen | None:
            row = conn.execute(
                "SELECT version, first_seen, last_seen, max_age FROM subjects "
                "WHERE subject = ? AND key = ?", (subject, key)).fetchone()
            if row is None:
                return None
            current = conn.execute(
                "SELECT p.part, b.body FROM parts p JOIN blobs b ON b.hash = p.hash "
                "WHERE p.subject = ? AND p.key = ? AND p.valid_to IS NULL",
                (subject, key)).fetchall()
            payload = _parts.join(subject, {name: _load(body) for name, body in current})
            return Seen(payload, row[0], row[1], row[2], row[3])
        return self._db.read(read)

    def subjects(self, subject: str | None = None) -> list[tuple[str, str, float, float]]:
        """Return ``(subject, key, first_seen, last_seen)`` of every subject polled."""
        sql = "SELECT subject, key, first_seen, last_seen FROM subjects"
        args: tuple[Any, ...] = ()
        if subject is not None:
            sql, args = sql + " WHERE subject = ?", (subject,)
        return self._db.read(lambda conn: conn.execute(sql + " ORDER BY 1, 2", args).fetchall())

    def events(self, *, clans: Iterable[str] | None = None,
               players: Iterable[str] | None = None, since: float | None = None,
               until: float | None = None, kinds: Iterable[str] | None = None,
               ) -> list[tuple[Any, ...]]:
        """Return the stored events as rows ``(id, time_from, time_to, kind, clan, player,
        field, old, new, delta)``, oldest first, filtered by clan tags, player tags (either
        matching when both are given), ``time_to`` in ``[since, until)`` and kinds."""
        where, args = [], []
        subjects = []
        for column, values in (("clan", clans), ("player", players)):
            if values is not None:
                values = list(values)
                subjects.append(f"{column} IN ({','.join('?' * len(values))})")
                args += values
        if subjects:
            where.append("(" + " OR ".join(subjects) + ")")
        if since is not None:
            where.append("time_to >= ?")
            args.append(since)
        if until is not None:
            where.append("time_to < ?")
            args.append(until)
        if kinds is not None:
            kinds = list(kinds)
            where.append(f"kind IN ({','.join('?' * len(kinds))})")
            args += kinds
        sql = ("SELECT id, time_from, time_to, kind, clan, player, field, old, new, delta "
               "FROM events" + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY time_to, id")
        return self._db.read(lambda conn: conn.execute(sql, args).fetchall())

    def meta(self, key: str) -> str | None:
        """Return one value the tracker keeps between passes (e.g. ``maintenance_since``)."""
        found = self.rows("SELECT value FROM meta WHERE key = ?", (key,))
        return found[0][0] if found else None

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one read-only query and return its rows (for the report functions)."""
        return self._db.read(lambda conn: conn.execute(sql, tuple(args)).fetchall())

    def battles(self, player: str) -> list[tuple[float | None, float | None, float, Any]]:
        """Return ``(battle_time, seen_after, seen_by, entry)`` of every stored battle log entry
        of ``player``, oldest first."""
        rows = self.rows(
            "SELECT t.battle_time, t.seen_after, t.seen_by, b.body FROM battles t "
            "JOIN blobs b ON b.hash = t.hash WHERE t.player = ? "
            "ORDER BY coalesce(t.battle_time, t.seen_by)", (player,))
        return [(t, after, by, _load(body)) for t, after, by, body in rows]

    def table(self, name: str) -> Any:
        """Return one table of the file as a DataFrame (times as UTC datetimes), e.g. to
        save it with ``to_parquet``.

        Raises:
            ValueError: ``name`` is not one of :data:`TABLES`.
        """
        import pandas as pd

        if name not in TABLES:
            raise ValueError(f"unknown history table {name!r}; expected one of {TABLES}")
        def read(conn: sqlite3.Connection) -> tuple[list[str], list[tuple[Any, ...]]]:
            cursor = conn.execute(f"SELECT * FROM {name}")
            return [d[0] for d in cursor.description], cursor.fetchall()
        columns, rows = self._db.read(read)
        frame = pd.DataFrame.from_records(rows, columns=columns)
        for column in columns:
            if column in _TIME_COLUMNS:
                frame[column] = pd.to_datetime(frame[column], unit="s", utc=True).astype(
                    "datetime64[ns, UTC]")
            elif column in _HASH_COLUMNS:
                frame[column] = frame[column].map(
                    lambda h: h.hex() if isinstance(h, bytes) else h).astype("string")
        frame.attrs["source"] = f"history:{name}"
        return frame

    def size(self) -> int:
        """Return the bytes on disk: the file and its write-ahead log."""
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):
                total += os.path.getsize(f"{self.path}{suffix}")
        return total

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the file (it is also done automatically)."""
        self._db.maintenance("PRAGMA wal_checkpoint(TRUNCATE)")


_TIME_COLUMNS = frozenset({"started", "finished", "first_seen", "last_seen", "valid_from",
                           "valid_to", "time_from", "time_to", "preparation_start", "start",
                           "end", "battle_time", "seen_after", "seen_by"})
_HASH_COLUMNS = frozenset({"hash", "fingerprint"})


def _glob_prefix(part: str) -> str:
    escaped = "".join(f"[{c}]" if c in "*?[]" else c for c in part)
    return escaped + "/*"


def _load(body: bytes) -> Any:
    return json.loads(zlib.decompress(body))


def _store_blob(conn: sqlite3.Connection, data: bytes, name: bytes | None = None) -> bytes:
    name = name or digest(data)
    conn.execute("INSERT OR IGNORE INTO blobs (hash, body) VALUES (?, ?)",
                 (name, zlib.compress(data, 6)))
    return name


def _write_pass(conn: sqlite3.Connection, found: PassRecord) -> int:
    pass_id = conn.execute(
        "INSERT INTO passes (started, finished, requests, received, errors) "
        "VALUES (?, ?, ?, ?, ?)",
        (found.started, found.finished, found.requests, found.received, found.errors),
    ).lastrowid
    for seen in found.observations:
        _write_observation(conn, seen)
    conn.executemany(
        "INSERT INTO events (pass, time_from, time_to, kind, clan, player, field, old, new, "
        "delta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(pass_id, *event_row(d)) for d in found.events])
    for war in found.wars:
        conn.execute(
            "INSERT INTO wars (war_id, clan, opponent, war_type, war_tag, preparation_start, "
            "start, end, state, final, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (war_id) DO UPDATE SET "
            "state = excluded.state, final = max(final, excluded.final), "
            "start = excluded.start, end = excluded.end, last_seen = excluded.last_seen",
            (war.war_id, war.clan, war.opponent, war.war_type, war.war_tag,
             war.preparation_start, war.start, war.end, war.state, int(war.final), war.seen,
             war.seen))
    for battle in found.battles:
        conn.execute(
            "INSERT OR IGNORE INTO battles (player, fingerprint, battle_time, seen_after, "
            "seen_by, hash) VALUES (?, ?, ?, ?, ?, ?)",
            (battle.player, battle.fingerprint, battle.battle_time, battle.seen_after,
             battle.seen_by, _store_blob(conn, battle.body)))
    conn.executemany("INSERT OR REPLACE INTO seasons (season, start, end) VALUES (?, ?, ?)",
                     found.seasons)
    for key, value in found.meta.items():
        if value is None:
            conn.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
    return int(pass_id)


def _write_observation(conn: sqlite3.Connection, seen: Observation) -> None:
    expected = seen.version - (seen.payload is not None)  # the version the caller last saw
    row: tuple[int] | None = (expected,)
    if not conn.execute(  # the common case, one statement: the file holds what was expected
            "UPDATE subjects SET last_seen = max(last_seen, ?), version = ?, max_age = ? "
            "WHERE subject = ? AND key = ? AND version = ?",
            (seen.time, seen.version, seen.max_age, seen.subject, seen.key, expected),
    ).rowcount:
        row = conn.execute("SELECT version FROM subjects WHERE subject = ? AND key = ?",
                           (seen.subject, seen.key)).fetchone()
        if row is None:
            conn.execute(
                "INSERT INTO subjects (subject, key, first_seen, last_seen, version, max_age) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (seen.subject, seen.key, seen.time, seen.time, seen.version, seen.max_age))
        else:
            conn.execute(
                "UPDATE subjects SET last_seen = max(last_seen, ?), version = ?, max_age = ? "
                "WHERE subject = ? AND key = ?",
                (seen.time, max(seen.version, row[0]), seen.max_age, seen.subject, seen.key))
    if seen.payload is None:
        return
    if (row is not None and seen.previous is not None
            and row[0] == seen.version - 1):  # the file holds what the caller last saw
        new = seen.parts or _parts.split_values(seen.subject, seen.payload)
        changed, gone = _parts.changed_parts(new, seen.previous)
        current: dict[str, bytes] = {}
    else:
        current = dict(conn.execute(
            "SELECT part, hash FROM parts WHERE subject = ? AND key = ? AND valid_to IS NULL",
            (seen.subject, seen.key)).fetchall())
        changed = _parts.split(seen.subject, seen.payload)
        gone = current.keys() - changed.keys()
    for name, data in changed.items():
        name_hash = digest(data)
        if current.get(name) == name_hash:
            continue
        _close(conn, seen, name)
        conn.execute(
            "INSERT OR REPLACE INTO parts (subject, key, part, valid_from, valid_to, hash) "
            "VALUES (?, ?, ?, ?, NULL, ?)",
            (seen.subject, seen.key, name, seen.time, _store_blob(conn, data, name_hash)))
    for name in gone:
        _close(conn, seen, name)


def _close(conn: sqlite3.Connection, seen: Observation, name: str) -> None:
    conn.execute(
        "UPDATE parts SET valid_to = ? WHERE subject = ? AND key = ? AND part = ? "
        "AND valid_to IS NULL", (seen.time, seen.subject, seen.key, name))
