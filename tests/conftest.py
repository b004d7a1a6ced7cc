"""Shared fixtures: the recorded real API responses and the official spec."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cocframes.demo import DemoServer, World

REAL_DIR = Path(__file__).resolve().parent / "fixtures" / "real"
# Same location as tests/test_demo_schema.py uses: the spec stays outside the repo because its
# licence is unknown (see ../shared/data/SOURCES.md).
SPEC_PATH = Path(__file__).resolve().parents[2] / "shared/data/coc-openapi.yaml"


#: The demo world's clock in the tests that share :func:`world` and :func:`server`.
DEMO_NOW = datetime(2026, 3, 14, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def world() -> World:
    """The demo world of seed 7 at :data:`DEMO_NOW` (a test module may define its own)."""
    return World(seed=7, now=DEMO_NOW)


@pytest.fixture(scope="module")
def server(world: World):
    """The demo world served over HTTP on 127.0.0.1, for one test module."""
    with DemoServer(world) as srv:
        yield srv


def load_real_payloads() -> dict[str, dict]:
    """Return every recorded response in tests/fixtures/real, keyed by file stem.

    Each value is the wrapper ``{"body", "headers", "response_code"}`` (some files carry an
    extra key, e.g. ``clantag``).
    """
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(REAL_DIR.glob("*.json"))
    }


@pytest.fixture(scope="session")
def real_payloads() -> dict[str, dict]:
    """File stem → loaded wrapper ``{"body", "headers", "response_code"}``."""
    payloads = load_real_payloads()
    assert payloads, f"no recorded responses found in {REAL_DIR}"
    return payloads


@pytest.fixture(scope="session")
def spec() -> dict:
    """The official Swagger 2.0 document, or skip when it is not present."""
    if not SPEC_PATH.exists():
        pytest.skip(
            "the official spec is not shipped with the repo (unknown licence); "
            "place it at ../shared/data/coc-openapi.yaml"
        )
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
