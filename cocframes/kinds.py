"""The kinds of leagues, rankings and labels, each declared once.

A kind has a canonical name (the one frames record in their ``kind`` column), the operation
that lists it, and the spellings users and the client type for it: short forms (``"war"``,
``"capital"``, ``"tiers"``), singulars and plurals, and the API's own path names
(``"warleagues"``, ``"leaguetiers"``, ``"players-builder-base"``). Case, hyphens, underscores
and spaces are ignored. :func:`league_kind`, :func:`ranking_kind` and :func:`label_kind` turn
any accepted spelling into its :class:`Kind`, or raise a ``ValueError`` listing the canonical
names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """One kind of league table, ranking or label table.

    Attributes:
        name: the canonical name, e.g. ``"war_leagues"``.
        operation: the operation that lists it, e.g. ``"getWarLeagues"``.
        noun: what one item is called in messages, e.g. ``"war league"``.
        spellings: other accepted spellings besides ``name`` (each also in the singular).
        subject: for rankings and labels, whether the rows are ``"players"`` or ``"clans"``.
    """

    name: str
    operation: str
    noun: str
    spellings: tuple[str, ...] = ()
    subject: str = ""


LEAGUES = (
    Kind("leagues", "getLeagues", "league", ("home", "home_leagues", "trophy_leagues")),
    Kind("league_tiers", "getLeagueTiers", "league tier", ("tiers", "ranked", "ranked_leagues")),
    Kind("war_leagues", "getWarLeagues", "war league", ("war", "cwl", "clan_war_leagues")),
    Kind("builder_base_leagues", "getBuilderBaseLeagues", "builder base league",
         ("builder", "builder_base")),
    Kind("capital_leagues", "getCapitalLeagues", "capital league",
         ("capital", "clan_capital", "clan_capital_leagues")),
)
RANKINGS = (
    Kind("players", "getPlayerRanking", "player", ("home", "home_players"), "players"),
    Kind("clans", "getClanRanking", "clan", ("home_clans",), "clans"),
    Kind("builder_base_players", "getPlayerBuilderBaseRanking", "builder base player",
         ("players_builder_base", "builder_players"), "players"),
    Kind("builder_base_clans", "getClanBuilderBaseRanking", "builder base clan",
         ("clans_builder_base", "builder_clans"), "clans"),
    Kind("capitals", "getClanCapitalRanking", "clan capital",
         ("capital", "clan_capital", "clan_capitals", "capital_clans"), "clans"),
)
LABELS = (
    Kind("clans", "getClanLabels", "clan label", ("clan_labels",), "clans"),
    Kind("players", "getPlayerLabels", "player label", ("player_labels",), "players"),
)
# Spellings that could mean more than one ranking: answered with the choices, not a guess.
_AMBIGUOUS_RANKINGS = {"builder": ("builder_base_players", "builder_base_clans"),
                       "builderbase": ("builder_base_players", "builder_base_clans")}


def _key(spelling: str) -> str:
    """Return ``spelling`` with case, hyphens, underscores and spaces taken out."""
    return re.sub(r"[\s_\-]+", "", spelling.casefold())


def _index(kinds: tuple[Kind, ...]) -> dict[str, Kind]:
    """Return every accepted spelling's key (plural and singular) → its kind.

    Raises:
        RuntimeError: if two kinds of one table claim the same spelling (a bug in the table).
    """
    index: dict[str, Kind] = {}
    for kind in kinds:
        for spelling in (kind.name, *kind.spellings):
            key = _key(spelling)
            for form in {key, key.removesuffix("s")}:
                if index.setdefault(form, kind) is not kind:
                    raise RuntimeError(f"{spelling!r} names two kinds")  # pragma: no cover
    return index


_BY_TABLE = {"league": _index(LEAGUES), "ranking": _index(RANKINGS), "label": _index(LABELS)}
_NAMES = {"league": LEAGUES, "ranking": RANKINGS, "label": LABELS}


def _find(table: str, kind: str, ambiguous: dict[str, tuple[str, ...]] | None = None) -> Kind:
    """Return the kind of ``table`` that ``kind`` spells.

    Raises:
        TypeError: if ``kind`` is not a string.
        ValueError: if no kind (or more than one) has that spelling; the message lists the
            canonical names.
    """
    names = ", ".join(k.name for k in _NAMES[table])
    if not isinstance(kind, str):
        raise TypeError(f"a {table} kind must be a string (one of {names}); "
                        f"got {kind!r} ({type(kind).__name__})")
    key = _key(kind)
    found = _BY_TABLE[table].get(key)
    if found is not None:
        return found
    choices = (ambiguous or {}).get(key)
    if choices:
        raise ValueError(f"ambiguous {table} kind {kind!r}: say {' or '.join(choices)}")
    raise ValueError(f"unknown {table} kind {kind!r}; one of {names} "
                     "(short forms, singulars and the API's path names work too)")


def league_kind(kind: str) -> Kind:
    """Return the league table that ``kind`` spells (``"war"``, ``"warleagues"``,
    ``"war_leagues"`` ...); raise ``ValueError`` (``TypeError`` for a non-string) if none."""
    return _find("league", kind)


def ranking_kind(kind: str) -> Kind:
    """Return the ranking that ``kind`` spells (``"capital"``, ``"players-builder-base"``
    ...); raise ``ValueError`` (``TypeError`` for a non-string) if none, or if it could mean
    both a player and a clan ranking (``"builder"``)."""
    return _find("ranking", kind, _AMBIGUOUS_RANKINGS)


def label_kind(kind: str) -> Kind:
    """Return the label table that ``kind`` spells (``"clan"``, ``"clans"``, ``"players"``
    ...); raise ``ValueError`` (``TypeError`` for a non-string) if none."""
    return _find("label", kind)


__all__ = ["LABELS", "LEAGUES", "RANKINGS", "Kind", "label_kind", "league_kind", "ranking_kind"]
