"""The demo HTTP server: real sockets on 127.0.0.1, throttling, maintenance and faults."""

from __future__ import annotations

import socket
from datetime import datetime, timezone
from urllib.parse import quote

import pytest
import requests

from cocframes.demo import DemoServer, World

NOW = datetime(2026, 3, 14, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, now=NOW)


def _clan_url(server: DemoServer) -> str:
    return f"{server.base_url}/clans/{quote(server.world.clan_tag, safe='')}"


def test_basic_get_and_keep_alive(world: World) -> None:
    with DemoServer(world) as server, requests.Session() as session:
        assert server.base_url.startswith("http://127.0.0.1:")
        for _ in range(3):  # several requests over one keep-alive connection
            answer = session.get(_clan_url(server), headers={"Authorization": "Bearer t1"})
            assert answer.status_code == 200
            assert answer.json()["tag"] == world.clan_tag
        assert answer.headers["Cache-Control"] == "max-age=60"
        assert answer.headers["X-Cocframes-Demo"] == "1"
        assert server.stats()["by_token"] == {"t1": 3}


def test_rate_limit_answers_429(world: World) -> None:
    with DemoServer(world, rate_limit=5, burst=5) as server, requests.Session() as session:
        codes = [session.get(_clan_url(server), headers={"Authorization": "Bearer k"}).status_code
                 for _ in range(15)]
        throttled = codes.count(429)
        assert throttled > 0 and codes.count(200) >= 5
        assert server.stats()["throttled"] == throttled
        # another token has its own bucket
        other = session.get(_clan_url(server), headers={"Authorization": "Bearer other"})
        assert other.status_code == 200


def test_maintenance(world: World) -> None:
    with DemoServer(world, maintenance=True) as server:
        answer = requests.get(_clan_url(server), timeout=5)
        assert answer.status_code == 503 and answer.json()["reason"] == "inMaintenance"
        server.set_maintenance(False)
        assert requests.get(_clan_url(server), timeout=5).status_code == 200


def test_token_check(world: World) -> None:
    with DemoServer(world, tokens={"good"}) as server:
        bad = requests.get(_clan_url(server), headers={"Authorization": "Bearer bad"}, timeout=5)
        assert bad.status_code == 403
        assert bad.json() == {"reason": "accessDenied", "message": "Invalid authorization"}
        assert requests.get(_clan_url(server), timeout=5).status_code == 403
        good = requests.get(_clan_url(server), headers={"Authorization": "Bearer good"},
                            timeout=5)
        assert good.status_code == 200


@pytest.mark.parametrize(("kind", "status", "reason"), [
    ("500", 500, "unknownException"), ("503", 503, "inMaintenance"),
    ("429", 429, "requestThrottled"),
])
def test_injected_error_faults(world: World, kind: str, status: int, reason: str) -> None:
    with DemoServer(world) as server:
        server.inject_faults(kind, count=2)
        answers = [requests.get(_clan_url(server), timeout=5) for _ in range(3)]
        assert [a.status_code for a in answers] == [status, status, 200]
        assert answers[0].json()["reason"] == reason
        stats = server.stats()
        assert stats["requests"] == 3
        assert stats["errors" if status >= 500 else "throttled"] == 2


def test_injected_drop(world: World) -> None:
    with DemoServer(world) as server:
        server.inject_faults("drop")
        with pytest.raises(requests.ConnectionError):
            requests.get(_clan_url(server), timeout=5)
        assert requests.get(_clan_url(server), timeout=5).status_code == 200
        assert server.stats()["dropped"] == 1


def test_injected_slow_trips_client_timeout(world: World) -> None:
    with DemoServer(world) as server:
        server.slow_seconds = 2.0
        server.inject_faults("slow")
        with pytest.raises(requests.Timeout):
            requests.get(_clan_url(server), timeout=0.3)
        assert requests.get(_clan_url(server), timeout=5).status_code == 200


def test_stop_releases_the_port(world: World) -> None:
    server = DemoServer(world).start()
    port = server.port
    with requests.Session() as session:  # leave a keep-alive connection open
        assert session.get(_clan_url(server)).status_code == 200
        server.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert server._thread is None


def test_unknown_fault_kind_is_rejected(world: World) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        DemoServer(world).inject_faults("boom")
