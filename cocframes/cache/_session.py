"""Where the cache lives and the session around it: the cache directory and file
(``$COCFRAMES_CACHE``, the platform's user cache dir) or a Redis server (``cache=`` a URL,
``$COCFRAMES_CACHE_URL``), :func:`new_session` with cocframes' requests-cache settings, and
the helpers the client calls on that session (:func:`find_stored`, :func:`cache_info`,
:func:`clear_cache`).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from requests_cache import CachedResponse, CachedSession

from ._errors import CacheError, CacheWarning
from ._keys import key_of
from ._redis import DEFAULT_NAMESPACE, DEMO_NAMESPACE, RedisCache, is_redis_url, redact_url
from ._storage import CocframesCache, MemoryCache, SafeSQLiteCache

#: Name of the cache file inside the cache directory.
CACHE_FILE_NAME = "cocframes-http.sqlite"
# The in-process demo world's answers live in their own file: advancing its clock forgets them
# all, which must never touch the real API's answers.
DEMO_CACHE_FILE_NAME = "cocframes-demo-http.sqlite"
#: Environment variable naming the cache directory (GUIDE §3).
CACHE_ENV_VAR = "COCFRAMES_CACHE"
#: Environment variable naming a Redis server to cache in when ``cache=True``.
CACHE_URL_ENV_VAR = "COCFRAMES_CACHE_URL"
_ACCEPTED = ("True (the cache file), False (in memory only) or a redis:// or rediss:// URL "
             "such as 'redis://host:6379/0'")


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the cache directory, creating it if needed.

    Order: the ``cache_dir`` argument if given, else ``$COCFRAMES_CACHE`` if set and non-empty,
    else ``platformdirs.user_cache_dir("cocframes")``. ``~`` is expanded; the result is absolute.
    """
    if cache_dir is None:
        cache_dir = os.environ.get(CACHE_ENV_VAR) or platformdirs.user_cache_dir("cocframes")
    path = Path(cache_dir).expanduser().absolute()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise NotADirectoryError(f"cache directory {path} exists and is not a directory") from None
    return path


def default_cache_path(cache_dir: str | os.PathLike[str] | None = None, *,
                       demo: bool = False) -> Path:
    """Return the cache file path, ``resolve_cache_dir(cache_dir) / CACHE_FILE_NAME`` (with
    ``demo``, the in-process demo world's own file, ``DEMO_CACHE_FILE_NAME``)."""
    return resolve_cache_dir(cache_dir) / (DEMO_CACHE_FILE_NAME if demo else CACHE_FILE_NAME)


def cache_setting(cache: bool | str) -> bool | str:
    """Return what ``Client(cache=...)`` asks for: ``True`` (the cache file), ``False`` (in
    memory only) or a Redis URL (``cache`` itself, or ``$COCFRAMES_CACHE_URL`` when
    ``cache`` is ``True`` and it is set). Makes no connection.

    Raises:
        ValueError: ``cache`` (or the variable) is a string that is not a Redis URL; the
            message shows no password.
    """
    if isinstance(cache, str):
        return _checked_url(cache, "cache=")
    if cache and os.environ.get(CACHE_URL_ENV_VAR):
        return _checked_url(os.environ[CACHE_URL_ENV_VAR], f"${CACHE_URL_ENV_VAR}")
    return bool(cache)


def _checked_url(url: str, source: str) -> str:
    if not is_redis_url(url):
        raise ValueError(f"{source} {redact_url(url)!r} is not a cache setting: "
                         f"cache= takes {_ACCEPTED}")
    return url


def open_cache(setting: bool | str, cache_dir: str | os.PathLike[str] | None = None, *,
               demo: bool = False) -> CocframesCache:
    """Return the cache for a :func:`cache_setting`: a :class:`RedisCache` for a URL, the
    cache file in ``cache_dir`` for ``True``, a :class:`MemoryCache` for ``False``. With
    ``demo`` (the in-process demo world), its own file or Redis namespace."""
    if isinstance(setting, str):
        return RedisCache(setting, namespace=DEMO_NAMESPACE if demo else DEFAULT_NAMESPACE)
    if setting:
        return SafeSQLiteCache(default_cache_path(cache_dir, demo=demo))
    return MemoryCache()


def new_session(
    cache_path: str | os.PathLike[str] | CocframesCache | None, *, fallback_expire: int = 60
) -> CachedSession:
    """Return a :class:`requests_cache.CachedSession` on cocframes' cache.

    Args:
        cache_path: the SQLite file (a directory means ``CACHE_FILE_NAME`` inside it),
            ``None`` for a private in-memory cache, or a cache (:func:`open_cache`,
            :class:`RedisCache`).
        fallback_expire: seconds to keep a response that has no ``Cache-Control: max-age``.

    Settings: ``Cache-Control`` honoured; only ``200`` answers to ``GET`` are stored; keys
    from :mod:`._keys` (no header is part of a key); the ``Authorization`` header is not
    stored; no
    stale-if-error (the client decides about stale data, see :func:`find_stored`). A cache that
    fails for good only emits a :class:`CacheWarning`; the request itself still succeeds.
    """
    backend: CocframesCache
    if isinstance(cache_path, CocframesCache):
        backend = cache_path
    elif cache_path is None:
        backend = MemoryCache()
    else:
        path = Path(cache_path).expanduser()
        if path.is_dir():
            path = path / CACHE_FILE_NAME
        backend = SafeSQLiteCache(path)
    backend.on_error = "warn"
    return CachedSession(
        backend=backend,
        cache_control=True,
        expire_after=fallback_expire,
        allowable_codes=(200,),
        allowable_methods=("GET",),
        ignored_parameters=("Authorization",),
        match_headers=False,
        stale_if_error=False,
        key_fn=key_of,
    )


def find_stored(session: CachedSession, key: str) -> CachedResponse | None:
    """Return the response stored under ``key`` (from :func:`~._keys.key_for`), expired or
    not, or ``None``. Never raises for a cache failure: an unreadable cache is a miss (with
    a warning)."""
    try:
        return session.cache.get_response(key)
    except CacheError as exc:
        warnings.warn(CacheWarning(f"cocframes could not read the HTTP cache: {exc}"),
                      stacklevel=2)
        return None


@dataclass(frozen=True)
class CacheInfo:
    """What is in a cache and how much room it takes.

    Attributes:
        path: the SQLite file, or ``None`` for an in-memory or Redis cache.
        size_bytes: bytes on disk (file + ``-wal`` + ``-shm``); for memory and Redis, of the
            stored values.
        entries: number of stored responses, expired ones included.
    """

    path: Path | None
    size_bytes: int
    entries: int


def _backend(session: CachedSession) -> CocframesCache:
    cache = session.cache
    if not isinstance(cache, CocframesCache):
        raise TypeError(f"not a cocframes cache session: {type(cache).__name__}")
    return cache


def cache_info(session: CachedSession) -> CacheInfo:
    """Return a :class:`CacheInfo` for the session's cache."""
    cache = _backend(session)
    return CacheInfo(
        path=cache.db_path, size_bytes=cache.size_bytes(), entries=len(cache.responses)
    )


def clear_cache(session: CachedSession) -> None:
    """Delete every cached response and shrink the cache file (``VACUUM`` + WAL truncation);
    on Redis, every key of the cache's namespace and nothing else.

    Raises:
        CacheWriteError: if the file stayed locked by other processes beyond the retry bound.
    """
    _backend(session).clear()
