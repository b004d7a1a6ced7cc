"""The ``cocframes`` command line: ``cocframes demo`` (a tour of the demo world),
``cocframes demo serve`` (the demo world as an HTTP server on 127.0.0.1), ``cocframes login``
(developer-portal keys for this IP) and ``cocframes keys`` (the keys cocframes manages)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from typing import Any

from cocframes import Client


def _tour(client: Client, clan_tag: str) -> None:
    """Print a short tour of one clan: profile, members, current war, one player."""
    clan = client.get_clan(clan_tag)
    location = (clan.get("location") or {}).get("name", "no location")
    war_log = "public" if clan.get("isWarLogPublic") else "private"
    print(f"Clan {clan['name']} {clan['tag']} — level {clan.get('clanLevel')}, {location}, "
          f"{clan.get('members')} members, war log {war_log}")

    members = list(client.paginate("getClanMembers", clanTag=clan_tag))
    print(f"\nTop members by trophies ({len(members)} in all):")
    print(f"  {'tag':<12} {'name':<16} {'role':<9} {'TH':>3} {'trophies':>8} {'donated':>8}")
    for m in sorted(members, key=lambda m: -m.get("trophies", 0))[:8]:
        print(f"  {m['tag']:<12} {m['name'][:16]:<16} {m.get('role', ''):<9} "
              f"{m.get('townHallLevel', ''):>3} {m.get('trophies', 0):>8} "
              f"{m.get('donations', 0):>8}")

    war = client.get_current_war(clan_tag)
    print(f"\nCurrent war: {war.get('state')}")
    if war.get("state") not in (None, "notInWar"):
        ours, theirs = war["clan"], war["opponent"]
        print(f"  {ours.get('name')} {ours.get('stars')}★ {ours.get('destructionPercentage'):.1f}%"
              f"  vs  {theirs.get('name')} {theirs.get('stars')}★ "
              f"{theirs.get('destructionPercentage'):.1f}%  ({war.get('teamSize')} v "
              f"{war.get('teamSize')})")
        attacks = [a for m in ours.get("members", []) for a in m.get("attacks", [])]
        print(f"  {len(attacks)} attacks so far by {ours.get('name')}")

    if members:
        player = client.get_player(members[0]["tag"])
        heroes = ", ".join(f"{h['name']} {h['level']}" for h in player.get("heroes", [])[:4])
        print(f"\nPlayer {player['name']} {player['tag']}: "
              f"town hall {player.get('townHallLevel')}, {len(player.get('troops', []))} troops, "
              f"heroes: {heroes or 'none'}")


def _demo(args: argparse.Namespace) -> int:
    from cocframes.demo import World

    world = World()
    with Client(demo=True, cache=False, progress=False) as client:
        print("cocframes demo world (simulated data, no token, no network)\n")
        _tour(client, world.clan_tag)
        result = client.many(client.get_player, world.player_tags[:50], progress=False)
        stats = client.stats()
        print(f"\nBulk fetch: {len(result.succeeded)}/{len(result.items)} profiles, "
              f"{len(result.failures)} failures; {stats.requests} requests, "
              f"{stats.cache_hits} cache hits")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from cocframes.demo.server import serve

    serve(args.port, latency=args.latency / 1000.0, rate_limit=args.rate_limit,
          burst=args.burst, maintenance=args.maintenance)
    return 0


def _key_manager(args: argparse.Namespace) -> Any:
    from cocframes.keys import EMAIL_ENV_VAR, PASSWORD_ENV_VAR, KeyManager, KeyStore

    email = args.email or os.environ.get(EMAIL_ENV_VAR) or input("Developer-portal email: ")
    password = os.environ.get(PASSWORD_ENV_VAR) or getpass.getpass("Password: ")
    store = KeyStore(args.store_path) if getattr(args, "store", False) else None
    return KeyManager(email, password, key_count=getattr(args, "key_count", 1),
                      key_name=args.key_name, portal_url=args.portal_url, store=store)


def _login(args: argparse.Namespace) -> int:
    from cocframes.keys import PortalError

    try:
        manager = _key_manager(args)
        tokens = manager.tokens()
    except (PortalError, ValueError) as exc:
        print(f"login failed: {exc}", file=sys.stderr)
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
    demo.set_defaults(run=_demo)
    demo_commands = demo.add_subparsers(dest="demo_command")
    serve = demo_commands.add_parser("serve", help="serve the demo world over HTTP on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="port (0: any free port)")
    serve.add_argument("--latency", type=float, default=0.0, help="added latency in ms")
    serve.add_argument("--rate-limit", type=float, default=None,
                       help="requests per second per token before 429 answers")
    serve.add_argument("--burst", type=int, default=10, help="per-token bucket size")
    serve.add_argument("--maintenance", action="store_true", help="answer 503 inMaintenance")
    serve.set_defaults(run=_serve)

    login = commands.add_parser(
        "login", help="log in to the developer portal and get keys bound to this IP "
        "(the password is asked without echo, or read from $COC_PASSWORD)")
    _portal_options(login)
    login.add_argument("--key-count", type=int, default=1, help="how many keys (1-10)")
    login.add_argument("--store", action="store_true",
                       help="keep the tokens (never the password) for the next runs")
    login.add_argument("--store-path", default=None, help="file of the key store")
    login.set_defaults(run=_login)
    keys = commands.add_parser("keys", help="list the keys cocframes manages (never the tokens)")
    _portal_options(keys)
    keys.set_defaults(run=_keys)
    return parser


def main(argv: Sequence[str] | None = None) -> Any:
    """Run the ``cocframes`` command line and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
