"""The in-process adapter answers like the API, also behind a requests-cache session."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

import pytest
import requests

from cocframes.demo import DEMO_BASE_URL, DemoAdapter, World

NOW = datetime(2026, 3, 14, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, now=NOW)


def test_plain_session(world: World) -> None:
    session = requests.Session()
    session.mount("https://demo.cocframes.invalid/", DemoAdapter(world))
    answer = session.get(f"{DEMO_BASE_URL}/clans/{quote(world.clan_tag, safe='')}")
    assert answer.status_code == 200
    assert answer.json()["tag"] == world.clan_tag
    assert answer.headers["Cache-Control"] == "max-age=60"
    assert answer.headers["X-Cocframes-Demo"] == "1"
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    missing = session.get(f"{DEMO_BASE_URL}/players/{quote(world.unknown_tag, safe='')}",
                          headers={"Authorization": "Bearer anything"})
    assert missing.status_code == 404 and missing.json()["reason"] == "notFound"
    with pytest.raises(requests.HTTPError):
        missing.raise_for_status()


def test_query_and_post_go_through(world: World) -> None:
    from cocframes.demo import verify_token_for

    session = requests.Session()
    session.mount("https://demo.cocframes.invalid/", DemoAdapter(world))
    page = session.get(f"{DEMO_BASE_URL}/locations", params={"limit": 3})
    assert len(page.json()["items"]) == 3
    tag = world.player_tags[0]
    answer = session.post(f"{DEMO_BASE_URL}/players/{quote(tag, safe='')}/verifytoken",
                          json={"token": verify_token_for(tag)})
    assert answer.json()["status"] == "ok"


def test_cached_session_serves_second_call_from_cache(world: World) -> None:
    requests_cache = pytest.importorskip("requests_cache")
    session = requests_cache.CachedSession(backend="memory", cache_control=True)
    session.mount("https://demo.cocframes.invalid/", DemoAdapter(world))
    url = f"{DEMO_BASE_URL}/clans/{quote(world.clan_tag, safe='')}/members"
    first = session.get(url)
    second = session.get(url)
    assert first.status_code == second.status_code == 200
    assert not first.from_cache
    assert second.from_cache
    assert second.json() == first.json()
    assert second.expires is not None  # Cache-Control: max-age honoured
