"""requests-cache's Redis storages with cocframes' error policy: every Redis error becomes a
:class:`CacheReadError` or :class:`CacheWriteError` (through the cache's :class:`Health`), key
listings are materialised, and both tell their size. Imported only when a Redis cache is made
(it needs the optional ``redis`` package).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from requests_cache.backends.redis import RedisDict, RedisHashDict

from ._errors import CacheError, CacheReadError, CacheWriteError

_BATCH = 500  # keys per SCAN page and per DEL
_T = TypeVar("_T")


class Health(Protocol):
    """What the storages run every Redis operation through (see ``_redis._Health``)."""

    def run(self, op: Callable[[], _T], error: type[CacheError], what: str) -> _T: ...


class _Guarded:
    """Item access through :attr:`health`: Redis errors become cache errors."""

    health: Health

    def _read(self, op: Callable[[], _T]) -> _T:
        return self.health.run(op, CacheReadError, "read")

    def _write(self, op: Callable[[], _T]) -> _T:
        return self.health.run(op, CacheWriteError, "write")

    def __getitem__(self, key: str) -> Any:
        parent = super().__getitem__  # type: ignore[misc]
        return self._read(lambda: parent(key))

    def __setitem__(self, key: str, value: Any) -> None:
        parent = super().__setitem__  # type: ignore[misc]
        self._write(lambda: parent(key, value))

    def __delitem__(self, key: str) -> None:
        parent = super().__delitem__  # type: ignore[misc]
        self._write(lambda: parent(key))

    def __contains__(self, key: object) -> bool:
        parent = super().__contains__  # type: ignore[misc]
        return bool(self._read(lambda: parent(key)))

    def __iter__(self) -> Iterator[str]:
        return self.keys()  # type: ignore[attr-defined, no-any-return]


class RedisResponses(_Guarded, RedisDict):
    """Responses as strings ``<namespace>:<key>`` with a TTL (see requests-cache)."""

    def __setitem__(self, key: str, value: Any) -> None:
        # requests-cache's own uses SETEX, deprecated by redis-py: the same with SET EX.
        expires_in = getattr(value, "expires_delta", None)
        ttl = None if expires_in is None or not self.ttl else expires_in + self.ttl_offset
        blob = self.serialize(value)
        self._write(lambda: self.connection.set(self._bkey(key), blob,
                                                ex=ttl if ttl and ttl > 0 else None))

    def _stored_keys(self) -> list[bytes]:
        pattern = f"{self.namespace}:*"
        return self._read(lambda: list(self.connection.scan_iter(pattern, count=_BATCH)))

    def keys(self) -> Iterator[str]:  # type: ignore[override]
        prefix = len(self.namespace) + 1
        return iter([k.decode()[prefix:] for k in self._stored_keys()])

    def __len__(self) -> int:
        return len(self._stored_keys())

    def bulk_delete(self, keys: Iterable[str]) -> None:
        """Delete these keys (missing ones ignored)."""
        self._delete(self._bkeys(keys))

    def clear(self) -> None:
        """Delete every response of this namespace."""
        self._delete(self._stored_keys())

    def _delete(self, stored: list[bytes]) -> None:
        def delete() -> None:
            for start in range(0, len(stored), _BATCH):
                self.connection.delete(*stored[start:start + _BATCH])

        if stored:
            self._write(delete)

    def size_bytes(self) -> int:
        """Return the total size of the stored values, in bytes."""
        stored = self._stored_keys()

        def sizes() -> int:
            pipe = self.connection.pipeline(transaction=False)
            for key in stored:
                pipe.strlen(key)
            return sum(pipe.execute())

        return self._read(sizes) if stored else 0


class RedisRedirects(_Guarded, RedisHashDict):
    """Redirects as the fields of one hash, ``<namespace>-redirects`` (see requests-cache)."""

    def keys(self) -> Iterator[str]:  # type: ignore[override]
        fields = self._read(lambda: self.connection.hkeys(self._hash_key))
        return iter([f.decode() for f in fields])

    def __len__(self) -> int:
        return int(self._read(lambda: self.connection.hlen(self._hash_key)))

    def bulk_delete(self, keys: Iterable[str]) -> None:
        """Delete these keys (missing ones ignored)."""
        parent = super().bulk_delete
        keys = list(keys)
        self._write(lambda: parent(keys))

    def clear(self) -> None:
        """Delete every redirect of this namespace (its hash)."""
        self._write(lambda: self.connection.delete(self._hash_key))

    def size_bytes(self) -> int:
        """Return the total size of the stored fields and values, in bytes."""
        stored = self._read(lambda: self.connection.hgetall(self._hash_key))
        return sum(len(k) + len(v) for k, v in stored.items())
