"""The synchronous client: one cached ``requests`` session, auth, throttle, retries, paging,
bulk fetches, and one method per official API operation returning the JSON payload.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urlencode

import requests

from cocframes import cache as _cache
from cocframes.errors import (
    AccessDeniedError,
    ApiError,
    CocError,
    ConfigurationError,
    InvalidIpError,
    MaintenanceError,
    NetworkError,
    OfflineCacheMissError,
    ServerError,
    ThrottledError,
    error_for,
)
from cocframes.keys import DEFAULT_KEY_NAME, KeyManager, KeyStore, credentials_from_env
from cocframes.operations import BY_NAME, OPERATIONS
from cocframes.resolve import Resolver
from cocframes.tags import encode_tag
from cocframes.throttle import KeyPool

OFFICIAL_BASE_URL = "https://api.clashofclans.com/v1"
TOKEN_ENV_VAR = "COC_API_TOKEN"
BASE_URL_ENV_VAR = "COCFRAMES_BASE_URL"
DEMO_TOKEN = "demo"
DEFAULT_RATE = 10.0
DEMO_RATE = 1000.0
# Decoded-answer memo: fresh answers kept in memory so a warm call skips requests-cache and
# JSON decoding. Bounded by the size of the answers' JSON text (the objects take a few times
# more), least recently used first out.
_MEMO_BYTES = 16 * 2**20

class _NotLocal(Exception):
    """Raised inside :meth:`Client.many`'s local pass when an answer is neither in memory nor
    fresh in the cache file."""


# Path parameters that hold tags (normalised and validated before any request).
_TAG_PARAMS = frozenset({"clanTag", "playerTag", "warTag", "leagueGroupTag"})
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

T = TypeVar("T")
R = TypeVar("R")


class StaleDataWarning(UserWarning):
    """Data was served from an expired cache entry because the API could not answer."""


@dataclass(frozen=True)
class Fetched:
    """One API answer with its provenance.

    Attributes:
        payload: the decoded JSON body.
        endpoint: the path requested, relative to the base URL.
        fetched_at: when the answer was produced (UTC; for a cache hit, when it was stored).
        from_cache: whether the cache answered.
        stale: whether the answer is an expired cache entry served because the API failed.
        demo: whether the answer comes from the demo world.
    """

    payload: Any
    endpoint: str
    fetched_at: datetime
    from_cache: bool
    stale: bool
    demo: bool


@dataclass
class BulkResult(Generic[T, R]):
    """The outcome of :meth:`Client.many`, in the order of the inputs.

    Attributes:
        items: the inputs.
        results: one entry per input: the result, or ``None`` where that input failed.
        failures: input → the exception it raised, for every input that failed.
    """

    items: list[T]
    results: list[R | None]
    failures: dict[T, Exception] = field(default_factory=dict)

    @property
    def succeeded(self) -> list[R]:
        """The results of the inputs that did not fail, in input order."""
        return [r for item, r in zip(self.items, self.results, strict=True)
                if item not in self.failures]


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


def _parse_tokens(token: str | Sequence[str] | None) -> list[str]:
    if token is None:
        return []
    parts = token.split(",") if isinstance(token, str) else list(token)
    return [p.strip() for p in parts if p and p.strip()]


def _retry_after(headers: Any) -> float | None:
    """Return the seconds of a ``Retry-After`` header (``None`` if absent or not a number)."""
    try:
        seconds = float(headers.get("Retry-After", ""))
    except ValueError:
        return None
    return seconds if 0 <= seconds < float("inf") else None


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


class Client:
    """A synchronous Clash of Clans API client with a persistent SQLite cache.

    Args:
        token: an API token, several separated by commas, or a list of them; defaults to
            ``$COC_API_TOKEN``. Requests are spread over all tokens.
        demo: answer from the built-in demo world instead of the API (no token, no network).
        base_url: another server, e.g. the demo server on 127.0.0.1; defaults to
            ``$COCFRAMES_BASE_URL`` or the official API.
        cache_dir: directory of the cache file; defaults to ``$COCFRAMES_CACHE`` or the user
            cache directory. ``cache=False`` keeps the cache in memory only.
        offline: answer only from the cache; a miss raises :class:`OfflineCacheMissError`.
        rate: requests per second per token; the polite default is 10 for the API and a
            server, and 1000 for the in-process demo world, which has no limit to respect.
        burst: requests a token may send at once after a quiet period. The default, 9, is
            one under the API's per-key bucket of 10 (as the demo server models it): a bulk
            fetch starts at full speed, and the spare token absorbs arrival jitter, so the
            server's bucket is never found empty (no 429). With ``burst=1`` every bulk fetch
            starts a bucket's worth of requests (~0.9 s per key) late.
        timeout: seconds to wait for an answer.
        max_retries: retries of one call after a 5xx answer, timeout or dropped connection.
        max_retry_time: total seconds one call may spend retrying; 429 answers are retried
            until this budget is spent, whatever ``max_retries`` says.
        progress: show a progress bar in bulk fetches.
        email, password: developer-portal credentials (default: ``$COC_EMAIL`` /
            ``$COC_PASSWORD`` when no token is given): cocframes then creates and reuses keys
            bound to this machine's IP, and follows IP changes (see :mod:`cocframes.keys`).
        key_count: how many keys to manage with credentials (each adds ``rate`` per second).
        key_name: the name of the keys cocframes manages; other keys are never touched.
        portal_url: the developer portal's API (default: the real one, or
            ``$COCFRAMES_PORTAL_URL``).
        key_store: keep managed tokens between runs: ``True`` for the default file in the user
            data directory, or a :class:`~cocframes.keys.KeyStore`.
    """

    def __init__(
        self,
        token: str | Sequence[str] | None = None,
        *,
        demo: bool = False,
        base_url: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        cache: bool = True,
        offline: bool = False,
        rate: float | None = None,
        burst: int = 9,
        timeout: float = 10.0,
        max_retries: int = 5,
        max_retry_time: float = 60.0,
        progress: bool = True,
        email: str | None = None,
        password: str | None = None,
        key_count: int = 1,
        key_name: str = DEFAULT_KEY_NAME,
        portal_url: str | None = None,
        key_store: KeyStore | bool | None = None,
    ) -> None:
        self._key_manager: KeyManager | None = None
        if token is None and email is None and password is None:
            token = os.environ.get(TOKEN_ENV_VAR)
            if not token and not demo and not offline:
                email, password = credentials_from_env() or (None, None)
        tokens = _parse_tokens(token)
        if not tokens and (email or password):
            store = KeyStore() if key_store is True else (key_store or None)
            self._key_manager = KeyManager(
                email or "", password or "", key_count=key_count, key_name=key_name,
                portal_url=portal_url, store=store, timeout=timeout)
            tokens = self._key_manager.tokens()
        # The key manager's generation whose tokens are in the pool; set only after a swap,
        # so that a request started mid-swap does not take the old key's 403 for a new
        # IP change and log in again.
        self._pool_generation = self._key_manager.generation if self._key_manager else 0
        self._refresh_lock = threading.Lock()
        self.demo = demo
        if demo:
            from cocframes.demo import DEMO_BASE_URL

            default_url = DEMO_BASE_URL
            tokens = tokens or [DEMO_TOKEN]
        else:
            default_url = os.environ.get(BASE_URL_ENV_VAR) or OFFICIAL_BASE_URL
        self.base_url = (base_url or default_url).rstrip("/")
        if not tokens and not offline:
            raise ConfigurationError(
                "no Clash of Clans API token. Fix it one of these ways: pass token='...' "
                "(a key from https://developer.clashofclans.com), set the environment "
                f"variable {TOKEN_ENV_VAR} (several tokens: comma-separated), log in with "
                "email=... and password=... (or COC_EMAIL / COC_PASSWORD) so that keys follow "
                "your IP, or use Client(demo=True) / cocframes.demo() for the offline demo "
                "world."
            )
        self.offline = offline
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_time = max_retry_time
        self.progress = progress
        if rate is None:
            rate = DEMO_RATE if demo and base_url is None else DEFAULT_RATE
        self._keys = KeyPool(tokens or ["offline"], rate=rate, burst=burst)
        cache_path = _cache.default_cache_path(cache_dir) if cache else None
        self.session = _cache.new_session(cache_path)
        self.session.headers["Accept"] = "application/json"
        self.session.headers["User-Agent"] = "cocframes (+https://pypi.org/project/cocframes)"
        if demo:
            from cocframes.demo import DemoAdapter

            self.session.mount(self.base_url.split("/v1")[0] + "/", DemoAdapter())
        self._stats_lock = threading.Lock()
        self._counts = {"requests": 0, "cache_hits": 0, "retries": 0, "throttled": 0,
                        "errors": 0}
        self._latency_total = 0.0
        self.resolve = Resolver(self)
        # url?query -> (expires at, epoch seconds; payload; fetched_at; demo; JSON size)
        self._memo: OrderedDict[str, tuple[float, Any, datetime, bool, int]] = OrderedDict()
        self._memo_bytes = 0
        self._memo_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_size = 0
        self._pool_lock = threading.Lock()
        self._in_pool = threading.local()

    def __repr__(self) -> str:
        mode = "demo" if self.demo else ("offline" if self.offline else "live")
        return (f"Client({mode}, base_url={self.base_url!r}, keys={len(self._keys.keys)}, "
                f"rate={self._keys.rate}/s/key)")

    # ----------------------------------------------------------------- core request path
    @property
    def keys_count(self) -> int:
        """How many API keys requests are spread over."""
        return len(self._keys.keys)

    @property
    def total_rate(self) -> float:
        """Requests per second over all keys."""
        return self._keys.total_rate

    def _count(self, name: str, n: int = 1) -> None:
        with self._stats_lock:
            self._counts[name] += n

    def stats(self) -> Stats:
        """Return the counters of this client (see :class:`Stats`)."""
        with self._stats_lock:
            sent = self._counts["requests"]
            mean = self._latency_total / sent if sent else 0.0
            return Stats(mean_latency=mean, **self._counts)

    def fetch(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        method: str = "GET",
        json: Any = None,
        refresh: bool = False,
    ) -> Fetched:
        """Request ``path`` (relative to the base URL, already encoded) and return the answer
        with its provenance.

        The cache answers first (costing no throttle token) unless ``refresh`` is set; then
        the request goes out under the throttle, retried with exponential backoff and jitter
        on 429, 5xx, timeouts and dropped connections. When the API stays unavailable, an
        expired cache entry is returned with a :class:`StaleDataWarning`.

        Raises:
            ApiError: the matching subclass for the API's error answer.
        """
        params = {k: v for k, v in (params or {}).items() if v is not None}
        url = self.base_url + path
        try:
            return self._fetch(method, url, path, params, json, refresh)
        except ApiError:
            self._count("errors")
            raise

    def _fetch(self, method: str, url: str, path: str, params: dict[str, Any], body: Any,
               refresh: bool) -> Fetched:
        cacheable = method == "GET"
        key = url + ("?" + urlencode(sorted(params.items())) if params else "")
        if cacheable and not refresh:
            remembered = self._recall(key, path)
            if remembered is not None:
                self._count("cache_hits")
                return remembered
        if cacheable and not refresh:
            hit = self.session.request(method, url, params=params, only_if_cached=True,
                                       timeout=self.timeout)
            if hit.status_code == 200:
                self._count("cache_hits")
                return self._remember(key, hit, self._fetched(hit, path))
        if getattr(self._in_pool, "local_only", False):
            raise _NotLocal
        if self.offline:
            stale = self._stale(method, url, params)
            if stale is not None:
                return self._stale_answer(stale, path, "offline mode")
            raise OfflineCacheMissError(0, "offlineCacheMiss",
                                        "offline mode and the cache holds no answer", path)
        fetched, response = self._send_with_retries(method, url, path, params, body, refresh)
        if cacheable and response is not None:
            self._remember(key, response, fetched)
        return fetched

    def _recall(self, key: str, path: str) -> Fetched | None:
        """Return the memo's fresh answer for ``key``, or ``None``. The payload is the one
        decoded when the answer arrived, shared by every call (treat it as read-only)."""
        with self._memo_lock:
            entry = self._memo.get(key)
        if entry is None or entry[0] <= time.time():
            return None
        _, payload, fetched_at, demo, _ = entry
        return Fetched(payload=payload, endpoint=path, fetched_at=fetched_at,
                       from_cache=True, stale=False, demo=demo)

    def _remember(self, key: str, response: Any, fetched: Fetched) -> Fetched:
        """Keep a fresh 200 answer in the memo until it expires; return ``fetched``.

        The deadline is the one requests-cache computed from the answer's Cache-Control;
        an answer without one (``expires`` None) is not kept in memory.
        """
        expires = getattr(response, "expires", None)
        if expires is None:
            return fetched
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=timezone.utc)
        deadline = expires.timestamp()
        size = len(response.content or b"")
        if size > _MEMO_BYTES // 4:  # a huge answer would push out everything else
            return fetched
        with self._memo_lock:
            old = self._memo.pop(key, None)
            self._memo_bytes += size - (old[4] if old else 0)
            self._memo[key] = (deadline, fetched.payload, fetched.fetched_at, fetched.demo, size)
            while self._memo_bytes > _MEMO_BYTES:
                self._memo_bytes -= self._memo.popitem(last=False)[1][4]
        return fetched

    def _send_with_retries(self, method: str, url: str, path: str, params: dict[str, Any],
                           body: Any, refresh: bool) -> tuple[Fetched, Any]:
        deadline = time.monotonic() + self.max_retry_time
        attempt = 0  # retries so far, of any cause (sets the backoff)
        failures = 0  # retries after 5xx answers and network errors
        ip_refreshes = 0
        while True:
            generation = self._pool_generation
            outcome, retry_after = self._send_once(method, url, path, params, body, refresh)
            if isinstance(outcome, tuple):  # (answer, response): a 200
                return outcome
            error = outcome
            # Tokens from the key store (generation 0: no login yet) may have been revoked
            # since, by hand or by cocframes on another IP when the account was full.
            unverified = generation == 0 and isinstance(error, AccessDeniedError)
            if ((isinstance(error, InvalidIpError) or unverified) and self._key_manager
                    and ip_refreshes < 2):
                # The IP changed: one re-login shared by all threads, then this request again.
                ip_refreshes += 1
                with self._refresh_lock:
                    self._keys.replace(self._key_manager.refresh(generation))
                    self._pool_generation = self._key_manager.generation
                continue
            # A 429 is waited out until the time budget, never turned into a lost result
            # (the server's limit says "later", not "no"); real failures (5xx, network) are
            # also bounded by max_retries.
            throttled = isinstance(error, ThrottledError)
            retryable = throttled or isinstance(error, (NetworkError, ServerError))
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            if (retryable and (throttled or failures < self.max_retries)
                    and time.monotonic() + delay < deadline):
                attempt += 1
                failures += not throttled
                self._count("retries")
                time.sleep(delay)
                continue
            if isinstance(error, (NetworkError, ServerError)) and method == "GET":
                stale = self._stale(method, url, params)
                if stale is not None:
                    why = ("the API is in maintenance" if isinstance(error, MaintenanceError)
                           else f"the API could not answer ({error.status} {error.reason})")
                    return self._stale_answer(stale, path, why), None
            raise error

    @staticmethod
    def _backoff(attempt: int) -> float:
        # Exponential backoff with full jitter: 0.25 s, 0.5 s, 1 s ... capped at 8 s.
        # (The exponent is capped too: 2**1024 overflows a float on long 429 waits.)
        return random.uniform(0.5, 1.0) * min(8.0, 0.25 * 2 ** min(attempt, 10))

    def _send_once(self, method: str, url: str, path: str, params: dict[str, Any], body: Any,
                   refresh: bool) -> tuple[tuple[Fetched, Any] | ApiError, float | None]:
        key = self._keys.acquire()
        headers = {"Authorization": f"Bearer {key}"}
        started = time.monotonic()
        try:
            resp = self.session.request(method, url, params=params, json=body, headers=headers,
                                        timeout=self.timeout, force_refresh=refresh)
        except (requests.ConnectionError, requests.Timeout) as exc:
            self._record_latency(started)
            kind = "timeout" if isinstance(exc, requests.Timeout) else "connectionError"
            return NetworkError(0, kind, type(exc).__name__, path), None
        self._record_latency(started)
        if resp.status_code == 200:
            return (self._fetched(resp, path), resp), None
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        if resp.status_code == 429:
            self._count("throttled")
        return error_for(resp.status_code, payload, path), _retry_after(resp.headers)

    def _record_latency(self, started: float) -> None:
        with self._stats_lock:
            self._counts["requests"] += 1
            self._latency_total += time.monotonic() - started

    def _stale(self, method: str, url: str, params: dict[str, Any]) -> Any:
        prepared = self.session.prepare_request(requests.Request(method, url, params=params))
        return _cache.find_stale(self.session, prepared)

    def _stale_answer(self, response: Any, path: str, why: str) -> Fetched:
        fetched = self._fetched(response, path, stale=True)
        warnings.warn(
            f"{why}: serving cached data for {path} from "
            f"{fetched.fetched_at:%Y-%m-%d %H:%M} UTC, which has expired",
            StaleDataWarning, stacklevel=4,
        )
        return fetched

    def _fetched(self, response: Any, path: str, *, stale: bool = False) -> Fetched:
        from_cache = bool(getattr(response, "from_cache", False))
        created = getattr(response, "created_at", None) if from_cache else None
        if created is None:
            fetched_at = datetime.now(timezone.utc)
        else:
            fetched_at = created if created.tzinfo else created.replace(tzinfo=timezone.utc)
        return Fetched(
            payload=response.json(),
            endpoint=path,
            fetched_at=fetched_at,
            from_cache=from_cache,
            stale=stale,
            demo=response.headers.get("X-Cocframes-Demo") == "1",
        )

    # ----------------------------------------------------------------- generic helpers
    def get(self, path: str, params: dict[str, Any] | None = None, *,
            refresh: bool = False) -> Any:
        """Escape hatch for endpoints cocframes does not know yet: GET ``path`` (relative to
        the base URL, e.g. ``"/players/%232PP"``) and return the JSON payload."""
        if not path.startswith("/"):
            path = "/" + path
        return self.fetch(path, params, refresh=refresh).payload

    def call_with(self, operation: str, param: str, value: Any, **args: Any) -> Fetched:
        """Run ``operation`` with ``param=value`` (and ``args``): the one-argument form that
        bulk fetches want, e.g. ``client.many(partial(client.call_with, "getPlayer",
        "playerTag"), tags)``."""
        return self.call(operation, **{param: value}, **args)

    def call(self, operation: str, *, refresh: bool = False, json: Any = None,
             **args: Any) -> Fetched:
        """Run the official operation named ``operation`` (its spec ``operationId``).

        Path parameters are given by their spec names (``playerTag=...``); tags are
        normalised and validated first (a bad tag raises ``ValueError`` before any request).
        Other keyword arguments become query parameters.
        """
        op = BY_NAME[operation]
        path = op.path
        for name in op.path_params:
            value = args.pop(name)
            encoded = encode_tag(value) if name in _TAG_PARAMS else quote(str(value), safe="")
            path = path.replace("{" + name + "}", encoded)
        if op.name == "getLeagueGroup" and "playerTag" in args:
            args["playerTag"] = encode_tag(args["playerTag"]).replace("%23", "#")
        unknown = set(args) - set(op.query) - ({"limit", "after", "before"} if op.paged else set())
        if unknown:
            raise TypeError(f"{operation} takes no parameter(s) {sorted(unknown)}")
        return self.fetch(path, args, method=op.method, json=json, refresh=refresh)

    def pages(self, operation: str, *, max_items: int | None = None,
              page_size: int | None = None, refresh: bool = False,
              **args: Any) -> Iterator[Fetched]:
        """Yield the answers of a paged operation page by page, following ``after`` cursors
        to the end or until the pages hold ``max_items`` items (the last page may hold more:
        :meth:`paginate` trims it)."""
        if not BY_NAME[operation].paged:
            raise ValueError(f"{operation} does not page")
        if max_items is not None and max_items <= 0:
            return
        seen = 0
        after = args.pop("after", None)
        while True:
            limit = page_size
            if max_items is not None:
                limit = min(page_size or max_items, max_items - seen)
            page = self.call(operation, refresh=refresh, limit=limit, after=after, **args)
            yield page
            items = page.payload.get("items") or []
            seen += len(items)
            after = (page.payload.get("paging") or {}).get("cursors", {}).get("after")
            if not after or not items or (max_items is not None and seen >= max_items):
                return

    def paginate(self, operation: str, *, max_items: int | None = None,
                 page_size: int | None = None, refresh: bool = False,
                 **args: Any) -> Iterator[dict[str, Any]]:
        """Yield the items of a paged operation, following ``after`` cursors to the end or
        until ``max_items`` items have been yielded."""
        yielded = 0
        for page in self.pages(operation, max_items=max_items, page_size=page_size,
                               refresh=refresh, **args):
            for item in page.payload.get("items") or []:
                if max_items is not None and yielded >= max_items:
                    return
                yield item
                yielded += 1

    def many(self, func: Callable[[T], R], items: Iterable[T], *,
             progress: bool | None = None, description: str = "fetching") -> BulkResult[T, R]:
        """Run ``func`` on every item concurrently under the throttle and return the results
        in the order of ``items``; each failure is kept per item in ``failures``.

        The thread pool is sized to the keys' rate so that the throttle, not the pool, sets
        the pace; ``progress`` (default: the client's setting) shows a tqdm progress bar.
        """
        items = list(items)
        results: list[R | None] = [None] * len(items)
        failures: dict[T, Exception] = {}
        if not items:
            return BulkResult(items, results, failures)
        workers = max(4, min(64, int(self.total_rate * 2)))
        bar = self._progress_bar(len(items), description, progress)
        try:
            start = self._answer_locally(func, items, results, failures, bar)
            if start == len(items):
                return BulkResult(items, results, failures)
            with self._executor(workers) as pool:
                futures = {pool.submit(func, items[i]): i for i in range(start, len(items))}
                for future in as_completed(futures):
                    i = futures[future]
                    try:
                        results[i] = future.result()
                    except (CocError, LookupError, ValueError, TypeError) as exc:
                        failures[items[i]] = exc
                    if bar is not None:
                        bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        return BulkResult(items, results, failures)

    def _answer_locally(self, func: Callable[[T], R], items: list[T],
                        results: list[R | None], failures: dict[T, Exception],
                        bar: Any) -> int:
        """Answer in this thread the leading items whose answers are in memory or fresh in
        the cache file (dispatching them to threads would cost more than answering them:
        a new thread waits for the GIL to start); return the index of the first item that
        needs the network.

        Only for this client's own request methods (``client.get_player``,
        ``functools.partial(client.call, ...)``): running them can be abandoned half-way
        and redone without side effects, which a user's function could not promise.
        """
        target = getattr(func, "func", func)
        if getattr(target, "__self__", None) is not self:
            return 0
        self._in_pool.local_only = True
        try:
            for i, item in enumerate(items):
                try:
                    results[i] = func(item)
                except _NotLocal:
                    return i
                except (CocError, LookupError, ValueError, TypeError) as exc:
                    failures[item] = exc
                if bar is not None:
                    bar.update(1)
            return len(items)
        finally:
            self._in_pool.local_only = False

    @contextlib.contextmanager
    def _executor(self, workers: int) -> Iterator[ThreadPoolExecutor]:
        """The client's thread pool, kept between bulk calls (starting threads costs more
        than answering from the cache); a nested or concurrent :meth:`many` gets a pool of
        its own, so that it can never wait on threads busy waiting for it."""
        nested = getattr(self._in_pool, "flag", False)
        if nested or not self._pool_lock.acquire(blocking=False):
            with ThreadPoolExecutor(max_workers=workers) as pool:
                yield pool
            return
        try:
            if self._pool is None or self._pool_size < workers:
                if self._pool is not None:
                    self._pool.shutdown(wait=False)
                self._pool = ThreadPoolExecutor(max_workers=workers,
                                                initializer=self._mark_pool_thread)
                self._pool_size = workers
            yield self._pool
        finally:
            self._pool_lock.release()

    def _mark_pool_thread(self) -> None:
        self._in_pool.flag = True

    def _progress_bar(self, total: int, description: str, progress: bool | None) -> Any:
        show = self.progress if progress is None else progress
        if not show or total < 2:
            return None
        from tqdm.auto import tqdm  # imported late: keeps `import cocframes` light

        return tqdm(total=total, desc=description, unit="call")

    # ----------------------------------------------------------------- cache
    def cache_info(self) -> _cache.CacheInfo:
        """Return the cache's path, size on disk and number of entries."""
        return _cache.cache_info(self.session)

    def clear_cache(self) -> None:
        """Delete every cached answer and shrink the cache file."""
        _cache.clear_cache(self.session)
        self._clear_memo()

    def _clear_memo(self) -> None:
        """Forget the answers kept in memory (the cache file is left alone)."""
        with self._memo_lock:
            self._memo.clear()
            self._memo_bytes = 0

    def close(self) -> None:
        """Close the HTTP session and its cache connections."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None
        self.session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- clans
    def search_clans(self, name: str | None = None, **filters: Any) -> dict[str, Any]:
        """Search clans (``searchClans``) and return the payload; see
        :meth:`search_clans_page` for the filters (``location`` and ``labels`` accept
        names)."""
        return self.search_clans_page(name, **filters).payload

    def search_clans_page(
        self,
        name: str | None = None,
        *,
        war_frequency: str | None = None,
        location: int | str | None = None,
        min_members: int | None = None,
        max_members: int | None = None,
        min_clan_points: int | None = None,
        min_clan_level: int | None = None,
        labels: Sequence[int | str] | None = None,
        limit: int | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> Fetched:
        """Search clans (``searchClans``) and return the answer with its provenance.

        ``location`` is an id, name or country code; ``labels`` are label names or ids."""
        label_ids = None
        if labels:
            label_ids = ",".join(str(self.resolve.label(lb, "clans")) for lb in labels)
        location_id = self.resolve.location(location) if location is not None else None
        return self.call(
            "searchClans", name=name, warFrequency=war_frequency, locationId=location_id,
            minMembers=min_members, maxMembers=max_members, minClanPoints=min_clan_points,
            minClanLevel=min_clan_level, labelIds=label_ids, limit=limit, after=after,
            before=before,
        )

    def get_clan(self, clan_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return the clan's profile (``getClan``)."""
        return self.call("getClan", clanTag=clan_tag, refresh=refresh).payload

    def get_clan_members(self, clan_tag: str, *, limit: int | None = None,
                         after: str | None = None, before: str | None = None,
                         refresh: bool = False) -> dict[str, Any]:
        """Return a page of the clan's members (``getClanMembers``)."""
        return self.call("getClanMembers", clanTag=clan_tag, limit=limit, after=after,
                         before=before, refresh=refresh).payload

    def get_clan_war_log(self, clan_tag: str, *, limit: int | None = None,
                         after: str | None = None, before: str | None = None,
                         refresh: bool = False) -> dict[str, Any]:
        """Return a page of the clan's war log (``getClanWarLog``)."""
        return self.call("getClanWarLog", clanTag=clan_tag, limit=limit, after=after,
                         before=before, refresh=refresh).payload

    def get_current_war(self, clan_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return the clan's current regular war (``getCurrentWar``)."""
        return self.call("getCurrentWar", clanTag=clan_tag, refresh=refresh).payload

    def get_clan_war_league_group(self, clan_tag: str, *,
                                  refresh: bool = False) -> dict[str, Any]:
        """Return the clan's current CWL group (``getClanWarLeagueGroup``)."""
        return self.call("getClanWarLeagueGroup", clanTag=clan_tag, refresh=refresh).payload

    def get_clan_war_league_war(self, war_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return one CWL war by its war tag (``getClanWarLeagueWar``)."""
        return self.call("getClanWarLeagueWar", warTag=war_tag, refresh=refresh).payload

    def get_capital_raid_seasons(self, clan_tag: str, *, limit: int | None = None,
                                 after: str | None = None, before: str | None = None,
                                 refresh: bool = False) -> dict[str, Any]:
        """Return a page of the clan's capital raid seasons (``getCapitalRaidSeasons``)."""
        return self.call("getCapitalRaidSeasons", clanTag=clan_tag, limit=limit, after=after,
                         before=before, refresh=refresh).payload

    # ----------------------------------------------------------------- players
    def get_player(self, player_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return the player's profile (``getPlayer``)."""
        return self.call("getPlayer", playerTag=player_tag, refresh=refresh).payload

    def verify_token(self, player_tag: str, token: str) -> dict[str, Any]:
        """Check a player's in-game API token (``verifyToken``, a POST; never cached).

        Returns the API's ``{"tag", "token", "status"}`` where status is ``"ok"`` or
        ``"invalid"``."""
        return self.call("verifyToken", playerTag=player_tag, json={"token": token}).payload

    def get_battle_log(self, player_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return the player's recent battles (``getBattleLog``)."""
        return self.call("getBattleLog", playerTag=player_tag, refresh=refresh).payload

    def get_league_history(self, player_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return the player's league history (``getLeagueHistory``)."""
        return self.call("getLeagueHistory", playerTag=player_tag, refresh=refresh).payload

    def get_league_group(self, league_group_tag: str, league_season_id: int | str,
                         player_tag: str, *, refresh: bool = False) -> dict[str, Any]:
        """Return a ranked league group by its tag and season (``getLeagueGroup``)."""
        return self.call("getLeagueGroup", leagueGroupTag=league_group_tag,
                         leagueSeasonId=league_season_id, playerTag=player_tag,
                         refresh=refresh).payload

    # ----------------------------------------------------------------- leagues
    def get_leagues(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the home-village leagues (``getLeagues``)."""
        return self.call("getLeagues", **paging).payload

    def get_league(self, league: int | str, *, refresh: bool = False) -> dict[str, Any]:
        """Return one league by id or name (``getLeague``)."""
        return self.call("getLeague", leagueId=self.resolve.league(league, "leagues"),
                         refresh=refresh).payload

    def get_league_seasons(self, league: int | str = "Legend League",
                           **paging: Any) -> dict[str, Any]:
        """Return a page of a league's seasons (``getLeagueSeasons``; Legend League only)."""
        return self.call("getLeagueSeasons", leagueId=self.resolve.league(league, "leagues"),
                         **paging).payload

    def get_league_season_rankings(self, season_id: str, league: int | str = "Legend League",
                                   **paging: Any) -> dict[str, Any]:
        """Return a page of a league season's final rankings (``getLeagueSeasonRankings``)."""
        return self.call("getLeagueSeasonRankings",
                         leagueId=self.resolve.league(league, "leagues"), seasonId=season_id,
                         **paging).payload

    def get_league_tiers(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the ranked league tiers (``getLeagueTiers``)."""
        return self.call("getLeagueTiers", **paging).payload

    def get_league_tier(self, tier: int | str, *, refresh: bool = False) -> dict[str, Any]:
        """Return one league tier by id or name (``getLeagueTier``)."""
        return self.call("getLeagueTier", leagueTierId=self.resolve.league(tier, "leaguetiers"),
                         refresh=refresh).payload

    def get_war_leagues(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the clan war leagues (``getWarLeagues``)."""
        return self.call("getWarLeagues", **paging).payload

    def get_war_league(self, league: int | str, *, refresh: bool = False) -> dict[str, Any]:
        """Return one war league by id or name (``getWarLeague``)."""
        return self.call("getWarLeague", leagueId=self.resolve.league(league, "warleagues"),
                         refresh=refresh).payload

    def get_builder_base_leagues(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the builder base leagues (``getBuilderBaseLeagues``)."""
        return self.call("getBuilderBaseLeagues", **paging).payload

    def get_builder_base_league(self, league: int | str, *,
                                refresh: bool = False) -> dict[str, Any]:
        """Return one builder base league by id or name (``getBuilderBaseLeague``)."""
        league_id = self.resolve.league(league, "builderbaseleagues")
        return self.call("getBuilderBaseLeague", leagueId=league_id, refresh=refresh).payload

    def get_capital_leagues(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the clan capital leagues (``getCapitalLeagues``)."""
        return self.call("getCapitalLeagues", **paging).payload

    def get_capital_league(self, league: int | str, *, refresh: bool = False) -> dict[str, Any]:
        """Return one capital league by id or name (``getCapitalLeague``)."""
        league_id = self.resolve.league(league, "capitalleagues")
        return self.call("getCapitalLeague", leagueId=league_id, refresh=refresh).payload

    # ----------------------------------------------------------------- locations, rankings
    def get_locations(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the locations (``getLocations``)."""
        return self.call("getLocations", **paging).payload

    def get_location(self, location: int | str, *, refresh: bool = False) -> dict[str, Any]:
        """Return one location by id, name or country code (``getLocation``)."""
        return self.call("getLocation", locationId=self.resolve.location(location),
                         refresh=refresh).payload

    def _ranking(self, operation: str, location: int | str, paging: dict[str, Any]) -> Any:
        return self.call(operation, locationId=self.resolve.location(location),
                         **paging).payload

    def get_player_ranking(self, location: int | str = "global",
                           **paging: Any) -> dict[str, Any]:
        """Return a page of a location's player ranking (``getPlayerRanking``)."""
        return self._ranking("getPlayerRanking", location, paging)

    def get_clan_ranking(self, location: int | str = "global", **paging: Any) -> dict[str, Any]:
        """Return a page of a location's clan ranking (``getClanRanking``)."""
        return self._ranking("getClanRanking", location, paging)

    def get_player_builder_base_ranking(self, location: int | str = "global",
                                        **paging: Any) -> dict[str, Any]:
        """Return a page of a location's builder base player ranking
        (``getPlayerBuilderBaseRanking``)."""
        return self._ranking("getPlayerBuilderBaseRanking", location, paging)

    def get_clan_builder_base_ranking(self, location: int | str = "global",
                                      **paging: Any) -> dict[str, Any]:
        """Return a page of a location's builder base clan ranking
        (``getClanBuilderBaseRanking``)."""
        return self._ranking("getClanBuilderBaseRanking", location, paging)

    def get_clan_capital_ranking(self, location: int | str = "global",
                                 **paging: Any) -> dict[str, Any]:
        """Return a page of a location's clan capital ranking (``getClanCapitalRanking``)."""
        return self._ranking("getClanCapitalRanking", location, paging)

    # ----------------------------------------------------------------- gold pass, labels
    def get_current_gold_pass_season(self, *, refresh: bool = False) -> dict[str, Any]:
        """Return the current gold pass season (``getCurrentGoldPassSeason``)."""
        return self.call("getCurrentGoldPassSeason", refresh=refresh).payload

    def get_player_labels(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the player labels (``getPlayerLabels``)."""
        return self.call("getPlayerLabels", **paging).payload

    def get_clan_labels(self, **paging: Any) -> dict[str, Any]:
        """Return a page of the clan labels (``getClanLabels``)."""
        return self.call("getClanLabels", **paging).payload


def method_name(operation: str) -> str:
    """Return the :class:`Client` method name of an official operation
    (``getPlayer`` → ``get_player``)."""
    return _snake(operation)


# Every official operation has its method; a missing one is a bug caught at import.
_missing = [op.name for op in OPERATIONS if not hasattr(Client, method_name(op.name))]
if _missing:  # pragma: no cover
    raise RuntimeError(f"Client lacks methods for {_missing}")

__all__ = ["BulkResult", "Client", "Fetched", "StaleDataWarning", "Stats", "method_name"]
