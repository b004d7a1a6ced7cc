"""Cursor paging exactly like the real API (``limit``, ``after``, ``before``)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any


class PagingError(ValueError):
    """A paging parameter is malformed (answered as 400 ``badRequest``)."""


def encode_cursor(pos: int) -> str:
    """Return the opaque cursor for offset ``pos`` (base64 of ``{"pos":N}``, unpadded)."""
    raw = json.dumps({"pos": pos}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """Return the offset stored in ``cursor``; raise :class:`PagingError` if it is invalid."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        pos = json.loads(raw)["pos"]
    except (ValueError, KeyError, TypeError) as exc:
        raise PagingError(f"Invalid cursor: {cursor!r}") from exc
    if not isinstance(pos, int) or pos < 0:
        raise PagingError(f"Invalid cursor: {cursor!r}")
    return pos


def page(items: Sequence[Any] | None, query: Mapping[str, str], *, total: int | None = None,
         fetch: Callable[[int, int], list[Any]] | None = None) -> dict:
    """Return ``{"items": [...], "paging": {"cursors": {...}}}`` for one page.

    Either pass the full ``items`` list, or ``total`` and ``fetch(start, stop)`` to generate
    only the rows of the page (used for the 25,000-row legend rankings). The ``after`` cursor
    is absent on the last page, ``before`` absent on the first.
    """
    if items is not None:
        total = len(items)
        fetch = lambda start, stop: list(items[start:stop])  # noqa: E731
    assert total is not None and fetch is not None
    limit_text = query.get("limit")
    if limit_text is None or limit_text == "":
        limit = None
    else:
        try:
            limit = int(limit_text)
        except ValueError as exc:
            raise PagingError(f"Invalid limit: {limit_text!r}") from exc
        if limit <= 0:
            raise PagingError(f"Invalid limit: {limit_text!r}")
    if query.get("after") and query.get("before"):
        raise PagingError("Only one of 'after' and 'before' may be given")
    if query.get("after"):
        start = min(decode_cursor(query["after"]), total)
        stop = total if limit is None else min(total, start + limit)
    elif query.get("before"):
        stop = min(decode_cursor(query["before"]), total)
        start = 0 if limit is None else max(0, stop - limit)
    else:
        start = 0
        stop = total if limit is None else min(total, limit)
    cursors: dict[str, str] = {}
    if start > 0:
        cursors["before"] = encode_cursor(start)
    if stop < total:
        cursors["after"] = encode_cursor(stop)
    return {"items": fetch(start, stop), "paging": {"cursors": cursors}}
