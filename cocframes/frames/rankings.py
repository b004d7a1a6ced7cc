"""Rankings and other lists of players and clans: location rankings (players, builder base
players, clans, builder base clans, capitals), legend season rankings, clan search results,
a player's battle log and ranked league history.

Pure builders (JSON in, DataFrame out, no I/O). Each accepts either the payload dict (with
``items``) or the list of items, so pages can be concatenated before building. Columns are
filled from lists built in one pass per column, so a 25,000-row legend season builds fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cocframes.frames._columns import documented
from cocframes.frames._paths import build_from_paths
from cocframes.frames._payload import items_of, obj
from cocframes.frames.specs import (
    BATTLE_LOG,
    CLAN_RANKINGS,
    CLAN_SEARCH,
    LEAGUE_HISTORY,
    LOOT_LISTS,
    PLAYER_RANKINGS,
    RESOURCES,
)
from cocframes.kinds import ranking_kind

__all__ = [
    "BATTLE_LOG",
    "CLAN_RANKINGS",
    "CLAN_SEARCH",
    "LEAGUE_HISTORY",
    "PLAYER_RANKINGS",
    "build_battle_log",
    "build_clan_rankings",
    "build_clan_search",
    "build_league_history",
    "build_player_rankings",
]


def _unranked_last_time(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with ``previous_rank`` NA where the API sends -1 (not ranked last
    time)."""
    previous = df["previous_rank"]
    values = previous.to_numpy(dtype="int64", na_value=0)
    df["previous_rank"] = pd.arrays.IntegerArray(
        values, previous.isna().to_numpy() | (values == -1))
    return df


# ------------------------------------------------------------------------ player rankings

@documented(PLAYER_RANKINGS)
def build_player_rankings(items: Any, kind: str | None = None, *,
                          location_id: int | str | None = None,
                          season_id: str | None = None) -> pd.DataFrame:
    """Return one row per ranked player of a player ranking payload (or its list of items).

    Covers ``/locations/{id}/rankings/players``, ``.../players-builder-base`` and
    ``/leagues/{id}/seasons/{seasonId}`` (legend season rankings, 25,000+ rows once pages
    are concatenated).

    Args:
        items: the payload, or its items (e.g. several pages concatenated).
        kind: ``players``, ``builder_base_players`` (or the endpoint name
            ``players-builder-base``) or ``legend_season``. ``None`` infers it:
            ``legend_season`` when ``season_id`` is given, ``builder_base_players`` when an
            item has ``builderBaseTrophies``, else ``players``.
        location_id: the location the ranking was fetched for (``None`` or ``"global"`` for
            global).
        season_id: the legend season id (``YYYY-MM``) of a legend season ranking.

    Raises:
        ValueError: for an unknown ``kind``.
    """
    rows = items_of(items)
    if kind is None:
        if season_id is not None:
            kind = "legend_season"
        elif any("builderBaseTrophies" in i for i in rows):
            kind = "builder_base_players"
        else:
            kind = "players"
    if kind != "legend_season":
        kind = _ranking_of(kind, "players")
    builder = kind == "builder_base_players"
    league = "builderBaseLeague" if builder else "league"
    df = build_from_paths(PLAYER_RANKINGS, rows, {
        "rank": "rank",
        "previous_rank": "previousRank",
        "tag": "tag",
        "name": "name",
        "exp_level": "expLevel",
        "trophies": "builderBaseTrophies" if builder else "trophies",
        "attack_wins": "attackWins",
        "defense_wins": "defenseWins",
        "league_id": f"{league}.id",
        "league_name": f"{league}.name",
        "league_tier_id": "leagueTier.id",
        "league_tier_name": "leagueTier.name",
        "clan_tag": "clan.tag",
        "clan_name": "clan.name",
    }, constants={"kind": kind, "season_id": season_id, "location_id": location_id})
    return _unranked_last_time(df)


# -------------------------------------------------------------------------- clan rankings
_CLAN_POINTS = {"clans": "clanPoints", "builder_base_clans": "clanBuilderBasePoints",
                "capitals": "clanCapitalPoints"}

@documented(CLAN_RANKINGS)
def build_clan_rankings(items: Any, kind: str | None = None) -> pd.DataFrame:
    """Return one row per ranked clan of a clan ranking payload (or its list of items).

    Covers ``/locations/{id}/rankings/clans``, ``.../clans-builder-base`` and
    ``.../capitals``.

    Args:
        items: the payload, or its items.
        kind: ``clans``, ``builder_base_clans`` (or ``clans-builder-base``) or ``capitals``.
            ``None`` infers it from the points key the items carry (``clanCapitalPoints`` →
            capitals, ``clanBuilderBasePoints`` → builder_base_clans, else clans).

    Raises:
        ValueError: for an unknown ``kind``.
    """
    rows = items_of(items)
    if kind is None:
        if any("clanCapitalPoints" in i for i in rows):
            kind = "capitals"
        elif any("clanBuilderBasePoints" in i for i in rows):
            kind = "builder_base_clans"
        else:
            kind = "clans"
    kind = _ranking_of(kind, "clans")
    df = build_from_paths(CLAN_RANKINGS, rows, {
        "rank": "rank", "previous_rank": "previousRank", "tag": "tag", "name": "name",
        "clan_level": "clanLevel", "members": "members", "points": _CLAN_POINTS[kind],
        "location_id": "location.id", "location_name": "location.name",
        "country_code": "location.countryCode",
    }, constants={"kind": kind})
    return _unranked_last_time(df)


# ---------------------------------------------------------------------------- clan search
def _label_names(value: Any) -> str | None:
    if not isinstance(value, list):
        return None
    return ", ".join(n for x in value if isinstance(n := obj(x).get("name"), str))


@documented(CLAN_SEARCH)
def build_clan_search(items: Any) -> pd.DataFrame:
    """Return one row per clan of a ``/clans?name=...`` (searchClans) payload or its items.

    A list of full ``/clans/{tag}`` payloads builds too (their member lists are ignored).
    """
    rows = items_of(items)
    return build_from_paths(CLAN_SEARCH, rows, {
        "tag": "tag", "name": "name", "type": "type", "clan_level": "clanLevel",
        "members": "members", "clan_points": "clanPoints",
        "clan_builder_base_points": "clanBuilderBasePoints",
        "clan_capital_points": "clanCapitalPoints", "war_frequency": "warFrequency",
        "war_win_streak": "warWinStreak", "war_wins": "warWins", "war_ties": "warTies",
        "war_losses": "warLosses", "is_war_log_public": "isWarLogPublic",
        "is_family_friendly": "isFamilyFriendly", "war_league": "warLeague.name",
        "capital_league": "capitalLeague.name", "location_id": "location.id",
        "location_name": "location.name", "country_code": "location.countryCode",
        "chat_language": "chatLanguage.name", "required_trophies": "requiredTrophies",
        "required_builder_base_trophies": "requiredBuilderBaseTrophies",
        "required_townhall_level": "requiredTownhallLevel",
        "required_league_tier": "requiredLeagueTier.name",
    }, computed={"labels": [_label_names(i.get("labels")) for i in rows]})


# ----------------------------------------------------------------------------- battle log

def _amounts(value: Any) -> dict[str, Any]:
    if not isinstance(value, list):
        return {}
    return {x["name"]: x.get("amount") for x in value
            if isinstance(x, Mapping) and isinstance(x.get("name"), str)}


@documented(BATTLE_LOG)
def build_battle_log(payload: Any, player_tag: str | None) -> pd.DataFrame:
    """Return one row per battle of a ``/players/{tag}/battlelog`` payload (or its items).

    Loot lists (``lootedResources``, ``extraLootedResources``, ``availableLoot``) are spread
    into one column per resource (gold, elixir, dark elixir); other resources are dropped.

    Args:
        payload: the payload, or its items.
        player_tag: the player's tag, repeated in ``player_tag``.
    """
    rows = items_of(payload)
    loot: dict[str, list[Any]] = {}
    for prefix, key, _ in LOOT_LISTS:
        lists = [_amounts(i.get(key)) for i in rows]
        for res, name in RESOURCES:
            loot[f"{prefix}_{res}"] = [x.get(name) for x in lists]
    return build_from_paths(BATTLE_LOG, rows, {
        "battle_time": "battleTimestamp", "battle_type": "battleType", "attack": "attack",
        "opponent_player_tag": "opponentPlayerTag", "opponent_name": "opponentName",
        "opponent_town_hall_level": "opponentTownHallLevel", "stars": "stars",
        "destruction": "destructionPercentage", "army_share_code": "armyShareCode",
        "duration_seconds": "battleTime",
    }, constants={"player_tag": player_tag}, computed=loot)


# ------------------------------------------------------------------------- league history
def _tier_names(tiers: Any) -> dict[Any, Any]:
    if isinstance(tiers, Mapping) and "items" not in tiers:
        return dict(tiers)
    return {i.get("id"): i.get("name") for i in items_of(tiers)}


@documented(LEAGUE_HISTORY)
def build_league_history(payload: Any, player_tag: str | None,
                         tiers: Any = None) -> pd.DataFrame:
    """Return one row per season of a ``/players/{tag}/leaguehistory`` payload (or its items).

    Args:
        payload: the payload, or its items.
        player_tag: the player's tag, repeated in ``player_tag``.
        tiers: optional league tier table to fill ``league_tier_name``: the ``/leaguetiers``
            payload or its items, or a dict tier id → name. Without it the names are NA.
    """
    rows = items_of(payload)
    names = _tier_names(tiers)
    tier_ids = [i.get("leagueTierId") for i in rows]
    return build_from_paths(LEAGUE_HISTORY, rows, {
        "league_season_id": "leagueSeasonId", "trophies": "leagueTrophies",
        "placement": "placement", "attack_wins": "attackWins", "attack_losses": "attackLosses",
        "attack_stars": "attackStars", "defense_wins": "defenseWins",
        "defense_losses": "defenseLosses", "defense_stars": "defenseStars",
        "max_battles": "maxBattles",
    }, constants={"player_tag": player_tag}, computed={
        "league_tier_id": tier_ids,
        "league_tier_name": [names.get(t) if isinstance(t, int) else None for t in tier_ids],
    })


def _ranking_of(kind: str, subject: str) -> str:
    """Return the canonical name of the ranking ``kind`` spells, which must rank ``subject``
    (``"players"`` or ``"clans"``).

    Raises:
        ValueError: for an unknown kind, or one that ranks the other subject.
    """
    found = ranking_kind(kind)
    if found.subject != subject:
        raise ValueError(f"{kind!r} is a ranking of {found.subject}, not of {subject}")
    return found.name
