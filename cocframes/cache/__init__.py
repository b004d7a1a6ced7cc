"""The persistent HTTP cache: a requests-cache session on a SQLite file that many threads and
processes (Jupyter kernels, scripts, CI workers) can share safely, and that repairs itself when
the file is corrupt or deleted; or on a Redis server that every worker of a cluster shares.

:func:`new_session` returns a :class:`requests_cache.CachedSession` on a :class:`SafeSQLiteCache`
(or a :class:`RedisCache`, or a :class:`MemoryCache`), with the policy that a cache failure
never breaks a request: the response is returned and a :class:`CacheWarning` naming the cache
is emitted.

Modules, by job:

* :mod:`._session`: where the cache lives, :func:`new_session` and the helpers the client calls;
* :mod:`._keys`: the cache key of a request;
* :mod:`._storage`: the requests-cache storages and backends (redaction, error policy);
* :mod:`._redis`: :class:`RedisCache`, one cache shared by every process and machine
  (its storages in :mod:`._redis_storage`);
* :mod:`._sqlite`: per-thread connections, one-time initialisation, bounded retries;
* :mod:`._locking`: the inter-process lock on ``<file>.lock``;
* :mod:`._repair`: moving a corrupt file aside once, following a deleted one;
* :mod:`._errors`: the exceptions and the warning.
"""

from __future__ import annotations

from ._errors import CacheError, CacheReadError, CacheWarning, CacheWriteError
from ._keys import key_for
from ._redis import RedisCache, redact_url
from ._session import (
    CACHE_ENV_VAR,
    CACHE_FILE_NAME,
    CACHE_URL_ENV_VAR,
    CacheInfo,
    cache_info,
    cache_setting,
    clear_cache,
    default_cache_path,
    find_stored,
    new_session,
    open_cache,
    resolve_cache_dir,
)
from ._sqlite import Database
from ._storage import MemoryCache, SafeSQLiteCache

__all__ = [
    "CACHE_ENV_VAR",
    "CACHE_FILE_NAME",
    "CACHE_URL_ENV_VAR",
    "CacheError",
    "CacheInfo",
    "CacheReadError",
    "CacheWarning",
    "CacheWriteError",
    "Database",
    "MemoryCache",
    "RedisCache",
    "SafeSQLiteCache",
    "cache_info",
    "cache_setting",
    "clear_cache",
    "default_cache_path",
    "find_stored",
    "key_for",
    "new_session",
    "open_cache",
    "redact_url",
    "resolve_cache_dir",
]
