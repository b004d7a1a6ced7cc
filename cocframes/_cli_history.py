"""``cocframes track`` (one pass, for cron) and ``cocframes watch`` (events as they come)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cocframes._cli_common import Refused, os_error_text


def add_history_commands(commands: Any, number: Any) -> None:
    """Add the ``track`` and ``watch`` subcommands to ``commands`` (argparse subparsers);
    ``number(low)`` is the parser's whole-number type."""
    track = commands.add_parser(
        "track", help="one pass: fetch what is due for clans and players, store it in the "
        "history file, print the changes found (run it from cron)")
    _history_options(track, number)
    track.add_argument("--format", choices=("table", "csv", "json"), default="table")
    track.set_defaults(run=run_track)
    watch = commands.add_parser(
        "watch", help="track in a loop on the polling schedule, printing events as they come "
        "(Ctrl-C stops after storing the last whole pass)")
    _history_options(watch, number)
    watch.add_argument("--passes", type=number(1), default=None, help="stop after N passes")
    watch.add_argument("--duration", type=float, default=None,
                       help="stop after this many seconds")
    watch.add_argument("--speed", type=float, default=None,
                       help="with --demo: seconds of demo-world time per second (default 60)")
    watch.set_defaults(run=run_watch)


def _history_options(parser: argparse.ArgumentParser, number: Any) -> None:
    parser.add_argument("clans", nargs="*", metavar="CLAN", help="clan tags to follow")
    parser.add_argument("--player", action="append", default=[], metavar="TAG",
                        help="a player to follow (repeatable)")
    parser.add_argument("--history", metavar="PATH",
                        help="history file or directory (default: $COCFRAMES_HISTORY, else "
                        "the user data directory)")
    parser.add_argument("--player-interval", type=number(1), default=3600,
                        help="seconds between fetches of an unchanged profile (default 3600)")
    parser.add_argument("--no-wars", action="store_true", help="do not follow wars")
    parser.add_argument("--no-raids", action="store_true", help="do not follow raid weekends")
    parser.add_argument("--no-legends", action="store_true",
                        help="do not store legend league battle logs")
    parser.add_argument("--demo", action="store_true", help="use the offline demo world")


def _options(args: argparse.Namespace) -> dict[str, Any]:
    from cocframes import Client

    if not args.clans and not args.player:
        raise Refused("nothing to follow: give clan tags and/or --player TAG", code=2)
    return {"clans": args.clans, "players": args.player, "wars": not args.no_wars,
            "raids": not args.no_raids, "legends": not args.no_legends,
            "player_interval": args.player_interval, "history": args.history,
            "client": Client(demo=True, cache=False, progress=False) if args.demo else None}


def _run(call: Any) -> Any:
    from cocframes.cache import CacheError
    from cocframes.errors import CocError
    from cocframes.tracking.schema import HistoryVersionError

    try:
        return call()
    except (CocError, ValueError, TypeError, HistoryVersionError) as exc:
        raise Refused(str(exc)) from None
    except OSError as exc:
        raise Refused(f"cannot use the history file: {os_error_text(exc)}") from None
    except CacheError as exc:  # SQLite could not open or write it (a directory in its place)
        raise Refused(f"cannot use the history file: {exc}") from None


def run_track(args: argparse.Namespace) -> int:
    """One pass; print the changes found and a summary line on standard error."""
    options = _options(args)
    from cocframes._cli_frame import print_frame
    from cocframes.tracking.functions import track

    found = _run(lambda: track(**options))
    print_frame(found, args.format, 0)
    print(f"{len(found)} change(s), {found.attrs.get('requests', 0)} request(s); history: "
          f"{found.attrs.get('history')}", file=sys.stderr)
    return 0


def event_line(event: Any) -> str:
    """One event as one line of plain text (no symbols beyond ASCII punctuation)."""
    what = " ".join(str(x) for x in (event.field, _value(event.old), "->", _value(event.new))
                    if x not in (None, ""))
    return (f"{event.time_to:%Y-%m-%d %H:%M:%S} UTC  {event.kind:<28} {event.clan or '-':<12} "
            f"{event.player or '-':<12} {what}").rstrip()


def _value(value: Any) -> str:
    """``value`` as text on one line (a clan description may hold line breaks)."""
    return "-" if value is None else "\\n".join(str(value).splitlines())


def _print_safely(line: str) -> None:
    """Print ``line``, replacing what the terminal's encoding cannot show (emoji in names on
    an ASCII terminal) instead of failing."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    print(line.encode(encoding, errors="replace").decode(encoding), flush=True)


def run_watch(args: argparse.Namespace) -> int:
    """Watch until Ctrl-C, --passes or --duration; print each event as it comes."""
    options = _options(args)
    from cocframes.tracking.functions import watch

    found = _run(lambda: watch(**options, on={"*": lambda e: _print_safely(event_line(e))},
                               max_passes=args.passes, duration=args.duration,
                               speed=args.speed))
    print(f"stopped: {found.attrs.get('passes', 0)} pass(es), {len(found)} event(s); "
          f"history: {found.attrs.get('history')}", file=sys.stderr)
    return 0
