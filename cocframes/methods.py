"""One method per official API operation (36 with the raw ``call``), each returning the JSON
payload: the thin, documented face of :meth:`Client.call <cocframes.client.Client.call>`.

Names are the spec's ``operationId`` in snake case (``getPlayer`` → ``get_player``); ids
that users think of by name (locations, leagues, labels) are resolved first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cocframes.answers import Fetched
from cocframes.operations import OPERATIONS

if TYPE_CHECKING:
    from cocframes.resolve import Resolver


class OperationMethods:
    """The operation methods of :class:`~cocframes.client.Client` (a mixin: it needs
    ``call`` and ``resolve``)."""

    resolve: Resolver

    def call(self, operation: str, *, refresh: bool = False, json: Any = None,
             **args: Any) -> Fetched:  # pragma: no cover - provided by Client
        raise NotImplementedError

    # ----------------------------------------------------------------- clans
    def search_clans(self, name: str | None = None, **filters: Any) -> dict[str, Any]:
        """Search clans (``searchClans``) and return the payload; see
        :meth:`search_clans_page` for the filters (``location`` and ``labels`` accept
        names)."""
        return self.search_clans_page(name, **filters).payload

    def search_clans_page(
        self,
        name: str | None = None,
        *,
        war_frequency: str | None = None,
        location: int | str | None = None,
        min_members: int | None = None,
        max_members: int | None = None,
        min_clan_points: int | None = None,
        min_clan_level: int | None = None,
        labels: Sequence[int | str] | None = None,
        limit: int | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> Fetched:
        """Search clans (``searchClans``) and return the answer with its provenance.

        ``location`` is an id, name or country code; ``labels`` are label names or ids."""
        label_ids = None
        if labels:
            label_ids = ",".join(str(self.resolve.label(lb, "clans")) for lb in labels)
        location_id = self.resolve.location(location) if location is not None else None
        return self.call(
            "searchClans", name=name, warFrequency=war_frequency, locationId=location_id,
            minMembers=min_members, maxMembers=max_members, minClanPoints=min_clan_points,
            minClanLevel=min_clan_level, labelIds=label_ids, limit=limit, after=after,
            before=before,
        )

    def get_clan(self, clan_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return the clan's profile (``getClan``)."""
        return self.call("getClan", clanTag=clan_tag, refresh=refresh).payload

    def get_clan_members(self, clan_tag: str, *, limit: int | None = None,
                         after: str | None = None, before: str | None = None,
                         refresh: bool = False) -> dict[str, Any]:
        """Return a page of the clan's members (``getClanMembers``)."""
        return self.call("getClanMembers", clanTag=clan_tag, limit=limit, after=after,
                         before=before, refresh=refresh).payload

    def get_clan_war_log(self, clan_tag: str, *, limit: int | None = None,
                         after: str | None = None, before: str | None = None,
                         refresh: bool = False) -> dict[str, Any]:
        """Return a page of the clan's war log (``getClanWarLog``)."""
        return self.call("getClanWarLog", clanTag=clan_tag, limit=limit, after=after,
                         before=before, refresh=refresh).payload

    def get_current_war(self, clan_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return the clan's current regular war (``getCurrentWar``)."""
        return self.call("getCurrentWar", clanTag=clan_tag, refresh=refresh).payload

    def get_clan_war_league_group(self, clan_tag: str, *,
                                  refresh: bool = False) -> dict[str, Any]:
        """Return the clan's current CWL group (``getClanWarLeagueGroup``)."""
        return self.call("getClanWarLeagueGroup", clanTag=clan_tag, refresh=refresh).payload

    def get_clan_war_league_war(self, war_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return one CWL war by its war tag (``getClanWarLeagueWar``)."""
        return self.call("getClanWarLeagueWar", warTag=war_tag, refresh=refresh).payload

    def get_capital_raid_seasons(self, clan_tag: str, *, limit: int | None = None,
                                 after: str | None = None, before: str | None = None,
                                 refresh: bool = False) -> dict[str, Any]:
        """Return a page of the clan's capital raid seasons (``getCapitalRaidSeasons``)."""
        return self.call("getCapitalRaidSeasons", clanTag=clan_tag, limit=limit, after=after,
                         before=before, refresh=refresh).payload

    # ----------------------------------------------------------------- players
    def get_player(self, player_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return the player's profile (``getPlayer``)."""
        return self.call("getPlayer", playerTag=player_tag, refresh=refresh).payload

    def verify_token(self, player_tag: str, token: str) -> dict[str, Any]:
        """Check a player's in-game API token (``verifyToken``, a POST; never cached).

        Returns the API's ``{"tag", "token", "status"}`` where status is ``"ok"`` or
        ``"invalid"``."""
        return self.call("verifyToken", playerTag=player_tag, json={"token": token}).payload

    def get_battle_log(self, player_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return the player's recent battles (``getBattleLog``)."""
        return self.call("getBattleLog", playerTag=player_tag, refresh=refresh).payload

    def get_league_history(self, player_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return the player's league history (``getLeagueHistory``)."""
        return self.call("getLeagueHistory", playerTag=player_tag, refresh=refresh).payload

    def get_league_group(self, league_group_tag: str, league_season_id: int | str,
                         player_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return a ranked league group by its tag and season (``getLeagueGroup``)."""
        return self.call("getLeagueGroup", leagueGroupTag=league_group_tag,
                         leagueSeasonId=league_season_id, playerTag=player_tag,
                         refresh=refresh).payload

    # ----------------------------------------------------------------- leagues
    def get_leagues(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the home-village leagues (``getLeagues``)."""
        return self.call("getLeagues", **paging).payload

    def get_league(self, league: int | str, *, refresh: bool = False) -> dict[str, Any]:
        """Return one league by id or name (``getLeague``)."""
        return self.call("getLeague", leagueId=self.resolve.league(league, "leagues"),
                         refresh=refresh).payload

    def get_league_seasons(self, league: int | str = "Legend League",
                           **paging: Any) -> dict[str, Any]:
        """Return a page of a league's seasons (``getLeagueSeasons``; Legend League only)."""
        return self.call("getLeagueSeasons", leagueId=self.resolve.league(league, "leagues"),
                         **paging).payload

    def get_league_season_rankings(self, season_id: str, league: int | str = "Legend League",
                                   **paging: Any) -> dict[str, Any]:
        """Return a page of a league season's final rankings (``getLeagueSeasonRankings``)."""
        return self.call("getLeagueSeasonRankings",
                         leagueId=self.resolve.league(league, "leagues"), seasonId=season_id,
                         **paging).payload

    def get_league_tiers(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the ranked league tiers (``getLeagueTiers``)."""
        return self.call("getLeagueTiers", **paging).payload

    def get_league_tier(self, tier: int | str, *, refresh: bool = False) -> dict[str, Any]:
        """Return one league tier by id or name (``getLeagueTier``)."""
        return self.call("getLeagueTier", leagueTierId=self.resolve.league(tier, "leaguetiers"),
                         refresh=refresh).payload

    def get_war_leagues(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the clan war leagues (``getWarLeagues``)."""
        return self.call("getWarLeagues", **paging).payload

    def get_war_league(self, league: int | str, *, refresh: bool = False) -> dict[str, Any]:
        """Return one war league by id or name (``getWarLeague``)."""
        return self.call("getWarLeague", leagueId=self.resolve.league(league, "warleagues"),
                         refresh=refresh).payload

    def get_builder_base_leagues(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the builder base leagues (``getBuilderBaseLeagues``)."""
        return self.call("getBuilderBaseLeagues", **paging).payload

    def get_builder_base_league(self, league: int | str, *,
                                refresh: bool = False) -> dict[str, Any]:
        """Return one builder base league by id or name (``getBuilderBaseLeague``)."""
        league_id = self.resolve.league(league, "builderbaseleagues")
        return self.call("getBuilderBaseLeague", leagueId=league_id, refresh=refresh).payload

    def get_capital_leagues(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the clan capital leagues (``getCapitalLeagues``)."""
        return self.call("getCapitalLeagues", **paging).payload

    def get_capital_league(self, league: int | str, *, refresh: bool = False) -> dict[str, Any]:
        """Return one capital league by id or name (``getCapitalLeague``)."""
        league_id = self.resolve.league(league, "capitalleagues")
        return self.call("getCapitalLeague", leagueId=league_id, refresh=refresh).payload

    # ----------------------------------------------------------------- locations, rankings
    def get_locations(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the locations (``getLocations``)."""
        return self.call("getLocations", **paging).payload

    def get_location(self, location: int | str, *, refresh: bool = False) -> dict[str, Any]:
        """Return one location by id, name or country code (``getLocation``)."""
        return self.call("getLocation", locationId=self.resolve.location(location),
                         refresh=refresh).payload

    def _ranking(self, operation: str, location: int | str, paging: dict[str, Any]) -> Any:
        return self.call(operation, locationId=self.resolve.location(location),
                         **paging).payload

    def get_player_ranking(self, location: int | str = "global",
                           **paging: Any) -> dict[str, Any]:
        """Return a page of a location's player ranking (``getPlayerRanking``)."""
        return self._ranking("getPlayerRanking", location, paging)

    def get_clan_ranking(self, location: int | str = "global", **paging: Any) -> dict[str, Any]:
        """Return a page of a location's clan ranking (``getClanRanking``)."""
        return self._ranking("getClanRanking", location, paging)

    def get_player_builder_base_ranking(self, location: int | str = "global",
                                        **paging: Any) -> dict[str, Any]:
        """Return a page of a location's builder base player ranking
        (``getPlayerBuilderBaseRanking``)."""
        return self._ranking("getPlayerBuilderBaseRanking", location, paging)

    def get_clan_builder_base_ranking(self, location: int | str = "global",
                                      **paging: Any) -> dict[str, Any]:
        """Return a page of a location's builder base clan ranking
        (``getClanBuilderBaseRanking``)."""
        return self._ranking("getClanBuilderBaseRanking", location, paging)

    def get_clan_capital_ranking(self, location: int | str = "global",
                                 **paging: Any) -> dict[str, Any]:
        """Return a page of a location's clan capital ranking (``getClanCapitalRanking``)."""
        return self._ranking("getClanCapitalRanking", location, paging)

    # ----------------------------------------------------------------- gold pass, labels
    def get_current_gold_pass_season(self, *, refresh: bool = False) -> dict[str, Any]:
        """Return the current gold pass season (``getCurrentGoldPassSeason``)."""
        return self.call("getCurrentGoldPassSeason", refresh=refresh).payload

    def get_player_labels(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the player labels (``getPlayerLabels``)."""
        return self.call("getPlayerLabels", **paging).payload

    def get_clan_labels(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the clan labels (``getClanLabels``)."""
        return self.call("getClanLabels", **paging).payload



def method_name(operation: str) -> str:
    """Return the :class:`~cocframes.client.Client` method name of an official operation
    (``getPlayer`` → ``get_player``)."""
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


# Every official operation has its method; a missing one is a bug caught at import.
_missing = [op.name for op in OPERATIONS if not hasattr(OperationMethods, method_name(op.name))]
if _missing:  # pragma: no cover
    raise RuntimeError(f"no methods for {_missing}")
