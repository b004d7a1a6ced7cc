"""Worker process for tests/test_client_cache.py: one Client fetches player tags with ``many``.

Run as ``python _client_worker.py BASE_URL TOKEN CACHE_DIR OFFLINE TAGS START_AT`` where
``OFFLINE`` is ``0`` or ``1``, ``TAGS`` is a comma-separated list and the process waits until
wall-clock ``START_AT`` (so that several workers open a new cache file at the same moment).
Prints one JSON object: ``{"results": {tag: [tag, name]}, "failures": {tag: error},
"stats": {...}}``. Any cache failure (a ``CacheWarning``) is turned into an error, so it makes
the worker exit non-zero.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path


def main(argv: list[str]) -> int:
    base_url, token, cache_dir, offline, tags, start_at = argv
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from cocframes.cache import CacheWarning
    from cocframes.client import Client

    warnings.simplefilter("error", CacheWarning)  # a cache failure must fail the worker
    time.sleep(max(0.0, float(start_at) - time.time()))
    client = Client(token=None if offline == "1" else token, base_url=base_url,
                    cache_dir=cache_dir, offline=offline == "1", rate=1000, progress=False)
    result = client.many(client.get_player, tags.split(","))
    out = {
        "results": {item: [r["tag"], r["name"]] for item, r in
                    zip(result.items, result.results, strict=True) if r is not None},
        "failures": {item: f"{type(e).__name__}: {e}" for item, e in result.failures.items()},
        "stats": client.stats().__dict__,
    }
    client.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
