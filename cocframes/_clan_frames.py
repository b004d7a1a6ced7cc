"""Frames of one clan or one player: members, capital raids, clan search, a player's battle
log and league history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cocframes._frame_common import all_pages, client_or_default, provenance
from cocframes.checks import count
from cocframes.client import Client
from cocframes.frames import specs
from cocframes.frames._columns import documented
from cocframes.tags import normalize_tag

if TYPE_CHECKING:
    import pandas as pd


@documented(specs.MEMBERS)
def members(clan: str, *, client: Client | None = None,
            refresh: bool = False) -> pd.DataFrame:
    """Return one row per member of ``clan``."""
    from cocframes.frames.players import build_members

    pages, items = all_pages(client_or_default(client), "getClanMembers", refresh=refresh,
                             clanTag=clan)
    return provenance(build_members(items, clan_tag=normalize_tag(clan)), pages,
                      "getClanMembers")


@dataclass
class RaidFrames:
    """A clan's capital raid seasons as frames.

    Attributes:
        seasons: one row per raid season.
        members: one row per season × member (attacks, limits, loot).
        districts: one row per season × raid (attack or defense log) × district.
    """

    seasons: pd.DataFrame
    members: pd.DataFrame
    districts: pd.DataFrame


@documented(specs.RAID_SEASONS, specs.RAID_MEMBERS, specs.RAID_DISTRICTS,
            titles=("``.seasons``", "``.members``", "``.districts``"))
def raids(clan: str, *, client: Client | None = None, max_seasons: int | None = 10) -> RaidFrames:
    """Return the clan's last ``max_seasons`` capital raid seasons (an int >= 1, or
    ``None``: all) as frames."""
    from cocframes.frames.raids import build_raid_districts, build_raid_members, build_raid_seasons

    max_seasons = count("max_seasons", max_seasons, allow_none=True)
    fetched = client_or_default(client).call("getCapitalRaidSeasons", clanTag=clan,
                                             limit=max_seasons)
    payload = fetched.payload
    source = "getCapitalRaidSeasons"
    return RaidFrames(
        seasons=provenance(build_raid_seasons(payload), [fetched], source),
        members=provenance(build_raid_members(payload), [fetched], source),
        districts=provenance(build_raid_districts(payload), [fetched], source),
    )


@documented(specs.CLAN_SEARCH)
def search_clans(name: str | None = None, *, client: Client | None = None,
                 max_items: int | None = 100, **filters: Any) -> pd.DataFrame:
    """Return one row per clan matching ``name`` and the API's filters (``war_frequency``,
    ``location`` (name, code or id), ``min_members``, ``max_members``, ``min_clan_points``,
    ``min_clan_level``, ``labels`` (names or ids)); at most ``max_items`` rows (an int >= 1,
    or ``None``: the API's default)."""
    from cocframes.frames.rankings import build_clan_search

    max_items = count("max_items", max_items, allow_none=True)
    fetched = client_or_default(client).search_clans_page(name, limit=max_items, **filters)
    return provenance(build_clan_search(fetched.payload.get("items") or []), [fetched],
                      "searchClans")


@documented(specs.BATTLE_LOG)
def battle_log(player: str, *, client: Client | None = None) -> pd.DataFrame:
    """Return one row per recent battle of ``player``."""
    from cocframes.frames.rankings import build_battle_log

    fetched = client_or_default(client).call("getBattleLog", playerTag=player)
    return provenance(build_battle_log(fetched.payload, player_tag=normalize_tag(player)),
                      [fetched], "getBattleLog")


@documented(specs.LEAGUE_HISTORY)
def league_history(player: str, *, client: Client | None = None) -> pd.DataFrame:
    """Return one row per past league season of ``player``."""
    from cocframes.frames.rankings import build_league_history

    fetched = client_or_default(client).call("getLeagueHistory", playerTag=player)
    return provenance(build_league_history(fetched.payload, player_tag=normalize_tag(player)),
                      [fetched], "getLeagueHistory")
