"""W4: building frames from JSON already in memory, against a naive ``pd.json_normalize``."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

LEGEND_LEAGUE_ID = 29000022
UNIT_LISTS = ("troops", "heroes", "spells", "heroEquipment")


def legend_items(world: Any, rows: int) -> tuple[str, list[dict]]:
    """Return the latest legend season and its first ``rows`` ranking items, paged from the
    demo world as the API would serve them (5,000 per page)."""
    from cocframes.demo.rankings import legend_seasons

    season = legend_seasons(world)[-1]
    items: list[dict] = []
    after = None
    while len(items) < rows:
        query = {"limit": "5000", **({"after": after} if after else {})}
        answer = world.handle("GET", f"/leagues/{LEGEND_LEAGUE_ID}/seasons/{season}", query)
        page = answer.body.get("items") or []
        items += page
        after = ((answer.body.get("paging") or {}).get("cursors") or {}).get("after")
        if not after or not page:
            break
    return season, items[:rows]


def profiles(world: Any, count: int) -> list[dict]:
    """Return ``count`` player profiles (bodies of ``/players/{tag}``) from the demo world."""
    tags = world.player_tags[:count]
    return [world.handle("GET", "/players/" + t.replace("#", "%23")).body for t in tags]


def naive_rankings(items: list[dict]) -> Any:
    import pandas as pd

    return pd.json_normalize(items)


def naive_units(bodies: list[dict]) -> Any:
    import pandas as pd

    rows = [{**unit, "player_tag": p.get("tag"), "player_name": p.get("name"),
             "player_town_hall": p.get("townHallLevel"), "kind": key}
            for p in bodies for key in UNIT_LISTS for unit in p.get(key) or []]
    return pd.json_normalize(rows)


def _median_time(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _peak(fn: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _measure(build: Callable[[], Any], naive: Callable[[], Any], repeats: int) -> dict:
    df = build()
    deep = int(df.memory_usage(deep=True).sum())
    as_object = int(df.astype(object).memory_usage(deep=True).sum())
    return {
        "rows": len(df),
        "seconds": _median_time(build, repeats),
        "naive_seconds": _median_time(naive, max(1, repeats // 2)),
        "memory": deep,
        "object_memory": as_object,
        "naive_memory": int(naive().memory_usage(deep=True).sum()),
        "peak": _peak(build),
        "naive_peak": _peak(naive),
    }


def run(world: Any, ranking_rows: int, profile_count: int, repeats: int) -> dict[str, dict]:
    """Return W4's figures for the rankings frame and the units frame."""
    from cocframes.frames.players import build_units
    from cocframes.frames.rankings import build_player_rankings

    season, items = legend_items(world, ranking_rows)
    bodies = profiles(world, profile_count)
    return {
        "rankings": _measure(
            lambda: build_player_rankings(items, kind="legend_season", season_id=season),
            lambda: naive_rankings(items), repeats),
        "units": _measure(lambda: build_units(bodies), lambda: naive_units(bodies), repeats),
    }
