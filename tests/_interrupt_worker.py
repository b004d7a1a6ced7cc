"""A bulk fetch that the test interrupts with SIGINT (Ctrl-C): prints "started" once the
fetch runs, then, after the KeyboardInterrupt, "interrupted", waits, and prints "done"."""

import sys
import time

from cocframes import Client
from cocframes.demo import World

base_url, count = sys.argv[1], int(sys.argv[2])
client = Client(token="t", base_url=base_url, cache=False, rate=5, burst=1, progress=False)
tags = World(seed=7).player_tags[:count]
print("started", flush=True)
try:
    client.many(client.get_player, tags)
except KeyboardInterrupt:
    print("interrupted", flush=True)
time.sleep(2.0)  # the process lives on, as a kernel does: nothing more may be sent
print("done", flush=True)
