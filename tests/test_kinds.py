"""The one table of league, ranking and label kinds (:mod:`cocframes.kinds`): every kind lists
an official operation, and its canonical names are the ones the frame builders record."""

from __future__ import annotations

import pytest

from cocframes import kinds
from cocframes.operations import BY_NAME


@pytest.mark.parametrize("kind", kinds.LEAGUES + kinds.RANKINGS + kinds.LABELS,
                         ids=lambda k: f"{k.operation}")
def test_every_kind_lists_an_official_paged_operation(kind):
    assert BY_NAME[kind.operation].paged


@pytest.mark.parametrize("kind", kinds.LEAGUES, ids=lambda k: k.name)
def test_league_frames_record_the_canonical_kind_whatever_the_spelling(kind):
    from cocframes.frames.reference import build_leagues

    for spelling in (kind.name, *kind.spellings):
        assert set(build_leagues([{"id": 1, "name": "x"}], kind=spelling)["kind"]) == {kind.name}


def test_ranking_frames_refuse_a_kind_of_the_other_subject():
    from cocframes.frames.rankings import build_clan_rankings, build_player_rankings

    with pytest.raises(ValueError, match="not of clans"):
        build_clan_rankings([], kind="players")
    with pytest.raises(ValueError, match="not of players"):
        build_player_rankings([], kind="capital")
    assert set(build_clan_rankings([{"rank": 1, "clanCapitalPoints": 5}],
                                   kind="clan-capitals")["kind"]) == {"capitals"}


@pytest.mark.parametrize("spelling", ["warleagues", "War Leagues", "war-league", "WAR", "cwl"])
def test_case_hyphens_spaces_and_plurals_are_ignored(spelling):
    assert kinds.league_kind(spelling).name == "war_leagues"


def test_the_client_spellings_still_resolve():
    for spelling, name in [("leagues", "leagues"), ("leaguetiers", "league_tiers"),
                           ("warleagues", "war_leagues"),
                           ("builderbaseleagues", "builder_base_leagues"),
                           ("capitalleagues", "capital_leagues")]:
        assert kinds.league_kind(spelling).name == name
    assert kinds.label_kind("clans").operation == "getClanLabels"
    assert kinds.label_kind("players").operation == "getPlayerLabels"


def test_a_kind_that_is_not_a_string_is_a_type_error():
    with pytest.raises(TypeError, match="league kind must be a string"):
        kinds.league_kind(None)
