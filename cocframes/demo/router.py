"""Request routing: one API request in, one :class:`DemoResponse` out.

Paths are matched with the shared operation table (:mod:`cocframes.operations`), so the demo
world answers exactly the 35 official operations and nothing else.
"""

from __future__ import annotations

import json
import marshal
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote

from cocframes.operations import Operation, find_operation

from . import catalog, clans, players, raids, rankings, wars
from .common import encode_body
from .paging import PagingError, page

if TYPE_CHECKING:
    from .world import DemoResponse, World

CACHE_SECONDS: dict[str, int] = {
    "getPlayer": 60, "getClan": 60, "getCapitalRaidSeasons": 60, "getBattleLog": 60,
    "getLeagueHistory": 60, "searchClans": 60,
    "getCurrentWar": 120, "getClanWarLog": 120, "getClanWarLeagueWar": 120,
}
DEFAULT_CACHE_SECONDS = 600
# answers that change only when the world's state does (not as the clock alone moves): kept
# with their JSON bytes until the world next changes
KEPT_ANSWERS = frozenset({"getClan"})


class ApiError(Exception):
    """An error answer: HTTP status, ``reason`` and ``message``."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message


def not_found(what: str) -> ApiError:
    """Return the 404 ``notFound`` error for ``what``."""
    return ApiError(404, "notFound", f"Not found with {what}")


def headers(max_age: int | None) -> dict[str, str]:
    """Return the response headers of a demo answer."""
    out = {"Content-Type": "application/json; charset=utf-8", "X-Cocframes-Demo": "1"}
    if max_age is not None:
        out["Cache-Control"] = f"max-age={max_age}"
    return out


def error_response(status: int, reason: str, message: str,
                   max_age: int | None = None) -> DemoResponse:
    """Return an error :class:`DemoResponse` with body ``{"reason", "message"}``."""
    from .world import DemoResponse

    return DemoResponse(status, headers(max_age), {"reason": reason, "message": message})


def maintenance_response() -> DemoResponse:
    """Return the 503 ``inMaintenance`` answer."""
    return error_response(503, "inMaintenance",
                          "API is currently in maintenance, please come back later")


def route(world: World, method: str, path: str, query: dict[str, str],
          body: bytes | None) -> DemoResponse:
    """Answer ``method path?query`` in ``world``; see :meth:`World.handle`."""

    path = path.split("?", 1)[0]
    if path.startswith("/v1/"):
        path = path[3:]
    if len(path) > 1:
        path = path.rstrip("/")
    found = find_operation(method, path)
    if found is None:
        return error_response(404, "notFound", f"Invalid path or method: {method} {path}")
    op, raw_params = found
    params = {k: unquote(v) for k, v in raw_params.items()}
    max_age = None if op.method == "POST" else CACHE_SECONDS.get(op.name, DEFAULT_CACHE_SECONDS)
    if world.in_maintenance():
        return maintenance_response()
    if op.name in KEPT_ANSWERS:
        return _kept_answer(world, op, params, query, body, max_age)
    return _answer(world, op, params, query, body, max_age)


def _answer(world: World, op: Operation, params: dict[str, str], query: dict[str, str],
            body: bytes | None, max_age: int | None) -> DemoResponse:
    """Return the answer of one operation (an error answer for a request it refuses)."""
    from .world import DemoResponse

    try:
        payload = _HANDLERS[op.name](world, op, params, query, body)
    except ApiError as err:
        return error_response(err.status, err.reason, err.message, max_age)
    except PagingError as err:
        return error_response(400, "badRequest", str(err), max_age)
    return DemoResponse(200, headers(max_age), payload)


def _kept_answer(world: World, op: Operation, params: dict[str, str], query: dict[str, str],
                 body: bytes | None, max_age: int | None) -> DemoResponse:
    """Return the answer of an operation of :data:`KEPT_ANSWERS`: the one kept for the same
    request while the world has not changed since (a fresh copy, with its JSON bytes)."""
    from .world import DemoResponse

    version = world.life.version if world.life is not None else 0
    key = ("answer", op.name, tuple(sorted(params.items())), tuple(sorted(query.items())))
    kept = world.memo.get(key)
    if kept is None or kept[0] != version:
        answer = _answer(world, op, params, query, body, max_age)
        if answer.status != 200:
            return answer
        kept = world.memo[key] = (version, answer.headers, marshal.dumps(answer.body),
                                  encode_body(answer.body))
    _, answer_headers, frozen_body, data = kept
    return DemoResponse(200, dict(answer_headers), marshal.loads(frozen_body), data)


# ---------------------------------------------------------------------------- helpers
def _clan(world: World, params: dict[str, str]):
    clan = world.clan_by_tag(params["clanTag"])
    if clan is None:
        raise not_found(f"clanTag={params['clanTag']}")
    return clan


def _player(world: World, params: dict[str, str]):
    member = world.player_by_tag(params["playerTag"])
    if member is None:
        raise not_found(f"playerTag={params['playerTag']}")
    return member


def _location(world: World, params: dict[str, str]) -> int | None:
    raw = params["locationId"]
    if raw == "global":
        return None
    if raw.isdigit() and int(raw) in world.locations:
        return int(raw)
    raise not_found(f"locationId={raw}")


def _by_id(items: list[dict], raw: str, what: str) -> dict:
    for item in items:
        if str(item["id"]) == raw:
            return item
    raise not_found(f"{what}={raw}")


def _private(clan) -> ApiError:
    return ApiError(403, "accessDenied",
                    f"Access denied, clan war log is private (clanTag={clan.tag})")


# ---------------------------------------------------------------------------- handlers
def _search_clans(world, op, params, query, body):
    try:
        return page(clans.search(world, query), query)
    except clans.SearchError as err:
        raise ApiError(400, "badRequest", str(err)) from err


def _get_clan(world, op, params, query, body):
    return clans.clan_obj(world, _clan(world, params))


def _members(world, op, params, query, body):
    return page(clans.members(world, _clan(world, params)), query)


def _warlog(world, op, params, query, body):
    clan = _clan(world, params)
    items = wars.war_log(world, clan)
    if items is None:
        raise _private(clan)
    return page(items, query)


def _current_war(world, op, params, query, body):
    clan = _clan(world, params)
    war = wars.current_war(world, clan)
    if war is None:
        raise _private(clan)
    return war


def _cwl_group(world, op, params, query, body):
    clan = _clan(world, params)
    if not clan.war_log_public:
        raise _private(clan)
    group = wars.league_group(world, clan)
    if group is None:
        raise not_found(f"clanTag={clan.tag} (not in a Clan War League group)")
    return group


def _cwl_war(world, op, params, query, body):
    war = wars.cwl_war(world, params["warTag"])
    if war is None:
        raise not_found(f"warTag={params['warTag']}")
    return war


def _raids(world, op, params, query, body):
    return page(raids.raid_seasons(world, _clan(world, params)), query)


def _get_player(world, op, params, query, body):
    return players.player_profile(world, _player(world, params))


def _verify(world, op, params, query, body):
    member = _player(world, params)
    try:
        token = json.loads(body or b"{}").get("token")
    except (ValueError, AttributeError) as exc:
        raise ApiError(400, "badRequest", "Request body must be JSON {\"token\": ...}") from exc
    if not isinstance(token, str):
        raise ApiError(400, "badRequest", "Missing 'token' in request body")
    valid = token == players.verify_token_for(member.tag, world.seed)
    return {"tag": member.tag, "token": token, "status": "ok" if valid else "invalid"}


def _battlelog(world, op, params, query, body):
    return players.battle_log(world, _player(world, params))


def _league_history(world, op, params, query, body):
    return players.league_history(world, _player(world, params))


def _league_group(world, op, params, query, body):
    player_tag = query.get("playerTag")
    if not player_tag:
        raise ApiError(400, "badRequest", "Missing required query parameter playerTag")
    group = players.league_group(world, params["leagueGroupTag"], params["leagueSeasonId"],
                                 unquote(player_tag))
    if group is None:
        raise not_found(f"leagueGroupTag={params['leagueGroupTag']}")
    return group


def _leagues(world, op, params, query, body):
    return page(rankings.leagues(), query)


def _league(world, op, params, query, body):
    return _by_id(rankings.leagues(), params["leagueId"], "leagueId")


def _league_seasons(world, op, params, query, body):
    if params["leagueId"] != str(catalog.LEGEND_LEAGUE_ID):
        _league(world, op, params, query, body)
        raise ApiError(404, "notFound", "Seasons are only available for the Legend League")
    return page([{"id": s} for s in rankings.legend_seasons(world)], query)


def _season_rankings(world, op, params, query, body):
    _league_seasons(world, op, params, {}, body)
    season = params["seasonId"]
    if season not in rankings.legend_seasons(world):
        raise not_found(f"seasonId={season}")
    return page(None, query, total=rankings.LEGEND_SEASON_ROWS,
                fetch=lambda start, stop: rankings.legend_rows(world, season, start, stop))


def _league_tiers(world, op, params, query, body):
    return page(rankings.league_tiers(), query)


def _league_tier(world, op, params, query, body):
    return _by_id(rankings.league_tiers(), params["leagueTierId"], "leagueTierId")


def _table(table) -> tuple[Callable, Callable]:
    def many(world, op, params, query, body):
        return page(rankings.simple(table), query)

    def one(world, op, params, query, body):
        return _by_id(rankings.simple(table), params["leagueId"], "leagueId")

    return many, one


def _locations(world, op, params, query, body):
    return page(rankings.locations(world), query)


def _get_location(world, op, params, query, body):
    return _by_id(rankings.locations(world), params["locationId"], "locationId")


def _rank_players(world, op, params, query, body):
    return page(rankings.player_rankings(world, _location(world, params), False), query)


def _rank_players_bb(world, op, params, query, body):
    return page(rankings.player_rankings(world, _location(world, params), True), query)


def _rank_clans(kind: str) -> Callable:
    def handler(world, op, params, query, body):
        return page(rankings.clan_rankings(world, _location(world, params), kind), query)

    return handler


def _gold_pass(world, op, params, query, body):
    return rankings.gold_pass(world)


def _player_labels(world, op, params, query, body):
    return page(rankings.labels(catalog.PLAYER_LABELS), query)


def _clan_labels(world, op, params, query, body):
    return page(rankings.labels(catalog.CLAN_LABELS), query)


_war_leagues, _war_league = _table(catalog.WAR_LEAGUES)
_bb_leagues, _bb_league = _table(catalog.BUILDER_BASE_LEAGUES)
_capital_leagues, _capital_league = _table(catalog.CAPITAL_LEAGUES)

Handler = Callable[["World", Operation, dict, dict, "bytes | None"], dict]
_HANDLERS: dict[str, Handler] = {
    "searchClans": _search_clans,
    "getClan": _get_clan,
    "getClanMembers": _members,
    "getClanWarLog": _warlog,
    "getCurrentWar": _current_war,
    "getClanWarLeagueGroup": _cwl_group,
    "getClanWarLeagueWar": _cwl_war,
    "getCapitalRaidSeasons": _raids,
    "getPlayer": _get_player,
    "verifyToken": _verify,
    "getBattleLog": _battlelog,
    "getLeagueHistory": _league_history,
    "getLeagueGroup": _league_group,
    "getLeagues": _leagues,
    "getLeague": _league,
    "getLeagueSeasons": _league_seasons,
    "getLeagueSeasonRankings": _season_rankings,
    "getLeagueTiers": _league_tiers,
    "getLeagueTier": _league_tier,
    "getWarLeagues": _war_leagues,
    "getWarLeague": _war_league,
    "getBuilderBaseLeagues": _bb_leagues,
    "getBuilderBaseLeague": _bb_league,
    "getCapitalLeagues": _capital_leagues,
    "getCapitalLeague": _capital_league,
    "getLocations": _locations,
    "getLocation": _get_location,
    "getPlayerRanking": _rank_players,
    "getClanRanking": _rank_clans("clans"),
    "getPlayerBuilderBaseRanking": _rank_players_bb,
    "getClanBuilderBaseRanking": _rank_clans("clans-builder-base"),
    "getClanCapitalRanking": _rank_clans("capitals"),
    "getCurrentGoldPassSeason": _gold_pass,
    "getPlayerLabels": _player_labels,
    "getClanLabels": _clan_labels,
}
