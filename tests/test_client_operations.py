"""The client's operations, request building, paging, bulk fetches and name resolution.

Most tests run on the in-process demo world (``Client(demo=True)``); the tests of what goes
over the wire (URL, headers, body, tokens) mock the official API with ``responses``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from cocframes.client import Client, Fetched, method_name
from cocframes.demo import World, verify_token_for
from cocframes.errors import ConfigurationError, NotFoundError
from cocframes.operations import OPERATIONS

API = "https://api.clashofclans.com/v1"
LEGEND_LEAGUE = 29000022
FRANCE = 32000087


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No token or base URL from the developer's environment leaks into a test."""
    for name in ("COC_API_TOKEN", "COCFRAMES_BASE_URL", "COC_EMAIL", "COC_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def world() -> World:
    return World()


@pytest.fixture(scope="module")
def demo() -> Client:
    client = Client(demo=True, cache=False, progress=False)
    yield client
    client.close()


@pytest.fixture(scope="module")
def league_player(demo: Client, world: World) -> dict[str, Any]:
    """A demo player who is in a ranked league group this season."""
    for tag in world.player_tags[:200]:
        player = demo.get_player(tag)
        if player.get("currentLeagueGroupTag") and player.get("currentLeagueSeasonId"):
            return player
    pytest.fail("no demo player has a currentLeagueGroupTag")


def _mock_client(token: Any = "T", **kwargs: Any) -> Client:
    kwargs.setdefault("rate", 1000)
    return Client(token=token, cache=False, progress=False, **kwargs)


# --------------------------------------------------------------------- all 35 operations
def _cases(world: World) -> dict[str, tuple[Callable[[Client], Any], Callable[[Any], bool]]]:
    """operationId → (call on the demo client, check of the payload)."""
    clan, player = world.clan_tag, world.player_tags[0]

    def has_items(p: Any) -> bool:
        return isinstance(p.get("items"), list) and len(p["items"]) > 0

    def cwl_war(c: Client) -> Any:
        group = c.get_clan_war_league_group(clan)
        war_tag = next(t for r in group["rounds"] for t in r["warTags"] if t != "#0")
        return c.get_clan_war_league_war(war_tag)

    def league_group(c: Client) -> Any:
        p = c.get_player(player)
        if not p.get("currentLeagueGroupTag"):
            pytest.fail(f"demo player {player} has no currentLeagueGroupTag")
        return c.get_league_group(p["currentLeagueGroupTag"], p["currentLeagueSeasonId"],
                                  player)

    def season_rankings(c: Client) -> Any:
        season = c.get_league_seasons(LEGEND_LEAGUE)["items"][-1]["id"]
        return c.get_league_season_rankings(season, LEGEND_LEAGUE, limit=10)

    def verify(c: Client) -> Any:
        return c.verify_token(player, verify_token_for(player))

    return {
        "searchClans": (lambda c: c.search_clans(location=FRANCE), has_items),
        "getClan": (lambda c: c.get_clan(clan), lambda p: p["tag"] == clan),
        "getClanMembers": (lambda c: c.get_clan_members(clan), has_items),
        "getClanWarLog": (lambda c: c.get_clan_war_log(clan), has_items),
        "getCurrentWar": (lambda c: c.get_current_war(clan), lambda p: "state" in p),
        "getClanWarLeagueGroup": (lambda c: c.get_clan_war_league_group(clan),
                                  lambda p: len(p["rounds"]) > 0 and len(p["clans"]) == 8),
        "getClanWarLeagueWar": (cwl_war, lambda p: "clan" in p and "opponent" in p),
        "getCapitalRaidSeasons": (lambda c: c.get_capital_raid_seasons(clan), has_items),
        "getPlayer": (lambda c: c.get_player(player), lambda p: p["tag"] == player),
        "verifyToken": (verify, lambda p: p["status"] == "ok" and p["tag"] == player),
        "getBattleLog": (lambda c: c.get_battle_log(player), lambda p: "items" in p),
        "getLeagueHistory": (lambda c: c.get_league_history(player), lambda p: "items" in p),
        "getLeagueGroup": (league_group, lambda p: "members" in p),
        "getLeagues": (lambda c: c.get_leagues(), has_items),
        "getLeague": (lambda c: c.get_league(LEGEND_LEAGUE),
                      lambda p: p["id"] == LEGEND_LEAGUE and p["name"] == "Legend League"),
        "getLeagueSeasons": (lambda c: c.get_league_seasons(LEGEND_LEAGUE), has_items),
        "getLeagueSeasonRankings": (season_rankings, has_items),
        "getLeagueTiers": (lambda c: c.get_league_tiers(), has_items),
        "getLeagueTier": (lambda c: c.get_league_tier(105000001),
                          lambda p: p["id"] == 105000001),
        "getWarLeagues": (lambda c: c.get_war_leagues(), has_items),
        "getWarLeague": (lambda c: c.get_war_league(48000001), lambda p: p["id"] == 48000001),
        "getBuilderBaseLeagues": (lambda c: c.get_builder_base_leagues(), has_items),
        "getBuilderBaseLeague": (lambda c: c.get_builder_base_league(44000000),
                                 lambda p: p["id"] == 44000000),
        "getCapitalLeagues": (lambda c: c.get_capital_leagues(), has_items),
        "getCapitalLeague": (lambda c: c.get_capital_league(85000001),
                             lambda p: p["id"] == 85000001),
        "getLocations": (lambda c: c.get_locations(), has_items),
        "getLocation": (lambda c: c.get_location(FRANCE), lambda p: p["name"] == "France"),
        "getPlayerRanking": (lambda c: c.get_player_ranking("global"), has_items),
        "getClanRanking": (lambda c: c.get_clan_ranking("global"), has_items),
        "getPlayerBuilderBaseRanking": (lambda c: c.get_player_builder_base_ranking(),
                                        has_items),
        "getClanBuilderBaseRanking": (lambda c: c.get_clan_builder_base_ranking(), has_items),
        "getClanCapitalRanking": (lambda c: c.get_clan_capital_ranking(), has_items),
        "getCurrentGoldPassSeason": (lambda c: c.get_current_gold_pass_season(),
                                     lambda p: "startTime" in p and "endTime" in p),
        "getPlayerLabels": (lambda c: c.get_player_labels(), has_items),
        "getClanLabels": (lambda c: c.get_clan_labels(), has_items),
    }


def test_every_operation_has_a_case() -> None:
    assert len(OPERATIONS) == 35
    assert set(_cases(World())) == {op.name for op in OPERATIONS}


@pytest.mark.parametrize("operation", [op.name for op in OPERATIONS])
def test_operation_method_returns_payload(operation: str, demo: Client, world: World) -> None:
    assert hasattr(demo, method_name(operation)), f"Client lacks {method_name(operation)}"
    cases = _cases(world)
    assert operation in cases, f"no test case for {operation}"
    run, check = cases[operation]
    payload = run(demo)
    assert isinstance(payload, dict)
    assert check(payload), f"{operation} returned unexpected payload keys {sorted(payload)}"


def test_method_names_are_snake_case() -> None:
    assert method_name("getPlayer") == "get_player"
    assert method_name("getClanWarLeagueGroup") == "get_clan_war_league_group"
    assert method_name("getPlayerBuilderBaseRanking") == "get_player_builder_base_ranking"


def test_verify_token_wrong_token_is_invalid(demo: Client, world: World) -> None:
    tag = world.player_tags[1]
    good = verify_token_for(tag)
    wrong = "0" * 8 if good != "0" * 8 else "1" * 8
    assert demo.verify_token(tag, good)["status"] == "ok"
    assert demo.verify_token(tag, wrong)["status"] == "invalid"


def test_league_group_of_a_ranked_player(demo: Client, league_player: dict) -> None:
    group = demo.get_league_group(league_player["currentLeagueGroupTag"],
                                  league_player["currentLeagueSeasonId"],
                                  league_player["tag"])
    assert "members" in group


def test_unknown_tag_raises_not_found(demo: Client, world: World) -> None:
    with pytest.raises(NotFoundError):
        demo.get_player(world.unknown_tag)


# --------------------------------------------------------------------- over the wire
@responses.activate
def test_tag_is_normalised_and_percent_encoded_in_url() -> None:
    responses.get(f"{API}/players/%232PP", json={"tag": "#2PP"})
    client = _mock_client()
    assert client.get_player(" #2pp") == {"tag": "#2PP"}
    assert len(responses.calls) == 1
    url = responses.calls[0].request.url
    assert urlsplit(url).path == "/v1/players/%232PP"
    assert responses.calls[0].request.headers["Authorization"] == "Bearer T"


@responses.activate
def test_tag_with_letter_o_and_clan_paths() -> None:
    responses.get(f"{API}/clans/%232PP0/warlog", json={"items": [], "paging": {}})
    client = _mock_client()
    client.get_clan_war_log("2ppo")
    assert urlsplit(responses.calls[0].request.url).path == "/v1/clans/%232PP0/warlog"


@responses.activate
def test_bad_tag_raises_value_error_before_any_request() -> None:
    client = _mock_client()
    with pytest.raises(ValueError, match="'X'"):
        client.get_player("#2PX")
    with pytest.raises(ValueError):
        client.get_clan("")
    assert len(responses.calls) == 0


@responses.activate
def test_verify_token_is_a_post_with_json_body() -> None:
    responses.post(f"{API}/players/%232PP/verifytoken",
                   json={"tag": "#2PP", "token": "abc", "status": "ok"})
    client = _mock_client()
    assert client.verify_token("2pp", "abc")["status"] == "ok"
    request = responses.calls[0].request
    assert request.method == "POST"
    assert json.loads(request.body) == {"token": "abc"}
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == "Bearer T"


@responses.activate
def test_verify_token_is_never_cached() -> None:
    responses.post(f"{API}/players/%232PP/verifytoken",
                   json={"tag": "#2PP", "token": "abc", "status": "ok"})
    client = _mock_client()
    client.verify_token("#2PP", "abc")
    client.verify_token("#2PP", "abc")
    assert len(responses.calls) == 2


@responses.activate
def test_get_escape_hatch() -> None:
    responses.get(f"{API}/some/new/endpoint", json={"hello": "world"})
    client = _mock_client()
    assert client.get("some/new/endpoint", {"limit": 3, "after": None}) == {"hello": "world"}
    request = responses.calls[0].request
    assert urlsplit(request.url).path == "/v1/some/new/endpoint"
    assert parse_qs(urlsplit(request.url).query) == {"limit": ["3"]}
    assert request.headers["Authorization"] == "Bearer T"


@responses.activate
def test_league_group_sends_player_tag_query() -> None:
    responses.get(f"{API}/leaguegroup/%23G22CJG0QG/1795410000", json={"members": []})
    client = _mock_client()
    client.get_league_group("g22cjgoqg", 1795410000, "2pp")
    url = responses.calls[0].request.url
    assert urlsplit(url).path == "/v1/leaguegroup/%23G22CJG0QG/1795410000"
    assert parse_qs(urlsplit(url).query) == {"playerTag": ["#2PP"]}


def _auth_headers_of(client: Client, n: int) -> set[str]:
    for i in range(n):
        responses.get(f"{API}/clans/%23{'2' * (i + 3)}", json={"i": i})
    for i in range(n):
        client.get_clan("#" + "2" * (i + 3))
    assert len(responses.calls) == n
    return {call.request.headers["Authorization"] for call in responses.calls}


@pytest.mark.parametrize("token", ["A,B", " A , B ", ["A", "B"]])
@responses.activate
def test_several_tokens_are_all_used(token: Any) -> None:
    # At the polite default rate a quick run of calls saturates one key, so the pool must
    # hand out the other key too.
    client = _mock_client(token, rate=10)
    assert client.keys_count == 2
    assert _auth_headers_of(client, 6) == {"Bearer A", "Bearer B"}


@responses.activate
def test_tokens_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COC_API_TOKEN", "A,B")
    client = Client(cache=False, progress=False)
    assert client.keys_count == 2
    assert _auth_headers_of(client, 4) == {"Bearer A", "Bearer B"}


def test_no_token_raises_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as info:
        Client(cache=False)
    text = str(info.value)
    assert "token=" in text
    assert "COC_API_TOKEN" in text
    assert "demo" in text


def test_empty_token_string_is_no_token() -> None:
    with pytest.raises(ConfigurationError):
        Client(token=" , ", cache=False)


def test_demo_needs_no_token() -> None:
    Client(demo=True, cache=False).close()


# --------------------------------------------------------------------- paginate
def test_paginate_follows_cursors_to_the_end(demo: Client, world: World) -> None:
    whole = demo.get_clan_war_log(world.clan_tag)["items"]
    # Page by page by hand: the sum of the pages is what paginate must yield.
    by_pages: list[dict] = []
    after = None
    pages = 0
    while True:
        page = demo.get_clan_war_log(world.clan_tag, limit=7, after=after)
        by_pages.extend(page["items"])
        pages += 1
        after = page.get("paging", {}).get("cursors", {}).get("after")
        if not after or not page["items"]:
            break
    assert pages > 2
    items = list(demo.paginate("getClanWarLog", clanTag=world.clan_tag, page_size=7))
    assert len(items) == len(by_pages) == len(whole)
    assert items == by_pages
    keys = [(w["endTime"], w["opponent"].get("tag")) for w in items]
    assert len(set(keys)) == len(keys), "paginate yielded duplicates"


def test_paginate_respects_max_items(demo: Client, world: World) -> None:
    items = list(demo.paginate("getClanWarLog", clanTag=world.clan_tag, max_items=7,
                               page_size=3))
    assert len(items) == 7
    first = demo.get_clan_war_log(world.clan_tag, limit=7)["items"]
    assert items == first
    with pytest.raises(ValueError, match="max_items"):  # as in every frame function
        demo.paginate("getClanWarLog", clanTag=world.clan_tag, max_items=0)


def test_paginate_refuses_an_operation_that_does_not_page(demo: Client) -> None:
    with pytest.raises(ValueError, match="does not page"):
        list(demo.paginate("getClan", clanTag="#2PP"))


def test_paginate_legend_season_rankings_over_25000_rows(demo: Client) -> None:
    season = demo.get_league_seasons(LEGEND_LEAGUE)["items"][-1]["id"]
    rows = list(demo.paginate("getLeagueSeasonRankings", leagueId=LEGEND_LEAGUE,
                              seasonId=season, page_size=5000))
    assert len(rows) >= 25_000
    ranks = [r["rank"] for r in rows]
    assert ranks == list(range(1, len(rows) + 1))
    assert len({r["tag"] for r in rows}) == len(rows)


# --------------------------------------------------------------------- many
def test_many_keeps_input_order_and_per_item_failures(demo: Client, world: World) -> None:
    good = world.player_tags[:6]
    bad, unknown = "#2PX!", world.unknown_tag
    items = [good[0], bad, good[1], good[2], unknown, *good[3:]]
    result = demo.many(demo.get_player, items, progress=False)
    assert result.items == items
    assert len(result.results) == len(items)
    assert set(result.failures) == {bad, unknown}
    assert isinstance(result.failures[bad], ValueError)
    assert isinstance(result.failures[unknown], NotFoundError)
    for item, payload in zip(items, result.results, strict=True):
        if item in (bad, unknown):
            assert payload is None
        else:
            assert payload["tag"] == item
    assert [p["tag"] for p in result.succeeded] == good


def test_many_of_nothing(demo: Client) -> None:
    result = demo.many(demo.get_player, [], progress=False)
    assert result.items == [] and result.results == [] and result.failures == {}
    assert result.succeeded == []


# --------------------------------------------------------------------- name resolution
@pytest.mark.parametrize("location", ["fr", "FR", "France", " france ", FRANCE, str(FRANCE)])
def test_get_location_by_code_name_or_id(demo: Client, location: Any) -> None:
    assert demo.get_location(location)["id"] == FRANCE


def test_global_location(demo: Client) -> None:
    assert demo.get_player_ranking("global", limit=5)["items"]
    assert demo.resolve.location("global") == "global"


def test_misspelt_location_suggests_the_right_one(demo: Client) -> None:
    with pytest.raises(LookupError, match="France"):
        demo.get_location("Frnace")


def test_leagues_by_name(demo: Client) -> None:
    assert demo.get_league("Legend League")["id"] == LEGEND_LEAGUE
    assert demo.get_league("legend league")["id"] == LEGEND_LEAGUE
    assert demo.get_war_league("Bronze League III")["id"] == 48000001
    assert demo.get_capital_league("Bronze League III")["id"] == 85000001
    assert demo.get_builder_base_league("Wood League V")["id"] == 44000000
    with pytest.raises(LookupError, match="Legend League"):
        demo.get_league("Legend Leage")


def test_search_clans_resolves_location_and_labels_in_demo(demo: Client) -> None:
    label_id = next(lb["id"] for lb in demo.get_clan_labels()["items"]
                    if lb["name"] == "Competitive")
    by_name = demo.search_clans(location="France", labels=["Competitive"])["items"]
    by_id = demo.search_clans(location=FRANCE, labels=[label_id])["items"]
    assert by_name == by_id
    assert by_name
    for clan in by_name:
        assert clan["location"]["id"] == FRANCE
        assert "Competitive" in {lb["name"] for lb in clan["labels"]}


@responses.activate
def test_search_clans_sends_resolved_ids() -> None:
    responses.get(f"{API}/locations", json={"items": [
        {"id": 32000006, "name": "International", "isCountry": False},
        {"id": FRANCE, "name": "France", "isCountry": True, "countryCode": "FR"}],
        "paging": {"cursors": {}}})
    responses.get(f"{API}/labels/clans", json={"items": [
        {"id": 56000000, "name": "Clan Wars"}, {"id": 56000011, "name": "Competitive"}],
        "paging": {"cursors": {}}})
    responses.get(f"{API}/clans", json={"items": [], "paging": {"cursors": {}}})
    client = _mock_client()
    client.search_clans(location="France", labels=["Competitive", "clan wars"], min_members=5)
    search = [c.request for c in responses.calls if urlsplit(c.request.url).path == "/v1/clans"]
    assert len(search) == 1
    query = parse_qs(urlsplit(search[0].url).query)
    assert query == {"locationId": [str(FRANCE)], "labelIds": ["56000011,56000000"],
                     "minMembers": ["5"]}


# --------------------------------------------------------------------- stats, provenance
def test_stats_count_requests_and_cache_hits(tmp_path, world: World) -> None:
    with Client(demo=True, cache_dir=tmp_path, progress=False) as client:
        assert client.stats().requests == 0
        client.get_clan(world.clan_tag)
        first = client.stats()
        assert first.requests == 1 and first.cache_hits == 0
        client.get_clan(world.clan_tag)
        second = client.stats()
        assert second.requests == 1 and second.cache_hits == 1
        client.get_clan(world.clan_tag, refresh=True)
        third = client.stats()
        assert third.requests == 2 and third.cache_hits == 1
        assert third.errors == 0 and third.retries == 0 and third.throttled == 0


def test_stats_count_errors(world: World) -> None:
    with Client(demo=True, cache=False, progress=False) as client:
        with pytest.raises(NotFoundError):
            client.get_player(world.unknown_tag)
        assert client.stats().errors == 1
        assert client.stats().requests == 1


def test_fetched_provenance(tmp_path, world: World) -> None:
    with Client(demo=True, cache_dir=tmp_path, progress=False) as client:
        first = client.call("getClan", clanTag=world.clan_tag)
        second = client.call("getClan", clanTag=world.clan_tag)
    assert isinstance(first, Fetched)
    assert first.demo and second.demo
    assert first.from_cache is False and second.from_cache is True
    assert first.stale is False and second.stale is False
    assert first.endpoint == second.endpoint == "/clans/" + world.clan_tag.replace("#", "%23")
    assert first.payload == second.payload
    assert first.fetched_at.tzinfo is not None
    assert second.fetched_at.utcoffset().total_seconds() == 0


@responses.activate
def test_fetched_is_not_demo_for_the_real_api() -> None:
    responses.get(f"{API}/clans/%232PP", json={"tag": "#2PP"})
    fetched = _mock_client().call("getClan", clanTag="#2PP")
    assert fetched.demo is False and fetched.from_cache is False


def test_call_rejects_unknown_parameters(demo: Client, world: World) -> None:
    with pytest.raises(TypeError, match="nonsense"):
        demo.call("getClan", clanTag=world.clan_tag, nonsense=1)


# --------------------------------------------------------------------------- issue 12, defect 9
@pytest.mark.parametrize(("args", "value", "error"), [
    (("max_items", "page_size"), -1, ValueError), (("max_items", "limit"), 0, ValueError),
    (("max_items", "page_size"), "5", TypeError), (("max_items", "limit"), 2.5, TypeError),
    (("max_items", "page_size"), True, TypeError)])
def test_paging_counts_are_checked_before_any_request(demo: Client, world: World, args: tuple,
                                                     value: Any, error: type) -> None:
    before = demo.stats().requests + demo.stats().cache_hits
    for arg in args:
        with pytest.raises(error, match=arg):
            list(demo.paginate("getClanMembers", clanTag=world.clan_tag, **{arg: value}))
    assert demo.stats().requests + demo.stats().cache_hits == before


def test_paginate_takes_the_apis_own_limit_as_the_page_size(demo: Client, world: World) -> None:
    pages = list(demo.pages("getClanMembers", clanTag=world.clan_tag, limit=7, max_items=20))
    assert [len(p.payload["items"]) for p in pages] == [7, 7, 6]
    items = list(demo.paginate("getClanMembers", clanTag=world.clan_tag, limit=5))
    assert len(items) == demo.get_clan(world.clan_tag)["members"] > 5
    with pytest.raises(ValueError, match="page_size"):
        list(demo.paginate("getClanMembers", clanTag=world.clan_tag, limit=5, page_size=6))


def test_an_unhashable_item_fails_alone_in_a_bulk_fetch(demo: Client, world: World) -> None:
    good = world.player_tags[0]
    result = demo.many(demo.get_player, [[good], good, {"tag": good}])
    assert result.results[1]["tag"] == good  # type: ignore[index]
    assert result.results[0] is None and result.results[2] is None
    assert len(result.failures) == 2
    assert [type(e) for e in result.errors] == [TypeError, type(None), TypeError]
