"""What every frame function shares: the client to use, paging, and the provenance it writes
into ``df.attrs``.

Every attr is plain JSON (strings, numbers, booleans, None, lists, dicts), because pandas
writes ``df.attrs`` as JSON into Parquet and Feather files.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timezone
from typing import TYPE_CHECKING, Any

from cocframes.client import Client, Fetched
from cocframes.paging import items

if TYPE_CHECKING:
    import pandas as pd


def client_or_default(client: Client | None) -> Client:
    """Return ``client``, or the default client (:func:`cocframes.get_client`) when None."""
    if client is not None:
        return client
    from cocframes import api  # the default client lives there; api imports this module

    return api.get_client()


def provenance(df: pd.DataFrame, fetched: Sequence[Fetched], source: str) -> pd.DataFrame:
    """Record where ``df`` came from in ``df.attrs`` and return it.

    ``fetched_at`` is the latest answer's time as an ISO-8601 UTC string
    (``"2026-12-02T10:08:46.123456+00:00"``; ``datetime.fromisoformat`` reads it back).
    """
    latest = max((f.fetched_at for f in fetched), default=None)
    df.attrs["source"] = source
    df.attrs["endpoints"] = [f.endpoint for f in fetched]
    df.attrs["fetched_at"] = latest.astimezone(timezone.utc).isoformat() if latest else None
    df.attrs["from_cache"] = bool(fetched) and all(f.from_cache for f in fetched)
    df.attrs["stale"] = any(f.stale for f in fetched)
    df.attrs["demo"] = any(f.demo for f in fetched)
    return df


def all_pages(client: Client, operation: str, max_items: int | None = None,
              **args: Any) -> tuple[list[Fetched], list[dict[str, Any]]]:
    """Return every page of a paged operation (up to ``max_items`` items) and their items."""
    pages = list(client.pages(operation, max_items=max_items, **args))
    return pages, list(items(pages, max_items))


def failures_note(failures: dict[str, Exception]) -> dict[str, dict[str, str]]:
    """Return ``failures`` as the ``df.attrs["failures"]`` entry: item → its error's
    ``reason`` (the exception's class name when the API gave none) and ``message``."""
    return {
        str(item): {"reason": getattr(exc, "reason", type(exc).__name__),
                    "message": getattr(exc, "message", str(exc))}
        for item, exc in failures.items()
    }

