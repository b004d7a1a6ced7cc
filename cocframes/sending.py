"""Sending requests to the API: the keys and their throttle, retries with backoff inside the
call's retry budget, key swaps after an IP change, and the counters of what was sent.

What the two retry settings bound:

* ``max_retries``: the retries of one request, whatever made it fail (429, 5xx, timeout,
  dropped connection); a request is sent at most ``1 + max_retries`` times.
* ``max_retry_time``: the seconds a whole *call* (one request, every page of a paged frame,
  or every item of a bulk fetch) may go on failing while none of its requests succeeds,
  counted from the call's start or its last success. Each success starts the budget again,
  so a long healthy bulk fetch is never cut short; once the budget is spent nothing more is
  retried, sent or waited for (no wait for a throttle slot past its end either), and each
  unfinished item fails on its own (:class:`~cocframes.errors.RetryBudgetError` for those
  never sent). A request already in flight still gets its answer, so a call ends at most
  one round trip after its budget.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import random
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from cocframes.errors import (
    AccessDeniedError,
    ApiError,
    ConfigurationError,
    InvalidIpError,
    NetworkError,
    RetryBudgetError,
    ServerError,
    ThrottledError,
    error_for,
)
from cocframes.keys import KeyManager
from cocframes.throttle import KeyPool

# What a token may hold: visible ASCII only. A line break or space would be sent as a broken
# header (requests then raises an error whose text holds the whole header, token included).
_TOKEN = re.compile(r"[!-~]+")
# Key swaps one request may ride through (each after another thread logged in again).
_MAX_SWAPS = 3


def check_tokens(tokens: Sequence[str], source: str) -> list[str]:
    """Return ``tokens`` if each can be sent in an ``Authorization`` header.

    Raises:
        ConfigurationError: naming the position of the first bad token and ``source`` (e.g.
            ``"$COC_API_TOKEN"``), never any part of a token.
    """
    for number, token in enumerate(tokens, start=1):
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            which = f"token {number} of {len(tokens)}" if len(tokens) > 1 else "the token"
            raise ConfigurationError(
                f"{which} given by {source} holds a line break, space or other character "
                "that cannot be sent in an HTTP header (often a stray newline from copying "
                "it). Copy the key again from https://developer.clashofclans.com.")
    return list(tokens)


def backoff(attempt: int) -> float:
    """Return the wait before retry number ``attempt + 1``: exponential with full jitter,
    0.25 s, 0.5 s, 1 s ... capped at 8 s (the exponent is capped too: 2**1024 overflows)."""
    return random.uniform(0.5, 1.0) * min(8.0, 0.25 * 2 ** min(attempt, 10))


def retry_after(headers: Any) -> float | None:
    """Return the seconds of a ``Retry-After`` header (``None`` if absent or not a number)."""
    try:
        seconds = float(headers.get("Retry-After", ""))
    except ValueError:
        return None
    return seconds if 0 <= seconds < float("inf") else None


class RetryBudget:
    """The retry budget of one call: it is spent once the call's requests have been failing
    for ``seconds`` with no success since the call started or since its last success (see
    the module docstring). A call with no failure never spends it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._since = time.monotonic()
        self._failing = False
        self.cancelled = False

    def progress(self) -> None:
        """Note a success: the budget starts again."""
        self._since = time.monotonic()
        self._failing = False

    def failed(self) -> None:
        """Note a failure worth retrying (429, 5xx, no answer): the budget runs."""
        self._failing = True

    @property
    def deadline(self) -> float:
        """The monotonic time at which the budget is spent (infinite while nothing fails)."""
        return self._since + self.seconds if self._failing else math.inf

    def spent(self) -> bool:
        """Whether the budget is spent (or the call was cancelled)."""
        return self.cancelled or time.monotonic() >= self.deadline

    def cancel(self) -> None:
        """End the call now (Ctrl-C): no request of it is sent any more."""
        self.cancelled = True


# The budget of the call running in this context; a bulk fetch hands it to its threads.
_budget: contextvars.ContextVar[RetryBudget | None] = contextvars.ContextVar(
    "cocframes_retry_budget", default=None)


@contextlib.contextmanager
def call_budget(seconds: float) -> Iterator[RetryBudget]:
    """Yield the budget of the call in progress, or start one for a new call."""
    current = _budget.get()
    if current is not None:
        yield current
        return
    budget = RetryBudget(seconds)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


@dataclass(frozen=True)
class Stats:
    """Counters of a client since it was made.

    Attributes:
        requests: requests sent over the network (retries included).
        cache_hits: calls answered by the cache.
        retries: requests repeated after a 429, 5xx, timeout or dropped connection.
        throttled: 429 answers received.
        errors: calls that ended in an exception.
        mean_latency: mean seconds per request sent (0.0 when none was sent).
    """

    requests: int
    cache_hits: int
    retries: int
    throttled: int
    errors: int
    mean_latency: float


class Counters:
    """Thread-safe counters behind :class:`Stats`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(("requests", "cache_hits", "retries", "throttled",
                                      "errors"), 0)
        self._latency = 0.0

    def add(self, name: str, n: int = 1) -> None:
        """Add ``n`` to the counter ``name``."""
        with self._lock:
            self._counts[name] += n

    def sent(self, seconds: float) -> None:
        """Count one request sent that took ``seconds``."""
        with self._lock:
            self._counts["requests"] += 1
            self._latency += seconds

    def snapshot(self) -> Stats:
        """Return the counters now."""
        with self._lock:
            sent = self._counts["requests"]
            return Stats(mean_latency=self._latency / sent if sent else 0.0, **self._counts)


class Sender:
    """Sends requests with the client's keys under their throttle, and retries them.

    Args:
        session: the HTTP session (a caching one stores what it sends).
        keys: the key pool; its tokens are swapped after an IP change.
        key_manager: the developer-portal key manager, or ``None`` for given tokens.
        counters: where requests, retries and 429s are counted.
        timeout: seconds to wait for an answer.
        max_retries, max_retry_time: see the module docstring.
    """

    def __init__(self, session: requests.Session, keys: KeyPool, *,
                 key_manager: KeyManager | None, counters: Counters, timeout: float,
                 max_retries: int, max_retry_time: float) -> None:
        self.session = session
        self.keys = keys
        self.key_manager = key_manager
        self.counters = counters
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_time = max_retry_time
        # The key manager's generation whose tokens are in the pool; set only after a swap,
        # so that a request started mid-swap does not take the old key's 403 for a new IP
        # change and log in again.
        self._generation = key_manager.generation if key_manager else 0
        self._swap_lock = threading.Lock()

    def send(self, method: str, url: str, path: str, params: dict[str, Any], body: Any,
             budget: RetryBudget) -> requests.Response:
        """Send one request until it succeeds, and return its 200 answer.

        Raises:
            RetryBudgetError: the call's budget was spent, or the call cancelled, before this
                request was sent at all.
            ApiError: the matching subclass for the last error answer, once retries are
                over (see the module docstring for what bounds them).
        """
        retries = swaps = ip_refreshes = 0
        error: ApiError | None = None  # the last answer's error, raised if we give up
        while True:
            key = None
            generation = self._generation
            if not budget.spent():
                # No wait for a throttle slot past the budget's end (it would outlive it).
                key = self.keys.acquire(deadline=budget.deadline)
            if key is None or budget.spent():
                raise error or RetryBudgetError.spent(budget, path)
            outcome, wait = self._send_once(method, url, path, params, body, key)
            if isinstance(outcome, requests.Response):
                budget.progress()
                return outcome
            error = outcome
            if swaps < _MAX_SWAPS and self._key_was_replaced(error, key):
                swaps += 1  # signed with a key this client has replaced since: send again
                continue
            if ip_refreshes < 2 and self._needs_new_keys(error, generation):
                ip_refreshes += 1
                self._swap_keys(generation)
                continue
            if not _retryable(error):
                raise error
            budget.failed()
            if retries >= self.max_retries:
                raise error
            delay = wait if wait is not None else backoff(retries)
            if time.monotonic() + delay >= budget.deadline:
                raise error
            retries += 1
            self.counters.add("retries")
            time.sleep(delay)

    # ----------------------------------------------------------------- keys
    def _key_was_replaced(self, error: ApiError, key: str) -> bool:
        """Whether ``error`` is a 403 for a key that a key swap has taken out of the pool
        (revoked by the re-login, or bound to the old IP). A swap in progress holds the swap
        lock, so waiting for it tells a replaced key from a bad one."""
        if self.key_manager is None or not isinstance(error, AccessDeniedError):
            return False
        with self._swap_lock:
            return key not in self.keys.keys

    def _needs_new_keys(self, error: ApiError, generation: int) -> bool:
        if self.key_manager is None:
            return False
        # Tokens from the key store (generation 0: no login yet) may have been revoked
        # since, by hand or by cocframes on another IP when the account was full.
        unverified = generation == 0 and isinstance(error, AccessDeniedError)
        return isinstance(error, InvalidIpError) or unverified

    def _swap_keys(self, seen_generation: int) -> None:
        """Log in again (once for all threads) and put the new keys in the pool."""
        assert self.key_manager is not None
        with self._swap_lock:
            self.keys.replace(self.key_manager.refresh(seen_generation))
            self._generation = self.key_manager.generation

    # ----------------------------------------------------------------- one request
    def _send_once(self, method: str, url: str, path: str, params: dict[str, Any], body: Any,
                   key: str) -> tuple[requests.Response | ApiError, float | None]:
        """Send once; return the 200 answer, or the error and its ``Retry-After``."""
        headers = {"Authorization": f"Bearer {key}"}
        started = time.monotonic()
        try:
            # force_refresh: the client has looked the cache up already; the session only
            # stores the answer.
            resp = self.session.request(method, url, params=params, json=body, headers=headers,
                                        timeout=self.timeout, force_refresh=True)
        except (requests.ConnectionError, requests.Timeout) as exc:
            self.counters.sent(time.monotonic() - started)
            kind = "timeout" if isinstance(exc, requests.Timeout) else "connectionError"
            return NetworkError(0, kind, type(exc).__name__, path), None
        except requests.RequestException as exc:
            # Never build a message from the exception's text: it may quote a header value.
            return ApiError(0, "requestError", f"the request could not be sent "
                            f"({type(exc).__name__})", path), None
        self.counters.sent(time.monotonic() - started)
        if resp.status_code == 200:
            return resp, None
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        if resp.status_code == 429:
            self.counters.add("throttled")
        return error_for(resp.status_code, payload, path), retry_after(resp.headers)


def _retryable(error: ApiError) -> bool:
    return isinstance(error, (ThrottledError, NetworkError, ServerError))
