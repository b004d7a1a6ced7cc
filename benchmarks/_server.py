"""The benchmark's demo HTTP server, run in its own process so that serving does not share
the GIL with the client being measured.

``python -m benchmarks._server --latency 0.08 --rate-limit 10`` prints one JSON line (base
URL, main clan tag, player tags), then answers commands on stdin, one per line: ``stats``
prints the server's counters as one JSON line, ``quit`` (or end of input) stops it.
"""

from __future__ import annotations

import argparse
import json
import sys

from cocframes.demo import server as _demo_server
from cocframes.demo.server import DemoServer
from cocframes.demo.world import MAIN, World

FULL_CLAN = 50  # a full clan: the main demo clan is topped up to 50 members


class FullClanWorld(World):
    """The demo world with its main clan full (50 members), as in the issue's W1."""

    def _build(self) -> None:
        super()._build()
        clan = self.clans[MAIN]
        while len(clan.members) < FULL_CLAN:
            member = self._make_player(len(self.players), 0.85, MAIN)
            clan.members.append(member)
            self.players.append(member)
        self._assign_roles(clan)


# socketserver's listen backlog is 5: a client opening 50 connections at once (W6) overflows
# it, the kernel drops SYNs and the client waits the 1 s SYN retransmit. Real API servers have
# deep backlogs, so the benchmark's server gets one (proposal for DemoServer itself: the same
# class attribute in cocframes/demo/server.py).
_demo_server._HTTPServer.request_queue_size = 128


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._server")
    parser.add_argument("--latency", type=float, default=0.08)
    parser.add_argument("--rate-limit", type=float, default=None)
    parser.add_argument("--burst", type=int, default=10)
    args = parser.parse_args(argv)
    world = FullClanWorld()
    server = DemoServer(world, latency=args.latency, rate_limit=args.rate_limit,
                        burst=args.burst).start()
    try:
        hello = {"url": server.base_url, "clan_tag": world.clan_tag,
                 "player_tags": world.player_tags}
        print(json.dumps(hello), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                print(json.dumps(server.stats()), flush=True)
            elif command == "quit":
                break
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
