"""What the frame functions answer to bad or repeated input: bulk fetches count failures per
input and never return an empty frame because of errors; numbers, tags, locations and kinds
are checked before any request, with a message naming the argument and what it got."""

from __future__ import annotations

import warnings

import pytest
import test_api_frames

import cocframes as cf

BAD = "#PPPPPPPP"  # well formed, but no such player in the demo world

# Fixtures shared with test_api_frames: the demo world, and a fresh demo client per test.
world = test_api_frames.world
client = test_api_frames.client


def _sent(client: cf.Client) -> int:
    stats = client.stats()
    return stats.requests + stats.cache_hits


# ------------------------------------------------------------------ bulk: counts per input
@pytest.mark.parametrize("frame", ["players", "units", "achievements"])
def test_the_same_bad_tag_twice_raises_instead_of_an_empty_frame(client, frame):
    with pytest.raises(cf.NotFoundError):
        getattr(cf, frame)([BAD, BAD], client=client)


def test_two_spellings_of_one_bad_tag_raise(client):
    with pytest.raises(cf.NotFoundError):
        cf.players([BAD, BAD.lower().lstrip("#")], client=client)


def test_an_invalid_tag_alone_raises_its_value_error(client):
    with pytest.raises(ValueError, match="character"):
        cf.units(["not a tag!", "not a tag!"], client=client)


def test_when_every_tag_fails_the_real_failure_is_raised_not_the_budget(client, world,
                                                                       monkeypatch):
    """In a 429 storm the first tag may be given up unsent (RetryBudgetError) while a later
    one met the 429 itself: the error raised is the 429, the cause."""
    from cocframes.bulk import BulkResult
    from cocframes.errors import RetryBudgetError, ThrottledError

    tags = world.player_tags[:3]
    errors = [RetryBudgetError(0, "retryBudgetSpent", "not sent", "/players/x"),
              ThrottledError(429, "requestThrottled", "slow down", "/players/y"),
              RetryBudgetError(0, "retryBudgetSpent", "not sent", "/players/z")]
    monkeypatch.setattr(client, "many", lambda func, items, **kw: BulkResult(
        list(items), [None] * len(items), errors[:len(items)]))
    with pytest.raises(ThrottledError):
        cf.players(tags, client=client)


def test_an_empty_list_of_tags_raises(client):
    with pytest.raises(ValueError, match="no tag"):
        cf.players([], client=client)


def test_duplicates_give_one_row_per_player_fetched_once(client, world):
    a, b = world.player_tags[:2]
    typed = [a, a.lower(), b, a.lstrip("#")]
    df = cf.players(typed, client=client)
    assert df["tag"].tolist() == [a, b], "one row per distinct player, first-seen order"
    assert len(df.attrs["endpoints"]) == 2, "each distinct player fetched once"
    units = cf.units(typed, client=client)
    assert not units.duplicated(["player_tag", "village", "kind", "name"]).any()
    assert set(units["player_tag"]) == {a, b}


def test_warning_counts_add_up_per_input(client, world):
    good = world.player_tags[0]
    typed = [good, BAD, BAD.lower(), "not a tag!", good]
    with pytest.warns(UserWarning, match=r"3 of 5 tags given could not be fetched") as caught:
        df = cf.players(typed, client=client)
    assert len(caught) == 1
    assert df["tag"].tolist() == [good]
    failures = df.attrs["failures"]
    assert set(failures) == {BAD, BAD.lower(), "not a tag!"}, "keyed as the user typed them"
    assert failures[BAD]["reason"] == failures[BAD.lower()]["reason"] == "notFound"
    assert failures["not a tag!"]["reason"] == "ValueError"


def test_a_non_string_tag_raises_before_any_request_naming_its_position(client, world):
    with pytest.raises(TypeError, match=r"tags\[0\] .*list"):
        cf.players([["#2PP"], world.player_tags[0]], client=client)
    with pytest.raises(TypeError, match=r"tags\[1\] .*int"):
        cf.units([world.player_tags[0], 12345], client=client)
    assert _sent(client) == 0


def test_tags_that_are_not_a_list_raise_a_type_error(client):
    with pytest.raises(TypeError, match="tags"):
        cf.players(12345, client=client)


# ------------------------------------------------------------------ numbers
NUMBER_ARGS = [
    ("war_log", "max_items", lambda w: (w.clan_tag,)),
    ("rankings", "max_items", lambda w: ("global",)),
    ("legend_rankings", "max_items", lambda w: ()),
    ("legend_rankings", "page_size", lambda w: ()),
    ("search_clans", "max_items", lambda w: ("clan",)),
    ("raids", "max_seasons", lambda w: (w.clan_tag,)),
]


@pytest.mark.parametrize(("frame", "arg", "positional"), NUMBER_ARGS)
@pytest.mark.parametrize("bad", [-1, 0])
def test_a_number_below_one_is_a_value_error_before_any_request(client, world, frame, arg,
                                                                 positional, bad):
    with pytest.raises(ValueError, match=rf"{arg} must be .*>= 1.*got {bad}"):
        getattr(cf, frame)(*positional(world), client=client, **{arg: bad})
    assert _sent(client) == 0


@pytest.mark.parametrize(("frame", "arg", "positional"), NUMBER_ARGS)
@pytest.mark.parametrize("bad", ["5", 2.5, True])
def test_a_number_of_the_wrong_type_is_a_type_error_naming_it(client, world, frame, arg,
                                                               positional, bad):
    with pytest.raises(TypeError, match=rf"{arg} must be an int.*{type(bad).__name__}"):
        getattr(cf, frame)(*positional(world), client=client, **{arg: bad})
    assert _sent(client) == 0


def test_none_is_allowed_where_it_means_all(client, world):
    assert len(cf.war_log(world.clan_tag, client=client, max_items=None)) > 0
    assert len(cf.raids(world.clan_tag, client=client, max_seasons=None).seasons) > 0
    with pytest.raises(TypeError, match="page_size"):
        cf.legend_rankings(client=client, page_size=None)


# ------------------------------------------------------------------ locations
@pytest.mark.parametrize("bad", [None, True, 2.5, ["FR"]])
def test_a_location_of_the_wrong_type_says_what_a_location_may_be(client, bad):
    with pytest.raises(TypeError, match=r"location must be .*id.*name.*country code.*global"):
        cf.rankings(bad, client=client)
    assert _sent(client) == 0


def test_an_empty_location_is_a_value_error(client):
    with pytest.raises(ValueError, match="location"):
        cf.rankings("  ", client=client)


# ------------------------------------------------------------------ CWL
def test_cwl_of_a_clan_not_in_a_league_says_so(client, world):
    with pytest.raises(cf.NotInLeagueError, match="not in a Clan War League") as caught:
        cf.cwl(world.not_in_war_clan_tag, client=client)
    assert isinstance(caught.value, cf.NotFoundError), "callers catching NotFoundError still do"
    assert "tag" not in caught.value.remedy.casefold()


def test_cwl_of_a_clan_that_does_not_exist_is_not_found(client, world):
    with pytest.raises(cf.NotFoundError) as caught:
        cf.cwl(world.unknown_tag, client=client)
    assert not isinstance(caught.value, cf.NotInLeagueError)


# ------------------------------------------------------------------ kinds
@pytest.mark.parametrize(("spelling", "canonical"), [
    ("capital", "capital_leagues"), ("war", "war_leagues"), ("builder", "builder_base_leagues"),
    ("builder_base", "builder_base_leagues"), ("tiers", "league_tiers"),
    ("warleagues", "war_leagues"), ("Capital Leagues", "capital_leagues"),
    ("league-tiers", "league_tiers"), ("leaguetiers", "league_tiers"),
    ("builderbaseleagues", "builder_base_leagues"), ("war_league", "war_leagues"),
    ("leagues", "leagues"),
])
def test_leagues_accept_every_spelling_and_record_the_canonical_kind(client, spelling,
                                                                     canonical):
    df = cf.leagues(spelling, client=client)
    assert len(df) > 0
    assert set(df["kind"]) == {canonical}
    assert df.attrs["kind"] == canonical


@pytest.mark.parametrize(("spelling", "canonical"), [
    ("capital", "capitals"), ("capitals", "capitals"), ("clan", "clans"),
    ("Players", "players"), ("players-builder-base", "builder_base_players"),
    ("builder base clans", "builder_base_clans"),
])
def test_rankings_accept_every_spelling(client, spelling, canonical):
    df = cf.rankings("global", spelling, client=client, max_items=5)
    assert set(df["kind"]) == {canonical}
    assert df.attrs["kind"] == canonical


@pytest.mark.parametrize(("spelling", "canonical"), [
    ("clan", "clans"), ("clans", "clans"), ("player", "players"), ("PLAYERS", "players"),
])
def test_labels_accept_singular_and_plural(client, spelling, canonical):
    df = cf.labels(spelling, client=client)
    assert len(df) > 0 and set(df["kind"]) == {canonical}


def test_unknown_kinds_list_the_canonical_names(client):
    with pytest.raises(ValueError, match=r"one of leagues, league_tiers, war_leagues"):
        cf.leagues("guild", client=client)
    with pytest.raises(ValueError, match="builder_base_players"):
        cf.rankings("global", "guilds", client=client)
    with pytest.raises(ValueError, match=r"builder_base_players or builder_base_clans"):
        cf.rankings("global", "builder", client=client)
    with pytest.raises(ValueError, match="clans, players"):
        cf.labels("guilds", client=client)
    assert _sent(client) == 0


def test_the_client_resolves_league_names_with_its_own_spellings(client):
    for kind in ("leagues", "leaguetiers", "warleagues", "builderbaseleagues",
                 "capitalleagues", "war", "capital"):
        some = cf.leagues(kind, client=client)
        name, league_id = some["name"].iloc[0], int(some["id"].iloc[0])
        assert client.resolve.league(name, kind) == league_id
    for kind in ("clans", "players", "clan"):
        label = cf.labels(kind, client=client)
        assert client.resolve.label(label["name"].iloc[0], kind) == int(label["id"].iloc[0])


def test_clean_calls_still_do_not_warn(client, world):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cf.players(world.player_tags[:3], client=client)
