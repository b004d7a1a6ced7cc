"""The network workloads done with cocframes (W1, W2; W3 and W6 repeat W1)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any


def roster(client: Any, clan_tag: str) -> dict[str, Any]:
    """W1: the clan, then every member's profile through :meth:`Client.many`."""
    started = time.perf_counter()
    clan = client.get_clan(clan_tag)
    tags = [m["tag"] for m in clan.get("memberList") or []]
    bulk = client.many(client.get_player, tags, progress=False)
    elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "returned": 1 + len(bulk.succeeded), "expected": 1 + len(tags),
            "errors": _errors(bulk.failures)}


def bulk_profiles(client: Any, tags: Sequence[str]) -> dict[str, Any]:
    """W2: the profiles of ``tags`` through :meth:`Client.many`."""
    started = time.perf_counter()
    bulk = client.many(client.get_player, list(tags), progress=False)
    elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "returned": len(bulk.succeeded), "expected": len(tags),
            "errors": _errors(bulk.failures)}


def _errors(failures: dict[Any, Exception]) -> dict[str, int]:
    out: dict[str, int] = {}
    for exc in failures.values():
        kind = getattr(exc, "reason", None) or type(exc).__name__
        out[kind] = out.get(kind, 0) + 1
    return out
