"""The fake developer portal: login, key list/create/revoke, and the API's IP check.

Every flow runs twice: over real HTTP on 127.0.0.1 (``DemoServer``) and in-process
(``DemoAdapter``), both through a ``requests.Session`` that carries the session cookie.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote

import pytest
import requests

from cocframes.demo import DEMO_BASE_URL, DEMO_PORTAL_URL, DemoAdapter, DemoServer, Portal, World
from cocframes.demo.portal import DEMO_EMAIL, DEMO_PASSWORD

NOW = datetime(2026, 3, 14, 12, tzinfo=timezone.utc)
FIRST_IP = "203.0.113.10"
SECOND_IP = "198.51.100.77"
TIMEOUT = 5


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, now=NOW)


@dataclass
class Env:
    portal: Portal
    session: requests.Session
    portal_url: str
    api_url: str

    def post(self, endpoint: str, body: dict | None = None, **kwargs) -> requests.Response:
        return self.session.post(f"{self.portal_url}/{endpoint}", json=body or {},
                                 timeout=TIMEOUT, **kwargs)

    def login(self, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> dict:
        answer = self.post("login", {"email": email, "password": password})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def create(self, ip: str, name: str = "cocframes") -> dict:
        answer = self.post("apikey/create", {"name": name, "description": f"for {ip}",
                                             "cidrRanges": [ip], "scopes": ["clash"]})
        assert answer.status_code == 200, answer.text
        return answer.json()["key"]

    def player(self, world: World, token: str) -> requests.Response:
        tag = quote(world.player_tags[0], safe="")
        return self.session.get(f"{self.api_url}/players/{tag}", timeout=TIMEOUT,
                                headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(params=["http", "in-process"])
def env(request: pytest.FixtureRequest, world: World) -> Iterator[Env]:
    portal = Portal(caller_ip=FIRST_IP, now=NOW)
    session = requests.Session()
    if request.param == "http":
        with DemoServer(world, portal=portal) as server:
            yield Env(portal, session, server.portal_url, server.base_url)
    else:
        session.mount("https://demo.cocframes.invalid/", DemoAdapter(world, portal=portal))
        yield Env(portal, session, DEMO_PORTAL_URL, DEMO_BASE_URL)
    session.close()


def jwt_payload(token: str) -> dict:
    part = token.split(".")[1]
    assert "=" not in token
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def client_cidrs(payload: dict) -> list[str]:
    return next(limit["cidrs"] for limit in payload["limits"] if limit["type"] == "client")


# ---------------------------------------------------------------------------- login
def test_login_sets_cookie_and_carries_the_caller_ip(env: Env) -> None:
    answer = env.post("login", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert answer.status_code == 200
    assert "session=" in answer.headers["Set-Cookie"]
    assert env.session.cookies.get("session"), "the session's cookie jar kept no cookie"
    body = answer.json()
    assert body["status"] == {"code": 0, "message": "ok", "detail": None}
    assert body["sessionExpiresInSeconds"] == 3600
    assert body["developer"]["email"] == DEMO_EMAIL
    assert body["developer"]["tier"] == "developer/silver"
    assert body["developer"]["game"] == "clash"
    assert set(body["auth"]) == {"uid", "token", "ua", "ip"}
    token = body["temporaryAPIToken"]
    assert token.count(".") == 2
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["typ"] == "JWT"
    payload = jwt_payload(token)
    assert payload["iss"] == "supercell" and payload["aud"] == "supercell:gameapi"
    assert payload["sub"] == f"developer/{body['developer']['id']}"
    assert payload["scopes"] == ["clash"]
    assert payload["exp"] - payload["iat"] == 3600
    assert client_cidrs(payload) == [f"{FIRST_IP}/32"]


def test_client_limit_moves_between_logins(env: Env) -> None:
    positions = set()
    for _ in range(3):
        limits = jwt_payload(env.login()["temporaryAPIToken"])["limits"]
        positions.add(next(i for i, lim in enumerate(limits) if lim["type"] == "client"))
        assert {lim["type"] for lim in limits} == {"client", "throttling", "cors"}
    assert positions == {0, 1, 2}


def test_login_follows_the_caller_ip(env: Env) -> None:
    env.portal.set_caller_ip(SECOND_IP)
    assert client_cidrs(jwt_payload(env.login()["temporaryAPIToken"])) == [f"{SECOND_IP}/32"]


@pytest.mark.parametrize("email, password", [(DEMO_EMAIL, "wrong"),
                                             ("nobody@cocframes.invalid", DEMO_PASSWORD)])
def test_bad_login(env: Env, email: str, password: str) -> None:
    answer = env.post("login", {"email": email, "password": password})
    assert answer.status_code == 403
    status = answer.json()["status"]
    assert status["code"] == 403 and status["message"] == "invalidCredentials"
    assert "Set-Cookie" not in answer.headers
    assert env.post("apikey/list").status_code == 403
    assert env.portal.stats()["failed_login"] == 1 and env.portal.stats()["login"] == 0


def test_no_cookie_is_forbidden(env: Env) -> None:
    for endpoint, body in [("apikey/list", {}), ("apikey/revoke", {"id": "x"}),
                           ("apikey/create", {"name": "n", "cidrRanges": [FIRST_IP]})]:
        answer = env.post(endpoint, body)
        assert answer.status_code == 403
        assert answer.json() == {"status": {"code": 403, "message": "forbidden",
                                            "detail": None}}
    env.login()
    assert env.post("apikey/list").status_code == 200
    env.session.cookies.clear()
    assert env.post("apikey/list").status_code == 403
    env.login()
    env.portal.expire_sessions()
    assert env.post("apikey/list").status_code == 403
    assert env.portal.keys_of(DEMO_EMAIL) == []


def test_unknown_path_and_bad_body(env: Env) -> None:
    assert env.post("apikey/frobnicate").status_code == 404
    env.login()
    answer = env.post("apikey/create", {"name": "x", "cidrRanges": ["not-an-ip"]})
    assert answer.status_code == 400 and answer.json()["status"]["message"] == "badRequest"
    assert env.post("apikey/revoke", {"id": "no-such-key"}).status_code == 404


# ---------------------------------------------------------------------------- keys
def test_list_create_revoke(env: Env) -> None:
    env.login()
    listed = env.post("apikey/list").json()
    assert listed["status"]["code"] == 0 and listed["keys"] == []
    first, second = env.create(FIRST_IP), env.create(FIRST_IP, name="other")
    assert set(first) == {"id", "developerId", "tier", "name", "description", "origins",
                          "scopes", "cidrRanges", "validUntil", "key"}
    assert first["cidrRanges"] == [FIRST_IP] and first["scopes"] == ["clash"]
    assert first["origins"] is None and first["validUntil"] is None
    assert first["key"] != second["key"] and first["id"] != second["id"]
    assert client_cidrs(jwt_payload(first["key"])) == [FIRST_IP]
    keys = env.post("apikey/list").json()["keys"]
    assert [k["id"] for k in keys] == [first["id"], second["id"]]
    assert keys[0] == first
    answer = env.post("apikey/revoke", {"id": first["id"]})
    assert answer.status_code == 200 and answer.json()["status"]["message"] == "ok"
    assert [k["id"] for k in env.post("apikey/list").json()["keys"]] == [second["id"]]
    assert env.portal.keys_of(DEMO_EMAIL) == [second]


def test_ten_key_limit(env: Env) -> None:
    email = "full@cocframes.invalid"
    env.portal.add_account(email, "pw", keys=[{"name": f"bot-{i}", "cidrRanges": ["192.0.2.1"]}
                                              for i in range(10)])
    env.login(email, "pw")
    answer = env.post("apikey/create", {"name": "cocframes", "description": "d",
                                        "cidrRanges": [FIRST_IP], "scopes": ["clash"]})
    assert answer.status_code == 400
    status = answer.json()["status"]
    assert status["code"] == 400 and status["message"] == "tooManyKeys"
    assert len(env.post("apikey/list").json()["keys"]) == 10
    victim = env.portal.keys_of(email)[3]
    assert env.post("apikey/revoke", {"id": victim["id"]}).status_code == 200
    assert env.create(FIRST_IP)["name"] == "cocframes"
    assert env.post("apikey/create", {"name": "again", "cidrRanges": [FIRST_IP]}
                    ).status_code == 400
    with pytest.raises(ValueError):
        env.portal.add_account("too-many@x.invalid", "pw",
                               keys=[{"name": "k", "cidrRanges": ["192.0.2.1"]}] * 11)


def test_prepopulated_keys_are_listed_per_account(env: Env) -> None:
    email = "mixed@cocframes.invalid"
    made = env.portal.add_account(email, "pw", keys=[
        {"name": "my-website", "description": "the user's own", "cidrRanges": ["192.0.2.5"]},
        {"name": "cocframes", "cidrRanges": ["192.0.2.99"]},
        {"name": "cocframes", "cidrRanges": [FIRST_IP]},
    ])
    env.login(email, "pw")
    keys = env.post("apikey/list").json()["keys"]
    assert keys == made
    assert [k["name"] for k in keys] == ["my-website", "cocframes", "cocframes"]
    assert env.portal.keys_of(DEMO_EMAIL) == []


# ---------------------------------------------------------------------------- the API side
def test_created_key_works_until_the_ip_changes(env: Env, world: World) -> None:
    env.login()
    key = env.create(FIRST_IP)["key"]
    assert env.player(world, key).status_code == 200
    unknown = env.player(world, "not-a-key")
    assert unknown.status_code == 403
    assert unknown.json() == {"reason": "accessDenied", "message": "Invalid authorization"}

    env.portal.set_caller_ip(SECOND_IP)
    moved = env.player(world, key)
    assert moved.status_code == 403
    assert moved.json() == {
        "reason": "accessDenied.invalidIp",
        "message": f"Invalid authorization: API key does not allow access from IP {SECOND_IP}"}

    ip = client_cidrs(jwt_payload(env.login()["temporaryAPIToken"]))[0].split("/")[0]
    assert ip == SECOND_IP
    fresh = env.create(ip)["key"]
    assert env.player(world, fresh).status_code == 200
    assert env.player(world, key).status_code == 403

    old_id = next(k["id"] for k in env.portal.keys_of(DEMO_EMAIL) if k["key"] == key)
    env.post("apikey/revoke", {"id": old_id})
    env.portal.set_caller_ip(FIRST_IP)
    assert env.player(world, key).json()["reason"] == "accessDenied"  # revoked: unknown


def test_stats_count_calls(env: Env) -> None:
    env.post("apikey/list")
    env.post("login", {"email": DEMO_EMAIL, "password": "nope"})
    env.login()
    env.post("apikey/list")
    key = env.create(FIRST_IP)
    env.post("apikey/revoke", {"id": key["id"]})
    assert env.portal.stats() == {"login": 1, "failed_login": 1, "list": 2, "create": 1,
                                  "revoke": 1, "forbidden": 1, "errors": 0}


# ---------------------------------------------------------------------------- direct use
def test_tokens_option_still_wins_over_the_portal(world: World) -> None:
    portal = Portal()
    with DemoServer(world, portal=portal, tokens={"fixed"}) as server, \
            requests.Session() as session:
        url = f"{server.base_url}/players/{quote(world.player_tags[0], safe='')}"
        assert session.get(url, headers={"Authorization": "Bearer fixed"},
                           timeout=TIMEOUT).status_code == 200
        assert session.get(url, headers={"Authorization": "Bearer other"},
                           timeout=TIMEOUT).status_code == 403


def test_portal_is_deterministic_and_thread_safe() -> None:
    def run() -> tuple[Portal, list[str]]:
        portal = Portal(seed=3, now=NOW)
        login = portal.handle("POST", "/api/login",
                              json.dumps({"email": DEMO_EMAIL,
                                          "password": DEMO_PASSWORD}).encode(), None)
        cookie = login.headers["Set-Cookie"].split(";")[0]
        body = json.dumps({"name": "n", "cidrRanges": [FIRST_IP]}).encode()
        threads = [threading.Thread(target=portal.handle,
                                    args=("POST", "/api/apikey/create", body, cookie))
                   for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT)
        return portal, [login.body["temporaryAPIToken"], cookie]

    first, tokens_a = run()
    second, tokens_b = run()
    assert tokens_a == tokens_b
    assert len(first.keys_of(DEMO_EMAIL)) == 10
    assert sorted(k["key"] for k in first.keys_of(DEMO_EMAIL)) == \
        sorted(k["key"] for k in second.keys_of(DEMO_EMAIL))
    assert first.stats()["create"] == 12 and first.stats()["errors"] == 2
    assert first.handle("GET", "/api/login", None, None).status == 404
