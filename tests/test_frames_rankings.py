"""Ranking frames, clan search, battle log and league history, from real and demo payloads."""

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
from cocframes.frames.rankings import (
    BATTLE_LOG,
    CLAN_RANKINGS,
    CLAN_SEARCH,
    LEAGUE_HISTORY,
    PLAYER_RANKINGS,
    build_battle_log,
    build_clan_rankings,
    build_clan_search,
    build_league_history,
    build_player_rankings,
)

REAL_DIR = Path(__file__).resolve().parent / "fixtures" / "real"
FRANCE = 32000087




def na_to_none(values) -> list:
    return [None if pd.isna(v) else v for v in values]


_WORLD = World()


def demo(path: str, query: dict | None = None) -> dict:
    return _WORLD.handle("GET", path, query or {}).body


def tag_path(tag: str) -> str:
    return tag.replace("#", "%23")


def test_specs_are_registered() -> None:
    for name, frame_spec in (("player_rankings", PLAYER_RANKINGS),
                             ("clan_rankings", CLAN_RANKINGS), ("clan_search", CLAN_SEARCH),
                             ("battle_log", BATTLE_LOG), ("league_history", LEAGUE_HISTORY)):
        assert SPECS[name] is frame_spec
    assert build_player_rankings.spec is PLAYER_RANKINGS
    assert "previous_rank (Int64)" in build_player_rankings.__doc__


# ----------------------------------------------------------------------- player rankings
def test_player_rankings_real(real_payloads) -> None:
    body = real_payloads["rankings_players"]["body"]
    df = build_player_rankings(body, location_id=32000007)
    assert_contract(df, PLAYER_RANKINGS)
    items = body["items"]
    assert len(df) == len(items) == 20
    first = df.iloc[0]
    assert first["rank"] == 1
    assert first["tag"] == items[0]["tag"] == "#2UUQCV8JG"
    assert first["trophies"] == items[0]["trophies"] == 5683
    assert first["name"] == items[0]["name"]
    assert first["exp_level"] == items[0]["expLevel"]
    assert first["league_id"] == 29000022
    assert first["league_name"] == "Legend League"
    assert first["clan_tag"] == items[0]["clan"]["tag"]
    assert first["clan_name"] == items[0]["clan"]["name"]
    assert first["location_id"] == 32000007
    # Pre-2025 capture: league, no leagueTier.
    assert df["league_tier_id"].isna().all()
    assert df["league_tier_name"].isna().all()
    assert df["season_id"].isna().all()
    assert set(df["kind"].astype(str)) == {"players"}
    assert df["rank"].tolist() == [i["rank"] for i in items]
    assert df["previous_rank"].tolist() == [i["previousRank"] for i in items]
    assert df["attack_wins"].tolist() == [i["attackWins"] for i in items]
    assert df["defense_wins"].tolist() == [i["defenseWins"] for i in items]
    assert df["tag"].str.startswith("#").all()


def test_player_rankings_global_location_is_na(real_payloads) -> None:
    df = build_player_rankings(real_payloads["rankings_players"]["body"])
    assert df["location_id"].isna().all()


@pytest.mark.parametrize("location", ["global", str(FRANCE)])
def test_player_rankings_demo(location) -> None:
    body = demo(f"/locations/{location}/rankings/players")
    items = body["items"]
    assert items
    df = build_player_rankings(body)
    assert_contract(df, PLAYER_RANKINGS)
    assert len(df) == len(items)
    assert df["tag"].tolist() == [i["tag"] for i in items]
    assert df["trophies"].tolist() == [i["trophies"] for i in items]
    assert na_to_none(df["league_tier_name"]) == [i.get("leagueTier", {}).get("name")
                                                  for i in items]
    assert na_to_none(df["clan_tag"]) == [i.get("clan", {}).get("tag") for i in items]
    assert df["league_tier_id"].notna().any()  # post-2025 world: leagueTier is sent


def test_builder_base_player_rankings_demo() -> None:
    body = demo("/locations/global/rankings/players-builder-base")
    items = body["items"]
    df = build_player_rankings(body)  # kind inferred from builderBaseTrophies
    assert_contract(df, PLAYER_RANKINGS)
    assert set(df["kind"].astype(str)) == {"builder_base_players"}
    assert df["trophies"].tolist() == [i["builderBaseTrophies"] for i in items]
    assert df["league_name"].tolist() == [i["builderBaseLeague"]["name"] for i in items]
    assert df["attack_wins"].isna().all()
    explicit = build_player_rankings(body, "players-builder-base")
    pd.testing.assert_frame_equal(df, explicit)


def legend_season_items(season: str, limit: int = 5000) -> list[dict]:
    items: list[dict] = []
    after = None
    while True:
        query = {"limit": str(limit)}
        if after:
            query["after"] = after
        body = demo(f"/leagues/29000022/seasons/{season}", query)
        items += body["items"]
        after = body.get("paging", {}).get("cursors", {}).get("after")
        if not after:
            return items


def test_legend_season_25600_rows() -> None:
    season = demo("/leagues/29000022/seasons")["items"][-1]["id"]
    items = legend_season_items(season)
    df = build_player_rankings(items, season_id=season)
    assert_contract(df, PLAYER_RANKINGS)
    assert len(df) == 25_600
    assert df["tag"].is_unique
    assert df["rank"].tolist() == list(range(1, len(df) + 1))
    assert set(df["kind"].astype(str)) == {"legend_season"}
    assert set(df["season_id"]) == {season}
    assert df["previous_rank"].isna().all()
    assert df["trophies"].is_monotonic_decreasing
    assert df["trophies"].notna().all()
    assert df["tag"].iloc[-1] == items[-1]["tag"]


def test_player_rankings_previous_rank_minus_one_is_na() -> None:
    df = build_player_rankings([{"rank": 1, "previousRank": -1, "tag": "#2PP"},
                                {"rank": 2, "previousRank": 5, "tag": "#2PQ"}])
    assert na_to_none(df["previous_rank"]) == [None, 5]


def test_player_rankings_with_league_tier() -> None:
    df = build_player_rankings([{"rank": 1, "tag": "#2PP", "trophies": 5000,
                                 "leagueTier": {"id": 105000034, "name": "Legend League"}}])
    assert df["league_tier_id"].tolist() == [105000034]
    assert df["league_tier_name"].tolist() == ["Legend League"]
    assert df["league_id"].isna().all()


def test_player_rankings_unknown_kind() -> None:
    with pytest.raises(ValueError, match="not of players"):
        build_player_rankings([], "clans")
    with pytest.raises(ValueError, match="unknown ranking kind"):
        build_player_rankings([], "guilds")


# ------------------------------------------------------------------------- clan rankings
@pytest.mark.parametrize(("stem", "kind", "points_key"), [
    ("rankings_clans", "clans", "clanPoints"),
    ("rankings_capitals", "capitals", "clanCapitalPoints"),
])
def test_clan_rankings_real(real_payloads, stem, kind, points_key) -> None:
    body = real_payloads[stem]["body"]
    items = body["items"]
    df = build_clan_rankings(body)
    assert_contract(df, CLAN_RANKINGS)
    assert len(df) == len(items) == 20
    assert set(df["kind"].astype(str)) == {kind}
    assert df["tag"].tolist() == [i["tag"] for i in items]
    assert df["points"].tolist() == [i[points_key] for i in items]
    assert df["clan_level"].tolist() == [i["clanLevel"] for i in items]
    assert df["members"].tolist() == [i["members"] for i in items]
    assert df["location_id"].tolist() == [i["location"]["id"] for i in items]
    assert df["location_name"].iloc[0] == "Afghanistan"
    assert df["country_code"].iloc[0] == "AF"
    assert na_to_none(df["previous_rank"]) == [
        None if i["previousRank"] == -1 else i["previousRank"] for i in items]
    pd.testing.assert_frame_equal(df, build_clan_rankings(items, kind))


def test_capital_rankings_real_new_entries(real_payloads) -> None:
    df = build_clan_rankings(real_payloads["rankings_capitals"]["body"])
    assert df["previous_rank"].isna().iloc[0]  # previousRank -1 in the capture


@pytest.mark.parametrize(("endpoint", "kind", "points_key"), [
    ("clans", "clans", "clanPoints"),
    ("clans-builder-base", "builder_base_clans", "clanBuilderBasePoints"),
    ("capitals", "capitals", "clanCapitalPoints"),
])
@pytest.mark.parametrize("location", ["global", str(FRANCE)])
def test_clan_rankings_demo(endpoint, kind, points_key, location) -> None:
    body = demo(f"/locations/{location}/rankings/{endpoint}")
    items = body["items"]
    assert items
    for df in (build_clan_rankings(body), build_clan_rankings(body, endpoint)):
        assert_contract(df, CLAN_RANKINGS)
        assert set(df["kind"].astype(str)) == {kind}
        assert df["points"].tolist() == [i[points_key] for i in items]
        assert df["rank"].tolist() == list(range(1, len(items) + 1))
        assert na_to_none(df["country_code"]) == [i.get("location", {}).get("countryCode")
                                                  for i in items]


def test_clan_rankings_unknown_kind() -> None:
    with pytest.raises(ValueError, match="not of clans"):
        build_clan_rankings([], "players")
    with pytest.raises(ValueError, match="unknown ranking kind"):
        build_clan_rankings([], "guilds")


# --------------------------------------------------------------------------- clan search
def test_clan_search_demo() -> None:
    body = demo("/clans", {"name": "Dragon"})
    items = body["items"]
    assert items
    df = build_clan_search(body)
    assert_contract(df, CLAN_SEARCH)
    assert df["tag"].tolist() == [i["tag"] for i in items]
    assert df["type"].astype(str).tolist() == [i["type"] for i in items]
    assert df["war_frequency"].astype(str).tolist() == [i["warFrequency"] for i in items]
    assert df["clan_points"].tolist() == [i["clanPoints"] for i in items]
    assert df["clan_capital_points"].tolist() == [i["clanCapitalPoints"] for i in items]
    assert df["war_league"].tolist() == [i["warLeague"]["name"] for i in items]
    assert df["labels"].tolist() == [", ".join(x["name"] for x in i["labels"]) for i in items]
    assert df["required_townhall_level"].tolist() == [i["requiredTownhallLevel"] for i in items]
    demo_clan = df[df["name"] == "Demo Dragons"].iloc[0]
    assert demo_clan["location_id"] == FRANCE
    assert demo_clan["country_code"] == "FR"


def test_clan_search_demo_all_types() -> None:
    df = build_clan_search(demo("/clans", {"minMembers": "1"}))
    assert_contract(df, CLAN_SEARCH)
    assert set(df["type"].astype(str)) == {"open", "inviteOnly", "closed"}
    # Private war logs: ties and losses are not sent.
    private = df[~df["is_war_log_public"]]
    assert private["war_ties"].isna().all()


def test_clan_search_real_clan(real_payloads) -> None:
    clan = real_payloads["clan"]["body"]
    df = build_clan_search([clan])
    assert_contract(df, CLAN_SEARCH)
    row = df.iloc[0]
    assert row["tag"] == clan["tag"]
    assert row["clan_points"] == clan["clanPoints"]
    assert row["required_trophies"] == clan["requiredTrophies"]
    assert row["labels"] == ", ".join(x["name"] for x in clan["labels"])
    assert row["is_war_log_public"] == clan["isWarLogPublic"]


def test_clan_search_labels_empty_list_and_absent() -> None:
    df = build_clan_search([{"tag": "#2PP", "labels": []}, {"tag": "#2PQ"}])
    assert na_to_none(df["labels"]) == ["", None]


# ---------------------------------------------------------------------------- battle log
def demo_player_tag(has_league: bool = True) -> str:
    return next(p.tag for p in _WORLD.players if p.has_league == has_league)


def test_battle_log_demo() -> None:
    tag = demo_player_tag()
    body = demo(f"/players/{tag_path(tag)}/battlelog")
    items = body["items"]
    assert items
    df = build_battle_log(body, tag)
    assert_contract(df, BATTLE_LOG)
    assert len(df) == len(items)
    assert set(df["player_tag"]) == {tag}
    assert df["opponent_player_tag"].tolist() == [i["opponentPlayerTag"] for i in items]
    assert df["attack"].tolist() == [i["attack"] for i in items]
    assert df["stars"].tolist() == [i["stars"] for i in items]
    assert df["destruction"].tolist() == [i["destructionPercentage"] for i in items]
    assert df["duration_seconds"].tolist() == [i["battleTime"] for i in items]
    assert df["army_share_code"].tolist() == [i["armyShareCode"] for i in items]
    assert df["battle_type"].astype(str).tolist() == [i["battleType"] for i in items]
    first = items[0]
    stamp = pd.Timestamp(first["battleTimestamp"].replace(".000Z", ""), tz="UTC")
    assert df["battle_time"].iloc[0] == stamp
    assert str(df["battle_time"].dt.tz) == "UTC"
    looted = {x["name"]: x["amount"] for x in first["lootedResources"]}
    available = {x["name"]: x["amount"] for x in first["availableLoot"]}
    row = df.iloc[0]
    for res, name in (("gold", "Gold"), ("elixir", "Elixir"), ("dark_elixir", "DarkElixir")):
        assert na_to_none([row[f"looted_{res}"]]) == [looted.get(name)]
        assert na_to_none([row[f"available_{res}"]]) == [available.get(name)]
    # Defenses carry no looted resources.
    assert df.loc[~df["attack"], "looted_gold"].isna().all()


def test_battle_log_unknown_resource_dropped() -> None:
    df = build_battle_log([{"attack": True, "lootedResources": [
        {"name": "Gold", "amount": 5}, {"name": "Shiny", "amount": 9}, "junk"]}], "#2PP")
    assert df["looted_gold"].tolist() == [5]
    assert df["looted_elixir"].isna().all()


# ------------------------------------------------------------------------ league history
def test_league_history_demo() -> None:
    tag = demo_player_tag()
    body = demo(f"/players/{tag_path(tag)}/leaguehistory")
    items = body["items"]
    assert items
    tiers = demo("/leaguetiers")
    df = build_league_history(body, tag, tiers)
    assert_contract(df, LEAGUE_HISTORY)
    assert len(df) == len(items)
    assert set(df["player_tag"]) == {tag}
    assert df["league_season_id"].tolist() == [i["leagueSeasonId"] for i in items]
    assert df["league_tier_id"].tolist() == [i["leagueTierId"] for i in items]
    names = {t["id"]: t["name"] for t in tiers["items"]}
    assert df["league_tier_name"].tolist() == [names[i["leagueTierId"]] for i in items]
    assert df["trophies"].tolist() == [i["leagueTrophies"] for i in items]
    assert df["placement"].tolist() == [i["placement"] for i in items]
    assert df["attack_losses"].tolist() == [i["attackLosses"] for i in items]
    assert df["defense_stars"].tolist() == [i["defenseStars"] for i in items]
    assert df["max_battles"].tolist() == [i["maxBattles"] for i in items]


def test_league_history_tier_names_from_real_table_or_dict(real_payloads) -> None:
    rows = [{"leagueSeasonId": 1, "leagueTierId": 105000001}, {"leagueSeasonId": 2}]
    df = build_league_history(rows, "#2PP", real_payloads["leaguetiers"]["body"])
    assert na_to_none(df["league_tier_name"]) == ["Skeleton League 1", None]
    df = build_league_history(rows, "#2PP", {105000001: "Tier one"})
    assert na_to_none(df["league_tier_name"]) == ["Tier one", None]
    df = build_league_history(rows, "#2PP")
    assert df["league_tier_name"].isna().all()


def test_league_history_unranked_player_is_empty() -> None:
    tag = demo_player_tag(has_league=False)
    df = build_league_history(demo(f"/players/{tag_path(tag)}/leaguehistory"), tag)
    assert len(df) == 0
    assert_contract(df, LEAGUE_HISTORY)


# --------------------------------------------------------------------------------- empty
CASES = [
    (lambda x: build_player_rankings(x), PLAYER_RANKINGS),
    (lambda x: build_player_rankings(x, "legend_season", season_id="2020-01"),
     PLAYER_RANKINGS),
    (lambda x: build_clan_rankings(x), CLAN_RANKINGS),
    (lambda x: build_clan_rankings(x, "capitals"), CLAN_RANKINGS),
    (lambda x: build_clan_search(x), CLAN_SEARCH),
    (lambda x: build_battle_log(x, "#2PP"), BATTLE_LOG),
    (lambda x: build_league_history(x, "#2PP"), LEAGUE_HISTORY),
]


@pytest.mark.parametrize(("build", "frame_spec"), CASES)
@pytest.mark.parametrize("empty", [[], {"items": []}, {}, None, {"items": "nope"}])
def test_empty_gives_empty_frame(build, frame_spec, empty) -> None:
    df = build(empty)
    assert len(df) == 0
    assert_contract(df, frame_spec)
    pd.testing.assert_frame_equal(df, frame_spec.empty())


# ------------------------------------------------------------------------------ property


def mutate(draw, value):
    """Drop, null, retype or keep each key of a dict (recursing into nested dicts and
    lists once), and add unknown keys."""
    if isinstance(value, list):
        return [mutate(draw, v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, v in value.items():
        action = draw(st.sampled_from(["keep", "keep", "keep", "drop", "null", "retype",
                                       "nested"]))
        if action == "keep":
            out[key] = v
        elif action == "null":
            out[key] = None
        elif action == "retype":
            out[key] = draw(JSON_VALUES)
        elif action == "nested":
            out[key] = mutate(draw, v)
    out.update(draw(st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=2)))
    return out


@st.composite
def mutated_payload(draw, base: list[dict]):
    items = [mutate(draw, copy.deepcopy(draw(st.sampled_from(base))))
             for _ in range(draw(st.integers(0, 4)))]
    if draw(st.booleans()):
        items.append(draw(JSON_SCALARS))
    return draw(st.sampled_from([items, {"items": items, "paging": {}}]))


def _real(stem: str) -> list[dict]:
    return json.loads((REAL_DIR / f"{stem}.json").read_text(encoding="utf-8"))["body"]["items"]


_TAG = demo_player_tag()
PLAYER_BASE = (_real("rankings_players")[:3]
               + demo("/locations/global/rankings/players", {"limit": "3"})["items"]
               + demo("/locations/global/rankings/players-builder-base", {"limit": "3"})["items"])
CLAN_BASE = (_real("rankings_clans")[:3] + _real("rankings_capitals")[:3]
             + demo("/locations/global/rankings/clans-builder-base", {"limit": "3"})["items"])
SEARCH_BASE = demo("/clans", {"name": "Dragon"})["items"][:3]
BATTLE_BASE = demo(f"/players/{tag_path(_TAG)}/battlelog")["items"][:4]
HISTORY_BASE = demo(f"/players/{tag_path(_TAG)}/leaguehistory")["items"][:3]


def n_items(payload) -> int:
    items = payload["items"] if isinstance(payload, dict) else payload
    return sum(isinstance(i, dict) for i in items)


@settings(max_examples=50, deadline=None)
@given(st.data(), st.sampled_from([None, "players", "builder_base_players", "legend_season"]))
def test_player_rankings_survive_mutation(data, kind) -> None:
    payload = data.draw(mutated_payload(PLAYER_BASE))
    df = build_player_rankings(payload, kind)
    assert_contract(df, PLAYER_RANKINGS)
    assert len(df) == n_items(payload)


@settings(max_examples=50, deadline=None)
@given(st.data(), st.sampled_from([None, "clans", "builder_base_clans", "capitals"]))
def test_clan_rankings_survive_mutation(data, kind) -> None:
    payload = data.draw(mutated_payload(CLAN_BASE))
    df = build_clan_rankings(payload, kind)
    assert_contract(df, CLAN_RANKINGS)
    assert len(df) == n_items(payload)


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_clan_search_survives_mutation(data) -> None:
    payload = data.draw(mutated_payload(SEARCH_BASE))
    df = build_clan_search(payload)
    assert_contract(df, CLAN_SEARCH)
    assert len(df) == n_items(payload)


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_battle_log_survives_mutation(data) -> None:
    payload = data.draw(mutated_payload(BATTLE_BASE))
    df = build_battle_log(payload, _TAG)
    assert_contract(df, BATTLE_LOG)
    assert len(df) == n_items(payload)


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_league_history_survives_mutation(data) -> None:
    payload = data.draw(mutated_payload(HISTORY_BASE))
    df = build_league_history(payload, _TAG, demo("/leaguetiers"))
    assert_contract(df, LEAGUE_HISTORY)
    assert len(df) == n_items(payload)
