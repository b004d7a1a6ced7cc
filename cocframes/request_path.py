"""The one path every request takes, down and back up.

Down: the fresh-answer memo (:mod:`cocframes.memo`), then the cache file, read once
(:mod:`cocframes.cache`), then the network (:mod:`cocframes.sending`). Up: a fresh answer is
kept in the memo; when the API cannot answer, the expired cache entry found on the way down
is served with a :class:`~cocframes.answers.StaleDataWarning`. Each layer is consulted once.
"""

from __future__ import annotations

import functools
import hashlib
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import requests

from cocframes import cache as _cache
from cocframes.answers import Fetched, StaleDataWarning
from cocframes.errors import (
    ApiError,
    MaintenanceError,
    NetworkError,
    OfflineCacheMissError,
    RetryBudgetError,
    ServerError,
)
from cocframes.memo import Memo
from cocframes.operations import BY_NAME, TAG_PARAMS
from cocframes.sending import Counters, RetryBudget, Sender, call_budget
from cocframes.tags import UNDRAWN_WAR_TAG, encode_tag, normalize_tag

_MAX_AGE = re.compile(r"max-age=(\d+)")


@dataclass(frozen=True)
class Request:
    """One request, planned: where it goes and the key it is remembered under."""

    method: str
    url: str
    path: str
    params: dict[str, Any]
    body: Any = None

    @property
    def cacheable(self) -> bool:
        """Whether answers to it are cached (``GET`` only)."""
        return self.method == "GET"

    @functools.cached_property
    def key(self) -> str:
        """The key the memo and the cache file both keep its answer under."""
        return _cache.key_for(self.method, self.url, self.params)  # GET only: no body


def plan(base_url: str, path: str, params: dict[str, Any] | None = None, method: str = "GET",
         body: Any = None) -> Request:
    """Return the request for ``path`` (already encoded); ``None`` parameters are dropped."""
    params = {k: v for k, v in (params or {}).items() if v is not None}
    return Request(method, base_url + path, path, params, body)


def plan_operation(base_url: str, operation: str, args: dict[str, Any],
                   body: Any = None) -> Request:
    """Return the request of the official operation ``operation`` with ``args`` (path
    parameters by their spec names; tags normalised; the rest becomes the query).

    Raises:
        KeyError: an unknown operation. TypeError: a missing or unknown parameter.
        ValueError: a bad tag, or the war tag ``#0`` of a CWL round not drawn yet (before
            any request).
    """
    op = BY_NAME[operation]
    args = dict(args)
    path = op.path
    for name in op.path_params:
        if name not in args:
            raise TypeError(f"{operation} needs {name}=")
        value = args.pop(name)
        if value is None and name not in TAG_PARAMS:  # a None tag: normalize_tag says so
            raise TypeError(f"{operation}: {name} must not be None")
        if name == "warTag" and normalize_tag(value) == UNDRAWN_WAR_TAG:
            raise ValueError(f"{operation}: war tag {value!r} is a CWL round not drawn yet; "
                             "there is no war to fetch (cf.cwl(clan).rounds says which "
                             "rounds are played)")
        encoded = encode_tag(value) if name in TAG_PARAMS else quote(str(value), safe="")
        path = path.replace("{" + name + "}", encoded)
    unknown = set(args) - set(op.accepts)
    if unknown:
        raise TypeError(f"{operation} takes no parameter(s) {sorted(unknown)}")
    for name in TAG_PARAMS.intersection(args):
        if args[name] is not None:
            args[name] = normalize_tag(args[name])
    return plan(base_url, path, args, op.method, body)


@dataclass(frozen=True)
class Lookup:
    """What the memo and the cache file hold for a request: a fresh answer, or else the
    expired entry to serve if the API cannot answer."""

    fresh: Fetched | None = None
    expired: Any = None


class RequestPath:
    """Answers requests through the memo, the cache file and the sender.

    Args:
        session: the caching HTTP session.
        sender: sends what the caches cannot answer.
        counters: where cache hits and failed calls are counted.
        offline: answer only from the cache.
    """

    def __init__(self, session: requests.Session, sender: Sender, counters: Counters, *,
                 offline: bool) -> None:
        self.session = session
        self.sender = sender
        self.counters = counters
        self.offline = offline
        self.memo = Memo()

    def answer(self, request: Request, refresh: bool = False,
               budget: RetryBudget | None = None) -> Fetched:
        """Answer ``request`` (``refresh``: skip the memo and the cache file) within
        ``budget``, by default the budget of the call in progress or a new one."""
        lookup = Lookup() if refresh else self.look_up(request)
        if lookup.fresh is not None:
            return lookup.fresh
        if budget is not None:
            return self.complete(request, lookup, budget)
        with call_budget(self.sender.max_retry_time) as current:
            return self.complete(request, lookup, current)

    def look_up(self, request: Request) -> Lookup:
        """Consult the memo, then the cache file, once each."""
        if not request.cacheable:
            return Lookup()
        recalled = self.memo.recall(request.key)
        if recalled is not None:
            self.counters.add("cache_hits")
            return Lookup(Fetched(recalled.payload, request.path, recalled.fetched_at,
                                  from_cache=True, stale=False, demo=recalled.demo))
        stored = _cache.find_stored(self.session, request.key)
        if stored is None:
            return Lookup()
        if stored.is_expired:
            return Lookup(expired=stored)
        self.counters.add("cache_hits")
        return Lookup(self._keep(request, stored))

    def complete(self, request: Request, lookup: Lookup, budget: RetryBudget) -> Fetched:
        """Answer a request the memo and the cache could not: from the network, or else
        from the expired entry ``lookup`` found."""
        try:
            if self.offline:
                if lookup.expired is not None:
                    return self._stale(request, lookup.expired, "offline mode")
                raise OfflineCacheMissError(0, "offlineCacheMiss",
                                            "offline mode and the cache holds no answer",
                                            request.path)
            try:
                response = self.sender.send(request.method, request.url, request.path,
                                            request.params, request.body, budget)
            except (NetworkError, ServerError, RetryBudgetError) as error:
                if lookup.expired is None:
                    raise
                return self._stale(request, lookup.expired, _why(error))
            if not request.cacheable:
                return _fetched(response, request.path)
            return self._keep(request, response)
        except ApiError:
            self.counters.add("errors")
            raise

    def forget(self) -> None:
        """Forget the answers kept in memory (the cache file is left alone)."""
        self.memo.forget()

    def _keep(self, request: Request, response: Any) -> Fetched:
        """Return the answer of a fresh 200 ``response``, kept in the memo until it expires
        (requests-cache computed ``expires`` from its Cache-Control)."""
        fetched = _fetched(response, request.path)
        self.memo.remember(request.key, fetched.payload, getattr(response, "expires", None),
                           fetched.fetched_at, fetched.demo)
        return fetched

    @staticmethod
    def _stale(request: Request, response: Any, why: str) -> Fetched:
        fetched = _fetched(response, request.path, stale=True)
        warnings.warn(StaleDataWarning(
            f"{why}: serving cached data for {request.path} from "
            f"{fetched.fetched_at:%Y-%m-%d %H:%M} UTC, which has expired",
            why=why, endpoint=request.path, fetched_at=fetched.fetched_at), stacklevel=6)
        return fetched


def _fetched(response: Any, path: str, *, stale: bool = False) -> Fetched:
    """The answer of ``response`` with its provenance (a new decoded payload)."""
    from_cache = bool(getattr(response, "from_cache", False))
    created = getattr(response, "created_at", None) if from_cache else None
    if created is None:
        fetched_at = datetime.now(timezone.utc)
    else:
        fetched_at = created if created.tzinfo else created.replace(tzinfo=timezone.utc)
    return Fetched(payload=response.json(), endpoint=path, fetched_at=fetched_at,
                   from_cache=from_cache, stale=stale,
                   demo=response.headers.get("X-Cocframes-Demo") == "1",
                   max_age=max_age(response.headers.get("Cache-Control")),
                   size=len(response.content), body_hash=body_hash(response.content))


def body_hash(content: bytes) -> bytes:
    """The 16-byte hash of an answer's body (:attr:`Fetched.body_hash`)."""
    return hashlib.blake2b(content, digest_size=16).digest()


def max_age(cache_control: str | None) -> int | None:
    """Return the ``max-age`` seconds of a ``Cache-Control`` header, or ``None``."""
    match = _MAX_AGE.search(cache_control or "")
    return int(match.group(1)) if match else None


def _why(error: ApiError) -> str:
    if isinstance(error, MaintenanceError):
        return "the API is in maintenance"
    return f"the API could not answer ({error.status} {error.reason})"
