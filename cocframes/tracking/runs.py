"""Reading stored runs for the reports: few queries, each stored value decoded once.

A report reads thousands of runs (a member's entry changes at every donation); these helpers
fetch them in one query filtered on subject, keys, part and time, and decode each distinct
blob once (runs of equal values share a blob).
"""

from __future__ import annotations

import re
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .store import HistoryStore, _glob_prefix, _load


@dataclass(frozen=True)
class Run:
    """One stored run of one part: its value from ``start`` until ``end`` (UNIX seconds;
    ``end`` is ``None`` while current)."""

    key: str
    part: str
    start: float
    end: float | None
    value: Any


def _where(subject: str, keys: Sequence[str] | None, part: str | None, prefix: str | None,
           since: float | None, until: float | None) -> tuple[str, list[Any]]:
    """Return the WHERE clause (on ``parts p``) and its arguments for the filters given."""
    sql, args = "p.subject = ?", [subject]
    if keys is not None:
        sql += f" AND p.key IN ({','.join('?' * len(keys))})"
        args += list(keys)
    if part is not None:
        sql += " AND p.part = ?"
        args.append(part)
    if prefix is not None:
        sql += " AND p.part GLOB ?"
        args.append(_glob_prefix(prefix))
    if until is not None:
        sql += " AND p.valid_from < ?"
        args.append(until)
    if since is not None:
        sql += " AND (p.valid_to IS NULL OR p.valid_to > ?)"
        args.append(since)
    return sql, args


# Stored values are named by their content's hash, so a decoded value never goes stale: the
# reports keep the latest ones decoded (read-only: they never change what they read), and a
# second report over the same season decodes almost nothing.
_DECODED: OrderedDict[bytes, Any] = OrderedDict()
_DECODED_MAX = 20_000
_decoded_lock = threading.Lock()


def _decoded(name: bytes, body: bytes) -> Any:
    """Return the decoded stored value named ``name`` (shared: do not change it)."""
    with _decoded_lock:
        value = _DECODED.get(name)
        if value is not None:
            _DECODED.move_to_end(name)
            return value
    value = _load(body)
    with _decoded_lock:
        _DECODED[name] = value
        if len(_DECODED) > _DECODED_MAX:
            _DECODED.popitem(last=False)
    return value


class _Decoder:
    """Decodes blobs, each distinct one once: whole, or only some integer fields.

    Reading a few integers of a member entry with a pattern is several times faster than
    parsing its JSON (leagues, icons); a key can be matched only as a key, as a quote inside
    a JSON string is always escaped.
    """

    def __init__(self, fields: Sequence[str] | None = None) -> None:
        self.values: dict[bytes, Any] = {}
        self.pattern = None if fields is None else re.compile(
            rb'[{,]"(' + b"|".join(re.escape(f.encode()) for f in fields) + rb')":(-?\d+)')

    def __call__(self, name: bytes, body: bytes) -> Any:
        if self.pattern is None:
            return _decoded(name, body)
        value = self.values.get(name)
        if value is None:
            value = self.values[name] = self.decode(body)
        return value

    def decode(self, body: bytes) -> Any:
        if self.pattern is None:
            return _load(body)
        text = zlib.decompress(body)
        return {key.decode(): int(number) for key, number in self.pattern.findall(text)}


def read_runs(store: HistoryStore, subject: str, *, keys: Sequence[str] | None = None,
              part: str | None = None, prefix: str | None = None, since: float | None = None,
              until: float | None = None, fields: Sequence[str] | None = None,
              values: bool = True) -> list[Run]:
    """Return the runs of ``subject`` (of ``keys``; of the part named ``part``, or of the parts
    under ``prefix + "/"``) that overlap ``[since, until)``, in order of key, part and time.

    With ``fields`` (names of top-level integer fields), each run's value is a dict of those
    fields only (those present), read without parsing the whole JSON. With ``values=False``
    the runs carry no value (``None``) and no stored value is read at all."""
    where, args = _where(subject, keys, part, prefix, since, until)
    if not values:
        rows = store.rows("SELECT p.key, p.part, p.valid_from, p.valid_to FROM parts p "
                          f"WHERE {where} ORDER BY p.key, p.part, p.valid_from", args)
        return [Run(key, name, start, end, None) for key, name, start, end in rows]
    rows = store.rows(
        "SELECT p.key, p.part, p.valid_from, p.valid_to, p.hash, b.body FROM parts p "
        f"JOIN blobs b ON b.hash = p.hash WHERE {where} "
        "ORDER BY p.key, p.part, p.valid_from", args)
    decode = _Decoder(fields)
    return [Run(key, name, start, end, decode(hash_, body))
            for key, name, start, end, hash_, body in rows]


def run_values(store: HistoryStore, subject: str, key: str,
               runs: Sequence[tuple[str, float]], fields: Sequence[str] | None = None,
               ) -> dict[tuple[str, float], Any]:
    """Return ``(part, valid_from) -> value`` of the given runs of one subject (read by
    their keys: a few runs out of thousands cost a few lookups)."""
    decode = _Decoder(fields)
    out: dict[tuple[str, float], Any] = {}
    for chunk in range(0, len(runs), 400):  # SQLite's limit on bound parameters
        batch = runs[chunk:chunk + 400]
        pairs = ",".join("(?, ?)" for _ in batch)
        rows = store.rows(
            "SELECT p.part, p.valid_from, p.hash, b.body FROM parts p "
            "JOIN blobs b ON b.hash = p.hash WHERE p.subject = ? AND p.key = ? "
            f"AND (p.part, p.valid_from) IN (VALUES {pairs})",
            [subject, key, *(x for pair in batch for x in pair)])
        for name, start, hash_, body in rows:
            out[(name, start)] = decode(hash_, body)
    return out


def edge_runs(store: HistoryStore, subject: str, keys: Sequence[str], *,
              parts: Sequence[str] | None = None, prefix: str | None = None, since: float,
              until: float) -> dict[tuple[str, str], tuple[Run, Run]]:
    """Return ``(key, part) -> (first, last)``: the first and the last run of each part (of
    ``parts``, or under ``prefix + "/"``) that overlap ``[since, until)`` (two queries,
    whatever the number of runs between them)."""
    if not keys:
        return {}
    where, args = _where(subject, keys, None, prefix, since, until)
    if parts is not None:
        where += f" AND p.part IN ({','.join('?' * len(parts))})"
        args += list(parts)
    decode = _Decoder()
    found: list[dict[tuple[str, str], Run]] = []
    for pick in ("min", "max"):
        # The edge of each part first (no stored value read), then only those runs' values.
        rows = store.rows(
            f"WITH edge AS (SELECT p.key, p.part, {pick}(p.valid_from) AS start FROM parts p "
            f"WHERE {where} GROUP BY p.key, p.part) "
            "SELECT p.key, p.part, p.valid_from, p.valid_to, p.hash, b.body FROM edge "
            "JOIN parts p ON p.subject = ? AND p.key = edge.key AND p.part = edge.part "
            "AND p.valid_from = edge.start JOIN blobs b ON b.hash = p.hash",
            [*args, subject])
        found.append({(key, name): Run(key, name, start, end, decode(hash_, body))
                      for key, name, start, end, hash_, body in rows})
    return {k: (first, found[1][k]) for k, first in found[0].items()}


def current_parts(store: HistoryStore, subject: str,
                  keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Return ``key -> {part: value}`` of the current parts of each of ``keys`` (the latest
    stored payloads, cut; :func:`~cocframes.tracking.parts.join` rebuilds them)."""
    if not keys:
        return {}
    rows = store.rows(
        "SELECT p.key, p.part, p.hash, b.body FROM parts p JOIN blobs b ON b.hash = p.hash "
        f"WHERE p.subject = ? AND p.key IN ({','.join('?' * len(keys))}) "
        "AND p.valid_to IS NULL", [subject, *keys])
    out: dict[str, dict[str, Any]] = {}
    for key, name, hash_, body in rows:
        out.setdefault(key, {})[name] = _decoded(hash_, body)
    return out


def last_seen(store: HistoryStore, subject: str) -> dict[str, float]:
    """Return ``key -> last poll time`` of every stored ``subject``."""
    return {key: seen for _, key, _, seen in store.subjects(subject)}


def ends(runs: Iterable[Run], poll: float) -> list[tuple[Run, float]]:
    """Return each run with the time it ends: its ``end``, or ``poll`` (the subject's last
    poll) while current."""
    return [(r, poll if r.end is None else r.end) for r in runs]


def intervals(runs: Iterable[Run], poll: float) -> list[tuple[float, float]]:
    """Return the times covered by ``runs`` (of one part, in time order; a current run ends
    at ``poll``) as merged ``(start, end)`` intervals: a gap between runs stays a gap."""
    return merge_spans((run.start, end) for run, end in ends(runs, poll))


def merge_spans(spans: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Return ``(start, end)`` spans merged where they touch or overlap, in time order."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def overlap(spans: Iterable[tuple[float, float]], start: float, end: float) -> float:
    """Return the seconds of ``spans`` that fall within ``[start, end)``."""
    return sum(max(0.0, min(b, end) - max(a, start)) for a, b in spans)


def counter_total(values: Iterable[Any]) -> int:
    """Return the total of a counter that resets: its last value plus its value before each
    drop (``None`` values skipped); 0 when there is no value."""
    total, previous = 0, None
    for value in values:
        if not isinstance(value, int):
            continue
        if previous is not None and value < previous:
            total += previous
        previous = value
    return total + (previous or 0)


def growth(first: Any, last: Any) -> int | None:
    """Return ``last - first`` when both are integers, else ``None``."""
    if isinstance(first, int) and isinstance(last, int):
        return last - first
    return None


GAMES_CHAMPION = "achievements/Games Champion|home"
