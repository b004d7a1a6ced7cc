"""What a clan leader acts on: CWL lineups and missed attacks, the bonus-medal ranking, war
frames that name both clans, the current war from one fetch, and the clan's participation
now. On the demo world, on recorded real answers served by ``responses``, and on hand-made
wars where the right answer is known."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
import pytest
import responses
from _checks import assert_contract, every

import cocframes as cf
from cocframes.demo import World
from cocframes.frames.specs import CWL_MEDALS, PARTICIPATION, WAR_ATTACKS, WAR_MEMBERS
from cocframes.frames.wars import build_cwl_medals, build_war_members, orient

API = "https://api.clashofclans.com/v1"
REAL = Path(__file__).parent / "fixtures" / "real"


def _body(name: str) -> dict:
    return json.loads((REAL / f"{name}.json").read_text(encoding="utf-8"))["body"]


@pytest.fixture(scope="module")
def world() -> World:
    return World()


@pytest.fixture
def client() -> cf.Client:
    with cf.Client(demo=True, cache=False, progress=False) as c:
        yield c


@pytest.fixture(scope="module")
def league(world: World) -> cf.CwlFrames:
    with cf.Client(demo=True, cache=False, progress=False) as c:
        return cf.cwl(world.clan_tag, client=c)


def _mock_client() -> cf.Client:
    return cf.Client(token="T", cache=False, progress=False, rate=1000)


# ------------------------------------------------------------------ unplayed rounds (#0)
@pytest.mark.parametrize("tag", ["#0", "0", " #0 ", "#O"])
def test_the_war_tag_of_a_round_not_drawn_yet_is_never_sent(tag):
    with responses.RequestsMock() as mock, _mock_client() as client:
        with pytest.raises(ValueError, match="not drawn yet"):
            client.get_clan_war_league_war(tag)
        with pytest.raises(ValueError, match="not drawn yet"):
            client.call("getClanWarLeagueWar", warTag=tag)
        assert len(mock.calls) == 0


def _serve_real_cwl(mock: responses.RequestsMock, clan: str) -> list[str]:
    """Serve the recorded CWL group (7 rounds, the last 2 not drawn: ``#0``) for ``clan``, and
    the recorded CWL war (``#2PP`` against ``#2Y2VP2G0L``) for every drawn war tag; return
    the drawn war tags."""
    group = _body("leaguegroup")
    played = [t for r in group["rounds"] for t in r["warTags"] if t != "#0"]
    mock.get(f"{API}/clans/{clan.replace('#', '%23')}/currentwar/leaguegroup", json=group)
    for war_tag in played:
        mock.get(f"{API}/clanwarleagues/wars/{war_tag.replace('#', '%23')}",
                 json=_body("clanwarleagues_war"))
    return played


def test_cwl_on_real_answers_never_sends_an_unplayed_round_and_has_no_rows_for_it():
    with responses.RequestsMock() as mock, _mock_client() as client:
        played = _serve_real_cwl(mock, "#2PP")
        league = cf.cwl("#2PP", client=client)
        sent = [call.request.url for call in mock.calls]
    assert len(sent) == 1 + len(played)
    assert not any(url.endswith("%230") for url in sent)
    assert list(league.rounds["played"]) == [True] * 20 + [False] * 8
    assert set(league.lineup["round"]) == {1, 2, 3, 4, 5}
    assert set(league.attacks["round"]) == {1, 2, 3, 4, 5}
    assert_contract(league.lineup, WAR_MEMBERS)
    assert_contract(league.medals, CWL_MEDALS)


def test_in_a_cwl_war_where_the_clan_asked_for_is_the_opponent_it_is_still_the_clan_side():
    # The recorded war has #2PP on its "clan" side; a CWL war fetched by its tag keeps that
    # order whoever asks, so for #2Y2VP2G0L every frame must swap the sides.
    ours = "#2Y2VP2G0L"
    war = _body("clanwarleagues_war")
    their_names = {m["name"] for m in war["opponent"]["members"]}
    with responses.RequestsMock() as mock, _mock_client() as client:
        _serve_real_cwl(mock, ours)
        league = cf.cwl(ours, client=client)
    ours_rows = league.lineup[league.lineup["side"] == "clan"]
    assert every(ours_rows["clan_tag"] == ours)
    assert set(ours_rows["name"]) == their_names
    assert every(ours_rows["opponent_tag"] == "#2PP")
    assert every(ours_rows["clan_name"] == war["opponent"]["name"])
    attacks = league.attacks[league.attacks["side"] == "clan"]
    assert len(attacks) > 0 and every(attacks["attacker_clan_tag"] == ours)
    assert set(league.medals["tag"]) == {m["tag"] for m in war["opponent"]["members"]}


def test_the_current_war_of_a_clan_in_cwl_is_oriented_to_that_clan():
    ours = "#2Y2VP2G0L"
    with responses.RequestsMock() as mock, _mock_client() as client:
        mock.get(f"{API}/clans/%232Y2VP2G0L/currentwar", json=_body("currentwar_notinwar"))
        _serve_real_cwl(mock, ours)
        result = cf.war(ours, client=client)
    assert result.members.attrs["cwl_round"] is not None
    assert every(result.members.loc[result.members["side"] == "clan", "clan_tag"] == ours)
    assert every(result.attacks.loc[result.attacks["side"] == "clan",
                                    "attacker_clan_tag"] == ours)


def test_orient_leaves_a_war_alone_when_the_clan_is_already_the_clan_side_or_absent():
    war = _body("clanwarleagues_war")
    assert orient(war, "#2PP") is war
    assert orient(war, "#PPPPPPPP") is war
    swapped = orient(war, "#2Y2VP2G0L")
    assert swapped["clan"] is war["opponent"] and swapped["opponent"] is war["clan"]


# ------------------------------------------------------------------ lineups on the demo
def test_lineup_has_every_member_of_every_played_war_with_attacks_used_and_missed(
        client, world, league):
    group = client.get_clan_war_league_group(world.clan_tag)
    wars = {t: client.get_clan_war_league_war(t) for r in group["rounds"]
            for t in r["warTags"] if t != "#0"}
    expected = sum(len(w[s]["members"]) for w in wars.values() for s in ("clan", "opponent"))
    lineup = league.lineup
    assert len(lineup) == expected > 0
    assert set(lineup["war_tag"]) == set(wars)
    ended = lineup[lineup["state"] == "warEnded"]
    assert every(ended["attacks_used"] + ended["attacks_missed"] == 1)
    assert ended["attacks_remaining"].isna().all()
    running = lineup[lineup["state"].isin(["preparation", "inWar"])]
    assert len(running) > 0
    assert every(running["attacks_used"] + running["attacks_remaining"] == 1)
    assert running["attacks_missed"].isna().all()
    # A member's attacks in the lineup are the attacks frame's.
    made = league.attacks.groupby(["war_tag", "attacker_tag"]).size()
    used = lineup.set_index(["war_tag", "tag"])["attacks_used"]
    assert every(used[used > 0].sort_index() == made.sort_index())


def test_the_clan_asked_for_is_the_clan_side_of_each_of_its_wars(world, league):
    ours = league.lineup[league.lineup["clan_tag"] == world.clan_tag]
    assert every(ours["side"] == "clan")
    assert league.clan_tag == world.clan_tag


# ------------------------------------------------------------------ medals
def test_medals_rank_every_lineup_member_by_the_formula_they_show(world, league):
    medals = league.medals
    assert_contract(medals, CWL_MEDALS)
    ours = league.lineup[league.lineup["clan_tag"] == world.clan_tag]
    assert set(medals["tag"]) == set(ours["tag"])
    totals = ours.groupby("tag").agg(stars=("stars_earned", "sum"),
                                     destruction=("destruction_dealt", "sum"),
                                     missed=("attacks_missed", "sum"),
                                     wars=("war_tag", "size"))
    by_tag = medals.set_index("tag").sort_index()
    assert every(by_tag["stars"] == totals["stars"])
    assert every(by_tag["wars"] == totals["wars"])
    expected = totals["stars"] + 0.01 * totals["destruction"] - 2 * totals["missed"]
    assert every((by_tag["score"] - expected).abs() < 1e-9)
    assert medals.attrs["score"] == \
        "score = 1 * stars + 0.01 * destruction - 2 * attacks_missed"
    assert medals["score"].is_monotonic_decreasing
    assert medals["rank"].iloc[0] == 1 and medals["rank"].is_monotonic_increasing
    # Three-star attacks agree with the attacks frame.
    ours_attacks = league.attacks[league.attacks["attacker_clan_tag"] == world.clan_tag]
    three = ours_attacks[ours_attacks["stars"] == 3].groupby("attacker_tag").size()
    assert every(by_tag["three_stars"] == three.reindex(by_tag.index, fill_value=0))


def test_other_weights_rank_differently_and_bad_weights_say_what_is_valid(league):
    by_new = league.rank_medals(new_stars=1)
    assert by_new.attrs["score"] == "score = 1 * new_stars"
    assert every(by_new["score"] == by_new["new_stars"])
    assert by_new["score"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="scored columns: wars, attacks_used"):
        league.rank_medals(trophies=1)
    with pytest.raises(ValueError, match="finite number"):
        league.rank_medals(stars=float("nan"))


def _war_member(tag: str, name: str, stars: list[int], pct: int = 50) -> dict:
    return {"tag": tag, "name": name, "townhallLevel": 15, "mapPosition": int(tag[-1]),
            "attacks": [{"attackerTag": tag, "defenderTag": "#9", "stars": s,
                         "destructionPercentage": pct, "order": i + 1}
                        for i, s in enumerate(stars)]}


def _cwl_war(state: str, ours: list[dict]) -> dict:
    return {"state": state, "teamSize": len(ours), "warStartTime": "20260101T000000.000Z",
            "clan": {"tag": "#2", "name": "Us", "members": ours},
            "opponent": {"tag": "#8", "name": "Them", "members": [
                {"tag": "#9", "name": "foe", "townhallLevel": 15, "mapPosition": 1}]}}


def test_medals_on_a_hand_made_season_ties_share_a_rank_and_missed_attacks_cost():
    group = {"season": "2026-01", "rounds": [{"warTags": ["#R1"]}, {"warTags": ["#R2"]},
                                             {"warTags": ["#0"]}]}
    wars = {
        "#R1": _cwl_war("warEnded", [_war_member("#P2", "ann", [3], 100),
                                     _war_member("#P3", "bob", [2], 100),
                                     _war_member("#P8", "cy", [])]),
        "#R2": _cwl_war("inWar", [_war_member("#P2", "ann", [], 0),
                                  _war_member("#P3", "bob", [3], 100),
                                  _war_member("#P8", "cy", [3], 100)]),
    }
    medals = build_cwl_medals(group, wars, "#2")
    rows = medals.set_index("name")
    # ann: 3 + 1 = 4 (one attack still to make); bob: 5 + 2 = 7; cy: 3 + 1 - 2 missed = 2.
    assert list(medals["name"]) == ["bob", "ann", "cy"]
    assert list(medals["score"]) == [7.0, 4.0, 2.0]
    assert rows.loc["cy", "attacks_missed"] == 1 and rows.loc["ann", "attacks_remaining"] == 1
    assert pd.isna(build_cwl_medals(group, {"#R1": wars["#R1"]}, "#2")
                   .set_index("name").loc["cy", "mean_destruction"])
    tied = build_cwl_medals(group, wars, "#2", {"wars": 1})
    assert list(tied["rank"]) == [1, 1, 1]


# ------------------------------------------------------------------ one war, both clans named
def test_war_gives_attacks_and_members_from_one_fetch_with_both_clan_names(client, world):
    payload = client.get_current_war(world.clan_tag)
    with cf.Client(demo=True, cache=False, progress=False) as counted:
        result = cf.war(world.clan_tag, client=counted)
        requests_for_both = counted.stats().requests
    with cf.Client(demo=True, cache=False, progress=False) as counted:
        cf.war_attacks(world.clan_tag, client=counted)
        requests_for_one = counted.stats().requests
    assert requests_for_both == requests_for_one == 1
    assert_contract(result.attacks, WAR_ATTACKS)
    assert_contract(result.members, WAR_MEMBERS)
    assert result.attacks.attrs["endpoints"] == result.members.attrs["endpoints"]
    us, them = payload["clan"], payload["opponent"]
    ours = result.members[result.members["side"] == "clan"]
    assert every(ours["clan_name"] == us["name"]) and every(ours["opponent_name"] == them["name"])
    theirs = result.members[result.members["side"] == "opponent"]
    assert every(theirs["clan_name"] == them["name"])
    attacks = result.attacks
    mine = attacks[attacks["side"] == "clan"]
    assert len(mine) > 0
    assert every(mine["attacker_clan_name"] == us["name"])
    assert every(mine["defender_clan_name"] == them["name"])
    pd.testing.assert_frame_equal(result.attacks, cf.war_attacks(world.clan_tag, client=client))


def test_war_members_of_a_real_war_name_both_sides():
    war = _body("currentwar_inwar")
    df = build_war_members(war)
    assert set(df.loc[df["side"] == "clan", "clan_name"]) == {war["clan"]["name"]}
    assert set(df.loc[df["side"] == "clan", "opponent_name"]) == {war["opponent"]["name"]}
    three = df.set_index("tag")["three_stars"]
    for m in war["clan"]["members"]:
        assert three[m["tag"]] == sum(a["stars"] == 3 for a in m.get("attacks", []))


# ------------------------------------------------------------------ participation now
def test_participation_has_one_row_per_member_consistent_with_each_source(
        client, world, league):
    df = cf.participation(world.clan_tag, weekends=3, client=client)
    assert_contract(df, PARTICIPATION)
    members = cf.members(world.clan_tag, client=client)
    assert list(df["tag"]) == list(members["tag"])
    ratio = df["donations"] / df["donations_received"]
    has_ratio = df["donations_received"] > 0
    assert every((df.loc[has_ratio, "donation_ratio"] - ratio[has_ratio]).abs() < 1e-9)
    assert df.loc[~has_ratio, "donation_ratio"].isna().all()

    war = client.get_current_war(world.clan_tag)
    lineup = {m["tag"]: len(m.get("attacks", [])) for m in war["clan"]["members"]}
    assert df.attrs["war_state"] == war["state"] == "inWar"
    for row in df.itertuples():
        assert row.in_war == (row.tag in lineup)
        if row.tag in lineup:
            assert row.war_attacks_used == lineup[row.tag]
            assert row.war_attacks_used + row.war_attacks_left == war["attacksPerMember"]
        else:
            assert pd.isna(row.war_attacks_used) and pd.isna(row.war_attacks_left)

    season = league.medals.set_index("tag")
    for row in df.itertuples():
        if row.tag in season.index:
            assert row.cwl_wars == season.loc[row.tag, "wars"]
            assert row.cwl_attacks_missed == season.loc[row.tag, "attacks_missed"]
            assert row.cwl_attacks_left == season.loc[row.tag, "attacks_remaining"]
        else:
            assert row.cwl_wars == 0
    assert df.attrs["cwl_season"] == league.clans["season"].iloc[0]

    raids = cf.raids(world.clan_tag, client=client, max_seasons=3).members
    attacked = raids[raids["attacks"] > 0].groupby("tag").size()
    assert len(df.attrs["raid_weekends"]) == 3
    assert every(df.set_index("tag")["raid_weekends"]
                 == attacked.reindex(df["tag"], fill_value=0).to_numpy())
    assert df["raid_weekends"].max() <= 3


def test_participation_of_a_private_war_log_leaves_war_columns_blank_and_says_why(
        client, world):
    df = cf.participation(world.private_clan_tag, client=client)
    assert len(df) > 0
    for column in ("war_state", "in_war", "war_attacks_used", "cwl_wars", "cwl_attacks_used"):
        assert df[column].isna().all(), column
    assert "private" in df.attrs["unavailable"]["war"]
    assert df["raid_weekends"].notna().all()


def test_participation_of_a_clan_not_in_war_or_cwl(client, world):
    df = cf.participation(world.not_in_war_clan_tag, client=client)
    assert every(df["war_state"] == "notInWar")
    assert every(df["in_war"] == False)  # noqa: E712 (a nullable boolean column)
    assert df["cwl_wars"].isna().all()
    assert "no Clan War League group" in df.attrs["unavailable"]["cwl"]


@pytest.mark.parametrize("weekends", [0, -1, 1.5, "4", True, None])
def test_participation_refuses_a_bad_number_of_weekends(client, world, weekends):
    with pytest.raises((ValueError, TypeError), match="weekends"):
        cf.participation(world.clan_tag, weekends=weekends, client=client)


def test_participation_of_an_unknown_clan_raises_not_found(client, world):
    with pytest.raises(cf.NotFoundError):
        cf.participation(world.unknown_tag, client=client)


def test_medals_and_participation_survive_mutated_wars(league):
    wars = copy.deepcopy(league._wars)
    for war in wars.values():
        for member in war["clan"]["members"][:2]:
            member["attacks"] = "not a list"
            member["townhallLevel"] = None
    medals = build_cwl_medals(league._group, wars, league.clan_tag)
    assert_contract(medals, CWL_MEDALS)
    assert len(medals) == len(league.medals)
