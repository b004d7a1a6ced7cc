"""What the key-management tests share: a fixed clock and IPs for the fake developer portal,
and a shell environment with no credentials of the developer's in it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

NOW = datetime(2026, 3, 14, 12, tzinfo=timezone.utc)
HOME_IP = "203.0.113.10"
TRAVEL_IP = "198.51.100.77"
ELSEWHERE_IP = "192.0.2.55"
# Variables through which a developer's shell could hand cocframes tokens, credentials, URLs
# or the local address to connect from.
ENV_VARS = ("COC_API_TOKEN", "COC_EMAIL", "COC_PASSWORD", "COCFRAMES_PORTAL_URL",
            "COCFRAMES_BASE_URL", "COCFRAMES_SOURCE_ADDRESS")


def clear_env(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> None:
    """Remove :data:`ENV_VARS` and point the default cache at ``cache_dir``."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COCFRAMES_CACHE", str(cache_dir))
