"""The functions notebook users call: the default client and demo mode.

Top-level helpers such as ``cocframes.demo()`` work on one default :class:`Client`, made on
first use from the environment (``COC_API_TOKEN`` ...) and replaceable with
:func:`set_client`. It is a plain module-level reference, never consulted by ``Client`` itself,
so explicit clients stay independent of it.
"""

from __future__ import annotations

import functools
import os
import threading
import types
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cocframes.client import Client, Fetched
from cocframes.frames import specs
from cocframes.frames._columns import documented

_lock = threading.Lock()
_default: Client | None = None


def get_client() -> Client:
    """Return the default client, creating it from the environment on first use."""
    global _default
    with _lock:
        if _default is None:
            _default = Client()
        return _default


def set_client(client: Client | None) -> None:
    """Make ``client`` the default client (``None``: make a new one from the environment on
    next use)."""
    global _default
    with _lock:
        _default = client


def use_demo(**options: Any) -> Client:
    """Switch the default client to the offline demo world and return it.

    ``options`` are passed to ``Client(demo=True, ...)`` (e.g. ``cache=False``).
    """
    client = Client(demo=True, **options)
    set_client(client)
    return client


def connect(*, quiet: bool = False, **options: Any) -> Client:
    """Make the default client the real API when credentials are in the environment, or
    else the offline demo world; print which (unless ``quiet``) and return it.

    Credentials are ``$COC_API_TOKEN``, or ``$COC_EMAIL`` and ``$COC_PASSWORD``. This is the
    first cell of every notebook: the same notebook runs on the demo world with no set-up
    and on the real API once a token is there. ``options`` go to :class:`Client`.
    """
    from cocframes.client import TOKEN_ENV_VAR
    from cocframes.keys import credentials_from_env

    live = bool(os.environ.get(TOKEN_ENV_VAR)) or credentials_from_env() is not None
    client = Client(**options) if live else Client(demo=True, **options)
    set_client(client)
    if not quiet:
        print("cocframes: the Clash of Clans API" if live else
              f"cocframes: the offline demo world (simulated data). Set {TOKEN_ENV_VAR}, or "
              "COC_EMAIL and COC_PASSWORD, for the real API.")
    return client


class CallableDemoModule(types.ModuleType):
    """Lets ``cocframes.demo`` be both the demo package and the call ``cocframes.demo()``."""

    def __call__(self, **options: Any) -> Client:
        """Switch the default client to the demo world and return it (see :func:`use_demo`)."""
        return use_demo(**options)


def login(
    email: str | None = None,
    password: str | None = None,
    *,
    key_count: int = 1,
    key_name: str = "cocframes",
    store: bool = False,
    **options: Any,
) -> Client:
    """Log in to the developer portal, make the default client use keys bound to this IP, and
    return it.

    ``email`` / ``password`` default to ``$COC_EMAIL`` / ``$COC_PASSWORD``. ``store=True``
    keeps the tokens (never the password) for the next run on the same IP. Other ``options``
    go to :class:`Client`.
    """
    from cocframes.keys import credentials_from_env

    if email is None or password is None:
        env = credentials_from_env()
        if env is None:
            raise ValueError("give email and password, or set COC_EMAIL and COC_PASSWORD")
        email, password = email or env[0], password or env[1]
    client = Client(email=email, password=password, key_count=key_count, key_name=key_name,
                    key_store=store, **options)
    set_client(client)
    return client


# --------------------------------------------------------------------------- frames
# The frame functions import pandas and the builders on first use, so `import cocframes`
# stays light; their docstrings list the columns from the pandas-free specs.

def _client(client: Client | None) -> Client:
    return client if client is not None else get_client()


def _provenance(df: Any, fetched: Sequence[Fetched], source: str) -> Any:
    """Record where ``df`` came from in ``df.attrs`` and return it."""
    df.attrs["source"] = source
    df.attrs["endpoints"] = [f.endpoint for f in fetched]
    df.attrs["fetched_at"] = max((f.fetched_at for f in fetched), default=None)
    df.attrs["from_cache"] = bool(fetched) and all(f.from_cache for f in fetched)
    df.attrs["stale"] = any(f.stale for f in fetched)
    df.attrs["demo"] = any(f.demo for f in fetched)
    return df


def _all_pages(client: Client, operation: str, max_items: int | None = None,
               **args: Any) -> tuple[list[Fetched], list[dict[str, Any]]]:
    """Return every page of a paged operation (up to ``max_items`` items) and their items."""
    pages = list(client.pages(operation, max_items=max_items, **args))
    items = [item for page in pages for item in page.payload.get("items") or []]
    return pages, items[:max_items] if max_items is not None else items


def _failures_note(failures: dict[str, Exception]) -> dict[str, dict[str, str]]:
    return {
        str(item): {"reason": getattr(exc, "reason", type(exc).__name__),
                    "message": getattr(exc, "message", str(exc))}
        for item, exc in failures.items()
    }


def _fetch_profiles(tags: Any, clan: str | None, client: Client,
                    progress: bool | None) -> tuple[list[Fetched], dict[str, Exception]]:
    """Fetch the profiles of ``tags`` (or of every member of ``clan``) concurrently; return
    the answers in input order and the failures per tag.

    Raises:
        ValueError: if neither or both of ``tags`` and ``clan`` are given, or no tag at all.
        ApiError / ValueError: the first failure, when every tag failed.
    """
    if (tags is None) == (clan is None):
        raise ValueError("give either tags or clan=...")
    if clan is not None:
        members = client.paginate("getClanMembers", clanTag=clan)
        tags = [m["tag"] for m in members]
    elif isinstance(tags, str):
        tags = [tags]
    tags = list(tags)
    if not tags:
        return [], {}
    result = client.many(functools.partial(client.call_with, "getPlayer", "playerTag"), tags,
                         progress=progress, description="players")
    if len(result.failures) == len(tags):
        raise next(iter(result.failures.values()))
    if result.failures:
        warnings.warn(
            f"{len(result.failures)} of {len(tags)} players could not be fetched: "
            + ", ".join(f"{t} ({getattr(e, 'reason', type(e).__name__)})"
                        for t, e in list(result.failures.items())[:5])
            + (" ..." if len(result.failures) > 5 else "")
            + "; see df.attrs['failures']", stacklevel=3)
    return [f for f in result.succeeded if f is not None], result.failures


def _profile_frame(builder_name: str, tags: Any, clan: str | None, client: Client | None,
                   progress: bool | None) -> Any:
    from cocframes.frames import players as frames

    client = _client(client)
    fetched, failures = _fetch_profiles(tags, clan, client, progress)
    df = getattr(frames, builder_name)([f.payload for f in fetched])
    _provenance(df, fetched, "getPlayer")
    df.attrs["failures"] = _failures_note(failures)
    return df


@documented(specs.MEMBERS)
def members(clan: str, *, client: Client | None = None, refresh: bool = False) -> Any:
    """Return one row per member of ``clan``."""
    from cocframes.frames.players import build_members

    pages, items = _all_pages(_client(client), "getClanMembers", refresh=refresh, clanTag=clan)
    return _provenance(build_members(items, clan_tag=_tag(clan)), pages, "getClanMembers")


@documented(specs.PLAYERS)
def players(tags: str | Sequence[str] | None = None, *, clan: str | None = None,
            client: Client | None = None, progress: bool | None = None) -> Any:
    """Return one row per player profile, for ``tags`` or every member of ``clan``, fetched
    concurrently; per-tag failures are listed in ``df.attrs["failures"]`` with a warning, and
    raise when every tag failed."""
    return _profile_frame("build_players", tags, clan, client, progress)


@documented(specs.UNITS)
def units(tags: str | Sequence[str] | None = None, *, clan: str | None = None,
          client: Client | None = None, progress: bool | None = None) -> Any:
    """Return one row per player × unit (troops, heroes, spells, equipment, pets, siege
    machines), for ``tags`` or every member of ``clan``; failures as in :func:`players`."""
    return _profile_frame("build_units", tags, clan, client, progress)


@documented(specs.ACHIEVEMENTS)
def achievements(tags: str | Sequence[str] | None = None, *, clan: str | None = None,
                 client: Client | None = None, progress: bool | None = None) -> Any:
    """Return one row per player × achievement; failures as in :func:`players`."""
    return _profile_frame("build_achievements", tags, clan, client, progress)


def _round_wars(client: Client, group: dict[str, Any]) -> dict[str, Fetched]:
    """Fetch every played war of a CWL group concurrently; return war tag → answer."""
    war_tags = [t for r in group.get("rounds") or [] for t in r.get("warTags") or []
                if t and t != "#0"]
    fetch_war = functools.partial(client.call_with, "getClanWarLeagueWar", "warTag")
    result = client.many(fetch_war, war_tags, description="CWL wars")
    return {tag: f for tag, f in zip(war_tags, result.results, strict=True) if f is not None}


@dataclass
class _War:
    payload: dict[str, Any]
    fetched: list[Fetched]
    round_number: int | None = None  # CWL round, 1-based; None for a regular war
    war_tag: str | None = None  # CWL war tag; None for a regular war


def _current_war(client: Client, clan: str) -> _War:
    """Return the clan's current war: the regular one, or else its CWL round war in progress
    (or the last one played), with the answers it came from."""
    from cocframes.errors import NotFoundError
    from cocframes.tags import normalize_tag

    regular = client.call("getCurrentWar", clanTag=clan)
    if regular.payload.get("state") not in (None, "notInWar"):
        return _War(regular.payload, [regular])
    try:
        group = client.call("getClanWarLeagueGroup", clanTag=clan)
    except NotFoundError:  # not in CWL: the regular answer (notInWar) is the truth
        return _War(regular.payload, [regular])
    wars = _round_wars(client, group.payload)
    tag = normalize_tag(clan)
    best: tuple[int, int, str, Fetched] | None = None
    priority = {"inWar": 3, "preparation": 2, "warEnded": 1}
    for number, rnd in enumerate(group.payload.get("rounds") or [], start=1):
        for war_tag in rnd.get("warTags") or []:
            fetched = wars.get(war_tag)
            if fetched is None:
                continue
            war = fetched.payload
            sides = {(war.get("clan") or {}).get("tag"), (war.get("opponent") or {}).get("tag")}
            rank = (priority.get(war.get("state"), 0), number)
            if tag in sides and (best is None or rank > best[:2]):
                best = (*rank, war_tag, fetched)
    if best is None:
        return _War(regular.payload, [regular])
    _, number, war_tag, fetched = best
    return _War(fetched.payload, [regular, group, fetched], number, war_tag)


@documented(specs.WAR_ATTACKS)
def war_attacks(clan: str, *, client: Client | None = None) -> Any:
    """Return one row per attack of the clan's current war (regular or CWL), with new stars
    (stars above the defender's best earlier attack)."""
    from cocframes.frames.wars import build_war_attacks

    war = _current_war(_client(client), clan)
    df = build_war_attacks(war.payload, round_number=war.round_number, war_tag=war.war_tag)
    return _war_provenance(df, war)


@documented(specs.WAR_MEMBERS)
def war_members(clan: str, *, client: Client | None = None) -> Any:
    """Return one row per participant of the clan's current war (regular or CWL)."""
    from cocframes.frames.wars import build_war_members

    war = _current_war(_client(client), clan)
    df = build_war_members(war.payload, round_number=war.round_number, war_tag=war.war_tag)
    return _war_provenance(df, war)


def _war_provenance(df: Any, war: _War) -> Any:
    """Provenance of a current-war frame, with the war's state (``notInWar`` explains an
    empty frame) and, for CWL, its round and war tag."""
    source = "getCurrentWar" if war.war_tag is None else "getClanWarLeagueWar"
    _provenance(df, war.fetched, source)
    df.attrs["war_state"] = war.payload.get("state")
    df.attrs["cwl_round"] = war.round_number
    df.attrs["war_tag"] = war.war_tag
    return df


@documented(specs.WAR_LOG)
def war_log(clan: str, *, client: Client | None = None, max_items: int | None = None) -> Any:
    """Return one row per war in the clan's war log (all pages, or the first ``max_items``)."""
    from cocframes.frames.wars import build_war_log

    pages, items = _all_pages(_client(client), "getClanWarLog", max_items, clanTag=clan)
    return _provenance(build_war_log(items), pages, "getClanWarLog")


@dataclass
class CwlFrames:
    """A clan's CWL league group as frames.

    Attributes:
        clans: one row per clan of the group.
        rounds: one row per round × war tag.
        attacks: one row per attack of every played war, with its round number.
    """

    clans: Any
    rounds: Any
    attacks: Any


@documented(specs.CWL_CLANS, specs.CWL_ROUNDS, specs.WAR_ATTACKS,
            titles=("``.clans``", "``.rounds``", "``.attacks``"))
def cwl(clan: str, *, client: Client | None = None) -> CwlFrames:
    """Return the clan's current CWL group: its clans, its rounds and every attack of its
    wars (fetched concurrently)."""
    from cocframes.frames.wars import build_cwl_attacks, build_cwl_clans, build_cwl_rounds

    client = _client(client)
    group = client.call("getClanWarLeagueGroup", clanTag=clan)
    wars = _round_wars(client, group.payload)
    fetched = [group, *wars.values()]
    payloads = {tag: f.payload for tag, f in wars.items()}
    return CwlFrames(
        clans=_provenance(build_cwl_clans(group.payload), [group], "getClanWarLeagueGroup"),
        rounds=_provenance(build_cwl_rounds(group.payload), [group], "getClanWarLeagueGroup"),
        attacks=_provenance(build_cwl_attacks(group.payload, payloads), fetched,
                            "getClanWarLeagueWar"),
    )


@dataclass
class RaidFrames:
    """A clan's capital raid seasons as frames.

    Attributes:
        seasons: one row per raid season.
        members: one row per season × member (attacks, limits, loot).
        districts: one row per season × raid (attack or defense log) × district.
    """

    seasons: Any
    members: Any
    districts: Any


@documented(specs.RAID_SEASONS, specs.RAID_MEMBERS, specs.RAID_DISTRICTS,
            titles=("``.seasons``", "``.members``", "``.districts``"))
def raids(clan: str, *, client: Client | None = None, max_seasons: int | None = 10) -> RaidFrames:
    """Return the clan's last ``max_seasons`` capital raid seasons (``None``: all) as frames."""
    from cocframes.frames.raids import build_raid_districts, build_raid_members, build_raid_seasons

    client = _client(client)
    fetched = client.call("getCapitalRaidSeasons", clanTag=clan, limit=max_seasons)
    payload = fetched.payload
    source = "getCapitalRaidSeasons"
    return RaidFrames(
        seasons=_provenance(build_raid_seasons(payload), [fetched], source),
        members=_provenance(build_raid_members(payload), [fetched], source),
        districts=_provenance(build_raid_districts(payload), [fetched], source),
    )


_RANKINGS = {
    "players": ("getPlayerRanking", "players"),
    "clans": ("getClanRanking", "clans"),
    "builder_base_players": ("getPlayerBuilderBaseRanking", "players"),
    "builder_base_clans": ("getClanBuilderBaseRanking", "clans"),
    "capitals": ("getClanCapitalRanking", "clans"),
}


@documented(specs.PLAYER_RANKINGS, specs.CLAN_RANKINGS,
            titles=("player kinds", "clan kinds (clans, builder_base_clans, capitals)"))
def rankings(location: int | str = "global", kind: str = "players", *,
             client: Client | None = None, max_items: int | None = None) -> Any:
    """Return a location's ranking of ``kind`` (``players``, ``clans``,
    ``builder_base_players``, ``builder_base_clans``, ``capitals``); the location is an id,
    a name, a country code or ``"global"``."""
    from cocframes.frames import rankings as frames

    if kind not in _RANKINGS:
        raise ValueError(f"unknown ranking kind {kind!r}; one of {sorted(_RANKINGS)}")
    operation, family = _RANKINGS[kind]
    client = _client(client)
    location_id = client.resolve.location(location)
    pages, items = _all_pages(client, operation, max_items, locationId=location_id)
    if family == "players":
        df = frames.build_player_rankings(items, kind=kind, location_id=location_id)
    else:
        df = frames.build_clan_rankings(items, kind=kind)
    return _provenance(df, pages, operation)


LEGEND_LEAGUE_ID = 29000022


@documented(specs.PLAYER_RANKINGS)
def legend_rankings(season: str | None = None, *, client: Client | None = None,
                    max_items: int | None = None, page_size: int = 5000) -> Any:
    """Return the Legend League's final ranking of ``season`` (e.g. ``"2025-10"``; default:
    the latest finished season), paging through every row (25,000+) or the first
    ``max_items``."""
    from cocframes.frames.rankings import build_player_rankings

    client = _client(client)
    fetched: list[Fetched] = []
    if season is None:
        season_pages, seasons = _all_pages(client, "getLeagueSeasons", leagueId=LEGEND_LEAGUE_ID)
        if not seasons:
            raise LookupError("the API lists no Legend League season yet")
        season = max(str(item["id"]) for item in seasons)
        fetched.extend(season_pages)
    pages, items = _all_pages(client, "getLeagueSeasonRankings", max_items,
                              page_size=page_size, leagueId=LEGEND_LEAGUE_ID, seasonId=season)
    df = build_player_rankings(items, kind="legend_season", season_id=season)
    return _provenance(df, fetched + pages, "getLeagueSeasonRankings")


@documented(specs.BATTLE_LOG)
def battle_log(player: str, *, client: Client | None = None) -> Any:
    """Return one row per recent battle of ``player``."""
    from cocframes.frames.rankings import build_battle_log

    fetched = _client(client).call("getBattleLog", playerTag=player)
    return _provenance(build_battle_log(fetched.payload, player_tag=_tag(player)), [fetched],
                       "getBattleLog")


@documented(specs.LEAGUE_HISTORY)
def league_history(player: str, *, client: Client | None = None) -> Any:
    """Return one row per past league season of ``player``."""
    from cocframes.frames.rankings import build_league_history

    fetched = _client(client).call("getLeagueHistory", playerTag=player)
    return _provenance(build_league_history(fetched.payload, player_tag=_tag(player)),
                       [fetched], "getLeagueHistory")


@documented(specs.LOCATIONS)
def locations(*, client: Client | None = None) -> Any:
    """Return one row per location (regions and countries)."""
    from cocframes.frames.reference import build_locations

    pages, items = _all_pages(_client(client), "getLocations")
    return _provenance(build_locations(items), pages, "getLocations")


_LEAGUE_KINDS = {
    "leagues": "getLeagues",
    "league_tiers": "getLeagueTiers",
    "war_leagues": "getWarLeagues",
    "builder_base_leagues": "getBuilderBaseLeagues",
    "capital_leagues": "getCapitalLeagues",
}


@documented(specs.LEAGUES)
def leagues(kind: str = "league_tiers", *, client: Client | None = None) -> Any:
    """Return one row per league of ``kind`` (``leagues``, ``league_tiers``, ``war_leagues``,
    ``builder_base_leagues``, ``capital_leagues``)."""
    from cocframes.frames.reference import build_leagues

    if kind not in _LEAGUE_KINDS:
        raise ValueError(f"unknown league kind {kind!r}; one of {sorted(_LEAGUE_KINDS)}")
    pages, items = _all_pages(_client(client), _LEAGUE_KINDS[kind])
    return _provenance(build_leagues(items, kind=kind), pages, _LEAGUE_KINDS[kind])


@documented(specs.LABELS)
def labels(kind: str = "clans", *, client: Client | None = None) -> Any:
    """Return one row per clan or player label (``kind``: ``clans`` / ``players``)."""
    from cocframes.frames.reference import build_labels

    operations = {"clans": "getClanLabels", "players": "getPlayerLabels"}
    if kind not in operations:
        raise ValueError(f"unknown label kind {kind!r}; one of {sorted(operations)}")
    pages, items = _all_pages(_client(client), operations[kind])
    return _provenance(build_labels(items, kind=kind), pages, operations[kind])


@documented(specs.CLAN_SEARCH)
def search_clans(name: str | None = None, *, client: Client | None = None,
                 max_items: int | None = 100, **filters: Any) -> Any:
    """Return one row per clan matching ``name`` and the API's filters (``war_frequency``,
    ``location`` (name, code or id), ``min_members``, ``max_members``, ``min_clan_points``,
    ``min_clan_level``, ``labels`` (names or ids)); at most ``max_items`` rows."""
    from cocframes.frames.rankings import build_clan_search

    client = _client(client)
    fetched = client.search_clans_page(name, limit=max_items, **filters)
    return _provenance(build_clan_search(fetched.payload.get("items") or []), [fetched],
                       "searchClans")


def _tag(tag: str) -> str:
    from cocframes.tags import normalize_tag

    return normalize_tag(tag)
