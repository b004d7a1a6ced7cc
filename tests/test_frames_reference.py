"""Reference frames (locations, league tables, labels) built from real and demo payloads."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pytest
from _checks import JSON_SCALARS, JSON_VALUES, assert_contract
from hypothesis import given, settings
from hypothesis import strategies as st

from cocframes.demo import World
from cocframes.frames import SPECS
from cocframes.frames.reference import (
    LABELS,
    LEAGUES,
    LOCATIONS,
    build_labels,
    build_leagues,
    build_locations,
)


@pytest.fixture(scope="module")
def world() -> World:
    return World()


def demo(world: World, path: str, query: dict | None = None) -> dict:
    return world.handle("GET", path, query or {}).body


def test_specs_are_registered() -> None:
    for name, frame_spec in (("locations", LOCATIONS), ("leagues", LEAGUES),
                             ("labels", LABELS)):
        assert SPECS[name] is frame_spec
    assert "id (Int64)" in build_locations.__doc__
    assert build_leagues.spec is LEAGUES


# ---------------------------------------------------------------------------- locations
def test_locations_real(real_payloads) -> None:
    body = real_payloads["locations"]["body"]
    df = build_locations(body)
    assert_contract(df, LOCATIONS)
    assert len(df) == len(body["items"]) == 266
    france = df[df["name"] == "France"]
    assert len(france) == 1
    assert france["id"].iloc[0] == 32000087
    assert france["country_code"].iloc[0] == "FR"
    assert bool(france["is_country"].iloc[0]) is True
    europe = df[df["id"] == 32000000].iloc[0]
    assert europe["name"] == "Europe"
    assert not europe["is_country"]
    assert pd.isna(europe["country_code"])
    assert df["localized_name"].isna().all()
    assert df["id"].is_unique


def test_locations_list_and_payload_agree(real_payloads) -> None:
    body = real_payloads["locations"]["body"]
    pd.testing.assert_frame_equal(build_locations(body), build_locations(body["items"]))


def test_locations_demo(world) -> None:
    body = demo(world, "/locations")
    df = build_locations(body)
    assert_contract(df, LOCATIONS)
    assert len(df) == len(body["items"])
    assert df.loc[df["id"] == 32000087, "country_code"].tolist() == ["FR"]


def test_locations_localized_name() -> None:
    df = build_locations([{"id": 1, "name": "France", "isCountry": True, "countryCode": "FR",
                           "localizedName": "Frankreich"}])
    assert df["localized_name"].tolist() == ["Frankreich"]


# ------------------------------------------------------------------------------ leagues
DEMO_LEAGUE_TABLES = [
    ("/leagues", "leagues"),
    ("/leaguetiers", "league_tiers"),
    ("/warleagues", "war_leagues"),
    ("/builderbaseleagues", "builder_base_leagues"),
    ("/capitalleagues", "capital_leagues"),
]


def test_league_tiers_real(real_payloads) -> None:
    body = real_payloads["leaguetiers"]["body"]
    df = build_leagues(body, "league_tiers")
    assert_contract(df, LEAGUES)
    assert len(df) == len(body["items"]) == 35
    first = body["items"][0]
    assert df["id"].iloc[0] == first["id"]
    assert df["name"].iloc[0] == first["name"]
    assert df["icon_small_url"].iloc[0] == first["iconUrls"]["small"]
    assert df["icon_large_url"].iloc[0] == first["iconUrls"]["large"]
    assert df["icon_medium_url"].isna().all()
    assert df["icon_tiny_url"].isna().all()
    assert df["kind"].astype(str).eq("league_tiers").all()


@pytest.mark.parametrize(("path", "kind"), DEMO_LEAGUE_TABLES)
def test_league_tables_demo(world, path, kind) -> None:
    body = demo(world, path)
    df = build_leagues(body, kind)
    assert_contract(df, LEAGUES)
    assert len(df) == len(body["items"]) > 0
    assert df["id"].tolist() == [i["id"] for i in body["items"]]
    assert df["name"].tolist() == [i["name"] for i in body["items"]]
    assert set(df["kind"].astype(str)) == {kind}
    for col, size in (("icon_tiny_url", "tiny"), ("icon_small_url", "small"),
                      ("icon_medium_url", "medium"), ("icon_large_url", "large")):
        expected = [i.get("iconUrls", {}).get(size) for i in body["items"]]
        assert [None if pd.isna(v) else v for v in df[col]] == expected


def test_home_leagues_demo_icons(world) -> None:
    df = build_leagues(demo(world, "/leagues"), "leagues")
    # "Unranked" has no medium icon; the others do.
    assert pd.isna(df.loc[df["name"] == "Unranked", "icon_medium_url"]).all()
    assert df["icon_medium_url"].notna().sum() == len(df) - 1


@pytest.mark.parametrize(("alias", "kind"), [("leaguetiers", "league_tiers"),
                                             ("warleagues", "war_leagues"),
                                             ("builderbaseleagues", "builder_base_leagues"),
                                             ("capitalleagues", "capital_leagues")])
def test_league_kind_aliases(alias, kind) -> None:
    df = build_leagues([{"id": 1, "name": "x"}], alias)
    assert df["kind"].tolist() == [kind]


def test_league_unknown_kind() -> None:
    with pytest.raises(ValueError, match=r"unknown (league|label) kind"):
        build_leagues([], "bogus")


# ------------------------------------------------------------------------------- labels
@pytest.mark.parametrize("kind", ["clans", "players"])
def test_labels_demo(world, kind) -> None:
    body = demo(world, f"/labels/{kind}")
    df = build_labels(body, kind)
    assert_contract(df, LABELS)
    assert len(df) == len(body["items"]) > 0
    first = body["items"][0]
    assert df["id"].iloc[0] == first["id"]
    assert df["name"].iloc[0] == first["name"]
    assert df["icon_small_url"].iloc[0] == first["iconUrls"]["small"]
    assert df["icon_medium_url"].iloc[0] == first["iconUrls"]["medium"]
    assert set(df["kind"].astype(str)) == {kind}


def test_labels_from_real_clan(real_payloads) -> None:
    labels = real_payloads["clan"]["body"]["labels"]
    df = build_labels(labels, "clans")
    assert_contract(df, LABELS)
    assert df["name"].tolist() == [x["name"] for x in labels]


def test_labels_unknown_kind() -> None:
    with pytest.raises(ValueError, match=r"unknown (league|label) kind"):
        build_labels([], "wars")


# -------------------------------------------------------------------------------- empty
CASES = [
    (lambda x: build_locations(x), LOCATIONS),
    (lambda x: build_leagues(x, "war_leagues"), LEAGUES),
    (lambda x: build_labels(x, "players"), LABELS),
]


@pytest.mark.parametrize(("build", "frame_spec"), CASES)
@pytest.mark.parametrize("empty", [[], {"items": []}, {}, None, {"items": None}])
def test_empty_gives_empty_frame(build, frame_spec, empty) -> None:
    df = build(empty)
    assert len(df) == 0
    assert_contract(df, frame_spec)
    pd.testing.assert_frame_equal(df, frame_spec.empty())


# ----------------------------------------------------------------------------- property


@st.composite
def mutated_items(draw, base: list[dict]) -> list:
    """A few items from ``base`` with keys dropped, nulled, retyped or added; sometimes a
    non-dict item among them."""
    items = []
    for _ in range(draw(st.integers(0, 4))):
        item = copy.deepcopy(draw(st.sampled_from(base)))
        for key in list(item):
            action = draw(st.sampled_from(["keep", "keep", "drop", "null", "retype"]))
            if action == "drop":
                del item[key]
            elif action == "null":
                item[key] = None
            elif action == "retype":
                item[key] = draw(JSON_VALUES)
        item.update(draw(st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=2)))
        items.append(item)
    if draw(st.booleans()):
        items.append(draw(JSON_SCALARS))
    return items


REAL_DIR = Path(__file__).resolve().parent / "fixtures" / "real"


def _real(stem: str) -> list[dict]:
    return json.loads((REAL_DIR / f"{stem}.json").read_text(encoding="utf-8"))["body"]["items"]


_DEMO = World()
LEAGUE_BASE = _real("leaguetiers") + demo(_DEMO, "/leagues")["items"][:3]
LABEL_BASE = demo(_DEMO, "/labels/clans")["items"][:3]


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_locations_survive_mutation(data) -> None:
    items = data.draw(mutated_items(_real("locations")[:20]))
    df = build_locations({"items": items})
    assert_contract(df, LOCATIONS)
    assert len(df) == sum(isinstance(i, dict) for i in items)


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_leagues_survive_mutation(data) -> None:
    items = data.draw(mutated_items(LEAGUE_BASE))
    df = build_leagues(items, "leagues")
    assert_contract(df, LEAGUES)
    assert len(df) == sum(isinstance(i, dict) for i in items)


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_labels_survive_mutation(data) -> None:
    items = data.draw(mutated_items(LABEL_BASE))
    df = build_labels(items, "clans")
    assert_contract(df, LABELS)
    assert len(df) == sum(isinstance(i, dict) for i in items)
