"""The functions notebook users call: the default client and demo mode.

Top-level helpers such as ``cocframes.demo()`` work on one default :class:`Client`, made on
first use from the environment (``COC_API_TOKEN`` ...) and replaceable with
:func:`set_client`. It is a plain module-level reference, never consulted by ``Client`` itself,
so explicit clients stay independent of it.
"""

from __future__ import annotations

import threading
import types
from typing import Any

from cocframes.client import Client

_lock = threading.Lock()
_default: Client | None = None


def get_client() -> Client:
    """Return the default client, creating it from the environment on first use."""
    global _default
    with _lock:
        if _default is None:
            _default = Client()
        return _default


def set_client(client: Client | None) -> None:
    """Make ``client`` the default client (``None``: make a new one from the environment on
    next use)."""
    global _default
    with _lock:
        _default = client


def use_demo(**options: Any) -> Client:
    """Switch the default client to the offline demo world and return it.

    ``options`` are passed to ``Client(demo=True, ...)`` (e.g. ``cache=False``).
    """
    client = Client(demo=True, **options)
    set_client(client)
    return client


class CallableDemoModule(types.ModuleType):
    """Lets ``cocframes.demo`` be both the demo package and the call ``cocframes.demo()``."""

    def __call__(self, **options: Any) -> Client:
        """Switch the default client to the demo world and return it (see :func:`use_demo`)."""
        return use_demo(**options)


def login(
    email: str | None = None,
    password: str | None = None,
    *,
    key_count: int = 1,
    key_name: str = "cocframes",
    store: bool = False,
    **options: Any,
) -> Client:
    """Log in to the developer portal, make the default client use keys bound to this IP, and
    return it.

    ``email`` / ``password`` default to ``$COC_EMAIL`` / ``$COC_PASSWORD``. ``store=True``
    keeps the tokens (never the password) for the next run on the same IP. Other ``options``
    go to :class:`Client`.
    """
    from cocframes.keys import credentials_from_env

    if email is None or password is None:
        env = credentials_from_env()
        if env is None:
            raise ValueError("give email and password, or set COC_EMAIL and COC_PASSWORD")
        email, password = email or env[0], password or env[1]
    client = Client(email=email, password=password, key_count=key_count, key_name=key_name,
                    key_store=store, **options)
    set_client(client)
    return client
