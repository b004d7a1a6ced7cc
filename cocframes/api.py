"""The functions notebook users call: the default client, demo mode, and the frames.

Top-level helpers such as ``cocframes.demo()`` work on one default :class:`Client`, made on
first use from the environment (``COC_API_TOKEN`` ...) and replaceable with
:func:`set_client`. It is a plain module-level reference, never consulted by ``Client`` itself,
so explicit clients stay independent of it.

The frame functions live in modules by job (``_bulk_frames``: many players at once;
``_war_frames``: wars and CWL; ``_clan_frames``: one clan or player; ``_reference_frames``:
rankings, leagues, labels, locations) and are imported here, so ``cocframes.api.members``
and ``cocframes.members`` are the same function. They import pandas and the builders on
first use, so ``import cocframes`` stays light.
"""

from __future__ import annotations

import os
import threading
import types
from typing import Any

from cocframes._bulk_frames import achievements, clans, players, units
from cocframes._clan_frames import (
    RaidFrames,
    battle_log,
    league_history,
    members,
    raids,
    search_clans,
)
from cocframes._participation_frames import participation
from cocframes._reference_frames import (
    LEGEND_LEAGUE_ID,
    labels,
    leagues,
    legend_rankings,
    locations,
    rankings,
)
from cocframes._war_frames import (
    CwlFrames,
    WarFrames,
    cwl,
    war,
    war_attacks,
    war_log,
    war_members,
)
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


def connect(*, quiet: bool = False, **options: Any) -> Client:
    """Make the default client the real API when credentials are in the environment, or
    else the offline demo world; print which (unless ``quiet``) and return it.

    Credentials are ``$COC_API_TOKEN``, or ``$COC_EMAIL`` and ``$COC_PASSWORD``. This is the
    first cell of every notebook: the same notebook runs on the demo world with no set-up
    and on the real API once a token is there. ``options`` go to :class:`Client`.
    """
    from cocframes.client import TOKEN_ENV_VAR
    from cocframes.keys import credentials_from_env

    live = bool(os.environ.get(TOKEN_ENV_VAR)) or credentials_from_env() is not None
    client = Client(**options) if live else Client(demo=True, **options)
    set_client(client)
    if not quiet:
        print("cocframes: the Clash of Clans API" if live else
              f"cocframes: the offline demo world (simulated data). Set {TOKEN_ENV_VAR}, or "
              "COC_EMAIL and COC_PASSWORD, for the real API.")
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


__all__ = [
    "LEGEND_LEAGUE_ID", "CallableDemoModule", "CwlFrames", "RaidFrames", "WarFrames",
    "achievements", "battle_log", "clans", "connect", "cwl", "get_client", "labels",
    "league_history",
    "leagues", "legend_rankings", "locations", "login", "members", "participation", "players",
    "raids", "rankings", "search_clans", "set_client", "units", "use_demo", "war",
    "war_attacks", "war_log", "war_members",
]
