"""Locations, leagues, labels, gold pass and rankings (including 25,000+ row legend seasons)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from . import catalog
from .clans import location_obj
from .common import clan_badge, label_icons, league_icons, tier_icons
from .players import league_obj, ranked_member, ranked_tag, tier_obj

if TYPE_CHECKING:
    from .world import Clan, Member, World

RANKING_LIMIT = 200
LEGEND_SEASON_ROWS = 25_600
FIRST_LEGEND_SEASON = (2015, 7)


def locations(world: World) -> list[dict]:
    """Return every location (regions first, then countries)."""
    return [location_obj(world, lid) for lid, _, _ in catalog.LOCATIONS]


def leagues() -> list[dict]:
    """Return the home-village leagues."""
    return [{"id": lid, "name": name, "iconUrls": league_icons(lid)}
            for lid, name in catalog.LEAGUES]


def league_tiers() -> list[dict]:
    """Return the ranked league tiers."""
    return [{"id": tid, "name": name, "iconUrls": tier_icons(icon)}
            for tid, name, icon in catalog.LEAGUE_TIERS]


def simple(table: list[tuple[int, str]]) -> list[dict]:
    """Return ``{"id", "name"}`` objects for a league table."""
    return [{"id": lid, "name": name} for lid, name in table]


def labels(table: tuple[tuple[int, str], ...]) -> list[dict]:
    """Return label objects."""
    return [{"id": lid, "name": name, "iconUrls": label_icons(lid)} for lid, name in table]


def gold_pass(world: World) -> dict:
    """Return the current gold pass season (first of the month 08:00 UTC to the next)."""
    start = world.now.replace(day=1, hour=8, minute=0, second=0, microsecond=0)
    if start > world.now:
        start = (start - timedelta(days=1)).replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return {"startTime": start.strftime("%Y%m%dT%H%M%S.000Z"),
            "endTime": end.strftime("%Y%m%dT%H%M%S.000Z")}


def legend_seasons(world: World) -> list[str]:
    """Return the ids (``YYYY-MM``) of completed legend seasons, oldest first."""
    year, month = FIRST_LEGEND_SEASON
    out = []
    last = world.now.replace(day=1, tzinfo=timezone.utc) - timedelta(days=1)
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _in_location(world: World, clan: Clan, location: int | None) -> bool:
    if location is None:
        return True
    if clan.location_id is None:
        return False
    if clan.location_id == location:
        return True
    regions = {32000000: {"FR", "DE", "GB", "ES", "IT", "NL", "TR", "PL"},
               32000001: {"US", "CA", "MX"}, 32000002: {"BR", "AR"},
               32000003: {"IN", "JP", "CN", "KR", "VN", "ID"}}
    code = world.locations[clan.location_id][2]
    return code in regions.get(location, set())


def _clan_row(world: World, clan: Clan, rank: int, points_key: str, points: int) -> dict:
    row: dict = {"tag": clan.tag, "name": clan.name}
    if clan.location_id is not None:
        row["location"] = location_obj(world, clan.location_id)
    row.update({"badgeUrls": clan_badge(world.seed, clan), "clanLevel": clan.level,
                "members": len(clan.members)})
    row[points_key] = points
    row.update({"rank": rank, "previousRank": rank + (clan.index % 5) - 2 if rank > 2 else rank})
    return row


def clan_rankings(world: World, location: int | None, kind: str) -> list[dict]:
    """Return clan rankings of ``kind`` (``clans``, ``clans-builder-base``, ``capitals``)."""
    key, value = {
        "clans": ("clanPoints", lambda c: c.points),
        "clans-builder-base": ("clanBuilderBasePoints", lambda c: c.bb_points),
        "capitals": ("clanCapitalPoints", lambda c: c.capital_points),
    }[kind]
    clans = sorted((c for c in world.clans if _in_location(world, c, location)),
                   key=lambda c: (-value(c), c.index))
    return [_clan_row(world, c, i, key, value(c)) for i, c in enumerate(clans, 1)]


def _clan_ref(world: World, m: Member) -> dict | None:
    clan = world.clan_of(m)
    if clan is None:
        return None
    return {"tag": clan.tag, "name": clan.name, "badgeUrls": clan_badge(world.seed, clan)}


def player_rankings(world: World, location: int | None, builder_base: bool) -> list[dict]:
    """Return up to 200 player rankings (home or builder base) of the world's players."""
    pool = [p for p in world.players
            if (c := world.clan_of(p)) is not None and _in_location(world, c, location)]
    if location is None:
        pool = list(world.players)
    score = (lambda p: p.bb_trophies) if builder_base else (lambda p: p.trophies)
    pool.sort(key=lambda p: (-score(p), p.index))
    rows = []
    for rank, p in enumerate(pool[:RANKING_LIMIT], 1):
        row: dict = {"tag": p.tag, "name": p.name, "expLevel": p.exp}
        if builder_base:
            row["builderBaseTrophies"] = p.bb_trophies
        else:
            row.update({"trophies": p.trophies, "attackWins": p.index % 90,
                        "defenseWins": p.index % 7})
        row.update({"rank": rank, "previousRank": max(1, rank + p.index % 7 - 3)})
        clan = _clan_ref(world, p)
        if clan is not None:
            row["clan"] = clan
        if builder_base:
            from .players import bb_league_obj

            row["builderBaseLeague"] = bb_league_obj(p.bb_trophies)
        elif p.has_league:
            row["league"] = league_obj(p.trophies)
            row["leagueTier"] = tier_obj(p)
        rows.append(row)
    return rows


def legend_rows(world: World, season: str, start: int, stop: int) -> list[dict]:
    """Return rows ``start..stop`` of a legend season's final ranking (generated on demand).

    Row ``r`` of season ``s`` is ranking player ``(r + offset(s)) mod 30000``; its profile is
    fetchable by tag.
    """
    year, month = map(int, season.split("-"))
    offset = (year * 12 + month) * 7919
    from .world import RANKED_PLAYERS

    rows = []
    for rank in range(start + 1, stop + 1):
        index = (rank - 1 + offset) % RANKED_PLAYERS
        tag = ranked_tag(world, index)
        member = ranked_member(world, tag)
        assert member is not None
        trophies = int(6900 - (rank ** 0.5) * 9.5)
        row: dict = {"tag": tag, "name": member.name, "expLevel": member.exp,
                     "trophies": trophies, "attackWins": 20 + (index * 7) % 180,
                     "defenseWins": (index * 3) % 12, "rank": rank}
        rows.append(row)
    return rows


def season_start(season: str) -> datetime:
    """Return the first day (UTC) of a ``YYYY-MM`` season id."""
    return datetime.strptime(season + "-01", "%Y-%m-%d").replace(tzinfo=timezone.utc)
