"""The ``cocframes`` command line: ``cocframes demo`` (a tour of the demo world),
``cocframes demo serve`` (the demo world as an HTTP server on 127.0.0.1), ``cocframes login``
(developer-portal keys for this IP), ``cocframes keys`` (the keys cocframes manages),
``cocframes frame`` (any frame), ``cocframes track`` and ``cocframes watch`` (the history)."""

from __future__ import annotations

import argparse
import errno
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from cocframes import Client
from cocframes._cli_common import Refused, os_error_text
from cocframes._cli_frame import FRAMES, parts_help, run_frame
from cocframes._cli_history import add_history_commands
from cocframes._cli_tour import plot_folder, tour, write_plots
from cocframes.keys import KEY_LIMIT


def _demo(args: argparse.Namespace) -> int:
    from cocframes.demo import World

    folder = plot_folder(args.out) if args.out else None  # refused before the tour, not after
    world = World()
    with Client(demo=True, cache=False, progress=False) as client:
        print("cocframes demo world (simulated data, no token, no network)\n")
        frames = tour(client, world.clan_tag)
        if folder is not None:
            try:
                written = write_plots(frames, world.clan_tag, folder)
            except OSError as exc:
                raise Refused(f"cannot write the plots to --out {args.out}: "
                               f"{os_error_text(exc)}") from None
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
              burst=args.burst, maintenance=args.maintenance, speed=args.speed)
    except OSError as exc:  # from binding the port: in use, or not allowed
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else os_error_text(exc)
        raise Refused(f"cannot listen on 127.0.0.1:{args.port}: {reason}") from None
    return 0


def _ask(prompt: str, what: str, read: Callable[[str], str]) -> str:
    """Return the answer to ``prompt`` read with ``read`` (``input`` or ``getpass``).

    Raises:
        Refused: when no terminal can answer (standard input is not one, or is at its end).
    """
    remedy = (f"no terminal to ask for the {what}: set COC_EMAIL and COC_PASSWORD, "
              "or run with --email in a terminal")
    if not sys.stdin.isatty():
        raise Refused(remedy, code=2)
    try:
        return read(prompt)
    except EOFError:
        raise Refused(remedy, code=2) from None


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
        print(f"login failed: cannot write the key store: {os_error_text(exc)}",
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


def _positive(text: str) -> float:
    """Read a number above 0 (an argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be above 0, not {text}")
    return value


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
    serve.add_argument("--speed", type=_positive, default=None, metavar="N",
                       help="let the world live N times faster than the wall clock")
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
    frame.add_argument("name", choices=sorted(FRAMES))
    frame.add_argument("args", nargs="*", help="clan tag, player tags, location or season")
    frame.add_argument("--format", choices=("table", "csv", "json"), default="table")
    frame.add_argument("--kind", help="rankings / leagues / labels kind")
    frame.add_argument("--clan", help="players/units/achievements of a clan's members")
    frame.add_argument("--part", help=parts_help())
    frame.add_argument("--demo", action="store_true", help="use the offline demo world")
    frame.add_argument("--max-rows", type=_whole_number(0), default=60,
                       help="rows shown as a table (0: all)")
    frame.set_defaults(run=run_frame)
    add_history_commands(commands, _whole_number)
    return parser


def main(argv: Sequence[str] | None = None) -> Any:
    """Run the ``cocframes`` command line and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except Refused as exc:
        command = " ".join(filter(None, ("cocframes", args.command,
                                         getattr(args, "demo_command", None))))
        print(f"{command}: {exc}", file=sys.stderr)
        return exc.code


if __name__ == "__main__":
    sys.exit(main())
