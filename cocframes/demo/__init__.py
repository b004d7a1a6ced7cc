"""The cocframes demo world: a deterministic simulated Clash of Clans API, fully offline.

One :class:`World` answers all 35 official operations in the real API's JSON shapes. It is
served two ways from the same code:

- :class:`DemoAdapter`, a ``requests`` transport adapter to mount on a session at
  ``"https://demo.cocframes.invalid/"`` (``DEMO_BASE_URL``); nothing leaves the process;
- :class:`DemoServer`, a real HTTP/1.1 server on 127.0.0.1 with latency, rate limits,
  maintenance, token checks and fault injection, for tests of the network path.

A :class:`Portal` (a fake developer portal for API-key management, at ``DEMO_PORTAL_URL``
in-process or ``DemoServer.portal_url``) can be given to either; it then decides which API
tokens are accepted from "the caller's IP".

``verify_token_for(tag, seed)`` gives the in-game API token that ``verifyToken`` accepts for a
demo player.
"""

from .adapter import DemoAdapter
from .players import verify_token_for
from .portal import DEMO_PORTAL_URL, Portal
from .server import DemoServer
from .world import DEMO_BASE_URL, DemoResponse, World

# The demo clan of the default world (``World().clan_tag``; a test keeps them equal), so that
# notebooks and widgets can name it without building the world.
DEMO_CLAN_TAG = "#992JPJY20"

__all__ = ["DEMO_BASE_URL", "DEMO_CLAN_TAG", "DEMO_PORTAL_URL", "DemoAdapter", "DemoResponse",
           "DemoServer", "Portal", "World", "verify_token_for"]
