"""Developer-portal key management (cocframes.keys, Client(email=..., password=...)).

Everything runs against the fake portal of :mod:`cocframes.demo.portal`, served with the demo
API by a :class:`DemoServer` on 127.0.0.1 (or, for broken portals, a tiny canned-answer HTTP
server on 127.0.0.1). No test touches the real API or portal.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import stat
import threading
import traceback
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import cocframes
from cocframes import api
from cocframes.client import Client
from cocframes.demo import DemoServer, Portal, World
from cocframes.demo.portal import DEMO_EMAIL, DEMO_PASSWORD
from cocframes.keys import (
    DEFAULT_KEY_NAME,
    ApiKey,
    InvalidCredentialsError,
    IpDetectionError,
    KeyLimitError,
    KeyManager,
    KeyStore,
    PortalError,
    PortalUnavailableError,
    ip_from_login,
)
from tests._portal import ELSEWHERE_IP, HOME_IP, NOW, TRAVEL_IP, clear_env


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, now=NOW)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials, tokens or URLs from the developer's shell; caches under tmp_path."""
    clear_env(monkeypatch, tmp_path / "default-cache")


@pytest.fixture
def portal() -> Portal:
    return Portal(caller_ip=HOME_IP, now=NOW)


@pytest.fixture
def server(world: World, portal: Portal) -> Iterator[DemoServer]:
    with DemoServer(world, portal=portal) as srv:
        yield srv


def manager(server: DemoServer, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD,
            **options) -> KeyManager:
    return KeyManager(email, password, portal_url=server.portal_url, timeout=5, **options)


def client(server: DemoServer, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD,
           **options) -> Client:
    options.setdefault("cache", False)
    options.setdefault("progress", False)
    return Client(email=email, password=password, base_url=server.base_url,
                  portal_url=server.portal_url, **options)


def portal_calls(portal: Portal) -> int:
    """Every request the portal received, whatever its outcome."""
    s = portal.stats()
    return s["login"] + s["failed_login"] + s["list"] + s["create"] + s["revoke"]


def ids(keys: list[dict]) -> set[str]:
    return {k["id"] for k in keys}


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def fake_jwt(payload: dict) -> str:
    return f"{b64({'typ': 'JWT', 'alg': 'HS512'})}.{b64(payload)}.c2ln"


def client_limit_position(token: str) -> int:
    part = token.split(".")[1]
    payload = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return next(i for i, lim in enumerate(payload["limits"]) if lim["type"] == "client")


# --------------------------------------------------------------------------- rule 1: login
def test_ip_is_read_from_the_client_limit_wherever_it_sits(server: DemoServer,
                                                           portal: Portal) -> None:
    """The fake portal rotates the order of the JWT's limits on every login; the IP must be
    found each time, and the key created for it."""
    seen_positions = set()
    original_login = portal._login

    def spy_login(data: object, peer: str | None = None):
        answer = original_login(data, peer)
        seen_positions.add(client_limit_position(answer.body["temporaryAPIToken"]))
        return answer

    portal._login = spy_login  # type: ignore[method-assign]
    for ip in (HOME_IP, TRAVEL_IP, ELSEWHERE_IP):
        portal.set_caller_ip(ip)
        km = manager(server)
        km.tokens()
        assert km.ip == ip
    assert seen_positions == {0, 1, 2}, "the test did not exercise every position"
    bound = sorted(tuple(k["cidrRanges"]) for k in portal.keys_of(DEMO_EMAIL))
    assert bound == sorted([(HOME_IP,), (TRAVEL_IP,), (ELSEWHERE_IP,)])


def test_ip_from_login_ignores_cidrs_of_other_limit_types() -> None:
    token = fake_jwt({"limits": [{"type": "cors", "cidrs": ["9.9.9.9/32"]},
                                 {"type": "throttling", "tier": "developer/silver"},
                                 {"type": "client", "cidrs": ["1.2.3.4/32"]}]})
    assert ip_from_login({"temporaryAPIToken": token}) == "1.2.3.4"


def test_second_login_reuses_our_key_without_creating(server: DemoServer,
                                                      portal: Portal) -> None:
    first = manager(server).tokens()
    assert portal.stats()["create"] == 1
    (key,) = portal.keys_of(DEMO_EMAIL)
    assert key["name"] == DEFAULT_KEY_NAME == "cocframes"
    assert key["cidrRanges"] == [HOME_IP]
    assert key["scopes"] == ["clash"]

    second = manager(server).tokens()
    assert second == first
    stats = portal.stats()
    assert stats["login"] == 2 and stats["create"] == 1 and stats["revoke"] == 0
    assert len(portal.keys_of(DEMO_EMAIL)) == 1


def test_key_bound_to_a_range_holding_our_ip_is_reused(server: DemoServer,
                                                       portal: Portal) -> None:
    (existing,) = portal.add_account("range@cocframes.invalid", "pw", keys=[
        {"name": "cocframes", "cidrRanges": ["203.0.113.0/24"]}])
    tokens = manager(server, "range@cocframes.invalid", "pw").tokens()
    assert tokens == [existing["key"]]
    assert portal.stats()["create"] == 0


def test_missing_keys_are_created_up_to_key_count(server: DemoServer, portal: Portal) -> None:
    (mine,) = portal.add_account("grow@cocframes.invalid", "pw", keys=[
        {"name": "cocframes", "cidrRanges": [HOME_IP]}])
    tokens = manager(server, "grow@cocframes.invalid", "pw", key_count=3).tokens()
    assert len(tokens) == len(set(tokens)) == 3
    assert mine["key"] in tokens
    assert portal.stats()["create"] == 2
    keys = portal.keys_of("grow@cocframes.invalid")
    assert sorted(k["key"] for k in keys) == sorted(tokens)
    assert all(k["name"] == "cocframes" and k["cidrRanges"] == [HOME_IP] for k in keys)


def test_key_count_3_gives_three_tokens_and_three_times_the_rate(server: DemoServer,
                                                                 portal: Portal,
                                                                 world: World) -> None:
    with client(server, key_count=3, rate=7) as c:
        assert c.keys_count == 3
        assert c.total_rate == pytest.approx(21.0)
        result = c.many(c.get_player, world.player_tags[:12])
    assert not result.failures
    tokens = {k["key"] for k in portal.keys_of(DEMO_EMAIL)}
    assert len(tokens) == 3
    used = {t for t, n in server.stats()["by_token"].items() if n}
    assert used == tokens, "requests were not spread over the three keys"


def test_a_custom_key_name_manages_only_keys_of_that_name(server: DemoServer,
                                                          portal: Portal) -> None:
    default = manager(server).tokens()
    custom = manager(server, key_name="my-bot").tokens()
    assert custom != default
    names = sorted(k["name"] for k in portal.keys_of(DEMO_EMAIL))
    assert names == ["cocframes", "my-bot"]


# --------------------------------------------------------------------------- rule 2: revoking
def test_full_account_revokes_only_our_stale_keys(server: DemoServer, portal: Portal) -> None:
    email = "full@cocframes.invalid"
    keys = portal.add_account(email, "pw", keys=[
        *[{"name": "cocframes", "cidrRanges": [TRAVEL_IP]} for _ in range(3)],
        *[{"name": "my-bot", "cidrRanges": [ELSEWHERE_IP]} for _ in range(2)],
        {"name": "cocframes-dev", "cidrRanges": [ELSEWHERE_IP]},
        {"name": "Cocframes", "cidrRanges": [TRAVEL_IP]},
        *[{"name": "website", "cidrRanges": [HOME_IP]} for _ in range(3)],
    ])
    stale = {k["id"] for k in keys if k["name"] == "cocframes"}
    others = {k["id"] for k in keys if k["name"] != "cocframes"}
    others_tokens = {k["key"] for k in keys if k["name"] != "cocframes"}

    tokens = manager(server, email, "pw", key_count=2).tokens()

    after = portal.keys_of(email)
    assert len(after) == 10
    assert others <= ids(after), "a key of another name was revoked"
    assert len(stale - ids(after)) == 2 and len(stale & ids(after)) == 1
    assert portal.stats()["revoke"] == 2
    assert not set(tokens) & others_tokens, "a key of another name was used"
    new = [k for k in after if k["key"] in tokens]
    assert len(new) == 2
    assert all(k["name"] == "cocframes" and k["cidrRanges"] == [HOME_IP] for k in new)


def test_below_the_limit_nothing_is_revoked(server: DemoServer, portal: Portal) -> None:
    email = "roomy@cocframes.invalid"
    keys = portal.add_account(email, "pw", keys=[
        {"name": "cocframes", "cidrRanges": [TRAVEL_IP]},
        {"name": "my-bot", "cidrRanges": [ELSEWHERE_IP]},
    ])
    manager(server, email, "pw", key_count=2).tokens()
    assert ids(keys) <= ids(portal.keys_of(email))
    assert portal.stats()["revoke"] == 0 and portal.stats()["create"] == 2


def test_keys_created_in_this_run_count_against_the_limit(server: DemoServer,
                                                          portal: Portal) -> None:
    """9 keys: the first new key fills the account, so the second needs a revoke first."""
    email = "nine@cocframes.invalid"
    keys = portal.add_account(email, "pw", keys=[
        {"name": "cocframes", "cidrRanges": [TRAVEL_IP]},
        *[{"name": f"bot-{i}", "cidrRanges": [ELSEWHERE_IP]} for i in range(8)],
    ])
    tokens = manager(server, email, "pw", key_count=2).tokens()
    assert len(set(tokens)) == 2
    stats = portal.stats()
    assert stats["errors"] == 0, "the portal refused a create (11th key)"
    assert stats["create"] == 2 and stats["revoke"] == 1
    after = ids(portal.keys_of(email))
    assert {k["id"] for k in keys if k["name"] != "cocframes"} <= after
    assert keys[0]["id"] not in after


# --------------------------------------------------------------------------- rule 3: full
def test_full_of_foreign_keys_raises_key_limit_error(server: DemoServer, portal: Portal) -> None:
    email = "busy@cocframes.invalid"
    keys = portal.add_account(email, "pw", keys=[
        *[{"name": "bot-a", "cidrRanges": [HOME_IP]} for _ in range(4)],
        *[{"name": "bot-b", "cidrRanges": [TRAVEL_IP]} for _ in range(4)],
        *[{"name": "website", "cidrRanges": [ELSEWHERE_IP]} for _ in range(2)],
    ])
    with pytest.raises(KeyLimitError) as info:
        manager(server, email, "pw").tokens()
    text = str(info.value)
    for name in ("bot-a", "bot-b", "website"):
        assert name in text
    assert "Revoke" in text and "developer.clashofclans.com" in text
    assert "key_count" in text
    assert isinstance(info.value, PortalError)
    assert ids(portal.keys_of(email)) == ids(keys)
    assert portal.stats()["revoke"] == 0 and portal.stats()["create"] == 0
    for k in keys:
        assert k["key"] not in text


def test_full_account_with_too_few_of_ours_raises(server: DemoServer, portal: Portal) -> None:
    email = "almost@cocframes.invalid"
    keys = portal.add_account(email, "pw", keys=[
        {"name": "cocframes", "cidrRanges": [HOME_IP]},
        *[{"name": "bot-a", "cidrRanges": [TRAVEL_IP]} for _ in range(9)],
    ])
    with pytest.raises(KeyLimitError, match="bot-a"):
        manager(server, email, "pw", key_count=2).tokens()
    assert ids(portal.keys_of(email)) == ids(keys)


# --------------------------------------------------------------------------- rule 4: errors
class _Canned(BaseHTTPRequestHandler):
    """Answers POST <path> with ``server.answers[path] = (status, content_type, body)``."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, ctype, body = self.server.answers.get(  # type: ignore[attr-defined]
            self.path, (404, "text/plain", b"no"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Set-Cookie", "session=abc; Path=/")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


@pytest.fixture
def canned() -> Iterator[tuple[str, dict]]:
    """A portal on 127.0.0.1 answering whatever the test puts in the returned dict."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    httpd.daemon_threads = True
    httpd.answers = {}  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/api", httpd.answers  # type: ignore
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _json(status: int, body: object) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(body).encode()


def _good_login(ip: str = HOME_IP) -> tuple[int, str, bytes]:
    token = fake_jwt({"limits": [{"type": "client", "cidrs": [f"{ip}/32"]}]})
    return _json(200, {"status": {"code": 0, "message": "ok"}, "temporaryAPIToken": token})


def test_error_classes_are_distinct() -> None:
    classes = [InvalidCredentialsError, PortalUnavailableError, KeyLimitError, IpDetectionError]
    for cls in classes:
        assert issubclass(cls, PortalError)
        for other in classes:
            assert cls is other or not issubclass(cls, other)


@pytest.mark.parametrize("email, password", [(DEMO_EMAIL, "not-the-password"),
                                             ("nobody@cocframes.invalid", DEMO_PASSWORD)])
def test_wrong_credentials(server: DemoServer, portal: Portal, email: str,
                           password: str) -> None:
    with pytest.raises(InvalidCredentialsError) as info:
        client(server, email, password)
    assert email in str(info.value)
    assert password not in str(info.value)
    assert portal.stats()["failed_login"] == 1 and portal.stats()["create"] == 0


def test_closed_port_is_portal_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    km = KeyManager(DEMO_EMAIL, DEMO_PASSWORD, portal_url=f"http://127.0.0.1:{port}/api",
                    timeout=2)
    with pytest.raises(PortalUnavailableError, match="could not be reached"):
        km.tokens()


@pytest.mark.parametrize("answers", [
    {"/api/login": (200, "text/html", b"<html>Sign in to continue</html>")},
    {"/api/login": (502, "text/html", b"<html>Bad gateway</html>")},
    {"/api/login": _json(200, ["unexpected", "list"])},
    {"/api/login": _json(200, {"status": {"code": 7, "message": "somethingNew"}})},
    {"/api/login": _good_login(), "/api/apikey/list": (200, "text/html", b"garbage")},
    {"/api/login": _good_login(), "/api/apikey/list": _json(200, {"items": []})},
    {"/api/login": _good_login(), "/api/apikey/list": _json(200, {"keys": [{"name": "x"}]})},
    {"/api/login": _good_login(), "/api/apikey/list": _json(200, {"keys": []}),
     "/api/apikey/create": _json(200, {"status": {"code": 0}, "created": True})},
], ids=["html", "502", "json-list", "bad-status", "list-html", "list-no-keys",
        "list-key-shape", "create-shape"])
def test_changed_portal_is_portal_unavailable(canned: tuple[str, dict], answers: dict) -> None:
    url, table = canned
    table.update(answers)
    with pytest.raises(PortalUnavailableError) as info:
        KeyManager(DEMO_EMAIL, DEMO_PASSWORD, portal_url=url, timeout=5).tokens()
    assert not isinstance(info.value, (InvalidCredentialsError, IpDetectionError))
    assert DEMO_PASSWORD not in str(info.value)


@pytest.mark.parametrize("login", [
    _json(200, {"status": {"code": 0}}),
    _json(200, {"temporaryAPIToken": "not-a-jwt"}),
    _json(200, {"temporaryAPIToken": fake_jwt({"limits": [{"type": "throttling"}]})}),
    _json(200, {"temporaryAPIToken": fake_jwt({"limits": [
        {"type": "cors", "cidrs": ["1.2.3.4/32"]}]})}),
    _json(200, {"temporaryAPIToken": fake_jwt({"limits": [
        {"type": "client", "cidrs": ["not-an-ip"]}]})}),
], ids=["no-token", "not-jwt", "no-client-limit", "cidrs-of-cors-only", "bad-ip"])
def test_undetectable_ip(canned: tuple[str, dict], login: tuple) -> None:
    url, table = canned
    table["/api/login"] = login
    table["/api/apikey/list"] = _json(200, {"keys": []})
    with pytest.raises(IpDetectionError, match="token="):
        KeyManager(DEMO_EMAIL, DEMO_PASSWORD, portal_url=url, timeout=5).tokens()


# --------------------------------------------------------------------------- rule 5: IP change
def bulk_across_an_ip_change(c: Client, portal: Portal, tags: list[str], moved_at: int) -> None:
    """Fetch ``tags`` in bulk, moving the caller to TRAVEL_IP when the ``moved_at``-th request
    starts; check that every profile came back, in order."""
    started = 0
    lock = threading.Lock()

    def fetch(tag: str) -> dict:
        nonlocal started
        with lock:
            started += 1
            if started == moved_at:
                portal.set_caller_ip(TRAVEL_IP)
        return c.get_player(tag)

    result = c.many(fetch, tags)
    assert not result.failures, list(result.failures.values())[:3]
    assert [p["tag"] for p in result.results] == tags  # type: ignore[index]


def test_bulk_fetch_survives_an_ip_change_with_one_relogin(server: DemoServer, portal: Portal,
                                                           world: World) -> None:
    tags = world.player_tags[:500]
    assert len(set(tags)) == 500
    with client(server, rate=2000) as c:
        assert portal.stats()["login"] == 1
        old_tokens = [k["key"] for k in portal.keys_of(DEMO_EMAIL)]
        bulk_across_an_ip_change(c, portal, tags, moved_at=150)
        stats = portal.stats()
        assert stats["login"] == 1 + 1, "not exactly one re-login for the IP change"
        assert stats["create"] == 2 and stats["revoke"] == 0
        (new,) = [k for k in portal.keys_of(DEMO_EMAIL) if k["cidrRanges"] == [TRAVEL_IP]]
        assert c._keys.keys == [new["key"]], "the old key is still in the pool"
        assert old_tokens[0] not in c._keys.keys
        # After the change, further calls need no portal call at all.
        c.get_player(world.player_tags[600], refresh=True)
    assert portal_calls(portal) == stats["login"] + stats["list"] + stats["create"]
    assert portal.stats() == stats


def test_requests_in_flight_on_revoked_keys_are_retried_with_the_new_ones(
        server: DemoServer, portal: Portal, world: World) -> None:
    """Issue 12, defect 1: on a full account the re-login revokes our old keys while requests
    signed with them are still in flight; their 403 ("Invalid authorization", not invalidIp)
    is for a token the client has just replaced, so it is retried with the new keys."""
    email = "full-bulk@cocframes.invalid"
    portal.add_account(email, "pw", keys=[
        *[{"name": "cocframes", "cidrRanges": [HOME_IP]} for _ in range(2)],
        *[{"name": "website", "cidrRanges": [ELSEWHERE_IP]} for _ in range(8)],
    ])
    tags = world.player_tags[:60]
    with client(server, email, "pw", key_count=2, rate=2000) as c:
        assert portal.stats()["create"] == 0, "our two keys for this IP are reused"
        bulk_across_an_ip_change(c, portal, tags, moved_at=20)
        stats = portal.stats()
        assert stats["login"] == 2, "not exactly one re-login for the IP change"
        assert stats["revoke"] == 2 and stats["create"] == 2
    frame = api.players(tags[:5], client=client(server, email, "pw", key_count=2))
    assert list(frame["tag"]) == tags[:5], "duplicate or missing rows"


def test_request_started_while_the_pool_is_swapped_does_not_log_in_again(
        server: DemoServer, portal: Portal, world: World) -> None:
    """Thread A has re-logged in but not yet put the new key in the pool when thread B starts
    a request: B's 403 on the old key must not trigger a second re-login."""
    with client(server) as c:
        km = c._key_manager
        assert km is not None
        real_refresh = km.refresh
        first: list[threading.Thread] = []
        outcome: list[object] = []

        def fetch_in_b() -> None:
            try:
                outcome.append(c.get_player(world.player_tags[1], refresh=True)["tag"])
            except Exception as exc:  # reported below
                outcome.append(exc)

        def refresh(seen: int) -> list[str]:
            tokens = real_refresh(seen)
            if not first:
                first.append(threading.current_thread())
                b = threading.Thread(target=fetch_in_b)
                b.start()
                b.join(timeout=0.5)  # B may have to wait for this swap: don't wait forever
                first.append(b)
            return tokens

        km.refresh = refresh  # type: ignore[method-assign]
        portal.set_caller_ip(TRAVEL_IP)
        assert c.get_player(world.player_tags[0], refresh=True)["tag"] == world.player_tags[0]
        first[1].join(timeout=10)
        assert outcome == [world.player_tags[1]]
    assert portal.stats()["login"] == 2, "a request that started mid-swap logged in again"


def test_sequential_client_follows_the_ip_back_and_forth(server: DemoServer, portal: Portal,
                                                         world: World) -> None:
    with client(server) as c:
        for ip in (TRAVEL_IP, HOME_IP, TRAVEL_IP):
            portal.set_caller_ip(ip)
            assert c.get_player(world.player_tags[0], refresh=True)["tag"]
    stats = portal.stats()
    assert stats["login"] == 4
    assert stats["create"] == 2, "keys for an IP seen before were not reused"
    assert stats["revoke"] == 0


# --------------------------------------------------------------------------- rule 6: key store
def test_store_makes_the_second_run_portal_free(server: DemoServer, portal: Portal,
                                                world: World, tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "keys.json"
    with client(server, key_store=KeyStore(path), key_count=2) as c:
        first = c._keys.keys
    calls = portal_calls(portal)
    assert calls > 0
    data = json.loads(path.read_text())
    assert sorted(data["accounts"][DEMO_EMAIL.casefold()]["by_ip"][HOME_IP]) == sorted(first)

    with client(server, key_store=KeyStore(path), key_count=2) as c:
        assert sorted(c._keys.keys) == sorted(first)
        assert c.get_player(world.player_tags[0])["tag"] == world.player_tags[0]
        assert c._key_manager is not None and c._key_manager.portal_calls == 0
    assert portal_calls(portal) == calls, "the second run called the portal"


def test_store_file_is_0600_from_the_start_even_with_umask_0(
        server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "keys.json"
    path.write_text("{}")  # an existing world-readable file must not keep its mode
    path.chmod(0o644)
    modes: list[int] = []
    real_replace = os.replace

    def spy_replace(src, dst, *args, **kwargs):
        modes.append(stat.S_IMODE(os.stat(src).st_mode))
        assert json.loads(Path(src).read_text()), "the file was not complete before the rename"
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", spy_replace)
    old_umask = os.umask(0)
    try:
        with pytest.warns(UserWarning):  # "{}" has an unknown format
            manager(server, store=KeyStore(path)).tokens()
    finally:
        os.umask(old_umask)
    assert modes == [0o600]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name != "keys.json"], "temp file left over"


def test_store_is_keyed_by_account(server: DemoServer, portal: Portal, tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    portal.add_account("second@cocframes.invalid", "pw2")
    mine = manager(server, store=store).tokens()
    theirs = manager(server, "second@cocframes.invalid", "pw2", store=store).tokens()
    assert mine != theirs
    assert portal.stats()["login"] == 2, "the second account reused the first one's tokens"
    assert store.load(DEMO_EMAIL) == (HOME_IP, mine)
    assert store.load("SECOND@cocframes.invalid") == (HOME_IP, theirs)
    assert store.load("third@cocframes.invalid") is None


def test_store_is_keyed_by_ip(server: DemoServer, portal: Portal, world: World,
                              tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    home = manager(server, store=store).tokens()
    assert store.load(DEMO_EMAIL, TRAVEL_IP) is None

    portal.set_caller_ip(TRAVEL_IP)
    with client(server, key_store=store) as c:
        assert c.get_player(world.player_tags[0])["tag"] == world.player_tags[0]
        travel = c._keys.keys
    assert travel != home
    (key,) = [k for k in portal.keys_of(DEMO_EMAIL) if k["key"] in travel]
    assert key["cidrRanges"] == [TRAVEL_IP]
    assert store.load(DEMO_EMAIL, TRAVEL_IP) == (TRAVEL_IP, travel)
    assert store.load(DEMO_EMAIL, HOME_IP) == (HOME_IP, home)

    calls = portal_calls(portal)
    with client(server, key_store=store) as c:  # third run, still travelling
        assert c._keys.keys == travel
        c.get_player(world.player_tags[1])
    assert portal_calls(portal) == calls


def test_stored_token_revoked_since_is_replaced(server: DemoServer, portal: Portal,
                                               world: World, tmp_path: Path) -> None:
    """Another machine on another IP, with the account full, revokes our stored key (it is a
    'cocframes' key bound to another IP); the next run here must recover, not stay stuck."""
    store = KeyStore(tmp_path / "keys.json")
    (stored,) = manager(server, store=store).tokens()
    portal.set_caller_ip(TRAVEL_IP)
    for i in range(9):
        manager(server, key_name=f"other-{i}").tokens()
    manager(server).tokens()  # the other machine: full account, revokes our HOME_IP key
    assert stored not in tokens_now(portal)

    portal.set_caller_ip(HOME_IP)
    with client(server, key_store=store) as c:
        assert c.get_player(world.player_tags[0])["tag"] == world.player_tags[0]
        assert c._keys.keys != [stored]
    assert store.load(DEMO_EMAIL, HOME_IP) == (HOME_IP, c._keys.keys)


def test_private_war_log_with_stored_tokens_logs_in_at_most_once(
        server: DemoServer, portal: Portal, world: World, tmp_path: Path) -> None:
    from cocframes.errors import AccessDeniedError

    store = KeyStore(tmp_path / "keys.json")
    manager(server, store=store).tokens()
    logins = portal.stats()["login"]
    with client(server, key_store=store) as c:
        for _ in range(3):
            with pytest.raises(AccessDeniedError):
                c.get_clan_war_log(world.private_clan_tag)
    assert portal.stats()["login"] <= logins + 1
    assert portal.stats()["create"] == 1


def tokens_now(portal: Portal) -> list[str]:
    return [k["key"] for k in portal.keys_of(DEMO_EMAIL)]


@pytest.mark.parametrize("content", ["{not json", "[]", '{"accounts": 3}', "\x00\xff"])
def test_corrupt_store_is_ignored_with_a_warning_and_rewritten(
        server: DemoServer, tmp_path: Path, content: str) -> None:
    path = tmp_path / "keys.json"
    path.write_text(content, encoding="latin-1")
    with pytest.warns(UserWarning, match="key store"):
        tokens = manager(server, store=KeyStore(path)).tokens()
    data = json.loads(path.read_text())
    assert data["accounts"][DEMO_EMAIL.casefold()]["by_ip"][HOME_IP] == tokens
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert KeyStore(path).load(DEMO_EMAIL) == (HOME_IP, tokens)


# --------------------------------------------------------------------------- rule 7: secrets
def _all_tokens(portal: Portal, *emails: str) -> list[str]:
    return [k["key"] for e in emails for k in portal.keys_of(e)]


def test_no_password_or_token_in_debug_logs(server: DemoServer, portal: Portal, world: World,
                                            tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("urllib3", "requests_cache", "cocframes", "cocframes.keys"):
        caplog.set_level(logging.DEBUG, logger=name)
    revoked = portal.add_account("logs@cocframes.invalid", "s3cret-Pa55", keys=[
        {"name": "cocframes", "cidrRanges": [ELSEWHERE_IP]},
        *[{"name": "other", "cidrRanges": [ELSEWHERE_IP]} for _ in range(9)]])
    with client(server, "logs@cocframes.invalid", "s3cret-Pa55", cache_dir=tmp_path,
                cache=True, key_store=KeyStore(tmp_path / "keys.json")) as c:
        c.many(c.get_player, world.player_tags[:20])
        home_tokens = c._keys.keys
        portal.set_caller_ip(TRAVEL_IP)
        c.get_player(world.player_tags[30])
    with pytest.raises(InvalidCredentialsError):
        client(server, "logs@cocframes.invalid", "wrong-Pa55word")
    assert portal.stats()["revoke"] == 2  # the stale key, then the HOME_IP key
    secrets = ["s3cret-Pa55", "wrong-Pa55word", revoked[0]["key"], *home_tokens,
               *_all_tokens(portal, "logs@cocframes.invalid")]
    assert any("urllib3" in r.name for r in caplog.records), "urllib3 debug logs not captured"
    assert any(r.name == "cocframes.keys" for r in caplog.records)
    text = caplog.text + "\n".join(repr(r.args) for r in caplog.records)
    for secret in secrets:
        assert secret not in text


def test_no_secret_in_reprs(server: DemoServer, portal: Portal, tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.json")
    with client(server, key_count=2, key_store=store) as c:
        km = c._key_manager
        assert km is not None
        keys = km.keys()
        tokens = _all_tokens(portal, DEMO_EMAIL)
        texts = [repr(c), str(c), repr(km), str(km), repr(store), repr(keys), str(keys),
                 repr(km.__dict__.get("email"))]
        assert len(keys) == 2
        for key in keys:
            assert isinstance(key, ApiKey)
            texts += [repr(key), str(key), f"{key}"]
    for text in texts:
        assert DEMO_PASSWORD not in text
        for token in tokens:
            assert token not in text


def test_no_secret_in_exception_texts(server: DemoServer, portal: Portal) -> None:
    keys = portal.add_account("exc@cocframes.invalid", "Pa55-word",
                              keys=[{"name": "bot", "cidrRanges": [HOME_IP]}] * 10)
    errors = []
    for email, password in [("exc@cocframes.invalid", "Wr0ng-Pa55"),
                            ("exc@cocframes.invalid", "Pa55-word")]:
        with pytest.raises(PortalError) as info:
            client(server, email, password)
        errors.append(info.value)
    assert isinstance(errors[0], InvalidCredentialsError)
    assert isinstance(errors[1], KeyLimitError)
    for exc in errors:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        for secret in ["Wr0ng-Pa55", "Pa55-word", *(k["key"] for k in keys)]:
            assert secret not in text
            assert secret not in repr(exc)


def test_no_secret_in_the_sqlite_cache(server: DemoServer, portal: Portal, world: World,
                                       tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    with client(server, cache_dir=cache_dir, cache=True, key_count=2) as c:
        result = c.many(c.get_player, world.player_tags[:10])
        assert not result.failures
        assert c.get_player(world.player_tags[0])["tag"]  # a cache hit
        assert c.stats().cache_hits >= 1
    blobs = b"".join(p.read_bytes() for p in cache_dir.rglob("*") if p.is_file())
    assert world.player_tags[0][1:].encode() in blobs, "the cache holds nothing"
    for secret in [DEMO_PASSWORD, *_all_tokens(portal, DEMO_EMAIL)]:
        assert secret.encode() not in blobs


def test_store_file_holds_no_password(server: DemoServer, tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    tokens = manager(server, store=KeyStore(path), key_count=2).tokens()
    raw = path.read_bytes()
    assert DEMO_PASSWORD.encode() not in raw
    assert b"password" not in raw.lower()
    assert all(t.encode() in raw for t in tokens)


# --------------------------------------------------------------------------- rule 8: api.login
@pytest.fixture
def default_client() -> Iterator[None]:
    api.set_client(None)
    yield
    api.set_client(None)


def test_cocframes_login_sets_the_default_client(server: DemoServer, portal: Portal,
                                                 world: World, default_client: None) -> None:
    c = cocframes.login(DEMO_EMAIL, DEMO_PASSWORD, key_count=2, base_url=server.base_url,
                        portal_url=server.portal_url, cache=False, progress=False)
    assert api.get_client() is c
    assert c._key_manager is not None and c.keys_count == 2
    assert sorted(c._keys.keys) == sorted(_all_tokens(portal, DEMO_EMAIL))
    assert api.get_client().get_player(world.player_tags[0])["tag"] == world.player_tags[0]
    assert portal.stats()["login"] == 1


def test_cocframes_login_reads_env_credentials(server: DemoServer, portal: Portal,
                                               world: World, default_client: None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COC_EMAIL", DEMO_EMAIL)
    monkeypatch.setenv("COC_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("COCFRAMES_PORTAL_URL", server.portal_url)
    monkeypatch.setenv("COCFRAMES_BASE_URL", server.base_url)
    c = cocframes.login(cache=False, progress=False)
    assert api.get_client() is c
    assert c.get_player(world.player_tags[0])["tag"] == world.player_tags[0]
    assert portal.stats()["login"] == 1


def test_cocframes_login_without_credentials_says_what_to_do(default_client: None) -> None:
    with pytest.raises(ValueError, match="COC_EMAIL"):
        cocframes.login()


def test_env_credentials_make_client_log_in(server: DemoServer, portal: Portal, world: World,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COC_EMAIL", DEMO_EMAIL)
    monkeypatch.setenv("COC_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("COCFRAMES_PORTAL_URL", server.portal_url)
    monkeypatch.setenv("COCFRAMES_BASE_URL", server.base_url)
    with Client(cache=False, progress=False) as c:
        assert c._key_manager is not None
        assert c.get_player(world.player_tags[0])["tag"] == world.player_tags[0]
    assert portal.stats()["login"] == 1 and portal.stats()["create"] == 1


def test_an_explicit_token_wins_over_env_credentials(server: DemoServer, portal: Portal,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COC_EMAIL", DEMO_EMAIL)
    monkeypatch.setenv("COC_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("COCFRAMES_PORTAL_URL", server.portal_url)
    monkeypatch.setenv("COC_API_TOKEN", "some-token")
    with Client(base_url=server.base_url, cache=False, progress=False) as c:
        assert c._key_manager is None and c._keys.keys == ["some-token"]
    assert portal_calls(portal) == 0
