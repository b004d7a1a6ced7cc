"""Frames of rankings and reference lists: location rankings, the Legend League's season
rankings, locations, leagues and labels. Kinds are any spelling :mod:`cocframes.kinds`
accepts; the frames record the canonical one (``kind`` column and ``df.attrs["kind"]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cocframes._frame_common import all_pages, client_or_default, provenance
from cocframes.checks import count
from cocframes.client import Client, Fetched
from cocframes.frames import specs
from cocframes.frames._columns import documented
from cocframes.kinds import label_kind, league_kind, ranking_kind

if TYPE_CHECKING:
    import pandas as pd


def _with_kind(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Record the canonical ``kind`` in ``df.attrs`` (an empty frame has no row to say it)."""
    df.attrs["kind"] = kind
    return df


@documented(specs.PLAYER_RANKINGS, specs.CLAN_RANKINGS,
            titles=("player kinds", "clan kinds (clans, builder_base_clans, capitals)"))
def rankings(location: int | str = "global", kind: str = "players", *,
             client: Client | None = None, max_items: int | None = None) -> pd.DataFrame:
    """Return a location's ranking of ``kind`` (``players``, ``clans``,
    ``builder_base_players``, ``builder_base_clans``, ``capitals``, or another spelling such
    as ``"capital"`` or ``"players-builder-base"``); the location is an id, a name, a country
    code or ``"global"``; ``max_items`` an int >= 1 or ``None`` (all)."""
    from cocframes.frames import rankings as frames

    table = ranking_kind(kind)
    max_items = count("max_items", max_items, allow_none=True)
    client = client_or_default(client)
    location_id = client.resolve.location(location)
    pages, items = all_pages(client, table.operation, max_items, locationId=location_id)
    if table.subject == "players":
        df = frames.build_player_rankings(items, kind=table.name, location_id=location_id)
    else:
        df = frames.build_clan_rankings(items, kind=table.name)
    return _with_kind(provenance(df, pages, table.operation), table.name)


LEGEND_LEAGUE_ID = 29000022


@documented(specs.PLAYER_RANKINGS)
def legend_rankings(season: str | None = None, *, client: Client | None = None,
                    max_items: int | None = None, page_size: int = 5000) -> pd.DataFrame:
    """Return the Legend League's final ranking of ``season`` (e.g. ``"2025-10"``; default:
    the latest finished season), paging through every row (25,000+) or the first
    ``max_items`` (an int >= 1), ``page_size`` (an int >= 1) rows per request."""
    from cocframes.frames.rankings import build_player_rankings

    max_items = count("max_items", max_items, allow_none=True)
    page_size = count("page_size", page_size, allow_none=False)
    client = client_or_default(client)
    fetched: list[Fetched] = []
    if season is None:
        season_pages, seasons = all_pages(client, "getLeagueSeasons", leagueId=LEGEND_LEAGUE_ID)
        if not seasons:
            raise LookupError("the API lists no Legend League season yet")
        season = max(str(item["id"]) for item in seasons)
        fetched.extend(season_pages)
    pages, items = all_pages(client, "getLeagueSeasonRankings", max_items,
                             page_size=page_size, leagueId=LEGEND_LEAGUE_ID, seasonId=season)
    df = build_player_rankings(items, kind="legend_season", season_id=season)
    return _with_kind(provenance(df, fetched + pages, "getLeagueSeasonRankings"),
                      "legend_season")


@documented(specs.LOCATIONS)
def locations(*, client: Client | None = None) -> pd.DataFrame:
    """Return one row per location (regions and countries)."""
    from cocframes.frames.reference import build_locations

    pages, items = all_pages(client_or_default(client), "getLocations")
    return provenance(build_locations(items), pages, "getLocations")


@documented(specs.LEAGUES)
def leagues(kind: str = "league_tiers", *, client: Client | None = None) -> pd.DataFrame:
    """Return one row per league of ``kind``: ``leagues``, ``league_tiers``, ``war_leagues``,
    ``builder_base_leagues``, ``capital_leagues``, or a short form (``"tiers"``, ``"war"``,
    ``"builder"``, ``"capital"``), a singular, or the API's path name (``"warleagues"``)."""
    from cocframes.frames.reference import build_leagues

    table = league_kind(kind)
    pages, items = all_pages(client_or_default(client), table.operation)
    return _with_kind(provenance(build_leagues(items, kind=table.name), pages, table.operation),
                      table.name)


@documented(specs.LABELS)
def labels(kind: str = "clans", *, client: Client | None = None) -> pd.DataFrame:
    """Return one row per clan or player label (``kind``: ``clans`` / ``players``, singular
    or plural)."""
    from cocframes.frames.reference import build_labels

    table = label_kind(kind)
    pages, items = all_pages(client_or_default(client), table.operation)
    return _with_kind(provenance(build_labels(items, kind=table.name), pages, table.operation),
                      table.name)
