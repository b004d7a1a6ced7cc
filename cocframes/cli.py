"""The ``cocframes`` command line: ``cocframes demo`` (a tour of the demo world),
``cocframes demo serve`` (the demo world as an HTTP server on 127.0.0.1), ``cocframes login``
(developer-portal keys for this IP) and ``cocframes keys`` (the keys cocframes manages)."""

from __future__ import annotations

import argparse
import errno
import getpass
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cocframes import Client
from cocframes.keys import KEY_LIMIT


class _Refused(Exception):
    """What the command cannot do, as the one line to print; ``code`` is the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _show(title: str, df: Any, columns: Sequence[str], rows: int = 5) -> None:
    """Print a frame's title, its size and the first ``rows`` rows of ``columns``."""
    print(f"\n{title}: {len(df)} rows x {len(df.columns)} columns")
    if len(df):
        from cocframes.views import to_the_minute

        shown = to_the_minute(df[list(columns)].head(rows))
        print(shown.to_string(index=False, max_colwidth=22))


def _tour(client: Client, clan_tag: str) -> dict[str, Any]:
    """Print a short tour of one clan as frames (profile, members, war, units, war log, CWL,
    capital raids and rankings) and return the frames by name."""
    from cocframes import api

    clan = client.get_clan(clan_tag)
    location = (clan.get("location") or {}).get("name", "no location")
    war_log = "public" if clan.get("isWarLogPublic") else "private"
    print(f"Clan {clan['name']} {clan['tag']} - level {clan.get('clanLevel')}, {location}, "
          f"{clan.get('members')} members, war log {war_log}")

    members = api.members(clan_tag, client=client).sort_values("trophies", ascending=False)
    _show(f"cf.members({clan_tag!r}), top by trophies", members,
          ["name", "role", "town_hall", "trophies", "donations", "donations_received"])

    attacks = api.war_attacks(clan_tag, client=client)
    ours = attacks[attacks["attacker_clan_tag"] == clan_tag]
    _show(f"cf.war_attacks(...): current war: {attacks.attrs['war_state']}", ours,
          ["attacker_name", "defender_map_position", "stars", "new_stars", "destruction"])
    if len(ours):
        print(f"  {int(ours['new_stars'].sum())} new stars from {int(ours['stars'].sum())} "
              "stars: only stars above the base's best earlier attack count")

    war_members = api.war_members(clan_tag, client=client)
    ours_m = war_members[war_members["clan_tag"] == clan_tag]
    waiting = ours_m.sort_values(["attacks_remaining", "map_position"], ascending=[False, True])
    _show("cf.war_members(...): attacks still to make", waiting,
          ["name", "map_position", "attacks_used", "attacks_remaining", "stars_earned",
           "best_opponent_stars"], rows=3)

    units = api.units(clan=clan_tag, client=client, progress=False)
    heroes = units[units["kind"] == "hero"]
    summary = (heroes.groupby("name", observed=True)["progress"].mean().round(2)
               .sort_values(ascending=False).reset_index())
    _show("cf.units(clan=...): heroes, mean level / max level", summary, ["name", "progress"])
    print(f"  ({len(units)} rows: one per member x troop, hero, spell, equipment, pet, siege;"
          f" profiles {units['player_tag'].nunique()}/{len(members)}, "
          f"{len(units.attrs['failures'])} failures)")

    log = api.war_log(clan_tag, client=client)
    _show("cf.war_log(...)", log, ["end_time", "result", "team_size", "clan_stars",
                                    "opponent_name", "opponent_stars"])

    league = api.cwl(clan_tag, client=client)
    print(f"\ncf.cwl(...): {len(league.clans)} clans, {league.rounds['round'].nunique()} rounds, "
          f"{len(league.attacks)} attacks in their wars")

    raids = api.raids(clan_tag, client=client)
    _show("cf.raids(...).members: capital loot", raids.members.sort_values(
        "capital_resources_looted", ascending=False),
        ["season_start", "name", "attacks", "capital_resources_looted"], rows=3)

    ranking = api.rankings("global", "clans", client=client)
    _show('cf.rankings("global", "clans")', ranking,
          ["rank", "name", "points", "location_name"], rows=3)
    return {"members": members, "war_attacks": attacks, "war_members": war_members,
            "units": units, "cwl": league, "raids": raids, "rankings": ranking}


def _os_error_text(exc: OSError) -> str:
    """Return ``exc`` in words, without Python's error number: "File exists: /tmp/x"."""
    if exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename}"
    return exc.strerror or str(exc)


def _plot_folder(out: str) -> Path:
    """Return the folder ``--out`` names, created if missing.

    Raises:
        _Refused: when it is a file, or cannot be created.
    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise _Refused(f"--out {out} is a file; give a folder for the plots", code=2)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _Refused(f"cannot make the --out folder: {_os_error_text(exc)}") from None
    return folder


def _write_plots(frames: dict[str, Any], clan_tag: str, folder: Path) -> list[Path]:
    """Draw the tour's plots from its frames into PNG files in ``folder``; return their
    paths."""
    from cocframes import plots, views

    units = frames["units"]
    best = (units[units["kind"] == "hero"].groupby("player_tag")["progress"].mean().idxmax()
            if len(units) else None)
    drawings = {
        "donations": (plots.donations, frames["members"], {"top": 25}, (8, 8)),
        "trophies_by_town_hall": (plots.trophies_by_town_hall, frames["members"], {}, (8, 5)),
        "war_map": (plots.war_map, frames["war_attacks"], {}, (7, 7)),
        "war_stars": (plots.war_stars, frames["war_members"], {}, (8, 7)),
        "clan_heatmap_heroes": (plots.clan_heatmap, units, {"kind": "hero"}, (9, 10)),
        "unit_progress": (plots.unit_progress, units, {"player": best}, (8, 12)),
        "cwl_rounds": (plots.cwl_rounds, frames["cwl"], {"highlight": clan_tag}, (9, 5)),
        "raid_loot": (plots.raid_loot, frames["raids"].members, {}, (8, 8)),
        "ranking_ladder": (plots.ranking_ladder, frames["rankings"], {"top": 15}, (8, 6)),
    }
    written = []
    for name, (plot, df, options, size) in drawings.items():
        path = folder / f"{name}.png"
        path.write_bytes(views.png(views.figure(plot, df, size=size, **options), dpi=100))
        written.append(path)
    return written


def _demo(args: argparse.Namespace) -> int:
    from cocframes.demo import World

    folder = _plot_folder(args.out) if args.out else None  # refused before the tour, not after
    world = World()
    with Client(demo=True, cache=False, progress=False) as client:
        print("cocframes demo world (simulated data, no token, no network)\n")
        frames = _tour(client, world.clan_tag)
        if folder is not None:
            try:
                written = _write_plots(frames, world.clan_tag, folder)
            except OSError as exc:
                raise _Refused(f"cannot write the plots to --out {args.out}: "
                               f"{_os_error_text(exc)}") from None
            print(f"\nWrote {len(written)} plots to {args.out}: "
                  + ", ".join(p.name for p in written))
        stats = client.stats()
        print(f"\n{stats.requests} requests, {stats.cache_hits} cache hits, {stats.errors} "
              "errors. Every frame says where it came from in df.attrs "
              "(source, fetched_at, demo=True here).")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from cocframes.demo.server import serve

    try:
        serve(args.port, latency=args.latency / 1000.0, rate_limit=args.rate_limit,
              burst=args.burst, maintenance=args.maintenance)
    except OSError as exc:  # from binding the port: in use, or not allowed
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else _os_error_text(exc)
        raise _Refused(f"cannot listen on 127.0.0.1:{args.port}: {reason}") from None
    return 0


def _ask(prompt: str, what: str, read: Callable[[str], str]) -> str:
    """Return the answer to ``prompt`` read with ``read`` (``input`` or ``getpass``).

    Raises:
        _Refused: when no terminal can answer (standard input is not one, or is at its end).
    """
    remedy = (f"no terminal to ask for the {what}: set COC_EMAIL and COC_PASSWORD, "
              "or run with --email in a terminal")
    if not sys.stdin.isatty():
        raise _Refused(remedy, code=2)
    try:
        return read(prompt)
    except EOFError:
        raise _Refused(remedy, code=2) from None


def _key_manager(args: argparse.Namespace) -> Any:
    from cocframes.keys import EMAIL_ENV_VAR, PASSWORD_ENV_VAR, KeyManager, KeyStore

    email = (args.email or os.environ.get(EMAIL_ENV_VAR)
             or _ask("Developer-portal email: ", "developer-portal email", input))
    password = (os.environ.get(PASSWORD_ENV_VAR)
                or _ask("Password: ", "developer-portal password", getpass.getpass))
    store = KeyStore(args.store_path) if getattr(args, "store", False) else None
    return KeyManager(email, password, key_count=getattr(args, "key_count", 1),
                      key_name=args.key_name, portal_url=args.portal_url, store=store)


def _login(args: argparse.Namespace) -> int:
    from cocframes.keys import PortalError

    try:
        manager = _key_manager(args)
        tokens = manager.sync()  # an explicit login always asks the portal for this IP
    except (PortalError, ValueError) as exc:
        print(f"login failed: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the key store could not be written
        print(f"login failed: cannot write the key store: {_os_error_text(exc)}",
              file=sys.stderr)
        return 1
    print(f"{len(tokens)} key(s) named {manager.key_name!r} ready for IP {manager.ip}")
    if manager.store is not None:
        print(f"tokens stored in {manager.store.path} (mode 0600; the password is not stored)")
    return 0


def _keys(args: argparse.Namespace) -> int:
    from cocframes.keys import PortalError

    try:
        manager = _key_manager(args)
        keys = manager.keys()
    except (PortalError, ValueError) as exc:
        print(f"could not list keys: {exc}", file=sys.stderr)
        return 1
    print(f"{len(keys)} key(s) named {manager.key_name!r}; this IP is {manager.ip}")
    print(f"  {'id':<10} {'name':<16} {'IP':<20} {'created':<17} usable here")
    for key in keys:
        created = f"{key.created:%Y-%m-%d %H:%M}" if key.created else "?"
        here = "yes" if manager.ip and key.allows(manager.ip) else "no"
        print(f"  {key.id[:8] + '…':<10} {key.name[:16]:<16} {', '.join(key.cidr_ranges):<20} "
              f"{created:<17} {here}")
    return 0


# Frame name → (function in cocframes.api, how the positional arguments are passed).
_FRAMES: dict[str, str] = {
    "members": "clan", "players": "tags", "units": "tags", "achievements": "tags",
    "war-attacks": "clan", "war-members": "clan", "war-log": "clan", "cwl": "clan",
    "raids": "clan", "rankings": "location", "legend-rankings": "season",
    "battle-log": "player", "league-history": "player", "locations": "none",
    "leagues": "none", "labels": "none", "search-clans": "name",
}
_PARTS = {"cwl": ("clans", "rounds", "attacks"), "raids": ("seasons", "members", "districts")}


_KINDS = ("rankings", "leagues", "labels")


def _frame_problem(args: argparse.Namespace) -> str | None:
    """Return what is wrong with the arguments of ``cocframes frame``, or ``None``."""
    how = _FRAMES[args.name]
    if args.kind and args.name not in _KINDS:
        return f"--kind applies to {', '.join(_KINDS)}"
    if args.clan and how != "tags":
        return "--clan applies to players, units and achievements"
    if args.part and args.part not in _PARTS.get(args.name, ()):
        return "--part applies to " + "; ".join(f"{k}: {'|'.join(v)}" for k, v in _PARTS.items())
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
        _Refused: naming the folder and the setting that chose it.
    """
    from cocframes.cache import CACHE_ENV_VAR, resolve_cache_dir

    try:
        resolve_cache_dir()
    except OSError as exc:
        raise _Refused(f"cannot use the cache folder ({_os_error_text(exc)}); set "
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
    """Return ``value`` (a datetime or an ISO-8601 string) as an aware UTC datetime, or
    ``None`` when it is neither."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


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
    reasons = list(dict.fromkeys(w.why for w in stale if getattr(w, "why", "")))
    why = "; ".join(reasons) or "the API could not answer"
    times = [w.fetched_at for w in stale if getattr(w, "fetched_at", None) is not None]
    fetched_at = min(times) if times else _as_utc(attrs.get("fetched_at"))
    if fetched_at is None:
        return f"warning: {why}; these rows are stale cached data of unknown age"
    return (f"warning: {why}; these rows are stale cached data from "
            f"{fetched_at.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC, {_age(fetched_at)}")


def _print_frame(df: Any, output: str, max_rows: int) -> None:
    """Print ``df`` on standard output as ``output`` (table, csv or json)."""
    if output == "csv":
        sys.stdout.write(df.to_csv(index=False))
    elif output == "json":
        sys.stdout.write(df.to_json(orient="records", date_format="iso") + "\n")
    else:
        import pandas as pd

        with pd.option_context("display.width", 200, "display.max_columns", 30):
            print(df.to_string(max_rows=max_rows or None))


def _frame(args: argparse.Namespace) -> int:
    """Print or export one frame; return the exit code."""
    from cocframes import api
    from cocframes.errors import CocError

    problem = _frame_problem(args)
    if problem:
        raise _Refused(problem, code=2)
    _check_cache_dir()
    func = getattr(api, args.name.replace("-", "_"))
    how = _FRAMES[args.name]
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
    except ValueError as exc:
        if args.kind and "kind" in str(exc):  # the frame function names its own argument
            raise _Refused(f"--kind: {exc}", code=2) from None
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (CocError, LookupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.name in _PARTS:
        result = getattr(result, args.part or _PARTS[args.name][-1])
    _print_frame(result, args.format, args.max_rows)
    if result.attrs.get("failures"):
        print(f"warning: {len(result.attrs['failures'])} item(s) failed: "
              + ", ".join(result.attrs["failures"]), file=sys.stderr)
    note = _stale_note(result.attrs, stale)
    if note:
        print(note, file=sys.stderr)
    return 0


def _whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """Return an argparse type that reads a whole number from ``low`` to ``high`` (or more)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text}") from None
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise argparse.ArgumentTypeError(f"must be {span}, not {value}")
        return value

    return parse


def _portal_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", help="developer-portal email (default: $COC_EMAIL)")
    parser.add_argument("--key-name", default="cocframes", help="name of the managed keys")
    parser.add_argument("--portal-url", default=None,
                        help="developer portal API (default: the real one)")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``cocframes`` command."""
    parser = argparse.ArgumentParser(prog="cocframes", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="tour the offline demo world")
    demo.add_argument("--out", metavar="DIR", help="also write the tour's plots as PNG files")
    demo.set_defaults(run=_demo)
    demo_commands = demo.add_subparsers(dest="demo_command")
    serve = demo_commands.add_parser("serve", help="serve the demo world over HTTP on 127.0.0.1")
    serve.add_argument("--port", type=_whole_number(0, 65535), default=8080,
                       help="port (0: any free port)")
    serve.add_argument("--latency", type=float, default=0.0, help="added latency in ms")
    serve.add_argument("--rate-limit", type=float, default=None,
                       help="requests per second per token before 429 answers")
    serve.add_argument("--burst", type=_whole_number(1), default=10,
                       help="per-token bucket size")
    serve.add_argument("--maintenance", action="store_true", help="answer 503 inMaintenance")
    serve.set_defaults(run=_serve)

    login = commands.add_parser(
        "login", help="log in to the developer portal and get keys bound to this IP "
        "(the password is asked without echo, or read from $COC_PASSWORD)")
    _portal_options(login)
    login.add_argument("--key-count", type=_whole_number(1, KEY_LIMIT), default=1,
                       help=f"how many keys (1-{KEY_LIMIT})")
    login.add_argument("--store", action="store_true",
                       help="keep the tokens (never the password) for the next runs")
    login.add_argument("--store-path", default=None, help="file of the key store")
    login.set_defaults(run=_login)
    keys = commands.add_parser("keys", help="list the keys cocframes manages (never the tokens)")
    _portal_options(keys)
    keys.set_defaults(run=_keys)

    frame = commands.add_parser("frame", help="print or export any frame",
                                description="Print or export a frame, e.g. "
                                "'cocframes frame members \\#2PP --format csv'.")
    frame.add_argument("name", choices=sorted(_FRAMES))
    frame.add_argument("args", nargs="*", help="clan tag, player tags, location or season")
    frame.add_argument("--format", choices=("table", "csv", "json"), default="table")
    frame.add_argument("--kind", help="rankings / leagues / labels kind")
    frame.add_argument("--clan", help="players/units/achievements of a clan's members")
    frame.add_argument("--part", help="cwl: clans|rounds|attacks; raids: "
                       "seasons|members|districts")
    frame.add_argument("--demo", action="store_true", help="use the offline demo world")
    frame.add_argument("--max-rows", type=_whole_number(0), default=60,
                       help="rows shown as a table (0: all)")
    frame.set_defaults(run=_frame)
    return parser


def main(argv: Sequence[str] | None = None) -> Any:
    """Run the ``cocframes`` command line and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except _Refused as exc:
        command = " ".join(filter(None, ("cocframes", args.command,
                                         getattr(args, "demo_command", None))))
        print(f"{command}: {exc}", file=sys.stderr)
        return exc.code


if __name__ == "__main__":
    sys.exit(main())
