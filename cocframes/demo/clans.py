"""Clan payloads: ``/clans/{tag}``, members, and clan search with its filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from . import catalog
from .common import clan_badge, label_icons
from .players import bb_league_obj, league_obj, player_house, tier_obj

if TYPE_CHECKING:
    from .world import Clan, Member, World


def location_obj(world: World, location_id: int) -> dict:
    """Return a ``Location`` object."""
    lid, name, code = world.locations[location_id]
    out: dict = {"id": lid, "name": name, "isCountry": code is not None}
    if code:
        out["countryCode"] = code
    return out


def member_obj(world: World, m: Member) -> dict:
    """Return one ``ClanMember`` (as in ``memberList`` and ``/members``)."""
    out: dict = {"tag": m.tag, "name": m.name, "role": m.role, "townHallLevel": m.th,
                 "expLevel": m.exp}
    if m.has_league:
        out["league"] = league_obj(m.trophies)
        out["leagueTier"] = tier_obj(m)
    out.update({"trophies": m.trophies, "builderBaseTrophies": m.bb_trophies,
                "clanRank": m.clan_rank, "previousClanRank": m.previous_clan_rank,
                "donations": m.donations, "donationsReceived": m.received,
                "playerHouse": player_house(world.seed, m.tag),
                "builderBaseLeague": bb_league_obj(m.bb_trophies)})
    return out


def members(world: World, clan: Clan) -> list[dict]:
    """Return the clan's members, ordered by clan rank."""
    return [member_obj(world, m) for m in sorted(clan.members, key=lambda m: m.clan_rank)]


def clan_obj(world: World, clan: Clan, *, with_members: bool = True) -> dict:
    """Return the ``/clans/{tag}`` payload (``memberList`` omitted in search results)."""
    out: dict = {"tag": clan.tag, "name": clan.name, "type": clan.type}
    if clan.description is not None:
        out["description"] = clan.description
    if clan.location_id is not None:
        out["location"] = location_obj(world, clan.location_id)
    out.update({
        "isFamilyFriendly": clan.family_friendly,
        "badgeUrls": clan_badge(world.seed, clan),
        "clanLevel": clan.level,
        "clanPoints": clan.points,
        "clanBuilderBasePoints": clan.bb_points,
        "clanCapitalPoints": clan.capital_points,
        "capitalLeague": _named(catalog.CAPITAL_LEAGUES, clan.capital_league),
        "requiredTrophies": clan.required_trophies,
        "warFrequency": clan.war_frequency,
        "warWinStreak": clan.war_win_streak,
        "warWins": clan.war_wins,
    })
    if clan.war_log_public:
        out["warTies"] = clan.war_ties
        out["warLosses"] = clan.war_losses
    out.update({
        "isWarLogPublic": clan.war_log_public,
        "warLeague": _named(catalog.WAR_LEAGUES, clan.war_league),
        "members": len(clan.members),
    })
    if with_members:
        out["memberList"] = members(world, clan)
    out["labels"] = [{"id": lid, "name": dict(catalog.CLAN_LABELS)[lid],
                      "iconUrls": label_icons(lid)} for lid in clan.labels]
    out["requiredBuilderBaseTrophies"] = clan.required_trophies // 2
    out["requiredTownhallLevel"] = clan.required_th
    out["clanCapital"] = {"capitalHallLevel": clan.capital_hall,
                          "districts": capital_districts(clan.capital_hall)}
    if clan.language is not None:
        lid, name, code = clan.language
        out["chatLanguage"] = {"id": lid, "name": name, "languageCode": code}
    return out


def capital_districts(hall: int) -> list[dict]:
    """Return the districts of a clan capital whose capital hall is at level ``hall``."""
    return [{"id": did, "name": name,
             "districtHallLevel": hall if i == 0 else max(1, min(5, hall // 2))}
            for i, (did, name) in enumerate(catalog.DISTRICTS[:max(1, min(9, hall - 1))])]


def _named(table: list[tuple[int, str]], league_id: int) -> dict:
    return {"id": league_id, "name": dict(table)[league_id]}


class SearchError(ValueError):
    """Bad search parameters (answered as 400 ``badRequest``)."""


def search(world: World, query: Mapping[str, str]) -> list[dict]:
    """Return the clans matching ``searchClans`` filters, in the world's order.

    Raises:
        SearchError: when no filter is given, the name is shorter than 3 characters, or a
            numeric filter is not a number.
    """
    filters = ("name", "warFrequency", "locationId", "minMembers", "maxMembers",
               "minClanPoints", "minClanLevel", "labelIds")
    if not any(query.get(f) for f in filters):
        raise SearchError("At least one filtering parameter must exist")
    name = query.get("name")
    if name is not None and len(name) < 3:
        raise SearchError("Name needs to be at least three characters long")

    def number(key: str) -> int | None:
        text = query.get(key)
        if not text:
            return None
        try:
            return int(text)
        except ValueError as exc:
            raise SearchError(f"Invalid value for {key}: {text!r}") from exc

    location = number("locationId")
    min_members, max_members = number("minMembers"), number("maxMembers")
    min_points, min_level = number("minClanPoints"), number("minClanLevel")
    try:
        labels = {int(x) for x in query.get("labelIds", "").split(",") if x.strip()}
    except ValueError as exc:
        raise SearchError("Invalid labelIds") from exc
    out = []
    for clan in world.clans:
        if name and name.lower() not in clan.name.lower():
            continue
        if query.get("warFrequency") and clan.war_frequency != query["warFrequency"]:
            continue
        if location is not None and clan.location_id != location:
            continue
        if min_members is not None and len(clan.members) < min_members:
            continue
        if max_members is not None and len(clan.members) > max_members:
            continue
        if min_points is not None and clan.points < min_points:
            continue
        if min_level is not None and clan.level < min_level:
            continue
        if labels and not labels <= set(clan.labels):
            continue
        out.append(clan_obj(world, clan, with_members=False))
    return out
