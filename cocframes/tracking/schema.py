"""The history file's schema, its version and the migrations between versions.

The version is SQLite's ``PRAGMA user_version``. A file made by an older release is migrated
forward when opened (each step in its own transaction, under the file's inter-process lock);
a file made by a newer release is refused with :class:`HistoryVersionError` rather than
misread. To change the schema, append a step to :data:`MIGRATIONS`: never edit a released one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE passes (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    finished REAL NOT NULL,
    requests INTEGER NOT NULL,
    received INTEGER NOT NULL,
    errors INTEGER NOT NULL
);
CREATE TABLE blobs (hash BLOB PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE subjects (
    subject TEXT NOT NULL,
    key TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    version INTEGER NOT NULL,
    max_age REAL,
    PRIMARY KEY (subject, key)
) WITHOUT ROWID;
CREATE TABLE parts (
    subject TEXT NOT NULL,
    key TEXT NOT NULL,
    part TEXT NOT NULL,
    valid_from REAL NOT NULL,
    valid_to REAL,
    hash BLOB NOT NULL,
    PRIMARY KEY (subject, key, part, valid_from)
) WITHOUT ROWID;
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    pass INTEGER NOT NULL,
    time_from REAL,
    time_to REAL NOT NULL,
    kind TEXT NOT NULL,
    clan TEXT,
    player TEXT,
    field TEXT,
    old TEXT,
    new TEXT,
    delta INTEGER
);
CREATE INDEX events_by_time ON events (time_to);
CREATE INDEX events_by_clan ON events (clan, time_to);
CREATE INDEX events_by_player ON events (player, time_to);
CREATE TABLE wars (
    war_id TEXT PRIMARY KEY,
    clan TEXT NOT NULL,
    opponent TEXT,
    war_type TEXT NOT NULL,
    war_tag TEXT,
    preparation_start REAL,
    start REAL,
    end REAL,
    state TEXT,
    final INTEGER NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX wars_by_clan ON wars (clan, preparation_start);
CREATE TABLE battles (
    player TEXT NOT NULL,
    fingerprint BLOB NOT NULL,
    battle_time REAL,
    seen_after REAL,
    seen_by REAL NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (player, fingerprint)
) WITHOUT ROWID;
CREATE TABLE seasons (season TEXT PRIMARY KEY, start REAL NOT NULL, end REAL NOT NULL)
    WITHOUT ROWID;
"""


def _v1(conn: sqlite3.Connection) -> None:
    for statement in _V1.split(";"):
        if statement.strip():
            conn.execute(statement)


#: Step n turns a version n-1 file into version n (step 1 creates the tables).
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v1,)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryVersionError(RuntimeError):
    """The history file was made by a newer cocframes, whose schema this one cannot read."""


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file of ``conn`` (autocommit mode) to :data:`SCHEMA_VERSION`; return the
    version it had.

    Raises:
        HistoryVersionError: the file's version is newer than this release knows.
    """
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise HistoryVersionError(
            f"this history file has schema version {found}, made by a newer cocframes; this "
            f"one reads up to version {SCHEMA_VERSION}: upgrade cocframes to open it")
    for version in range(found + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version - 1](conn)
            conn.execute(f"PRAGMA user_version={version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.rollback()
            raise
    return found
