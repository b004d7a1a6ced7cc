"""The war frames: the current war's attacks and members (regular or CWL), the war log and
a clan's CWL group."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cocframes._frame_common import all_pages, client_or_default, provenance
from cocframes.checks import count
from cocframes.client import Client, Fetched
from cocframes.errors import ApiError, NotFoundError, NotInLeagueError
from cocframes.frames import specs
from cocframes.frames._columns import documented
from cocframes.tags import UNDRAWN_WAR_TAG, normalize_tag

if TYPE_CHECKING:
    import pandas as pd


def _round_wars(client: Client, group: dict[str, Any]) -> dict[str, Fetched]:
    """Fetch every played war of a CWL group concurrently (rounds not drawn yet, war tag
    ``#0``, are never sent); return war tag → answer."""
    war_tags = [t for r in group.get("rounds") or [] for t in r.get("warTags") or []
                if t and t != UNDRAWN_WAR_TAG]
    fetch_war = functools.partial(client.call_with, "getClanWarLeagueWar", "warTag")
    result = client.many(fetch_war, war_tags, description="CWL wars")
    return {tag: f for tag, f in zip(war_tags, result.results, strict=True) if f is not None}


@dataclass
class _War:
    payload: dict[str, Any]  # seen from the clan asked for: it is the "clan" side
    fetched: list[Fetched]
    round_number: int | None = None  # CWL round, 1-based; None for a regular war
    war_tag: str | None = None  # CWL war tag; None for a regular war


def _current_war(client: Client, clan: str) -> _War:
    """Return the clan's current war: the regular one, or else its CWL round war in progress
    (or the last one played), with the answers it came from."""
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
    from cocframes.frames.wars import orient

    _, number, war_tag, fetched = best
    return _War(orient(fetched.payload, tag), [regular, group, fetched], number, war_tag)


def _war_provenance(df: pd.DataFrame, war: _War) -> pd.DataFrame:
    """Provenance of a current-war frame, with the war's state (``notInWar`` explains an
    empty frame) and, for CWL, its round and war tag."""
    source = "getCurrentWar" if war.war_tag is None else "getClanWarLeagueWar"
    provenance(df, war.fetched, source)
    df.attrs["war_state"] = war.payload.get("state")
    df.attrs["cwl_round"] = war.round_number
    df.attrs["war_tag"] = war.war_tag
    return df


@dataclass
class WarFrames:
    """The clan's current war (regular or CWL) as frames, from one fetch.

    Attributes:
        attacks: one row per attack (as :func:`war_attacks`).
        members: one row per participant of both sides (as :func:`war_members`).
    """

    attacks: pd.DataFrame
    members: pd.DataFrame


@documented(specs.WAR_ATTACKS, specs.WAR_MEMBERS, titles=("``.attacks``", "``.members``"))
def war(clan: str, *, client: Client | None = None) -> WarFrames:
    """Return the clan's current war (regular, or else its CWL round war in progress) as its
    attacks and its members, both from the same answers. The clan asked for is always the
    ``clan`` side; ``attrs["war_state"]`` says ``notInWar`` when the frames are empty because
    there is no war."""
    from cocframes.frames.wars import build_war_attacks, build_war_members

    current = _current_war(client_or_default(client), clan)
    where: dict[str, Any] = {"round_number": current.round_number, "war_tag": current.war_tag}
    return WarFrames(
        attacks=_war_provenance(build_war_attacks(current.payload, **where), current),
        members=_war_provenance(build_war_members(current.payload, **where), current))


@documented(specs.WAR_ATTACKS)
def war_attacks(clan: str, *, client: Client | None = None) -> pd.DataFrame:
    """Return one row per attack of the clan's current war (regular or CWL), with new stars
    (stars above the defender's best earlier attack). :func:`war` gives the attacks and the
    members from one fetch."""
    return war(clan, client=client).attacks


@documented(specs.WAR_MEMBERS)
def war_members(clan: str, *, client: Client | None = None) -> pd.DataFrame:
    """Return one row per participant of the clan's current war (regular or CWL)."""
    return war(clan, client=client).members


@documented(specs.WAR_LOG)
def war_log(clan: str, *, client: Client | None = None,
            max_items: int | None = None) -> pd.DataFrame:
    """Return one row per war in the clan's war log (all pages, or the first ``max_items``,
    an int >= 1)."""
    from cocframes.frames.wars import build_war_log

    max_items = count("max_items", max_items, allow_none=True)
    pages, items = all_pages(client_or_default(client), "getClanWarLog", max_items,
                             clanTag=clan)
    return provenance(build_war_log(items), pages, "getClanWarLog")


@dataclass
class CwlFrames:
    """A clan's CWL league group as frames.

    Attributes:
        clans: one row per clan of the group.
        rounds: one row per round × war tag.
        attacks: one row per attack of every played war, with its round number.
        lineup: one row per clan × round × member of every played war's lineup, with
            attacks used, remaining and missed.
        medals: the bonus-medal ranking of the clan's own lineup members, best first
            (:meth:`rank_medals` ranks them with other weights).
        clan_tag: the clan asked for; in its wars it is the ``clan`` side.
    """

    clans: pd.DataFrame
    rounds: pd.DataFrame
    attacks: pd.DataFrame
    lineup: pd.DataFrame
    medals: pd.DataFrame
    clan_tag: str
    _group: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    _wars: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    _fetched: list[Fetched] = field(repr=False, compare=False, default_factory=list)

    def rank_medals(self, **weights: float) -> pd.DataFrame:
        """Return the bonus-medal ranking scored with ``weights`` (column name → weight, for
        any of ``wars``, ``attacks_used``, ``attacks_missed``, ``stars``, ``new_stars``,
        ``three_stars``, ``destruction``) instead of the default
        ``1 * stars + 0.01 * destruction - 2 * attacks_missed``; e.g.
        ``league.rank_medals(new_stars=1, attacks_missed=-3)``. No request is made.

        Raises:
            ValueError: for an unknown column or a weight that is not a finite number.
        """
        from cocframes.frames.wars import build_cwl_medals

        df = build_cwl_medals(self._group, self._wars, self.clan_tag, weights or None)
        return provenance(df, self._fetched, "getClanWarLeagueWar")


def _league_group(client: Client, clan: str) -> Fetched:
    """Return the clan's CWL group.

    Raises:
        NotInLeagueError: if the clan exists but is in no CWL group this season (the API
            answers both that and an unknown clan with a 404; one more request tells them
            apart).
        NotFoundError: if there is no such clan.
    """
    try:
        return client.call("getClanWarLeagueGroup", clanTag=clan)
    except NotFoundError as exc:
        raise _not_in_league(client, clan, exc) from exc


def _not_in_league(client: Client, clan: str, error: NotFoundError) -> ApiError:
    """Return the error for a 404 on the clan's CWL group: the clan's own 404 when there is
    no such clan, else :class:`NotInLeagueError`."""
    try:
        client.call("getClan", clanTag=clan)
    except NotFoundError as missing:
        return missing
    return NotInLeagueError(
        error.status, error.reason,
        f"clan {normalize_tag(clan)} is not in a Clan War League group this season",
        error.endpoint)


@documented(specs.CWL_CLANS, specs.CWL_ROUNDS, specs.WAR_ATTACKS, specs.WAR_MEMBERS,
            specs.CWL_MEDALS,
            titles=("``.clans``", "``.rounds``", "``.attacks``", "``.lineup``", "``.medals``"))
def cwl(clan: str, *, client: Client | None = None) -> CwlFrames:
    """Return the clan's current CWL group: its clans, its rounds, every attack and every
    lineup of its wars (fetched concurrently; rounds not drawn yet are never sent), and the
    bonus-medal ranking of the clan's members. In the clan's own wars it is the ``clan`` side.
    Raises :class:`~cocframes.NotInLeagueError` when the clan is in no CWL group this
    season."""
    from cocframes.frames.wars import (
        build_cwl_attacks,
        build_cwl_clans,
        build_cwl_lineup,
        build_cwl_rounds,
    )

    client = client_or_default(client)
    tag = normalize_tag(clan)
    group = _league_group(client, tag)
    wars = _round_wars(client, group.payload)
    fetched = [group, *wars.values()]
    payloads = {war_tag: f.payload for war_tag, f in wars.items()}
    league = CwlFrames(
        clans=provenance(build_cwl_clans(group.payload), [group], "getClanWarLeagueGroup"),
        rounds=provenance(build_cwl_rounds(group.payload), [group], "getClanWarLeagueGroup"),
        attacks=provenance(build_cwl_attacks(group.payload, payloads, tag), fetched,
                           "getClanWarLeagueWar"),
        lineup=provenance(build_cwl_lineup(group.payload, payloads, tag), fetched,
                          "getClanWarLeagueWar"),
        medals=None,  # type: ignore[arg-type]  # ranked just below, from the lineup
        clan_tag=tag, _group=group.payload, _wars=payloads, _fetched=fetched)
    league.medals = league.rank_medals()
    return league
