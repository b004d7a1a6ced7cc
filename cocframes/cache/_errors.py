"""The cache's exceptions and its warning: what the other cache modules raise and emit."""

from __future__ import annotations


class CacheError(Exception):
    """A cache operation failed for good (after its retries). Names the cache file."""


class CacheReadError(CacheError):
    """Reading from the cache failed for good."""


class CacheWriteError(CacheError):
    """Writing to the cache failed for good; the value was **not** stored."""


class CacheWarning(UserWarning):
    """A cache failure that the session turned into a warning so the request still succeeds,
    or a repair it made (a corrupt file moved aside)."""
