"""Developer-portal key management: log in with email and password, keep keys bound to this IP.

API keys only work from the IP addresses they were created for. :class:`KeyManager` logs in to
the developer portal, reads the caller's IP from the login answer, reuses keys of its own name
bound to that IP, creates the missing ones, and (only when the account's 10-key limit is full)
revokes keys of its own name bound to other IPs. It never touches keys of other names. With
``revoke_other_ips=False`` (several machines or workers sharing one account, each with its own
IP) it revokes nothing at all and raises :class:`KeyLimitError` instead.

When the IP changes mid-session, :meth:`KeyManager.refresh` re-runs that once, however many
threads noticed. Tokens may be kept in a :class:`KeyStore` (a 0600 JSON file) so that the next
run on the same IP makes no portal call. Passwords are never stored; neither passwords nor
tokens ever appear in logs, reprs or exception texts.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import json
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import requests

from cocframes.errors import CocError

logger = logging.getLogger(__name__)

PORTAL_URL = "https://developer.clashofclans.com/api"
PORTAL_URL_ENV_VAR = "COCFRAMES_PORTAL_URL"
EMAIL_ENV_VAR = "COC_EMAIL"
PASSWORD_ENV_VAR = "COC_PASSWORD"
KEY_LIMIT = 10
DEFAULT_KEY_NAME = "cocframes"


class PortalError(CocError):
    """Base class of developer-portal failures."""


class InvalidCredentialsError(PortalError):
    """The portal refused the email and password."""


class PortalUnavailableError(PortalError):
    """The portal could not be reached, or answered in a shape cocframes does not know."""


class KeyLimitError(PortalError):
    """The account's 10 keys are all in use by keys cocframes may not revoke (keys of other
    names, or with ``revoke_other_ips=False`` any key bound to another IP)."""


class IpDetectionError(PortalError):
    """The login answer did not say which IP address the caller has."""


@dataclass(frozen=True)
class ApiKey:
    """One API key of the account, as the portal lists it.

    Attributes:
        id: the portal's key id.
        name: the key's name.
        description: its description.
        cidr_ranges: the IP addresses or ranges it is bound to.
        token: the key itself (hidden from ``repr``).
    """

    id: str
    name: str
    description: str
    cidr_ranges: tuple[str, ...]
    token: str = field(repr=False)

    @classmethod
    def from_portal(cls, data: dict[str, Any]) -> ApiKey:
        """Return the key described by one entry of the portal's ``keys`` list."""
        return cls(id=str(data["id"]), name=str(data.get("name") or ""),
                   description=str(data.get("description") or ""),
                   cidr_ranges=tuple(data.get("cidrRanges") or ()), token=str(data["key"]))

    def allows(self, ip: str) -> bool:
        """Return whether this key may be used from ``ip``."""
        address = ipaddress.ip_address(ip)
        for cidr in self.cidr_ranges:
            with contextlib.suppress(ValueError):
                if address in ipaddress.ip_network(cidr, strict=False):
                    return True
        return False

    @property
    def created(self) -> datetime | None:
        """When the key was issued, read from the token's ``iat`` claim (``None`` if absent)."""
        issued = _jwt_payload(self.token).get("iat") if self.token.count(".") == 2 else None
        return datetime.fromtimestamp(issued, timezone.utc) if isinstance(issued, int) else None


def _jwt_payload(token: str) -> dict[str, Any]:
    try:
        part = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def ip_from_login(answer: dict[str, Any]) -> str:
    """Return the caller's IP from a login answer: the ``cidrs`` of the ``limits`` entry of
    type ``"client"`` in the temporary API token's payload.

    Raises:
        IpDetectionError: when the answer holds no such entry.
    """
    payload = _jwt_payload(str(answer.get("temporaryAPIToken") or ""))
    for limit in payload.get("limits") or ():
        if isinstance(limit, dict) and limit.get("type") == "client" and limit.get("cidrs"):
            ip = str(limit["cidrs"][0]).split("/")[0]
            try:
                ipaddress.ip_address(ip)
            except ValueError:
                break
            return ip
    raise IpDetectionError(
        "could not tell this machine's IP address from the developer portal's login answer "
        "(no 'client' limit in its temporary token); create a key by hand at "
        "https://developer.clashofclans.com and pass it as token=... instead"
    )


class KeyStore:
    """Tokens kept on disk per account and IP, so a restart on the same IP needs no portal call.

    The file is JSON, created with mode 0600 from the start and replaced atomically. It never
    holds a password. A corrupt file is ignored with a warning and rewritten on the next save.

    Args:
        path: the file; defaults to ``keys.json`` in the user data directory.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        if path is None:
            import platformdirs

            path = Path(platformdirs.user_data_dir("cocframes")) / "keys.json"
        self.path = Path(path)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"KeyStore({str(self.path)!r})"

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            warnings.warn(f"ignoring the unreadable key store {self.path}; it will be rewritten",
                          stacklevel=3)
            return {}
        if not isinstance(data, dict) or not isinstance(data.get("accounts"), dict):
            warnings.warn(f"ignoring the key store {self.path}: unknown format; it will be "
                          "rewritten", stacklevel=3)
            return {}
        return data

    def load(self, account: str, ip: str | None = None) -> tuple[str, list[str]] | None:
        """Return ``(ip, tokens)`` stored for ``account`` (for ``ip``, or for the IP saved
        last when ``ip`` is None), or ``None``."""
        with self._lock:
            entry = self._read().get("accounts", {}).get(account.casefold())
        if not isinstance(entry, dict):
            return None
        ip = ip or entry.get("last_ip")
        tokens = (entry.get("by_ip") or {}).get(ip) if ip else None
        if not ip or not tokens or not all(isinstance(t, str) for t in tokens):
            return None
        return ip, list(tokens)

    def save(self, account: str, ip: str, tokens: Sequence[str]) -> None:
        """Store ``tokens`` for ``account`` on ``ip`` (and remember ``ip`` as the last one)."""
        with self._lock:
            data = self._read() or {"version": 1, "accounts": {}}
            entry = data["accounts"].setdefault(account.casefold(), {})
            entry.setdefault("by_ip", {})[ip] = list(tokens)
            entry["last_ip"] = ip
            self._write(data)

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # mkstemp creates the file with mode 0600, so it is never readable by others.
        fd, tmp = tempfile.mkstemp(prefix=".keys-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


class KeyManager:
    """Keeps ``key_count`` API keys of the name ``key_name`` bound to the caller's IP.

    Args:
        email: the developer-portal account.
        password: its password (kept in memory only).
        key_count: how many keys to use (1 to 10); requests are spread over them.
        key_name: the name of the keys cocframes manages; keys of other names are never
            touched.
        portal_url: the portal's API base (default: the real portal, or
            ``$COCFRAMES_PORTAL_URL``).
        store: where to keep tokens between runs (``None``: nowhere).
        session: the HTTP session for portal calls (never a caching one).
        timeout: seconds to wait for the portal.
        revoke_other_ips: when the account's 10 keys are full, revoke keys of this name bound
            to other IPs (``True``, for one user whose IP changes), or never revoke any key
            and raise :class:`KeyLimitError` (``False``, for workers with their own IPs
            sharing one account, whose keys are all in use).
    """

    def __init__(
        self,
        email: str,
        password: str,
        *,
        key_count: int = 1,
        key_name: str = DEFAULT_KEY_NAME,
        portal_url: str | None = None,
        store: KeyStore | None = None,
        session: requests.Session | None = None,
        timeout: float = 10.0,
        revoke_other_ips: bool = True,
    ) -> None:
        if not email or not password:
            raise ValueError("both an email and a password are needed to log in")
        if not 1 <= key_count <= KEY_LIMIT:
            raise ValueError(f"key_count must be between 1 and {KEY_LIMIT}, got {key_count}")
        self.email = email
        self._password = password
        self.key_count = key_count
        self.key_name = key_name
        self.portal_url = (portal_url or os.environ.get(PORTAL_URL_ENV_VAR)
                           or PORTAL_URL).rstrip("/")
        self.store = store
        self._session = session or requests.Session()
        self.timeout = timeout
        self.revoke_other_ips = revoke_other_ips
        self._lock = threading.Lock()
        self._tokens: list[str] = []
        self.ip: str | None = None
        self.generation = 0
        self.portal_calls = 0

    def __repr__(self) -> str:
        return (f"KeyManager(email={self.email!r}, key_name={self.key_name!r}, "
                f"key_count={self.key_count}, ip={self.ip!r})")

    # ----------------------------------------------------------------- public
    def tokens(self) -> list[str]:
        """Return the tokens to use: from the store when it has some for this account (no
        portal call), else from a login."""
        with self._lock:
            if self._tokens:
                return list(self._tokens)
            stored = self.store.load(self.email) if self.store else None
            if stored and len(stored[1]) >= self.key_count:
                self.ip, tokens = stored[0], stored[1][: self.key_count]
                self._tokens = tokens
                logger.info("using %d stored key(s) for IP %s", len(tokens), self.ip)
                return list(tokens)
            return self._login_and_sync()

    def sync(self) -> list[str]:
        """Log in now, whatever the store holds, bring our keys to this IP (reusing,
        creating, revoking as :meth:`tokens` would) and return the tokens."""
        with self._lock:
            return self._login_and_sync()

    def refresh(self, seen_generation: int) -> list[str]:
        """Log in again and bring the keys to the current IP, unless another thread already
        did since ``seen_generation``; return the tokens to use."""
        with self._lock:
            if self.generation == seen_generation:
                logger.info("key rejected for this IP: logging in to the developer portal again")
                self._login_and_sync()
            return list(self._tokens)

    def keys(self) -> list[ApiKey]:
        """Log in and return the account's keys of this manager's name (for ``cocframes
        keys``)."""
        with self._lock:
            self.ip = self._login()
            return [k for k in self._list() if k.name == self.key_name]

    # ----------------------------------------------------------------- portal flow
    def _login_and_sync(self) -> list[str]:
        ip = self._login()
        keys = self._list()
        ours_here = [k for k in keys if k.name == self.key_name and k.allows(ip)]
        tokens = [k.token for k in ours_here[: self.key_count]]
        missing = self.key_count - len(tokens)
        total = len(keys)
        if missing > 0:
            revocable = [k for k in keys if k.name == self.key_name and not k.allows(ip)]
            if not self.revoke_other_ips and total + missing > KEY_LIMIT and revocable:
                raise self._kept_keys_error(revocable, missing)
            for _ in range(missing):
                if total >= KEY_LIMIT:
                    if not revocable:
                        raise self._limit_error(keys)
                    stale = revocable.pop(0)
                    self._revoke(stale)
                    total -= 1
                tokens.append(self._create(ip).token)
                total += 1
        self.ip = ip
        self._tokens = tokens
        self.generation += 1
        if self.store is not None:
            self.store.save(self.email, ip, tokens)
        logger.info("%d key(s) named %r ready for IP %s", len(tokens), self.key_name, ip)
        return list(tokens)

    def _limit_error(self, keys: list[ApiKey]) -> KeyLimitError:
        names = sorted({k.name for k in keys if k.name != self.key_name})
        return KeyLimitError(
            f"the account {self.email} already has {KEY_LIMIT} keys and none of them is a "
            f"{self.key_name!r} key for another IP that could be revoked (other keys: "
            f"{', '.join(repr(n) for n in names)}). Revoke a key at "
            "https://developer.clashofclans.com, or use a smaller key_count."
        )

    def _kept_keys_error(self, kept: list[ApiKey], missing: int) -> KeyLimitError:
        """Return the error for a full account whose keys of this name bound to other IPs
        (``kept``) may not be revoked; it names their IPs, never their ids or tokens."""
        ips = sorted({cidr for k in kept for cidr in k.cidr_ranges})
        return KeyLimitError(
            f"the account {self.email} has no room for the {missing} more {self.key_name!r} "
            f"key(s) this IP needs: {len(kept)} {self.key_name!r} key(s) for other IPs "
            f"({', '.join(ips)}) exist and were left alone because revoke_keys=False "
            "(revoke_other_ips=False): they may be in use by other workers. Use fewer keys "
            "per worker (key_count), another account, or revoke them at "
            "https://developer.clashofclans.com."
        )

    def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.portal_url}/{endpoint}"
        self.portal_calls += 1
        try:
            resp = self._session.post(url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise PortalUnavailableError(
                f"the developer portal at {self.portal_url} could not be reached "
                f"({type(exc).__name__})") from None
        try:
            data = resp.json()
        except ValueError:
            data = None
        if endpoint == "login" and resp.status_code == 403:
            raise InvalidCredentialsError(
                f"the developer portal refused the email {self.email!r} and its password; "
                "check them at https://developer.clashofclans.com")
        status = data.get("status") if isinstance(data, dict) else None
        if resp.status_code != 200 or not isinstance(data, dict) or (
                isinstance(status, dict) and status.get("code") not in (0, None)):
            message = status.get("message") if isinstance(status, dict) else None
            raise PortalUnavailableError(
                f"the developer portal answered {resp.status_code} to {endpoint}"
                f"{f' ({message})' if message else ''}; it may be down or have changed")
        return data

    def _login(self) -> str:
        answer = self._post("login", {"email": self.email, "password": self._password})
        return ip_from_login(answer)

    def _list(self) -> list[ApiKey]:
        data = self._post("apikey/list", {})
        try:
            return [ApiKey.from_portal(k) for k in data["keys"]]
        except (KeyError, TypeError) as exc:
            raise PortalUnavailableError(
                f"the developer portal's key list has an unknown shape ({exc!r})") from None

    def _create(self, ip: str) -> ApiKey:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        data = self._post("apikey/create", {
            "name": self.key_name,
            "description": f"Created by cocframes for {ip} on {stamp}",
            "cidrRanges": [ip],
            "scopes": ["clash"],
        })
        try:
            key = ApiKey.from_portal(data["key"])
        except (KeyError, TypeError) as exc:
            raise PortalUnavailableError(
                f"the developer portal's new key has an unknown shape ({exc!r})") from None
        logger.info("created key %s… for IP %s", key.id[:8], ip)
        return key

    def _revoke(self, key: ApiKey) -> None:
        self._post("apikey/revoke", {"id": key.id})
        logger.info("revoked key %s… bound to %s", key.id[:8], ", ".join(key.cidr_ranges))


def credentials_from_env() -> tuple[str, str] | None:
    """Return ``(email, password)`` from ``$COC_EMAIL`` / ``$COC_PASSWORD``, or ``None``."""
    email, password = os.environ.get(EMAIL_ENV_VAR), os.environ.get(PASSWORD_ENV_VAR)
    return (email, password) if email and password else None

