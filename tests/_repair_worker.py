"""Worker process for tests/test_cache_repair.py: a new process opens a cache dir and fetches.

Run as ``python _repair_worker.py BASE_URL TOKEN CACHE_DIR TAGS START_AT``; ``TOKEN`` ``-``
means an offline client. The process waits until wall-clock ``START_AT`` (so that several
workers open the same cache file at the same moment), then fetches every player of the
comma-separated ``TAGS`` twice with one ``Client``. Prints one JSON object:
``{"names": {tag: name}, "warnings": [message of each CacheWarning], "stats": {...}}``.
CacheWarnings are recorded, not raised: the test decides how many are right.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path


def main(argv: list[str]) -> int:
    base_url, token, cache_dir, tags, start_at = argv
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from cocframes.cache import CacheWarning
    from cocframes.client import Client

    time.sleep(max(0.0, float(start_at) - time.time()))
    offline = token == "-"
    names: dict[str, str] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CacheWarning)
        client = Client(token=None if offline else token, base_url=base_url,
                        cache_dir=cache_dir, offline=offline, rate=1000, progress=False)
        for _ in range(2):
            for tag in tags.split(","):
                names[tag] = client.get_player(tag)["name"]
        stats = client.stats().__dict__
        client.close()
    messages = [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]
    print(json.dumps({"names": names, "warnings": messages, "stats": stats}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
