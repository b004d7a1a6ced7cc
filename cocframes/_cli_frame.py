"""``cocframes frame``: any frame printed as a table, CSV or JSON, with its arguments checked in
the command line's words and a warning on standard error when the rows are stale cached
data."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from cocframes import Client
from cocframes._cli_common import Refused, os_error_text
from cocframes.kinds import label_kind, league_kind, ranking_kind

# Frame name → (function in cocframes.api, how the positional arguments are passed).
FRAMES: dict[str, str] = {
    "members": "clan", "players": "tags", "units": "tags", "achievements": "tags",
    "war": "clan", "war-attacks": "clan", "war-members": "clan", "war-log": "clan",
    "cwl": "clan", "participation": "clan", "raids": "clan", "rankings": "location",
    "legend-rankings": "season", "battle-log": "player", "league-history": "player",
    "locations": "none",
    "leagues": "none", "labels": "none", "search-clans": "name",
}


# Frames of several parts → their parts; the last one is shown when --part is not given.
_PARTS = {"cwl": ("clans", "rounds", "lineup", "medals", "attacks"),
          "war": ("members", "attacks"), "raids": ("seasons", "members", "districts")}


def parts_help() -> str:
    """Return the --part choices of every frame of several parts, for the help text."""
    return "; ".join(f"{name}: {'|'.join(parts)}" for name, parts in _PARTS.items())


# Frames that take --kind → the check of its spelling (the one table in cocframes.kinds).
_KINDS = {"rankings": ranking_kind, "leagues": league_kind, "labels": label_kind}


def _frame_problem(args: argparse.Namespace) -> str | None:
    """Return what is wrong with the arguments of ``cocframes frame``, or ``None``."""
    how = FRAMES[args.name]
    if args.kind and args.name not in _KINDS:
        return f"--kind applies to {', '.join(_KINDS)}"
    if args.kind:
        try:
            _KINDS[args.name](args.kind)
        except ValueError as exc:
            return f"--kind: {exc}"
    if args.clan and how != "tags":
        return "--clan applies to players, units and achievements"
    if args.part and args.part not in _PARTS.get(args.name, ()):
        return "--part applies to " + parts_help()
    if how == "none" and args.args:
        return f"{args.name} takes no argument"
    if how in ("clan", "player", "name", "location") and len(args.args) != 1:
        return f"{args.name} takes one {how}"
    if how == "season" and len(args.args) > 1:
        return f"{args.name} takes at most one season, e.g. 2025-10"
    if how == "tags" and bool(args.args) == bool(args.clan):
        return "give player tags or --clan TAG" + (", not both" if args.clan else "")
    return None


def _check_cache_dir() -> None:
    """Make sure the cache folder can be used, as every client of ``frame`` caches.

    Raises:
        Refused: naming the folder and the setting that chose it.
    """
    from cocframes.cache import CACHE_ENV_VAR, resolve_cache_dir

    try:
        resolve_cache_dir()
    except OSError as exc:
        raise Refused(f"cannot use the cache folder ({os_error_text(exc)}); set "
                       f"{CACHE_ENV_VAR} to a folder") from None


def _call_noting_stale(call: Callable[[], Any]) -> tuple[Any, list[Any]]:
    """Run ``call``; return its result and the :class:`StaleDataWarning` of each expired
    cache entry it served.

    Other warnings of ``UserWarning`` class (a bulk fetch's failures) are dropped: the
    failures are reported from ``df.attrs`` instead; any other warning is shown as usual.
    """
    from cocframes.client import StaleDataWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("always", StaleDataWarning)
        result = call()
    stale = []
    for warning in caught:
        if issubclass(warning.category, StaleDataWarning):
            stale.append(warning.message)
        else:
            warnings.showwarning(warning.message, warning.category, warning.filename,
                                 warning.lineno)
    return result, stale


def _as_utc(value: Any) -> datetime | None:
    """Return ``df.attrs["fetched_at"]`` (an ISO-8601 string) as an aware UTC datetime, or
    ``None`` when it is not one."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed


def _age(since: datetime) -> str:
    """Return how old something made at ``since`` is, in words ("7 minutes old")."""
    minutes = int((datetime.now(timezone.utc) - since).total_seconds() // 60)
    if minutes < 1:
        return "less than a minute old"
    if minutes < 60:
        count, unit = minutes, "minute"
    elif minutes < 48 * 60:
        count, unit = minutes // 60, "hour"
    else:
        count, unit = minutes // (24 * 60), "day"
    return f"{count} {unit}{'s' if count != 1 else ''} old"


def _stale_note(attrs: dict[str, Any], stale: Sequence[Any]) -> str | None:
    """Return the warning line for rows served from expired cache entries (why, and how old
    the oldest of them is), or ``None`` when the rows are fresh."""
    if not attrs.get("stale"):
        return None
    reasons = list(dict.fromkeys(w.why for w in stale if w.why))
    why = "; ".join(reasons) or "the API could not answer"
    times = [w.fetched_at for w in stale if w.fetched_at is not None]
    fetched_at = min(times) if times else _as_utc(attrs.get("fetched_at"))
    if fetched_at is None:
        return f"warning: {why}; these rows are stale cached data of unknown age"
    return (f"warning: {why}; these rows are stale cached data from "
            f"{fetched_at.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC, {_age(fetched_at)}")


def print_frame(df: Any, output: str, max_rows: int) -> None:
    """Print ``df`` on standard output as ``output`` (table, csv or json)."""
    if output == "csv":
        sys.stdout.write(df.to_csv(index=False))
    elif output == "json":
        sys.stdout.write(df.to_json(orient="records", date_format="iso") + "\n")
    else:
        import pandas as pd

        with pd.option_context("display.width", 200, "display.max_columns", 30):
            print(df.to_string(max_rows=max_rows or None))


def run_frame(args: argparse.Namespace) -> int:
    """Print or export one frame; return the exit code."""
    from cocframes import api
    from cocframes.errors import CocError

    problem = _frame_problem(args)
    if problem:
        raise Refused(problem, code=2)
    _check_cache_dir()
    func = getattr(api, args.name.replace("-", "_"))
    how = FRAMES[args.name]
    options: dict[str, Any] = {}
    if args.kind:
        options["kind"] = args.kind
    if args.clan:
        options["clan"] = args.clan
    if how == "tags":
        options["progress"] = False
    positional = [args.args or None] if how == "tags" else args.args
    try:
        options["client"] = Client(demo=True, progress=False) if args.demo else None
        result, stale = _call_noting_stale(lambda: func(*positional, **options))
    except (CocError, LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.name in _PARTS:
        result = getattr(result, args.part or _PARTS[args.name][-1])
    print_frame(result, args.format, args.max_rows)
    if result.attrs.get("failures"):
        print(f"warning: {len(result.attrs['failures'])} item(s) failed: "
              + ", ".join(result.attrs["failures"]), file=sys.stderr)
    note = _stale_note(result.attrs, stale)
    if note:
        print(note, file=sys.stderr)
    return 0
