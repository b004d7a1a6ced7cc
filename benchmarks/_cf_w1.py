"""W3's "new process": W1 in a fresh interpreter on an existing cache file (a restarted
kernel). Prints one JSON line: the workload's time, results returned and expected, and the
time to open the client (its cache file).

``python -m benchmarks._cf_w1 BASE_URL TOKEN CACHE_DIR CLAN_TAG``
"""

from __future__ import annotations

import json
import sys
import time


def main(argv: list[str]) -> int:
    base_url, token, cache_dir, clan_tag = argv
    started = time.perf_counter()
    from benchmarks.workloads import roster
    from cocframes import Client

    imported = time.perf_counter()
    client = Client(token=token, base_url=base_url, cache_dir=cache_dir, progress=False)
    opened = time.perf_counter()
    outcome = roster(client, clan_tag)
    client.close()
    print(json.dumps({**outcome, "import_s": imported - started, "open_s": opened - imported,
                      "cache_hits": client.stats().cache_hits}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
