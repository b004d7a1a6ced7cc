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

import importlib
from typing import Any

# The demo clan of the default world (``World().clan_tag``; a test keeps them equal), so that
# notebooks and widgets can name it without building the world.
DEMO_CLAN_TAG = "#992JPJY20"

# Name -> module that defines it. Loaded on first use, so that `import cocframes` (which
# names this package) loads neither the world nor the HTTP server's code.
_LAZY = {
    "DemoAdapter": "adapter", "verify_token_for": "players", "DEMO_PORTAL_URL": "portal",
    "Portal": "portal", "DemoServer": "server", "DEMO_BASE_URL": "world",
    "DemoResponse": "world", "World": "world",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = ["DEMO_BASE_URL", "DEMO_CLAN_TAG", "DEMO_PORTAL_URL", "DemoAdapter", "DemoResponse",
           "DemoServer", "Portal", "World", "verify_token_for"]
