"""Rankings and other lists of players and clans: location rankings (players, builder base
players, clans, builder base clans, capitals), legend season rankings, clan search results,
a player's battle log and ranked league history.

Pure builders (JSON in, DataFrame out, no I/O). Each accepts either the payload dict (with
``items``) or the list of items, so pages can be concatenated before building. Columns are
filled from lists built in one pass per column, so a 25,000-row legend season builds fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from cocframes.frames._columns import (
    BOOL,
    CATEGORY,
    DATETIME,
    FLOAT,
    INT,
    STRING,
    documented,
    spec,
)
from cocframes.frames._payload import field_objs, items_of, obj
from cocframes.frames.reference import kind_of

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


def _previous_rank(values: Iterable[Any]) -> list[Any]:
    # The API sends previousRank -1 for an entry that was not ranked last time.
    return [None if v == -1 else v for v in values]


# ------------------------------------------------------------------------ player rankings
PLAYER_KINDS = {
    "players": "players",
    "builder_base_players": "builder_base_players",
    "players-builder-base": "builder_base_players",
    "players_builder_base": "builder_base_players",
    "legend_season": "legend_season",
}

PLAYER_RANKINGS = spec(
    "player_rankings", "ranked player",
    ("kind", CATEGORY, "players (home village trophies), builder_base_players (builder base "
                       "trophies) or legend_season (final ranking of a past legend season)"),
    ("season_id", STRING, "legend season id (YYYY-MM) for legend_season; NA otherwise"),
    ("location_id", INT, "location the ranking is for, as given by the caller; NA for global "
                         "rankings and legend seasons"),
    ("rank", INT, "rank in this ranking (1 = best)"),
    ("previous_rank", INT, "rank in the previous ranking; NA when new (the API sends -1) or "
                           "absent (legend seasons)"),
    ("tag", STRING, "player tag, with #"),
    ("name", STRING, "player name"),
    ("exp_level", INT, "experience level"),
    ("trophies", INT, "trophies; builder base trophies for builder_base_players"),
    ("attack_wins", INT, "attacks won this season (home village only)"),
    ("defense_wins", INT, "defenses won this season (home village only)"),
    ("league_id", INT, "league id: home village league (pre-2025), or builder base league "
                       "for builder_base_players"),
    ("league_name", STRING, "league name (same source as league_id)"),
    ("league_tier_id", INT, "ranked league tier id (2025+ rankings); NA in older captures"),
    ("league_tier_name", STRING, "ranked league tier name; NA in older captures"),
    ("clan_tag", STRING, "tag of the player's clan, with #; NA when clanless"),
    ("clan_name", STRING, "name of the player's clan; NA when clanless"),
)


@documented(PLAYER_RANKINGS)
def build_player_rankings(items: Any, kind: str | None = None, *,
                          location_id: int | None = None,
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
        location_id: the location the ranking was fetched for (``None`` for global).
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
    kind = kind_of(kind, PLAYER_KINDS)
    n = len(rows)
    builder = kind == "builder_base_players"
    trophies_key = "builderBaseTrophies" if builder else "trophies"
    leagues = field_objs(rows, "builderBaseLeague" if builder else "league")
    tiers = field_objs(rows, "leagueTier")
    clans = field_objs(rows, "clan")
    return PLAYER_RANKINGS.build({
        "kind": [kind] * n,
        "season_id": [season_id] * n,
        "location_id": [location_id] * n,
        "rank": [i.get("rank") for i in rows],
        "previous_rank": _previous_rank(i.get("previousRank") for i in rows),
        "tag": [i.get("tag") for i in rows],
        "name": [i.get("name") for i in rows],
        "exp_level": [i.get("expLevel") for i in rows],
        "trophies": [i.get(trophies_key) for i in rows],
        "attack_wins": [i.get("attackWins") for i in rows],
        "defense_wins": [i.get("defenseWins") for i in rows],
        "league_id": [x.get("id") for x in leagues],
        "league_name": [x.get("name") for x in leagues],
        "league_tier_id": [x.get("id") for x in tiers],
        "league_tier_name": [x.get("name") for x in tiers],
        "clan_tag": [x.get("tag") for x in clans],
        "clan_name": [x.get("name") for x in clans],
    })


# -------------------------------------------------------------------------- clan rankings
CLAN_KINDS = {
    "clans": "clans",
    "builder_base_clans": "builder_base_clans",
    "clans-builder-base": "builder_base_clans",
    "clans_builder_base": "builder_base_clans",
    "capitals": "capitals",
}
_CLAN_POINTS = {"clans": "clanPoints", "builder_base_clans": "clanBuilderBasePoints",
                "capitals": "clanCapitalPoints"}

CLAN_RANKINGS = spec(
    "clan_rankings", "ranked clan",
    ("kind", CATEGORY, "clans (clan points), builder_base_clans (builder base points) or "
                       "capitals (clan capital points)"),
    ("rank", INT, "rank in this ranking (1 = best)"),
    ("previous_rank", INT, "rank in the previous ranking; NA when new (the API sends -1)"),
    ("tag", STRING, "clan tag, with #"),
    ("name", STRING, "clan name"),
    ("clan_level", INT, "clan level"),
    ("members", INT, "number of members"),
    ("points", INT, "the points ranked on: clanPoints, clanBuilderBasePoints or "
                    "clanCapitalPoints, by kind"),
    ("location_id", INT, "the clan's location id; NA when it has none"),
    ("location_name", STRING, "the clan's location name"),
    ("country_code", STRING, "ISO 3166 alpha-2 code of the clan's location; NA for regions"),
)


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
    kind = kind_of(kind, CLAN_KINDS)
    points_key = _CLAN_POINTS[kind]
    locations = field_objs(rows, "location")
    return CLAN_RANKINGS.build({
        "kind": [kind] * len(rows),
        "rank": [i.get("rank") for i in rows],
        "previous_rank": _previous_rank(i.get("previousRank") for i in rows),
        "tag": [i.get("tag") for i in rows],
        "name": [i.get("name") for i in rows],
        "clan_level": [i.get("clanLevel") for i in rows],
        "members": [i.get("members") for i in rows],
        "points": [i.get(points_key) for i in rows],
        "location_id": [x.get("id") for x in locations],
        "location_name": [x.get("name") for x in locations],
        "country_code": [x.get("countryCode") for x in locations],
    })


# ---------------------------------------------------------------------------- clan search
CLAN_SEARCH = spec(
    "clan_search", "clan found by a clan search",
    ("tag", STRING, "clan tag, with #"),
    ("name", STRING, "clan name"),
    ("type", CATEGORY, "who may join: open, inviteOnly or closed"),
    ("clan_level", INT, "clan level"),
    ("members", INT, "number of members"),
    ("clan_points", INT, "home village clan points"),
    ("clan_builder_base_points", INT, "builder base clan points"),
    ("clan_capital_points", INT, "clan capital points"),
    ("war_frequency", CATEGORY, "declared war frequency (always, oncePerWeek, "
                                "lessThanOncePerWeek, never, ...)"),
    ("war_win_streak", INT, "current war win streak"),
    ("war_wins", INT, "wars won"),
    ("war_ties", INT, "wars tied; NA when the war log is private"),
    ("war_losses", INT, "wars lost; NA when the war log is private"),
    ("is_war_log_public", BOOL, "whether the war log is public"),
    ("is_family_friendly", BOOL, "whether the clan is marked family friendly"),
    ("war_league", STRING, "Clan War League name"),
    ("capital_league", STRING, "clan capital league name"),
    ("location_id", INT, "the clan's location id; NA when it has none"),
    ("location_name", STRING, "the clan's location name"),
    ("country_code", STRING, "ISO 3166 alpha-2 code of the clan's location; NA for regions"),
    ("chat_language", STRING, "chat language name"),
    ("labels", STRING, "label names, comma-joined in the API's order; empty string for none, "
                       "NA when absent"),
    ("required_trophies", INT, "trophies required to join"),
    ("required_builder_base_trophies", INT, "builder base trophies required to join"),
    ("required_townhall_level", INT, "town hall level required to join"),
    ("required_league_tier", STRING, "ranked league tier required to join, when set"),
)


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
    locations = field_objs(rows, "location")
    return CLAN_SEARCH.build({
        "tag": [i.get("tag") for i in rows],
        "name": [i.get("name") for i in rows],
        "type": [i.get("type") for i in rows],
        "clan_level": [i.get("clanLevel") for i in rows],
        "members": [i.get("members") for i in rows],
        "clan_points": [i.get("clanPoints") for i in rows],
        "clan_builder_base_points": [i.get("clanBuilderBasePoints") for i in rows],
        "clan_capital_points": [i.get("clanCapitalPoints") for i in rows],
        "war_frequency": [i.get("warFrequency") for i in rows],
        "war_win_streak": [i.get("warWinStreak") for i in rows],
        "war_wins": [i.get("warWins") for i in rows],
        "war_ties": [i.get("warTies") for i in rows],
        "war_losses": [i.get("warLosses") for i in rows],
        "is_war_log_public": [i.get("isWarLogPublic") for i in rows],
        "is_family_friendly": [i.get("isFamilyFriendly") for i in rows],
        "war_league": [x.get("name") for x in field_objs(rows, "warLeague")],
        "capital_league": [x.get("name") for x in field_objs(rows, "capitalLeague")],
        "location_id": [x.get("id") for x in locations],
        "location_name": [x.get("name") for x in locations],
        "country_code": [x.get("countryCode") for x in locations],
        "chat_language": [x.get("name") for x in field_objs(rows, "chatLanguage")],
        "labels": [_label_names(i.get("labels")) for i in rows],
        "required_trophies": [i.get("requiredTrophies") for i in rows],
        "required_builder_base_trophies": [i.get("requiredBuilderBaseTrophies") for i in rows],
        "required_townhall_level": [i.get("requiredTownhallLevel") for i in rows],
        "required_league_tier": [x.get("name") for x in field_objs(rows, "requiredLeagueTier")],
    })


# ----------------------------------------------------------------------------- battle log
_RESOURCES = (("gold", "Gold"), ("elixir", "Elixir"), ("dark_elixir", "DarkElixir"))
_LOOT_LISTS = (("looted", "lootedResources", "looted in this battle"),
               ("extra_looted", "extraLootedResources", "extra loot (bonus) of this battle"),
               ("available", "availableLoot", "loot that was available"))

BATTLE_LOG = spec(
    "battle_log", "battle of a player's recent battle log",
    ("player_tag", STRING, "the player whose battle log this is, with #"),
    ("battle_time", DATETIME, "when the battle happened (UTC; the API's battleTimestamp)"),
    ("battle_type", CATEGORY, "ranked, legend or homeVillage (the API's battleType)"),
    ("attack", BOOL, "True when the player attacked, False when defending"),
    ("opponent_player_tag", STRING, "opponent's tag, with #"),
    ("opponent_name", STRING, "opponent's name"),
    ("opponent_town_hall_level", INT, "opponent's town hall level"),
    ("stars", INT, "stars won by the attacker (0-3)"),
    ("destruction", FLOAT, "destruction percentage reached by the attacker (0-100)"),
    *((f"{prefix}_{res}", INT, f"{name} {what}; NA when not listed")
      for prefix, _, what in _LOOT_LISTS for res, name in _RESOURCES),
    ("army_share_code", STRING, "army share code of the attacking army"),
    ("duration_seconds", INT, "battle duration in seconds (the API's battleTime)"),
)


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
    data: dict[str, list[Any]] = {
        "player_tag": [player_tag] * len(rows),
        "battle_time": [i.get("battleTimestamp") for i in rows],
        "battle_type": [i.get("battleType") for i in rows],
        "attack": [i.get("attack") for i in rows],
        "opponent_player_tag": [i.get("opponentPlayerTag") for i in rows],
        "opponent_name": [i.get("opponentName") for i in rows],
        "opponent_town_hall_level": [i.get("opponentTownHallLevel") for i in rows],
        "stars": [i.get("stars") for i in rows],
        "destruction": [i.get("destructionPercentage") for i in rows],
        "army_share_code": [i.get("armyShareCode") for i in rows],
        "duration_seconds": [i.get("battleTime") for i in rows],
    }
    for prefix, key, _ in _LOOT_LISTS:
        lists = [_amounts(i.get(key)) for i in rows]
        for res, name in _RESOURCES:
            data[f"{prefix}_{res}"] = [x.get(name) for x in lists]
    return BATTLE_LOG.build(data)


# ------------------------------------------------------------------------- league history
LEAGUE_HISTORY = spec(
    "league_history", "ranked league season (week) a player took part in",
    ("player_tag", STRING, "the player whose history this is, with #"),
    ("league_season_id", INT, "ranked league season id (the API's leagueSeasonId)"),
    ("league_tier_id", INT, "league tier the player played in"),
    ("league_tier_name", STRING, "league tier name, when a tier table was given"),
    ("trophies", INT, "league trophies at the end of the season (the API's leagueTrophies)"),
    ("placement", INT, "final placement in the league group (1 = best)"),
    ("attack_wins", INT, "attacks won"),
    ("attack_losses", INT, "attacks lost"),
    ("attack_stars", INT, "stars won attacking"),
    ("defense_wins", INT, "defenses won"),
    ("defense_losses", INT, "defenses lost"),
    ("defense_stars", INT, "stars conceded defending"),
    ("max_battles", INT, "battles allowed in the season"),
)


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
    return LEAGUE_HISTORY.build({
        "player_tag": [player_tag] * len(rows),
        "league_season_id": [i.get("leagueSeasonId") for i in rows],
        "league_tier_id": tier_ids,
        "league_tier_name": [names.get(t) if isinstance(t, int) else None for t in tier_ids],
        "trophies": [i.get("leagueTrophies") for i in rows],
        "placement": [i.get("placement") for i in rows],
        "attack_wins": [i.get("attackWins") for i in rows],
        "attack_losses": [i.get("attackLosses") for i in rows],
        "attack_stars": [i.get("attackStars") for i in rows],
        "defense_wins": [i.get("defenseWins") for i in rows],
        "defense_losses": [i.get("defenseLosses") for i in rows],
        "defense_stars": [i.get("defenseStars") for i in rows],
        "max_battles": [i.get("maxBattles") for i in rows],
    })
