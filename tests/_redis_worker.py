"""Worker process for tests/test_cache_redis.py: one Client on a Redis cache fetches player
tags with ``many``.

Run as ``python _redis_worker.py BASE_URL TOKEN CACHE_URL TAGS`` (``TAGS`` comma-separated).
Prints one JSON object: ``{"names": {tag: name}, "failures": {tag: error}, "stats": {...}}``.
A cache failure (a ``CacheWarning``) makes the worker exit non-zero.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path


def main(argv: list[str]) -> int:
    base_url, token, cache_url, tags = argv
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from cocframes.cache import CacheWarning
    from cocframes.client import Client

    warnings.simplefilter("error", CacheWarning)
    with Client(token=token, base_url=base_url, cache=cache_url, rate=1000,
                progress=False) as client:
        result = client.many(client.get_player, tags.split(","))
        out = {
            "names": {item: r["name"] for item, r in
                      zip(result.items, result.results, strict=True) if r is not None},
            "failures": {item: f"{type(e).__name__}: {e}" for item, e in result.failures.items()},
            "stats": client.stats().__dict__,
        }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
