"""The one table of league, ranking and label kinds (:mod:`cocframes.kinds`): every kind lists
an official operation, and its canonical names are the ones the frame builders record."""

from __future__ import annotations

import pytest

from cocframes import kinds
from cocframes.frames.rankings import CLAN_KINDS, PLAYER_KINDS
from cocframes.frames.reference import LABEL_KINDS, LEAGUE_KINDS
from cocframes.operations import BY_NAME


@pytest.mark.parametrize("kind", kinds.LEAGUES + kinds.RANKINGS + kinds.LABELS,
                         ids=lambda k: f"{k.operation}")
def test_every_kind_lists_an_official_paged_operation(kind):
    assert BY_NAME[kind.operation].paged


def test_canonical_names_are_the_frames_kinds():
    assert {k.name for k in kinds.LEAGUES} == set(LEAGUE_KINDS.values())
    assert {k.name for k in kinds.LABELS} == set(LABEL_KINDS.values())
    players = {k.name for k in kinds.RANKINGS if k.subject == "players"}
    clans = {k.name for k in kinds.RANKINGS if k.subject == "clans"}
    assert players <= set(PLAYER_KINDS.values())
    assert clans == set(CLAN_KINDS.values())


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
