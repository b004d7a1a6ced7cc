"""The bulk frames: player profiles, units and achievements of many players, and clan
profiles, at once (and the members of many clans, for :mod:`cocframes.distributed`).

Tags are checked before any request, normalised, and each distinct player is fetched once
(concurrently, under the throttle). Failures are counted per input: ``n of N tags given
could not be fetched`` always has ``N`` = the number of tags given, and when no tag given
succeeded the first failure is raised rather than an empty frame returned.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cocframes._frame_common import client_or_default, failures_note, provenance
from cocframes.checks import tag_strings
from cocframes.client import Client, Fetched
from cocframes.errors import RetryBudgetError
from cocframes.frames import specs
from cocframes.frames._columns import documented
from cocframes.tags import normalize_tag

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class BulkKind:
    """One kind of bulk frame: the operation fetched once per distinct tag, and the builder.

    Attributes:
        name: the frame's name (``"players"``).
        operation: the operation fetched per tag (``"getPlayer"``).
        param: its tag parameter (``"playerTag"``).
        noun: the progress bar's name: the frame asked for (``"units"``), not the endpoint.
        builder: ``module.function`` of :mod:`cocframes.frames` that builds the frame from
            the answers' payloads (a list; for ``members``, clan tag → payload).
    """

    name: str
    operation: str
    param: str
    noun: str
    builder: str

    def build(self, answers: Mapping[str, Fetched]) -> pd.DataFrame:
        """Return the frame of ``answers`` (normalised tag → its answer), with provenance."""
        import importlib

        module, function = self.builder.rsplit(".", 1)
        build = getattr(importlib.import_module(f"cocframes.frames.{module}"), function)
        if self.name == "members":
            df = build({tag: f.payload for tag, f in answers.items()})
        else:
            df = build([f.payload for f in answers.values()])
        return provenance(df, list(answers.values()), self.operation)


#: The bulk frames by name: what :func:`fetch_bulk` and :mod:`cocframes.distributed` collect.
BULK_KINDS = {kind.name: kind for kind in (
    BulkKind("players", "getPlayer", "playerTag", "players", "players.build_players"),
    BulkKind("units", "getPlayer", "playerTag", "units", "players.build_units"),
    BulkKind("achievements", "getPlayer", "playerTag", "achievements",
             "players.build_achievements"),
    BulkKind("clans", "getClan", "clanTag", "clans", "rankings.build_clan_search"),
    BulkKind("members", "getClanMembers", "clanTag", "clan members",
             "players.build_clan_members"),
)}


@dataclass
class _Answers:
    """Answers fetched for a bulk frame.

    Attributes:
        fetched: normalised tag → its answer, for each distinct tag that answered, in
            first-seen order.
        failures: the tag as given → its error, for every tag given that failed.
    """

    fetched: dict[str, Fetched]
    failures: dict[str, Exception]


def _given_tags(tags: Any, clan: str | None, client: Client) -> tuple[list[str], str]:
    """Return the tags to fetch as given (or the clan's member tags) and what they are
    called in the warning.

    Raises:
        ValueError: if neither or both of ``tags`` and ``clan`` are given, or no tag at all.
        TypeError: if a tag is not a string.
    """
    if (tags is None) == (clan is None):
        raise ValueError("give either tags or clan=...")
    if clan is None:
        return tag_strings(tags), "tags given"
    return [m["tag"] for m in client.paginate("getClanMembers", clanTag=clan)], "clan members"


def canonical_tags(given: Sequence[str]) -> tuple[dict[str, str], dict[str, Exception]]:
    """Return tag as given → normalised tag for the valid ones, and tag as given → its
    ``ValueError`` for the others (not a tag: a failure of that input, like a 404)."""
    canonical: dict[str, str] = {}
    failures: dict[str, Exception] = {}
    for typed in given:
        try:
            canonical[typed] = normalize_tag(typed)
        except ValueError as exc:
            failures[typed] = exc
    return canonical, failures


def fetch_bulk(kind: BulkKind, given: Sequence[str], client: Client, progress: bool | None,
               ) -> _Answers:
    """Fetch ``kind.operation`` once for every distinct valid tag of ``given`` (concurrently,
    under the throttle); return the answers and the failures per tag as given."""
    canonical, failures = canonical_tags(given)
    distinct = list(dict.fromkeys(canonical.values()))
    result = client.many(functools.partial(client.call_with, kind.operation, kind.param),
                         distinct, progress=progress, description=kind.noun)
    failures.update((typed, result.failures[tag]) for typed, tag in canonical.items()
                    if tag in result.failures)
    fetched = {tag: answer for tag, answer, error
               in zip(result.items, result.results, result.errors, strict=True)
               if error is None and answer is not None}
    return _Answers(fetched, failures)


def first_failure(failures: dict[str, Exception], given: Sequence[str]) -> Exception:
    """Return the error to raise when every tag of ``given`` failed: the first real one (a
    :class:`~cocframes.errors.RetryBudgetError` only says that others failed first)."""
    failed = [typed for typed in given if typed in failures]
    return next((failures[t] for t in failed if not isinstance(failures[t], RetryBudgetError)),
                failures[failed[0]])


def _bulk_frame(kind: BulkKind, tags: Any, clan: str | None, client: Client | None,
                progress: bool | None) -> pd.DataFrame:
    """Return ``kind``'s frame of ``tags`` (or of ``clan``'s members): failures per tag as
    given in ``df.attrs["failures"]`` with a warning; the first failure raised when every tag
    failed.

    Raises:
        ValueError / TypeError: see :func:`_given_tags`.
    """
    client = client_or_default(client)
    given, called = _given_tags(tags, clan, client)
    answers = fetch_bulk(kind, given, client, progress)
    failed = [typed for typed in given if typed in answers.failures]
    if given and len(failed) == len(given):
        raise first_failure(answers.failures, given)
    if failed:
        warn_failures(failed, len(given), called, answers.failures)
    df = kind.build(answers.fetched)
    df.attrs["failures"] = failures_note(answers.failures)
    return df


def warn_failures(failed: list[str], given: int, called: str,
                  failures: dict[str, Any]) -> None:
    """Warn that ``failed`` (one entry per input) of ``given`` inputs could not be fetched;
    ``failures`` maps each to its error or its ``failures_note`` entry."""
    shown = list(dict.fromkeys(failed))
    warnings.warn(
        f"{len(failed)} of {given} {called} could not be fetched: "
        + ", ".join(f"{t} ({_reason(failures[t])})" for t in shown[:5])
        + (" ..." if len(shown) > 5 else "")
        + "; see df.attrs['failures']", stacklevel=5)


def _reason(failure: Any) -> str:
    if isinstance(failure, dict):
        return str(failure.get("reason"))
    return getattr(failure, "reason", type(failure).__name__)


@documented(specs.PLAYERS)
def players(tags: str | Sequence[str] | None = None, *, clan: str | None = None,
            client: Client | None = None, progress: bool | None = None) -> pd.DataFrame:
    """Return one row per player profile, for ``tags`` or every member of ``clan``, fetched
    concurrently.

    Tags are normalised first and each distinct player is fetched once, so spellings of one
    tag (``"#2PP"``, ``"2pp"``) give one row. A tag that fails (not found, not a tag) is
    listed in ``df.attrs["failures"]`` under the tag as given, with a warning counting the
    tags given; when no tag succeeds, the first failure is raised. A tag that is not a string
    raises ``TypeError`` before any request."""
    return _bulk_frame(BULK_KINDS["players"], tags, clan, client, progress)


@documented(specs.UNITS)
def units(tags: str | Sequence[str] | None = None, *, clan: str | None = None,
          client: Client | None = None, progress: bool | None = None) -> pd.DataFrame:
    """Return one row per player × unit (troops, heroes, spells, equipment, pets, siege
    machines), for ``tags`` or every member of ``clan``; duplicates and failures as in
    :func:`players`."""
    return _bulk_frame(BULK_KINDS["units"], tags, clan, client, progress)


@documented(specs.ACHIEVEMENTS)
def achievements(tags: str | Sequence[str] | None = None, *, clan: str | None = None,
                 client: Client | None = None, progress: bool | None = None) -> pd.DataFrame:
    """Return one row per player × achievement; duplicates and failures as in
    :func:`players`."""
    return _bulk_frame(BULK_KINDS["achievements"], tags, clan, client, progress)


@documented(specs.CLAN_SEARCH)
def clans(tags: str | Sequence[str], *, client: Client | None = None,
          progress: bool | None = None) -> pd.DataFrame:
    """Return one row per clan profile of ``tags``, fetched concurrently (the columns of
    :func:`search_clans`); duplicates and failures as in :func:`players`."""
    return _bulk_frame(BULK_KINDS["clans"], tags, None, client, progress)
