"""W8: player profiles collected on a Dask cluster of 1 and of 3 workers, one key each.

A demo HTTP server on 127.0.0.1 (80 ms latency, ``RATE`` requests/s per token, bucket
``BURST``) serves a developer portal that tells callers apart by their address; each worker
of :func:`cocframes.demo.cluster.demo_cluster` binds to its own loopback address, logs in and
gets a key of its own. Each cluster first collects a few other players (logins, imports and
key creation are not timed), then the same ``profiles`` players with no cache.

Measured: the seconds of each collection, the speed-up of 3 workers over 1, and 3 workers'
time over the floor the rate limit sets for 3 keys, ``(N - 3 BURST) / (3 RATE)``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

# Requests per second per token, at the server and in each worker's throttle: low enough that
# the demo server (in this process) makes 3 keys' worth of profiles with CPU to spare on a
# 2-CPU machine, so that the rate limit, not the machine, sets the pace.
RATE = 20.0
BURST = 10
LATENCY = 0.08
WARM_UP = 6  # players collected before the timed run, per worker


def floor(n: int, keys: int) -> float:
    """Seconds the rate limit allows at best for ``n`` requests over ``keys`` fresh keys."""
    return max(0.0, (n - keys * BURST) / (keys * RATE))


def _collect(dask: Any, tags: list[str]) -> float:
    import cocframes.distributed as cfd

    started = time.perf_counter()
    ddf = cfd.collect("players", tags, client=dask, progress=False, rate=RATE, burst=BURST - 1,
                      cache=False)
    seconds = time.perf_counter() - started
    if ddf.attrs["rows"] != len(tags) or ddf.attrs["failures"]:
        raise RuntimeError(f"W8 lost rows: {ddf.attrs['rows']} of {len(tags)}, failures "
                           f"{list(ddf.attrs['failures'])[:3]}")
    return seconds


def run(profiles: int) -> dict[str, Any]:
    """Return W8's figures for ``profiles`` players (see the module doc)."""
    from distributed import Client as DaskClient

    from cocframes.demo import DemoServer, Portal, World
    from cocframes.demo.cluster import demo_cluster
    from cocframes.demo.portal import DEMO_EMAIL

    logging.getLogger("distributed").setLevel(logging.WARNING)  # workers coming and going
    world = World()
    # The same players for both runs: each cluster is new (new processes, no memory) and
    # collects with no cache, so every profile is fetched again. The warm-up takes others.
    timed, spare = world.player_tags[:profiles], world.player_tags[profiles:]
    if len(timed) < profiles or len(spare) < 4 * WARM_UP:
        raise ValueError(f"the demo world has {len(world.player_tags)} players; W8 needs "
                         f"{profiles + 4 * WARM_UP}")
    seconds: dict[int, float] = {}
    with DemoServer(world, portal=Portal(caller_ip="peer"), rate_limit=RATE, burst=BURST,
                    latency=LATENCY) as server:
        for workers in (1, 3):
            with demo_cluster(server, workers) as cluster, DaskClient(cluster) as dask:
                _collect(dask, spare[:WARM_UP * workers])
                time.sleep(BURST / RATE)  # the warm-up's buckets fill up again
                seconds[workers] = _collect(dask, timed)
        keys = len(server.portal.keys_of(DEMO_EMAIL))
    return {"profiles": profiles, "rate": RATE, "burst": BURST, "seconds_1": seconds[1],
            "seconds_3": seconds[3], "speedup": seconds[1] / seconds[3],
            "floor_3": floor(profiles, 3), "over_floor": seconds[3] / floor(profiles, 3),
            "keys": keys}


def run_or_skip(profiles: int) -> dict[str, Any]:
    """Return :func:`run`'s figures, or why W8 was skipped (Dask not installed)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return {"skipped": "dask is not installed (pip install 'cocframes[dask]')"}
    return run(profiles)
