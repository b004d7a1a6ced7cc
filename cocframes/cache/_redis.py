"""The HTTP cache on Redis: :class:`RedisCache`, one cache shared by every process and machine
that can reach the server (the workers of a Dask cluster, several kernels, CI jobs).

Responses and redirects are kept with requests-cache's Redis storages
(:mod:`requests_cache.backends.redis`), pickled as in the SQLite file, under keys of one
namespace (``<namespace>:<key>`` for responses, the hash ``<namespace>-redirects`` for
redirects) so that other users of the same Redis are never touched. Credentials are
redacted before anything is stored, as for the other caches.

A Redis that is down or unreachable never fails a request: its errors become
:class:`CacheReadError` / :class:`CacheWriteError`, so the session's ``on_error="warn"``
policy makes a read a miss and skips a write, with ONE :class:`CacheWarning` per outage
naming the server (never its password). After a failure Redis is left alone for
``retry_after`` seconds, so that an outage does not cost a connection attempt per request.

Values are pickles: use a Redis that only you (and your workers) can write to.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

from requests_cache.serializers import pickle_serializer

from ._errors import CacheError, CacheWarning
from ._storage import CocframesCache

#: Key prefix of cocframes' answers in Redis.
DEFAULT_NAMESPACE = "cocframes"
#: Key prefix of the in-process demo world's answers (advancing its clock forgets them all).
DEMO_NAMESPACE = "cocframes-demo"
#: URL schemes that select Redis.
REDIS_SCHEMES = ("redis", "rediss")
#: Seconds an expired answer is kept after its max-age, to be served when the API is down.
KEEP_EXPIRED = 7 * 24 * 3600
_GLOB_CHARACTERS = frozenset("*?[]\\")

_T = TypeVar("_T")


def is_redis_url(value: str) -> bool:
    """Whether ``value`` is a ``redis://`` or ``rediss://`` URL naming a host."""
    try:
        parts = urlsplit(value)
        return (parts.scheme.lower() in REDIS_SCHEMES and value.lower().startswith(
            f"{parts.scheme.lower()}://") and bool(parts.hostname))
    except ValueError:  # e.g. a port that is not a number
        return False


def redact_url(url: str) -> str:
    """Return ``url`` with what may hold credentials replaced by ``***``: anything before
    the host (``redis://:secret@host:6379/0`` → ``redis://***@host:6379/0``) and the query
    (where redis-py also reads a ``password``)."""
    shown = url
    if "@" in shown:
        head, _, host = shown.rpartition("@")
        scheme = head.split("://", 1)[0] + "://" if "://" in head else ""
        shown = f"{scheme}***@{host}"
    if "?" in shown:
        shown = shown.split("?", 1)[0] + "?***"
    return shown


def _password(url: str) -> str | None:
    """The password ``url`` gives Redis (before the host or in the query), if any."""
    try:
        parts = urlsplit(url)
        password = parts.password or parse_qs(parts.query).get("password", [None])[0]
    except ValueError:
        return None
    return unquote(password) if password else None


class _Health:
    """Whether Redis is usable, shared by the responses and the redirects of one cache.

    After a connection failure, operations fail at once (without trying Redis) for
    ``retry_after`` seconds; the first success after a failure ends the outage. Errors are
    raised as the project's cache errors, naming the server without its password.
    """

    def __init__(self, url: str, retry_after: float) -> None:
        self.shown_url = redact_url(url)
        self.password = _password(url)
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._failing = False
        self._reported = False

    def run(self, op: Callable[[], _T], error: type[CacheError], what: str) -> _T:
        """Return ``op()``; raise ``error`` if Redis fails it or is known to be down."""
        import redis

        with self._lock:
            waiting = self._down_until - time.monotonic()
        if waiting > 0:
            raise error(f"cache {what} skipped: Redis at {self.shown_url} is unreachable "
                        f"(tried again in {waiting:.0f} s)")
        try:
            result = op()
        except redis.RedisError as exc:
            if isinstance(exc, (redis.ConnectionError, redis.TimeoutError)):
                self._went_down()
            raise error(f"cache {what} failed on Redis at {self.shown_url}: "
                        f"{type(exc).__name__}: {self._clean(exc)}") from None
        if self._failing or self._reported:
            with self._lock:
                self._failing = self._reported = False
        return result

    def set_retry_after(self, seconds: float) -> None:
        """Change :attr:`retry_after`, shortening the wait of an outage in progress."""
        with self._lock:
            self.retry_after = seconds
            self._down_until = min(self._down_until, time.monotonic() + seconds)

    def _went_down(self) -> None:
        with self._lock:
            self._failing = True
            self._down_until = time.monotonic() + self.retry_after

    def _clean(self, exc: Exception) -> str:
        text = str(exc).rstrip(".")
        return text.replace(self.password, "***") if self.password else text

    def first_report(self) -> bool:
        """Return True the first time it is asked during an outage (to warn once)."""
        with self._lock:
            first, self._reported = not self._reported, True
            return first


def _connect(url: str, connect_timeout: float, timeout: float) -> Any:
    """Return a ``redis.Redis`` for ``url`` (connections are made on first use): bounded
    timeouts, and one immediate retry so that a connection broken by a restart is remade."""
    try:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry
    except ImportError as exc:
        raise ImportError("a Redis cache needs the redis package: "
                          "pip install 'cocframes[redis]'") from exc
    return redis.Redis.from_url(url, socket_connect_timeout=connect_timeout,
                                socket_timeout=timeout, retry=Retry(NoBackoff(), 1))


def check_namespace(namespace: str) -> str:
    """Return ``namespace`` if it can prefix keys (non-empty, no glob character)."""
    if not isinstance(namespace, str) or not namespace or \
            _GLOB_CHARACTERS.intersection(namespace) or namespace != namespace.strip():
        raise ValueError(f"namespace must be a non-empty string without spaces around it or "
                         f"any of * ? [ ] \\, not {namespace!r}")
    return namespace


class RedisCache(CocframesCache):
    """A requests-cache backend on a Redis server, shared by every process that reaches it.

    Args:
        url: ``redis://[[user]:password@]host[:port][/db]`` or ``rediss://...`` (TLS).
        namespace: the prefix of every key this cache writes, reads and clears.
        keep_expired: seconds an answer stays in Redis after its max-age ends (it is served,
            with a :class:`~cocframes.StaleDataWarning`, when the API cannot answer).
        retry_after: seconds Redis is not tried again after a connection failure.
        connect_timeout, timeout: seconds to wait to connect to Redis, and for its answers.

    Raises:
        ValueError: ``url`` is not a Redis URL, or ``namespace`` is unusable.
        ImportError: the ``redis`` package is not installed.
    """

    def __init__(self, url: str, *, namespace: str = DEFAULT_NAMESPACE,
                 keep_expired: int = KEEP_EXPIRED, retry_after: float = 30.0,
                 connect_timeout: float = 2.0, timeout: float = 5.0):
        if not isinstance(url, str) or not is_redis_url(url):
            raise ValueError(f"not a redis:// or rediss:// URL: {redact_url(str(url))!r}")
        self.namespace = check_namespace(namespace)
        self.health = _Health(url, retry_after)
        super().__init__(cache_name=f"{self.health.shown_url} ({namespace})")
        connection = _connect(url, connect_timeout, timeout)
        from ._redis_storage import RedisRedirects, RedisResponses  # needs redis: see _connect

        self.responses = RedisResponses(namespace, connection=connection,
                                        serializer=pickle_serializer, ttl=True,
                                        ttl_offset=keep_expired)
        self.redirects = RedisRedirects(namespace, collection_name="redirects",
                                        connection=connection)
        self.responses.health = self.redirects.health = self.health

    @property
    def retry_after(self) -> float:
        """Seconds Redis is not tried again after a connection failure."""
        return self.health.retry_after

    @retry_after.setter
    def retry_after(self, seconds: float) -> None:
        self.health.set_retry_after(seconds)

    @property
    def db_path(self) -> None:  # type: ignore[override]
        return None

    @property
    def location(self) -> str:
        return f"on Redis at {self.health.shown_url} (namespace {self.namespace})"

    def _handle(self, exc: CacheError, doing: str) -> None:
        """Raise, or warn once per outage (a down Redis fails every request's read and
        write: one warning says it all)."""
        if self.on_error != "warn":
            raise exc
        if self.health.first_report():
            warnings.warn(CacheWarning(
                f"cocframes could not {doing} the HTTP cache: {exc}. Answers are fetched "
                "without the cache until Redis answers again."), stacklevel=4)

    def clear(self) -> None:
        """Delete every response and redirect of this namespace, and nothing else."""
        self.responses.clear()
        self.redirects.clear()
