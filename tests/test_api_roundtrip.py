"""Every frame the public functions return can be saved and read back with its values, dtypes
and ``df.attrs``: Parquet, Feather and pickle (pandas writes ``attrs`` as JSON into Parquet
and Feather metadata, so every attr must be JSON-serialisable)."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import pytest
from test_client_network import expire_all

import cocframes as cf
from cocframes.demo import World

BAD = "#PPPPPPPP"


@pytest.fixture(scope="module")
def world() -> World:
    return World()


@pytest.fixture(scope="module")
def client() -> cf.Client:
    with cf.Client(demo=True, cache=False, progress=False) as c:
        yield c


def _cases() -> list[tuple[str, object]]:
    """(name, function of (client, world) returning a frame) for every public frame."""
    cases: list[tuple[str, object]] = [
        ("members", lambda c, w: cf.members(w.clan_tag, client=c)),
        ("players", lambda c, w: cf.players(w.player_tags[:3], client=c)),
        ("units", lambda c, w: cf.units(w.player_tags[:2], client=c)),
        ("achievements", lambda c, w: cf.achievements(w.player_tags[:2], client=c)),
        ("war_attacks", lambda c, w: cf.war_attacks(w.clan_tag, client=c)),
        ("war_attacks_not_in_war", lambda c, w: cf.war_attacks(w.not_in_war_clan_tag, client=c)),
        ("war_members", lambda c, w: cf.war_members(w.clan_tag, client=c)),
        ("war_log", lambda c, w: cf.war_log(w.clan_tag, client=c)),
        ("war.attacks", lambda c, w: cf.war(w.clan_tag, client=c).attacks),
        ("war.members", lambda c, w: cf.war(w.clan_tag, client=c).members),
        ("participation", lambda c, w: cf.participation(w.clan_tag, client=c)),
        ("participation_private", lambda c, w: cf.participation(w.private_clan_tag, client=c)),
        ("legend_rankings", lambda c, w: cf.legend_rankings(client=c, max_items=50)),
        ("battle_log", lambda c, w: cf.battle_log(w.player_tags[0], client=c)),
        ("league_history", lambda c, w: cf.league_history(w.player_tags[0], client=c)),
        ("locations", lambda c, w: cf.locations(client=c)),
        ("search_clans", lambda c, w: cf.search_clans(location="France", client=c)),
    ]
    cases += [(f"cwl.{part}", lambda c, w, p=part: getattr(cf.cwl(w.clan_tag, client=c), p))
              for part in ("clans", "rounds", "attacks", "lineup", "medals")]
    cases += [(f"raids.{part}", lambda c, w, p=part: getattr(cf.raids(w.clan_tag, client=c), p))
              for part in ("seasons", "members", "districts")]
    cases += [(f"rankings.{kind}", lambda c, w, k=kind: cf.rankings("global", k, client=c,
                                                                    max_items=30))
              for kind in ("players", "clans", "builder_base_players", "builder_base_clans",
                           "capitals")]
    cases += [(f"leagues.{kind}", lambda c, w, k=kind: cf.leagues(k, client=c))
              for kind in ("leagues", "league_tiers", "war_leagues", "builder_base_leagues",
                           "capital_leagues")]
    cases += [(f"labels.{kind}", lambda c, w, k=kind: cf.labels(k, client=c))
              for kind in ("clans", "players")]
    return cases


CASES = _cases()


def test_the_cases_cover_every_public_frame_function():
    from test_api_frames import FRAME_FUNCTIONS

    covered = {name.split(".")[0] for name, _ in CASES}
    assert covered >= set(FRAME_FUNCTIONS)


def _assert_round_trip(df: pd.DataFrame, back: pd.DataFrame) -> None:
    if df.empty:
        # Same columns and dtypes, category columns included (pandas reads the categories of
        # an empty category column back as objects; there are none to compare).
        assert list(back.columns) == list(df.columns) and back.empty
        assert [str(t) for t in back.dtypes] == [str(t) for t in df.dtypes]
    else:
        # An all-NA category column has no categories; Parquet stores it as a null column
        # and pandas reads the (empty) categories back as objects instead of strings.
        empty = [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)
                 and len(df[c].cat.categories) == 0]
        for column in empty:
            assert isinstance(back[column].dtype, pd.CategoricalDtype)
            assert back[column].isna().all()
        pd.testing.assert_frame_equal(back.drop(columns=empty), df.drop(columns=empty))
    assert back.attrs == df.attrs


@pytest.mark.parametrize(("name", "make"), CASES, ids=[name for name, _ in CASES])
def test_every_frame_round_trips_with_its_attrs(client, world, tmp_path, name, make):
    df = make(client, world)
    json.dumps(df.attrs)  # every attr is plain JSON
    fetched_at = datetime.fromisoformat(df.attrs["fetched_at"])
    assert fetched_at.utcoffset().total_seconds() == 0, "UTC"
    df.to_parquet(tmp_path / "f.parquet")
    _assert_round_trip(df, pd.read_parquet(tmp_path / "f.parquet"))
    df.to_feather(tmp_path / "f.feather")
    _assert_round_trip(df, pd.read_feather(tmp_path / "f.feather"))
    df.to_pickle(tmp_path / "f.pkl")
    _assert_round_trip(df, pd.read_pickle(tmp_path / "f.pkl"))


def test_a_frame_with_failures_round_trips(client, world, tmp_path):
    with pytest.warns(UserWarning, match="could not be fetched"):
        df = cf.units([world.player_tags[0], BAD, "not a tag!"], client=client)
    assert set(df.attrs["failures"]) == {BAD, "not a tag!"}
    df.to_parquet(tmp_path / "f.parquet")
    _assert_round_trip(df, pd.read_parquet(tmp_path / "f.parquet"))


def test_a_stale_frame_round_trips(tmp_path, world):
    """A frame served from an expired cache entry says so, and keeps saying so on disk."""
    with cf.Client(demo=True, cache_dir=tmp_path, progress=False) as online:
        cf.members(world.clan_tag, client=online)
        assert expire_all(online) == 1
    with (cf.Client(demo=True, offline=True, cache_dir=tmp_path, progress=False) as offline,
          pytest.warns(cf.StaleDataWarning)):
        df = cf.members(world.clan_tag, client=offline)
    assert df.attrs["stale"] is True and df.attrs["from_cache"] is True
    df.to_parquet(tmp_path / "f.parquet")
    _assert_round_trip(df, pd.read_parquet(tmp_path / "f.parquet"))


def test_an_empty_frame_keeps_its_category_dtypes(client, world, tmp_path):
    df = cf.war_attacks(world.not_in_war_clan_tag, client=client)
    assert df.empty
    df.to_parquet(tmp_path / "f.parquet")
    back = pd.read_parquet(tmp_path / "f.parquet")
    assert {c: str(t) for c, t in back.dtypes.items()} == {
        c: str(t) for c, t in df.dtypes.items()}

