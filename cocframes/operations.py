"""The official API's operations, in one table.

Every one of the 35 operations of Supercell's Clash of Clans API is listed here once, with its
HTTP method, path template, and whether it pages. The client builds its methods' requests from
this table and the demo world routes incoming requests with it, so a path is written in exactly
one place; a test checks the table against the official spec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PAGING_PARAMS = ("limit", "after", "before")
#: Parameters, in the path or the query, whose values are player, clan or war tags: they are
#: normalised and validated before any request.
TAG_PARAMS = frozenset({"clanTag", "playerTag", "warTag", "leagueGroupTag"})


@dataclass(frozen=True)
class Operation:
    """One API operation.

    Attributes:
        name: the spec's ``operationId`` (e.g. ``"getPlayer"``).
        method: ``"GET"`` or ``"POST"``.
        path: path template relative to the ``/v1`` base, e.g. ``"/players/{playerTag}"``.
        query: query parameters the operation takes besides the paging ones.
        paged: whether it takes ``limit``/``after``/``before`` and returns ``paging`` cursors.
    """

    name: str
    method: str
    path: str
    query: tuple[str, ...] = ()
    paged: bool = False
    path_params: tuple[str, ...] = field(init=False)
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        params = tuple(re.findall(r"{(\w+)}", self.path))
        object.__setattr__(self, "path_params", params)
        pattern = re.sub(r"{\w+}", r"([^/]+)", self.path)
        object.__setattr__(self, "_regex", re.compile(f"^{pattern}$"))

    @property
    def accepts(self) -> tuple[str, ...]:
        """The query parameters the operation takes, paging ones included."""
        return self.query + (PAGING_PARAMS if self.paged else ())

    @property
    def tag_param(self) -> str | None:
        """The path parameter of an operation whose only argument is a tag (``getPlayer``:
        ``playerTag``), or ``None``; such operations suit bulk fetches over tags."""
        if len(self.path_params) == 1 and not self.query and self.method == "GET":
            (name,) = self.path_params
            return name if name in TAG_PARAMS else None
        return None

    def match(self, path: str) -> dict[str, str] | None:
        """Return the (still percent-encoded) path parameters if ``path`` is this operation's."""
        found = self._regex.match(path)
        if found is None:
            return None
        return dict(zip(self.path_params, found.groups(), strict=True))


def _op(name: str, path: str, *, method: str = "GET", query: tuple[str, ...] = (),
        paged: bool = False) -> Operation:
    return Operation(name=name, method=method, path=path, query=query, paged=paged)


OPERATIONS: tuple[Operation, ...] = (
    # Clans
    _op("searchClans", "/clans", paged=True, query=(
        "name", "warFrequency", "locationId", "minMembers", "maxMembers", "minClanPoints",
        "minClanLevel", "labelIds")),
    _op("getClan", "/clans/{clanTag}"),
    _op("getClanMembers", "/clans/{clanTag}/members", paged=True),
    _op("getClanWarLog", "/clans/{clanTag}/warlog", paged=True),
    _op("getCurrentWar", "/clans/{clanTag}/currentwar"),
    _op("getClanWarLeagueGroup", "/clans/{clanTag}/currentwar/leaguegroup"),
    _op("getClanWarLeagueWar", "/clanwarleagues/wars/{warTag}"),
    _op("getCapitalRaidSeasons", "/clans/{clanTag}/capitalraidseasons", paged=True),
    # Players
    _op("getPlayer", "/players/{playerTag}"),
    _op("verifyToken", "/players/{playerTag}/verifytoken", method="POST"),
    _op("getBattleLog", "/players/{playerTag}/battlelog"),
    _op("getLeagueHistory", "/players/{playerTag}/leaguehistory"),
    _op("getLeagueGroup", "/leaguegroup/{leagueGroupTag}/{leagueSeasonId}", query=("playerTag",)),
    # Leagues
    _op("getLeagues", "/leagues", paged=True),
    _op("getLeague", "/leagues/{leagueId}"),
    _op("getLeagueSeasons", "/leagues/{leagueId}/seasons", paged=True),
    _op("getLeagueSeasonRankings", "/leagues/{leagueId}/seasons/{seasonId}", paged=True),
    _op("getLeagueTiers", "/leaguetiers", paged=True),
    _op("getLeagueTier", "/leaguetiers/{leagueTierId}"),
    _op("getWarLeagues", "/warleagues", paged=True),
    _op("getWarLeague", "/warleagues/{leagueId}"),
    _op("getBuilderBaseLeagues", "/builderbaseleagues", paged=True),
    _op("getBuilderBaseLeague", "/builderbaseleagues/{leagueId}"),
    _op("getCapitalLeagues", "/capitalleagues", paged=True),
    _op("getCapitalLeague", "/capitalleagues/{leagueId}"),
    # Locations and rankings
    _op("getLocations", "/locations", paged=True),
    _op("getLocation", "/locations/{locationId}"),
    _op("getPlayerRanking", "/locations/{locationId}/rankings/players", paged=True),
    _op("getClanRanking", "/locations/{locationId}/rankings/clans", paged=True),
    _op("getPlayerBuilderBaseRanking", "/locations/{locationId}/rankings/players-builder-base",
        paged=True),
    _op("getClanBuilderBaseRanking", "/locations/{locationId}/rankings/clans-builder-base",
        paged=True),
    _op("getClanCapitalRanking", "/locations/{locationId}/rankings/capitals", paged=True),
    # Gold pass and labels
    _op("getCurrentGoldPassSeason", "/goldpass/seasons/current"),
    _op("getPlayerLabels", "/labels/players", paged=True),
    _op("getClanLabels", "/labels/clans", paged=True),
)

BY_NAME: dict[str, Operation] = {op.name: op for op in OPERATIONS}


def find_operation(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """Return the operation serving ``method path`` (path relative to ``/v1``) and its
    still-encoded path parameters, or ``None`` when no operation matches."""
    for op in OPERATIONS:
        if op.method != method.upper():
            continue
        params = op.match(path)
        if params is not None:
            return op, params
    return None
