"""A fake Clash of Clans developer portal: log in, list, create and revoke API keys.

It answers the four JSON POST endpoints the real portal (``developer.clashofclans.com/api``)
offers for key management, with the same body shapes, and decides which API tokens the demo
API accepts from "the caller's IP", so key-management code can be tested offline, including
an IP change mid-session. Served by :class:`~cocframes.demo.DemoServer` and
:class:`~cocframes.demo.DemoAdapter` when given a :class:`Portal`.

Error bodies (the real portal's texts for some of these are not documented; these are chosen
to look like its answers):

- wrong email or password: 403 ``{"status": {"code": 403, "message": "invalidCredentials",
  "detail": "Invalid credentials: ..."}}``;
- ``apikey/*`` without a valid session cookie: 403 ``{"status": {"code": 403, "message":
  "forbidden", "detail": null}}``;
- creating an 11th key: 400 ``{"status": {"code": 400, "message": "tooManyKeys", "detail":
  "Maximum number of keys (10) reached..."}}``;
- a malformed request (bad JSON, missing name or cidrRanges, bad IP): 400 ``badRequest``;
- revoking an id the account does not have: 404 ``notFound``; any other path: 404.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import threading
import time
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from http.cookies import CookieError, SimpleCookie
from typing import Any

from .router import error_response
from .world import DemoResponse

DEMO_PORTAL_URL = "https://demo.cocframes.invalid/api"
DEMO_EMAIL = "demo@cocframes.invalid"
DEMO_PASSWORD = "demo-password"
KEY_LIMIT = 10
SESSION_COOKIE = "session"
SESSION_SECONDS = 3600
TIER = "developer/silver"

#: ``caller_ip`` meaning "the TCP peer address of each request" (see :class:`Portal`).
PEER = "peer"
# The caller's IP for ``caller_ip="peer"`` when no peer is known (the in-process adapter).
_LOCAL_PEER = "127.0.0.1"

_HEADERS = {"Content-Type": "application/json;charset=UTF-8", "X-Cocframes-Demo": "1"}
_PATHS = ("/api/login", "/api/apikey/list", "/api/apikey/create", "/api/apikey/revoke")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _status(code: int = 0, message: str = "ok", detail: str | None = None) -> dict:
    return {"code": code, "message": message, "detail": detail}


def _answer(status: int, body: dict, headers: Mapping[str, str] | None = None) -> DemoResponse:
    return DemoResponse(status, {**_HEADERS, **(headers or {})}, body)


def _error(status: int, message: str, detail: str | None = None) -> DemoResponse:
    return _answer(status, {"status": _status(status, message, detail)})


def _allows(cidrs: Iterable[str], ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    for cidr in cidrs:
        try:
            if address in ipaddress.ip_network(str(cidr), strict=False):
                return True
        except ValueError:
            continue
    return False


class _Account:
    def __init__(self, email: str, password: str, developer_id: str) -> None:
        self.email, self.password, self.developer_id = email, password, developer_id
        self.keys: list[dict] = []


class Portal:
    """A deterministic, thread-safe fake of the developer portal's key management.

    Args:
        accounts: email → password; default one account ``demo@cocframes.invalid`` /
            ``demo-password`` (``DEMO_EMAIL`` / ``DEMO_PASSWORD``).
        caller_ip: the IP address the portal and the API see the caller at (see
            :meth:`set_caller_ip`), or ``"peer"``: each request's TCP peer address, as
            :class:`~cocframes.demo.DemoServer` passes it (``127.0.0.1`` when none is given,
            as with the in-process adapter). Clients bound to 127.0.0.2, 127.0.0.3, ... are
            then different callers with different IPs.
        seed: makes ids, session cookies, key tokens and the order of the JWT ``limits``
            entries reproducible.
        now: fixed time for ``iat``/``exp`` claims (fully reproducible tokens); default: the
            wall clock.

    :meth:`handle` answers ``POST /api/login``, ``/api/apikey/list``, ``/api/apikey/create`` and
    ``/api/apikey/revoke``; :meth:`check_api_token` tells the API whether to accept a token.
    Sessions do not expire on their own; :meth:`expire_sessions` ends them all.
    """

    def __init__(self, accounts: Mapping[str, str] | None = None,
                 caller_ip: str = "203.0.113.10", *, seed: int = 7,
                 now: datetime | None = None) -> None:
        self.seed = seed
        self._now = now
        self._lock = threading.RLock()
        self._accounts: dict[str, _Account] = {}
        self._sessions: dict[str, str] = {}  # session cookie value → account email
        self._tokens: dict[str, dict] = {}  # key token → key dict (live keys only)
        self._serial = 0
        self._stats = {"login": 0, "failed_login": 0, "list": 0, "create": 0, "revoke": 0,
                       "forbidden": 0, "errors": 0}
        self.caller_ip = _caller_ip(caller_ip)
        if accounts is None:
            accounts = {DEMO_EMAIL: DEMO_PASSWORD}
        for email, password in accounts.items():
            self.add_account(email, password)

    # ------------------------------------------------------------------ setup and controls
    def add_account(self, email: str, password: str,
                    keys: Iterable[Mapping[str, Any]] = ()) -> list[dict]:
        """Add an account, optionally with existing keys; return those keys' dicts.

        Each entry of ``keys`` is a mapping with ``name`` and ``cidrRanges`` (list of IPs or
        CIDRs), and optionally ``description`` and ``scopes``. Raises ``ValueError`` when the
        account exists or more than 10 keys are given.
        """
        keys = list(keys)
        if len(keys) > KEY_LIMIT:
            raise ValueError(f"an account holds at most {KEY_LIMIT} keys, got {len(keys)}")
        with self._lock:
            if email.lower() in self._accounts:
                raise ValueError(f"account {email!r} already exists")
            account = _Account(email, password, self._uuid("developer", email))
            self._accounts[email.lower()] = account
            return [self._new_key(account, str(k["name"]), str(k.get("description") or ""),
                                  [str(c) for c in k["cidrRanges"]],
                                  list(k.get("scopes") or ["clash"]))
                    for k in keys]

    def set_caller_ip(self, ip: str) -> None:
        """Change the IP the caller is seen at, by the portal and by the API (``"peer"``: each
        request's peer address)."""
        address = _caller_ip(ip)
        with self._lock:
            self.caller_ip = address

    def expire_sessions(self) -> None:
        """End every login session (later ``apikey/*`` calls answer 403 until a new login)."""
        with self._lock:
            self._sessions.clear()

    def stats(self) -> dict[str, int]:
        """Return counters: ``login`` (successful), ``failed_login``, ``list``, ``create`` and
        ``revoke`` (every request to that endpoint, whatever its outcome), ``forbidden``
        (``apikey/*`` requests without a valid session) and ``errors`` (other error answers of
        ``apikey/*``, e.g. the 10-key limit)."""
        with self._lock:
            return dict(self._stats)

    def keys_of(self, email: str) -> list[dict]:
        """Return copies of the account's live keys, as ``apikey/list`` shows them."""
        with self._lock:
            return [self._public(k) for k in self._accounts[email.lower()].keys]

    # ------------------------------------------------------------------ the API's side
    def check_api_token(self, token: str, peer: str | None = None) -> tuple[int, dict] | None:
        """Decide whether the API accepts ``token`` from the caller's IP (``peer``, the
        request's peer address, is that IP when ``caller_ip="peer"``).

        Returns ``None`` when it is a live key whose ``cidrRanges`` contain the caller's IP,
        ``(403, {"reason": "accessDenied.invalidIp", ...})`` for a live key bound to other
        IPs, and ``(403, {"reason": "accessDenied", ...})`` for anything else (unknown or
        revoked tokens, the login's temporary token).
        """
        with self._lock:
            key = self._tokens.get(token)
            ip = self._caller(peer)
        if key is None:
            return 403, {"reason": "accessDenied", "message": "Invalid authorization"}
        if _allows(key["cidrRanges"], ip):
            return None
        return 403, {"reason": "accessDenied.invalidIp",
                     "message": f"Invalid authorization: API key does not allow access from "
                                f"IP {ip}"}

    # ------------------------------------------------------------------ the portal's side
    def handle(self, method: str, path: str, body: bytes | None,
               cookie_header: str | None, peer: str | None = None) -> DemoResponse:
        """Answer one portal request; ``path`` is e.g. ``"/api/apikey/list"``, ``peer`` the
        request's peer address (the caller's IP when ``caller_ip="peer"``)."""
        path = path.split("?", 1)[0].rstrip("/")
        if method.upper() != "POST" or path not in _PATHS:
            return _error(404, "notFound", f"Invalid path or method: {method} {path}")
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = None
        endpoint = path[len("/api/"):]
        with self._lock:
            if endpoint == "login":
                return self._login(data, peer)
            self._stats[endpoint.split("/")[1]] += 1
            account = self._session_account(cookie_header)
            if account is None:
                self._stats["forbidden"] += 1
                return _error(403, "forbidden")
            if not isinstance(data, dict):
                answer = _error(400, "badRequest", "Request body must be a JSON object")
            elif endpoint == "apikey/list":
                answer = _answer(200, {"status": _status(),
                                       "sessionExpiresInSeconds": SESSION_SECONDS,
                                       "keys": [self._public(k) for k in account.keys]})
            elif endpoint == "apikey/create":
                answer = self._create(account, data)
            else:
                answer = self._revoke(account, data)
            if answer.status != 200:
                self._stats["errors"] += 1
            return answer

    # ------------------------------------------------------------------ internals
    def _caller(self, peer: str | None) -> str:
        """Return the caller's IP: the fixed ``caller_ip``, or with ``"peer"`` the peer
        address (``127.0.0.1`` when there is none)."""
        if self.caller_ip != PEER:
            return self.caller_ip
        return str(ipaddress.ip_address(peer)) if peer else _LOCAL_PEER

    def _login(self, data: object, peer: str | None = None) -> DemoResponse:
        email = data.get("email") if isinstance(data, dict) else None
        password = data.get("password") if isinstance(data, dict) else None
        account = self._accounts.get(email.lower()) if isinstance(email, str) else None
        if account is None or not isinstance(password, str) or not hmac.compare_digest(
                password.encode(), account.password.encode()):
            self._stats["failed_login"] += 1
            return _error(403, "invalidCredentials",
                          "Invalid credentials: wrong email or password")
        self._stats["login"] += 1
        serial = self._next()
        sid = self._digest("session", serial)[:48]
        self._sessions[sid] = account.email.lower()
        now = self._clock()
        limits = [{"tier": TIER, "type": "throttling"},
                  {"cidrs": [f"{self._caller(peer)}/32"], "type": "client"},
                  {"origins": ["developer.clashofclans.com"], "type": "cors"}]
        shift = (self.seed + self._stats["login"]) % len(limits)
        limits = limits[shift:] + limits[:shift]
        token = self._jwt({"iss": "supercell", "aud": "supercell:gameapi",
                           "jti": self._uuid("jti", serial), "iat": now,
                           "exp": now + SESSION_SECONDS,
                           "sub": f"developer/{account.developer_id}", "scopes": ["clash"],
                           "limits": limits})
        body = {
            "status": _status(),
            "sessionExpiresInSeconds": SESSION_SECONDS,
            "auth": {"uid": account.developer_id, "token": self._uuid("auth", serial),
                     "ua": None, "ip": None},
            "developer": {"id": account.developer_id, "name": account.email.split("@")[0],
                          "game": "clash", "email": account.email, "tier": TIER,
                          "allowedScopes": None, "maxCidrs": None, "prevLoginTs": None,
                          "prevLoginIp": None, "prevLoginUa": None},
            "temporaryAPIToken": token,
            "swaggerUrl": "https://api.clashofclans.com/v1/swagger.json",
        }
        cookie = f"{SESSION_COOKIE}={sid}; Path=/; Max-Age={SESSION_SECONDS}; HttpOnly"
        return _answer(200, body, {"Set-Cookie": cookie})

    def _session_account(self, cookie_header: str | None) -> _Account | None:
        if not cookie_header:
            return None
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(cookie_header)
        except CookieError:
            return None
        morsel = jar.get(SESSION_COOKIE)
        email = self._sessions.get(morsel.value) if morsel is not None else None
        return self._accounts.get(email) if email is not None else None

    def _create(self, account: _Account, data: dict) -> DemoResponse:
        name, description = data.get("name"), data.get("description", "")
        cidrs, scopes = data.get("cidrRanges"), data.get("scopes") or ["clash"]
        if not isinstance(name, str) or not name.strip():
            return _error(400, "badRequest", "Missing key name")
        if not isinstance(description, str):
            return _error(400, "badRequest", "Invalid key description")
        if not isinstance(cidrs, list) or not cidrs or not all(isinstance(c, str) for c in cidrs):
            return _error(400, "badRequest", "cidrRanges must be a non-empty list of IPs")
        for cidr in cidrs:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                return _error(400, "badRequest", f"Invalid IP address or range: {cidr}")
        if len(account.keys) >= KEY_LIMIT:
            return _error(400, "tooManyKeys",
                          f"Maximum number of keys ({KEY_LIMIT}) reached; revoke a key first")
        key = self._new_key(account, name, description, list(cidrs), list(scopes))
        return _answer(200, {"status": _status(), "sessionExpiresInSeconds": SESSION_SECONDS,
                             "key": key})

    def _revoke(self, account: _Account, data: dict) -> DemoResponse:
        key_id = data.get("id")
        for index, key in enumerate(account.keys):
            if key["id"] == key_id:
                del account.keys[index]
                self._tokens.pop(key["key"], None)
                return _answer(200, {"status": _status(),
                                     "sessionExpiresInSeconds": SESSION_SECONDS})
        return _error(404, "notFound", f"No key with id {key_id!r}")

    def _new_key(self, account: _Account, name: str, description: str, cidrs: list[str],
                 scopes: list[str]) -> dict:
        serial = self._next()
        key_id = self._uuid("key", serial)
        token = self._jwt({"iss": "supercell", "aud": "supercell:gameapi",
                           "jti": key_id, "iat": self._clock(),
                           "sub": f"developer/{account.developer_id}", "scopes": scopes,
                           "limits": [{"tier": TIER, "type": "throttling"},
                                      {"cidrs": list(cidrs), "type": "client"}]})
        key = {"id": key_id, "developerId": account.developer_id, "tier": TIER, "name": name,
               "description": description, "origins": None, "scopes": scopes,
               "cidrRanges": list(cidrs), "validUntil": None, "key": token}
        account.keys.append(key)
        self._tokens[token] = key
        return self._public(key)

    @staticmethod
    def _public(key: dict) -> dict:
        return {**key, "scopes": list(key["scopes"]), "cidrRanges": list(key["cidrRanges"])}

    def _next(self) -> int:
        self._serial += 1
        return self._serial

    def _clock(self) -> int:
        return int(self._now.timestamp() if self._now is not None else time.time())

    def _digest(self, *parts: object) -> str:
        text = ":".join(str(p) for p in (self.seed, *parts))
        return hashlib.sha256(text.encode()).hexdigest()

    def _uuid(self, *parts: object) -> str:
        h = self._digest(*parts)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"

    def _jwt(self, payload: dict) -> str:
        header = {"typ": "JWT", "alg": "HS512", "kid": self._uuid("kid")}
        signing = (_b64(json.dumps(header, separators=(",", ":")).encode()) + "."
                   + _b64(json.dumps(payload, separators=(",", ":")).encode()))
        secret = hashlib.sha256(f"cocframes-demo-portal:{self.seed}".encode()).digest()
        signature = hmac.new(secret, signing.encode(), hashlib.sha512).digest()
        return f"{signing}.{_b64(signature)}"


def _caller_ip(value: str) -> str:
    """Return ``value`` as a canonical IP address, or ``"peer"``.

    Raises:
        ValueError: neither an IP address nor ``"peer"``.
    """
    return PEER if value == PEER else str(ipaddress.ip_address(value))


def check_token(token: str, tokens: Collection[str] | None, portal: Portal | None,
                peer: str | None = None) -> DemoResponse | None:
    """Return the 403 answer for a refused API token, or ``None`` when it is accepted.

    A token in ``tokens`` is always accepted; otherwise a ``portal`` decides (``peer``: the
    request's peer address, see :meth:`Portal.check_api_token`); without one, ``tokens``
    (when given) is the whole allow list.
    """
    if tokens is not None and token in tokens:
        return None
    if portal is not None:
        refused = portal.check_api_token(token, peer)
        if refused is None:
            return None
        status, body = refused
        return error_response(status, body["reason"], body["message"])
    if tokens is not None:
        return error_response(403, "accessDenied", "Invalid authorization")
    return None
