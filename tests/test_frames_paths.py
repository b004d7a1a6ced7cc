"""Frames read in compiled code (pandas' reader, typed by Arrow) are the frames the Python
reader and the value-by-value coercion give: same values, same dtypes, same empty frame."""

from __future__ import annotations

import contextlib
import copy
import json
from collections import UserDict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cocframes.frames import _columns, _paths
from cocframes.frames.rankings import build_player_rankings
from cocframes.frames.specs import PLAYER_RANKINGS
from tests._checks import JSON_SCALARS, JSON_VALUES

REAL = Path(__file__).resolve().parent / "fixtures" / "real"


@contextlib.contextmanager
def python_only():
    """Neither the compiled reader nor the one-step typing: value by value in Python."""
    reader, uniform = _paths.compiled_reader, _columns.uniform_array
    _paths.compiled_reader = lambda: None
    _columns.uniform_array = lambda *a: None
    try:
        yield
    finally:
        _paths.compiled_reader, _columns.uniform_array = reader, uniform


def slow(build, *args, **kwargs):
    with python_only():
        return build(*args, **kwargs)


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
    assert len(fast) > 0
    pd.testing.assert_frame_equal(fast, slow(build_player_rankings, items, **kwargs))


def test_the_compiled_paths_are_really_used_for_uniform_payloads(monkeypatch):
    assert _paths.compiled_reader() is not None, "this pandas has no compiled reader"
    calls = {"reader": 0, "typed": 0, "coerced": 0}
    reader, uniform, convert = _paths.compiled_reader(), _columns.uniform_array, _columns.convert

    def counting_reader(rows, keys):
        calls["reader"] += 1
        return reader(rows, keys)

    def counting_uniform(values, dtype):
        result = uniform(values, dtype)
        calls["typed" if result is not None else "coerced"] += 1
        return result

    def counting_convert(values, dtype):
        calls["coerced"] += 1
        return convert(values, dtype)

    monkeypatch.setattr(_paths, "compiled_reader", lambda: counting_reader)
    monkeypatch.setattr(_columns, "uniform_array", counting_uniform)
    monkeypatch.setattr(_columns, "convert", counting_convert)
    build_player_rankings(demo_legend_items(), kind="legend_season")
    assert calls["reader"] >= 1
    assert calls["typed"] == len(PLAYER_RANKINGS.columns), calls


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
    pd.testing.assert_frame_equal(fast, slow(build_player_rankings, items, kind="players"))
    assert list(fast.columns) == PLAYER_RANKINGS.names
    assert len(fast) == len(items)
    assert fast["tag"][0] == items[0]["tag"], "the other rows are untouched"


def test_empty_input_gives_the_same_empty_frame():
    empty = build_player_rankings([], kind="players")
    pd.testing.assert_frame_equal(empty, PLAYER_RANKINGS.empty())


def test_a_constant_of_the_wrong_type_is_na_on_both_paths():
    items = json.loads((REAL / "rankings_players.json").read_text())["body"]
    fast = build_player_rankings(items, kind="players", location_id="global")
    pd.testing.assert_frame_equal(
        fast, slow(build_player_rankings, items, kind="players", location_id="global"))
    assert fast["location_id"].isna().all()


def test_a_field_missing_from_the_first_rows_is_still_read():
    items = json.loads((REAL / "rankings_players.json").read_text())["body"]["items"]
    items = copy.deepcopy(items)
    for item in items[:2]:
        item.pop("clan", None)
    fast = build_player_rankings(items, kind="players")
    pd.testing.assert_frame_equal(fast, slow(build_player_rankings, items, kind="players"))
    with_clan = [i for i, item in enumerate(items) if "clan" in item]
    assert with_clan and fast.loc[with_clan, "clan_tag"].notna().all()


# ------------------------------------------------------------------------------ readers
def test_read_paths_reads_nested_objects_and_leaves_out_paths_no_row_has():
    rows = [{"a": 1, "o": {"x": "p"}}, {"o": None}, {"a": 3, "o": "text"}, {"o": {"x": "q"}}]
    read = _paths.read_paths(rows, ["a", "o.x", "missing.y"])
    assert set(read) == {"a", "o.x"}
    assert pd.isna(read["a"][1]) and list(read["a"][[0, 2]]) == [1, 3]
    assert [v if isinstance(v, str) else None for v in read["o.x"]] == ["p", None, None, "q"]


def test_read_fields_takes_mappings_that_are_not_dicts():
    rows = [UserDict({"a": 1}), {"a": 2}, UserDict({"b": 3})]
    [a, b] = _paths.read_fields(rows, ["a", "b"])
    assert list(a) == [1, 2, None] and list(b) == [None, None, 3]
    read = _paths.read_paths([{"o": UserDict({"x": 5})}, {"o": {"x": 6}}], ["o.x"])
    assert list(read["o.x"]) == [5, 6]


@pytest.mark.parametrize("dtype", sorted(_columns.UNIFORM))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_one_step_typing_gives_the_column_coercion_gives(dtype, data):
    # mostly values of the column's own JSON type (the one-step path), NA among them
    own = {"string": st.text(max_size=5), "category": st.sampled_from(["b", "a", "c"]),
           "Int64": st.integers(-(2**70), 2**70), "boolean": st.booleans(),
           "Float64": st.one_of(st.integers(-(2**70), 2**70), st.floats())}[dtype]
    missing = st.sampled_from([None, float("nan")])
    odd = st.one_of(JSON_SCALARS, JSON_VALUES)
    values = data.draw(st.lists(st.one_of(own, missing) if data.draw(st.booleans())
                                else st.one_of(own, missing, odd), max_size=12))
    if data.draw(st.booleans()):  # also as the object arrays the compiled reader returns
        array = np.empty(len(values), dtype=object)
        array[:] = [None] * len(values)
        for i, v in enumerate(values):
            array[i] = v
        values = array
    fast = _columns.convert_list(values, dtype)
    with python_only():
        coerced = _columns.convert_list(values, dtype)
    pd.testing.assert_series_equal(fast, coerced)


@pytest.mark.parametrize("dtype", sorted(_columns.UNIFORM))
def test_uniform_values_are_typed_in_one_step(dtype):
    sample = {"string": ["a", None, "b"], "category": ["b", "a", None, "b"],
              "Int64": [1, None, 2**62], "Float64": [1, 2.5, None], "boolean": [True, None]}
    assert _columns.uniform_array(sample[dtype], dtype) is not None
    assert _columns.uniform_array([None, None], dtype) is not None


# ------------------------------------------------------------------------------ units
def real_player() -> dict:
    return json.loads((REAL / "player.json").read_text())["body"]


def test_units_read_in_compiled_code_are_the_units_python_reads():
    from cocframes.frames.players import build_units

    profiles = [real_player(), copy.deepcopy(real_player())]
    profiles[1]["troops"][0]["level"] = 2.5          # odd values: coerced, not typed
    profiles[1]["heroEquipment"][0]["name"] = None
    fast = build_units(profiles)
    assert len(fast) == 2 * sum(len(real_player()[k]) for k in
                                ("troops", "heroes", "spells", "heroEquipment"))
    pd.testing.assert_frame_equal(fast, slow(build_units, profiles))


def test_a_unit_name_that_is_not_text_is_an_ordinary_troop():
    from cocframes.frames.players import build_units

    player = real_player()
    player["troops"][0]["name"] = ["not", "text"]
    units = build_units(player)
    assert units.loc[0, "kind"] == "troop" and pd.isna(units.loc[0, "name"])
    assert len(units) == len(build_units(real_player()))


def test_coercion_keeps_integers_beyond_float_precision_exact():
    # 2**53 + 1 has no float64 of its own: a detour through floats made it 2**53
    values = pd.Series([2**53 + 1, None, 2.0, 2.5, True, 2**63], dtype=object)
    column = _columns.convert(values, "Int64")
    assert column[0] == 2**53 + 1 and column[2] == 2
    assert column[[1, 3, 4, 5]].isna().all(), "NA, a fraction, a boolean, beyond 64 bits"


def test_achievements_read_in_compiled_code_are_the_ones_python_reads():
    from cocframes.frames.players import build_achievements

    profiles = [real_player(), copy.deepcopy(real_player())]
    profiles[1]["achievements"][0]["stars"] = "3"    # odd values: coerced, not typed
    profiles[1]["achievements"].insert(1, "not an object")
    fast = build_achievements(profiles)
    assert len(fast) == 2 * len(real_player()["achievements"])
    assert pd.isna(fast.loc[len(fast) // 2, "stars"])
    pd.testing.assert_frame_equal(fast, slow(build_achievements, profiles))


@pytest.mark.parametrize("source,builder", [("members.json", "build_members"),
                                            ("clan.json", "build_members"),
                                            ("player.json", "build_players")])
def test_members_and_players_read_in_compiled_code_are_the_ones_python_reads(source, builder):
    from cocframes.frames import players

    body = json.loads((REAL / source).read_text())["body"]
    build = getattr(players, builder)
    if builder == "build_players":
        body = [body, {**copy.deepcopy(body), "trophies": "5000", "league": "gold"}]
    fast = build(body)
    assert len(fast) > 0 and fast["tag"].notna().all()
    pd.testing.assert_frame_equal(fast, slow(build, body))


def test_rows_given_as_records_are_typed_as_exactly_as_columns():
    # records went through DataFrame.from_records, whose float inference rounded 2**53 + 1
    frame_spec = _columns.FrameSpec("t", "test row", (
        _columns.Column("n", "Int64", "a number"), _columns.Column("s", "string", "a text")))
    records = [{"n": 2**53 + 1, "s": "a", "extra": 1}, {"n": None}, {"s": 5}]
    df = frame_spec.build(records)
    assert list(df.columns) == ["n", "s"]
    assert df["n"][0] == 2**53 + 1 and df["n"][1:].isna().all()
    assert list(df["s"]) == ["a", pd.NA, "5"]
    pd.testing.assert_frame_equal(df, frame_spec.build({"n": [2**53 + 1, None, None],
                                                        "s": ["a", None, 5]}))
