"""The bulk frames: player profiles, units and achievements of many players at once.

Tags are checked before any request, normalised, and each distinct player is fetched once
(concurrently, under the throttle). Failures are counted per input: ``n of N tags given
could not be fetched`` always has ``N`` = the number of tags given, and when no tag given
succeeded the first failure is raised rather than an empty frame returned.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cocframes._frame_common import client_or_default, failures_note, provenance
from cocframes.checks import tag_strings
from cocframes.client import Client, Fetched
from cocframes.errors import RetryBudgetError
from cocframes.frames import specs
from cocframes.frames._columns import documented
from cocframes.tags import normalize_tag


@dataclass
class _Profiles:
    """Profiles fetched for a bulk frame.

    Attributes:
        fetched: one answer per distinct player that answered, in first-seen order.
        failures: the tag as given → its error, for every tag given that failed.
    """

    fetched: list[Fetched]
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


def _fetch_profiles(tags: Any, clan: str | None, client: Client, progress: bool | None,
                    description: str) -> _Profiles:
    """Fetch the profile of every distinct player of ``tags`` (or of every member of
    ``clan``) once, under a progress bar called ``description``; warn about the tags that
    failed.

    Raises:
        ValueError / TypeError: see :func:`_given_tags`.
        ApiError / ValueError: the first tag's failure (the first one not caused by the
            others, see :class:`~cocframes.errors.RetryBudgetError`), when no tag given
            succeeded.
    """
    given, called = _given_tags(tags, clan, client)
    failures: dict[str, Exception] = {}
    canonical: dict[str, str] = {}  # tag as given → normalised
    for typed in given:
        try:
            canonical[typed] = normalize_tag(typed)
        except ValueError as exc:  # not a tag: a failure of this input, like a 404
            failures[typed] = exc
    distinct = list(dict.fromkeys(canonical.values()))
    result = client.many(functools.partial(client.call_with, "getPlayer", "playerTag"),
                         distinct, progress=progress, description=description)
    failures.update((typed, result.failures[tag]) for typed, tag in canonical.items()
                    if tag in result.failures)
    failed = [typed for typed in given if typed in failures]
    if given and len(failed) == len(given):
        # The first real failure: a RetryBudgetError only says that others failed first.
        raise next((failures[t] for t in failed if not isinstance(failures[t], RetryBudgetError)),
                   failures[failed[0]])
    if failed:
        _warn_failures(failed, len(given), called, failures)
    return _Profiles(result.succeeded, failures)


def _warn_failures(failed: list[str], given: int, called: str,
                   failures: dict[str, Exception]) -> None:
    """Warn that ``failed`` (one entry per input) of ``given`` inputs could not be fetched."""
    shown = list(dict.fromkeys(failed))
    warnings.warn(
        f"{len(failed)} of {given} {called} could not be fetched: "
        + ", ".join(f"{t} ({getattr(failures[t], 'reason', type(failures[t]).__name__)})"
                    for t in shown[:5])
        + (" ..." if len(shown) > 5 else "")
        + "; see df.attrs['failures']", stacklevel=5)


def _profile_frame(builder_name: str, tags: Any, clan: str | None, client: Client | None,
                   progress: bool | None) -> Any:
    from cocframes.frames import players as frames

    # the bar is named after the frame the user asked for ("units"), not the endpoint
    profiles = _fetch_profiles(tags, clan, client_or_default(client), progress,
                               builder_name.removeprefix("build_"))
    df = getattr(frames, builder_name)([f.payload for f in profiles.fetched])
    provenance(df, profiles.fetched, "getPlayer")
    df.attrs["failures"] = failures_note(profiles.failures)
    return df


@documented(specs.PLAYERS)
def players(tags: str | Sequence[str] | None = None, *, clan: str | None = None,
            client: Client | None = None, progress: bool | None = None) -> Any:
    """Return one row per player profile, for ``tags`` or every member of ``clan``, fetched
    concurrently.

    Tags are normalised first and each distinct player is fetched once, so spellings of one
    tag (``"#2PP"``, ``"2pp"``) give one row. A tag that fails (not found, not a tag) is
    listed in ``df.attrs["failures"]`` under the tag as given, with a warning counting the
    tags given; when no tag succeeds, the first failure is raised. A tag that is not a string
    raises ``TypeError`` before any request."""
    return _profile_frame("build_players", tags, clan, client, progress)


@documented(specs.UNITS)
def units(tags: str | Sequence[str] | None = None, *, clan: str | None = None,
          client: Client | None = None, progress: bool | None = None) -> Any:
    """Return one row per player × unit (troops, heroes, spells, equipment, pets, siege
    machines), for ``tags`` or every member of ``clan``; duplicates and failures as in
    :func:`players`."""
    return _profile_frame("build_units", tags, clan, client, progress)


@documented(specs.ACHIEVEMENTS)
def achievements(tags: str | Sequence[str] | None = None, *, clan: str | None = None,
                 client: Client | None = None, progress: bool | None = None) -> Any:
    """Return one row per player × achievement; duplicates and failures as in
    :func:`players`."""
    return _profile_frame("build_achievements", tags, clan, client, progress)
