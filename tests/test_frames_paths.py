"""Frames declared as paths read the same whether Arrow reads them (uniform payloads) or
Python does (anything odd): same values, same dtypes, same empty frame."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pytest

from cocframes.frames import _paths
from cocframes.frames.rankings import build_player_rankings
from cocframes.frames.specs import PLAYER_RANKINGS

REAL = Path(__file__).resolve().parent / "fixtures" / "real"


def python_only(build, *args, **kwargs):
    original = _paths._with_arrow
    _paths._with_arrow = lambda *a: None
    try:
        return build(*args, **kwargs)
    finally:
        _paths._with_arrow = original


def demo_legend_items() -> list[dict]:
    from cocframes.client import Client

    with Client(demo=True, cache=False, progress=False) as client:
        return client.get_league_season_rankings("2026-10", limit=3000)["items"]


@pytest.mark.parametrize("source", ["rankings_players.json", "demo-legend"])
def test_arrow_and_python_read_the_same_frame(source):
    if source == "demo-legend":
        items, kwargs = demo_legend_items(), {"kind": "legend_season", "season_id": "2026-10"}
    else:
        items, kwargs = json.loads((REAL / source).read_text())["body"], {"kind": "players"}
    fast = build_player_rankings(items, **kwargs)
    slow = python_only(build_player_rankings, items, **kwargs)
    assert len(fast) > 0
    pd.testing.assert_frame_equal(fast, slow)


def test_arrow_is_really_used_for_uniform_payloads(monkeypatch):
    used = []
    original = _paths._with_arrow

    def spy(*args):
        used.append(result := original(*args))
        return result

    monkeypatch.setattr(_paths, "_with_arrow", spy)
    build_player_rankings(demo_legend_items(), kind="legend_season")
    assert used and used[0] is not None


@pytest.mark.parametrize("odd", [
    {"rank": "3"},                      # a number as text
    {"clan": "not an object"},          # a scalar where an object belongs
    {"trophies": True},                 # a boolean where a number belongs
    {"name": 12345},                    # a number where text belongs
    {"trophies": 2**70},                # beyond int64
    {"league": {"id": 1.5}},            # a fraction where an id belongs
])
def test_odd_values_fall_back_to_python_and_become_na_or_text(odd):
    items = copy.deepcopy(json.loads((REAL / "rankings_players.json").read_text())["body"]["items"])
    items[1].update(odd)
    fast = build_player_rankings(items, kind="players")
    slow = python_only(build_player_rankings, items, kind="players")
    pd.testing.assert_frame_equal(fast, slow)
    assert list(fast.columns) == PLAYER_RANKINGS.names
    assert len(fast) == len(items)
    assert fast["tag"][0] == items[0]["tag"], "the other rows are untouched"


def test_empty_input_gives_the_same_empty_frame():
    empty = build_player_rankings([], kind="players")
    pd.testing.assert_frame_equal(empty, PLAYER_RANKINGS.empty())


def test_a_constant_of_the_wrong_type_is_na_on_both_paths():
    items = json.loads((REAL / "rankings_players.json").read_text())["body"]
    fast = build_player_rankings(items, kind="players", location_id="global")
    slow = python_only(build_player_rankings, items, kind="players", location_id="global")
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["location_id"].isna().all()


def test_a_field_missing_from_the_first_rows_is_still_read():
    items = json.loads((REAL / "rankings_players.json").read_text())["body"]["items"]
    items = copy.deepcopy(items)
    for item in items[:2]:
        item.pop("clan", None)
    fast = build_player_rankings(items, kind="players")
    slow = python_only(build_player_rankings, items, kind="players")
    pd.testing.assert_frame_equal(fast, slow)
    with_clan = [i for i, item in enumerate(items) if "clan" in item]
    assert with_clan and fast.loc[with_clan, "clan_tag"].notna().all()
