"""What the request path hands back: one API answer with its provenance, and the warning
given when that answer is an expired copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


class StaleDataWarning(UserWarning):
    """Data was served from an expired cache entry because the API could not answer.

    Attributes:
        why: why the API could not answer (e.g. ``"the API is in maintenance"``).
        endpoint: the path whose expired answer was served.
        fetched_at: when that answer was stored (UTC), or ``None`` if unknown.
    """

    def __init__(self, message: str, *, why: str = "", endpoint: str = "",
                 fetched_at: datetime | None = None) -> None:
        super().__init__(message)
        self.why = why
        self.endpoint = endpoint
        self.fetched_at = fetched_at


@dataclass(frozen=True)
class Fetched:
    """One API answer with its provenance.

    Attributes:
        payload: the decoded JSON body. Every call decodes its own copy, so the caller may
            change it freely: no later call sees the change.
        endpoint: the path requested, relative to the base URL.
        fetched_at: when the answer was produced (UTC; for a cache hit, when it was stored).
        from_cache: whether the cache answered.
        stale: whether the answer is an expired cache entry served because the API failed.
        demo: whether the answer comes from the demo world.
        max_age: the answer's ``Cache-Control: max-age`` in seconds, when it came with one
            (a memo recall does not keep it): how long the API says it stays current.
        size: the answer's body in bytes, when it came from the network or the cache.
        body_hash: a 16-byte hash of that body: equal hashes, equal answers (a poller can
            tell an unchanged answer without comparing payloads).
    """

    payload: Any
    endpoint: str
    fetched_at: datetime
    from_cache: bool
    stale: bool
    demo: bool
    max_age: int | None = None
    size: int | None = None
    body_hash: bytes | None = None
