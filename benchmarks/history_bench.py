"""W7: following one 50-member demo clan through a season with the history tracker.

The tracker polls the in-process demo world on its schedule (a clan at its max-age, a member's
profile when their member-list entry changed and otherwise hourly, the current war at its
max-age, CWL rounds, raids, legend battle logs) while the world lives through ``days`` of
its time. The world is called directly (``cocframes.demo.direct``), without the HTTP stack:
the requests are counted as the API would see them, and the world's own time to answer is
measured apart from the history's processing.

Measured: requests per hour (beside what cocapi's ``EventStream`` and coc.py's events client
would send at their default intervals for the same clan), the history file's size against the
JSON received, the bytes an unchanged pass adds, the time of ``cf.changes()`` and
``cf.season()`` over the season, and the processing time of all passes.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

# The demo world's season: it starts in the middle of one; the main clan has 50 members.
START = datetime(2026, 3, 14, 12, tzinfo=timezone.utc)
MEMBERS = 50


def peers_per_hour(members: int) -> dict[str, float]:
    """Requests per hour of the peers' event systems at their default intervals, for one clan
    of ``members`` with its war and every member followed (GUIDE section 6)."""
    return {
        # EventStream: clans every 60 s, wars every 30 s, players every 120 s
        "cocapi EventStream": 3600 / 60 + 3600 / 30 + members * 3600 / 120,
        # events client: each object again when its max-age ends (players, clan 60 s; war 120 s)
        "coc.py events client": members * 3600 / 60 + 3600 / 60 + 3600 / 120,
    }


def unchanged_pass_bytes(store: Any, client: Any, clan: str, passes: int) -> float:
    """Bytes the file grows by per pass when nothing changed: ``passes`` passes of a tracker
    whose clock moves a minute per pass while the world stands still (every poll answers as
    before)."""
    from cocframes.tracking.tracker import Tracker

    moment = [client.clock() + timedelta(days=1)]  # past every schedule: the clan is due

    def clock() -> datetime:
        return moment[0]

    tracker = Tracker(client, store, clans=[clan], clock=clock)
    tracker.run_pass()  # whatever is due after a pause
    store.checkpoint()
    before = _file_bytes(store.path)
    for _ in range(passes):
        moment[0] += timedelta(seconds=61)
        tracker.run_pass()
    store.checkpoint()
    return (_file_bytes(store.path) - before) / passes


def _file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def _median_seconds(fn: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(days: float, repeats: int = 5) -> dict[str, Any]:
    """Run W7 over ``days`` of the demo world's time and return its figures."""
    import cocframes as cf
    from benchmarks._server import FullClanWorld
    from cocframes.tracking import HistoryStore
    from cocframes.tracking.simulation import start

    world = FullClanWorld(seed=7, now=START)
    folder = Path(tempfile.mkdtemp(prefix="cocframes-w7-"))
    store = HistoryStore(folder / "history.sqlite")
    sim = start(store, world=world)
    started = time.perf_counter()
    sim.run_until(START + timedelta(days=days))
    elapsed = time.perf_counter() - started
    client = sim.client
    world_seconds, requests, received = client.world_seconds, client.requests, client.received
    store.checkpoint()
    size = store.size()
    hours = days * 24
    changes = _median_seconds(lambda: cf.changes(world.clan_tag, history=store), repeats)
    season = _median_seconds(lambda: cf.season(world.clan_tag, history=store), repeats)
    events = len(cf.changes(world.clan_tag, history=store))
    unchanged = unchanged_pass_bytes(store, client, world.clan_tag, 200)
    return {
        "days": days, "members": len(world.clan_by_tag(world.clan_tag).members),
        "passes": sim.passes, "requests": requests, "requests_per_hour": requests / hours,
        "received": received, "history_bytes": size, "ratio": received / size,
        "events": events, "unchanged_pass_bytes": unchanged, "changes_seconds": changes,
        "season_seconds": season, "elapsed": elapsed, "world_seconds": world_seconds,
        "processing_seconds": elapsed - world_seconds,
        "peers_per_hour": peers_per_hour(MEMBERS), "folder": str(folder),
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0), indent=1))
