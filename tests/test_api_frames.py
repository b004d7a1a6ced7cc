"""The frame functions users call (``cf.members(...)`` and friends) on the demo world: the
right rows, provenance in ``df.attrs``, bulk failures reported, errors raised rather than
empty frames, and docstrings that list every column."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta

import pandas as pd
import pytest
from _checks import assert_contract, every

import cocframes as cf
from cocframes.demo import World
from cocframes.frames import SPECS
from cocframes.frames.specs import (
    CLAN_RANKINGS,
    PLAYER_RANKINGS,
    RAID_DISTRICTS,
    RAID_MEMBERS,
    RAID_SEASONS,
    WAR_ATTACKS,
)

FRAME_FUNCTIONS = [
    "members", "players", "units", "achievements", "war", "war_attacks", "war_members",
    "war_log", "cwl", "participation", "raids", "rankings", "legend_rankings", "battle_log",
    "league_history", "locations", "leagues", "labels", "search_clans",
]


@pytest.fixture(scope="module")
def world() -> World:
    return World()


@pytest.fixture
def client() -> cf.Client:
    with cf.Client(demo=True, cache=False, progress=False) as c:
        yield c




# ------------------------------------------------------------------ public surface, docs
@pytest.mark.parametrize("name", FRAME_FUNCTIONS)
def test_frame_function_is_exported_and_its_docstring_lists_every_column(name):
    func = getattr(cf, name)
    assert name in cf.__all__
    doc = func.__doc__
    assert "Columns" in doc
    assert func.spec.names, "decorated with its spec"
    for column in func.spec.names:
        assert f"    {column} (" in doc, f"{name} does not document {column}"


def test_multi_frame_functions_document_each_part():
    for func, parts in ((cf.cwl, (".clans", ".rounds", ".attacks", ".lineup", ".medals")),
                        (cf.war, (".attacks", ".members")),
                        (cf.raids, (".seasons", ".members", ".districts"))):
        for part in parts:
            assert f"Columns of ``{part}``" in func.__doc__
    for frame_spec in (RAID_SEASONS, RAID_MEMBERS, RAID_DISTRICTS):
        for column in frame_spec.names:
            assert f"    {column} (" in cf.raids.__doc__


# ------------------------------------------------------------------ members & profiles
def test_members_one_row_per_member_with_provenance(client, world):
    clan = client.get_clan(world.clan_tag)
    df = cf.members(world.clan_tag, client=client)
    assert_contract(df, SPECS["members"])
    assert len(df) == clan["members"] == len(clan["memberList"])
    assert df["tag"].is_unique
    assert set(df["tag"]) == {m["tag"] for m in clan["memberList"]}
    assert every(df["clan_tag"] == world.clan_tag), "members know their clan"
    assert df.attrs["source"] == "getClanMembers"
    assert df.attrs["demo"] is True
    assert df.attrs["endpoints"] == [f"/clans/{world.clan_tag.replace('#', '%23')}/members"]
    fetched_at = datetime.fromisoformat(df.attrs["fetched_at"])  # an ISO-8601 string
    assert fetched_at.utcoffset() == timedelta(0), "UTC"


def test_members_accepts_any_spelling_of_the_tag(client, world):
    loose = world.clan_tag.lower().replace("#", "").replace("0", "o")
    assert cf.members(loose, client=client)["tag"].tolist() == \
        cf.members(world.clan_tag, client=client)["tag"].tolist()


def test_default_client_is_used_when_none_is_given(world):
    cf.use_demo(cache=False, progress=False)
    try:
        df = cf.members(world.clan_tag)
        assert df.attrs["demo"] is True and len(df) > 0
    finally:
        cf.set_client(None)


def test_players_of_a_clan_cover_every_member(client, world):
    members = cf.members(world.clan_tag, client=client)
    df = cf.players(clan=world.clan_tag, client=client)
    assert_contract(df, SPECS["players"])
    assert df["tag"].tolist() == members["tag"].tolist(), "same members, same order"
    assert df.attrs["failures"] == {}
    assert len(df.attrs["endpoints"]) == len(members)


def test_units_of_a_clan_have_every_member_and_every_kind(client, world):
    members = cf.members(world.clan_tag, client=client)
    df = cf.units(clan=world.clan_tag, client=client)
    assert_contract(df, SPECS["units"])
    assert set(df["player_tag"]) == set(members["tag"])
    assert {"troop", "hero", "spell", "hero_equipment"} <= set(df["kind"].dropna())
    progress = df["progress"].dropna()
    assert every((progress > 0) & (progress <= 1))


def test_bulk_failures_are_reported_per_tag_with_a_warning(client, world):
    good = list(world.player_tags[:3])
    tags = [good[0], world.unknown_tag, good[1], "not a tag!", good[2]]
    with pytest.warns(UserWarning, match=r"2 of 5 tags given could not be fetched") as caught:
        df = cf.players(tags, client=client)
    assert "df.attrs['failures']" in str(caught[0].message)
    assert df["tag"].tolist() == good, "the good ones, in input order"
    failures = df.attrs["failures"]
    assert set(failures) == {world.unknown_tag, "not a tag!"}
    assert failures[world.unknown_tag]["reason"] == "notFound"
    assert failures["not a tag!"]["reason"] == "ValueError"


def test_bulk_where_every_tag_fails_raises_instead_of_an_empty_frame(client, world):
    with pytest.raises(cf.NotFoundError):
        cf.achievements([world.unknown_tag], client=client)


def test_bulk_needs_tags_or_a_clan(client, world):
    with pytest.raises(ValueError, match="either tags or clan"):
        cf.units(client=client)
    with pytest.raises(ValueError, match="either tags or clan"):
        cf.units(world.player_tags[:2], clan=world.clan_tag, client=client)


def test_one_tag_as_a_string_is_one_player(client, world):
    df = cf.achievements(world.player_tags[0], client=client)
    assert set(df["player_tag"]) == {world.player_tags[0]}
    assert len(df) > 10


# ------------------------------------------------------------------ wars
def test_war_attacks_of_the_current_war(client, world):
    war = client.get_current_war(world.clan_tag)
    df = cf.war_attacks(world.clan_tag, client=client)
    assert_contract(df, WAR_ATTACKS)
    expected = sum(len(m.get("attacks", [])) for side in ("clan", "opponent")
                   for m in war[side]["members"])
    assert len(df) == expected > 0
    assert df.attrs["war_state"] == war["state"]
    assert every(df["new_stars"] <= df["stars"])
    # New stars per defender add up to the defender's best stars.
    best = df.groupby("defender_tag")["stars"].max()
    assert every(df.groupby("defender_tag")["new_stars"].sum() == best)


def test_war_members_count_attacks(client, world):
    war = client.get_current_war(world.clan_tag)
    df = cf.war_members(world.clan_tag, client=client)
    assert len(df) == 2 * war["teamSize"]
    per_member = war["attacksPerMember"]
    assert every(df["attacks_used"] + df["attacks_remaining"] == per_member)


def test_a_clan_not_in_war_gives_an_empty_frame_that_says_why(client, world):
    df = cf.war_attacks(world.not_in_war_clan_tag, client=client)
    assert df.empty
    assert_contract(df, WAR_ATTACKS)
    assert df.attrs["war_state"] == "notInWar"


def test_the_current_war_of_a_clan_in_cwl_is_its_round_war(client, world):
    group = client.get_clan_war_league_group(world.cwl_clan_tags[2])
    for tag in world.cwl_clan_tags:
        regular = client.get_current_war(tag)
        if regular["state"] != "notInWar":
            continue
        df = cf.war_members(tag, client=client)
        if df.attrs["cwl_round"] is None:
            continue
        war_tags = group["rounds"][df.attrs["cwl_round"] - 1]["warTags"]
        assert df.attrs["war_tag"] in war_tags
        assert every(df["round"] == df.attrs["cwl_round"])
        assert every(df["war_tag"] == df.attrs["war_tag"])
        assert tag in set(df["clan_tag"])
        break
    else:
        pytest.fail("the demo world has no clan whose current war is a CWL war")


@pytest.mark.parametrize("frame", ["war_attacks", "war_members", "war_log"])
def test_a_private_war_log_raises_rather_than_an_empty_frame(client, world, frame):
    with pytest.raises(cf.PrivateWarLogError, match="private"):
        getattr(cf, frame)(world.private_clan_tag, client=client)


def test_war_log_has_one_row_per_war(client, world):
    items = list(client.paginate("getClanWarLog", clanTag=world.clan_tag))
    df = cf.war_log(world.clan_tag, client=client)
    assert_contract(df, SPECS["war_log"])
    assert len(df) == len(items) > 0
    assert df["is_cwl"].sum() == sum(1 for i in items if "tag" not in i["opponent"])
    assert len(cf.war_log(world.clan_tag, client=client, max_items=5)) == 5


def test_unknown_clan_raises_not_found(client, world):
    with pytest.raises(cf.NotFoundError):
        cf.members(world.unknown_tag, client=client)


def test_cwl_frames_cover_every_played_war(client, world):
    group = client.get_clan_war_league_group(world.clan_tag)
    league = cf.cwl(world.clan_tag, client=client)
    assert len(league.clans) == len(group["clans"]) == 8
    played = {t for r in group["rounds"] for t in r["warTags"] if t != "#0"}
    assert set(league.attacks["war_tag"]) <= played
    assert every(league.attacks["round"].between(1, len(group["rounds"])))
    assert league.attacks.attrs["source"] == "getClanWarLeagueWar"
    # One request for the group and one per played war.
    assert len(league.attacks.attrs["endpoints"]) == 1 + len(played)


def test_raids_members_and_districts(client, world):
    payload = client.get_capital_raid_seasons(world.clan_tag, limit=3)
    raids = cf.raids(world.clan_tag, client=client, max_seasons=3)
    assert len(raids.seasons) == len(payload["items"]) == 3
    assert len(raids.members) == sum(len(s.get("members", [])) for s in payload["items"])
    assert every(raids.districts["destruction"].between(0, 100))
    for df in (raids.seasons, raids.members, raids.districts):
        assert df.attrs["demo"] is True


# ------------------------------------------------------------------ rankings & reference
def test_rankings_location_by_name_code_or_id_are_the_same(client):
    by_name = cf.rankings("France", "players", client=client)
    by_code = cf.rankings("fr", "players", client=client)
    assert_contract(by_name, PLAYER_RANKINGS)
    assert by_name["tag"].tolist() == by_code["tag"].tolist()
    assert by_name["rank"].tolist() == list(range(1, len(by_name) + 1))
    assert every(by_name["location_id"] == client.resolve.location("France"))


@pytest.mark.parametrize("kind", ["clans", "builder_base_clans", "capitals"])
def test_clan_rankings_kinds(client, kind):
    df = cf.rankings("global", kind, client=client)
    assert_contract(df, CLAN_RANKINGS)
    assert len(df) > 0
    assert every(df["kind"] == kind)
    assert df["points"].is_monotonic_decreasing


def test_unknown_ranking_kind_or_location_says_what_is_valid(client):
    with pytest.raises(ValueError, match="clans"):
        cf.rankings("global", "guilds", client=client)
    with pytest.raises(LookupError, match="France"):
        cf.rankings("Frence", client=client)


def test_legend_rankings_page_through_every_row_of_the_latest_season(client):
    seasons = [s["id"] for s in client.paginate("getLeagueSeasons", leagueId=29000022)]
    df = cf.legend_rankings(client=client)
    assert len(df) > 25_000
    assert df["rank"].tolist() == list(range(1, len(df) + 1)), "no page lost or repeated"
    assert df["tag"].is_unique
    assert every(df["season_id"] == max(seasons))
    assert len(df.attrs["endpoints"]) > 2, "several pages"
    assert len(cf.legend_rankings(seasons[0], client=client, max_items=10)) == 10


def test_battle_log_and_league_history_of_a_player(client, world):
    tag = world.player_tags[0]
    log = cf.battle_log(tag, client=client)
    assert len(log) == len(client.get_battle_log(tag)["items"]) > 0
    assert every(log["player_tag"] == tag)
    history = cf.league_history(tag, client=client)
    assert len(history) > 0
    assert every(history["player_tag"] == tag)


def test_reference_lists(client):
    locations = cf.locations(client=client)
    assert {"France", "International"} <= set(locations["name"])
    for kind in ("leagues", "league_tiers", "war_leagues", "builder_base_leagues",
                 "capital_leagues"):
        assert len(cf.leagues(kind, client=client)) > 0, kind
    assert len(cf.labels("players", client=client)) > 0
    with pytest.raises(ValueError, match="league_tiers"):
        cf.leagues("guilds", client=client)


def test_search_clans_resolves_names_in_filters(client):
    by_name = cf.search_clans(location="France", min_members=10, client=client)
    by_id = cf.search_clans(location=client.resolve.location("France"), min_members=10,
                            client=client)
    assert by_name["tag"].tolist() == by_id["tag"].tolist()
    assert len(by_name) > 0
    assert every(by_name["location_name"] == "France")
    assert every(by_name["members"] >= 10)


# ------------------------------------------------------------------ provenance & cache
def test_a_second_call_says_it_came_from_the_cache(tmp_path, world):
    with cf.Client(demo=True, cache_dir=tmp_path, progress=False) as c:
        first = cf.members(world.clan_tag, client=c)
        second = cf.members(world.clan_tag, client=c)
    assert first.attrs["from_cache"] is False
    assert second.attrs["from_cache"] is True
    pd.testing.assert_frame_equal(first, second)


def test_frames_never_warn_on_a_clean_demo_run(client, world):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cf.members(world.clan_tag, client=client)
        cf.war_attacks(world.clan_tag, client=client)
        cf.units(world.player_tags[:2], client=client)


# ------------------------------------------------------------------ connect()
@pytest.fixture
def no_credentials(monkeypatch):
    for name in ("COC_API_TOKEN", "COC_EMAIL", "COC_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch
    cf.set_client(None)


def test_connect_without_credentials_is_the_demo_world_and_says_so(no_credentials, capsys):
    client = cf.connect(cache=False)
    assert client.demo and cf.get_client() is client
    assert "demo world" in capsys.readouterr().out


def test_connect_with_a_token_is_the_real_api(no_credentials, capsys):
    no_credentials.setenv("COC_API_TOKEN", "a-token-from-the-portal")
    client = cf.connect(cache=False, quiet=True)
    assert not client.demo
    assert client.base_url == "https://api.clashofclans.com/v1"
    assert capsys.readouterr().out == ""
