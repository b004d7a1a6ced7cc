"""The cache key of a request: a hash of its method, its URL without the query, its query
parameters sorted, and its body.

requests-cache's own key function prepares the request again and normalises its URL, which
costs about 1 ms a lookup (most of a warm call read from the file). This one reads the
URL as requests prepared it, and :func:`key_for` computes the same key from the parts the
client already holds, so a lookup needs no prepared request at all. Headers are never part
of the key (the Authorization header, in particular).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from hashlib import blake2b
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from requests.utils import requote_uri


def key_for(method: str, url: str, params: Mapping[str, Any] | None = None,
            body: bytes | str | None = None) -> str:
    """Return the cache key of ``method url?params`` (``url`` without a query)."""
    query = sorted((str(k), str(v)) for k, v in (params or {}).items() if v is not None)
    return _digest(method, requote_uri(url), query, body)


def key_of(request: Any, **_settings: Any) -> str:
    """Return the cache key of a prepared request (requests-cache's ``key_fn``; the settings
    it passes, such as ``ignored_parameters``, concern parts that are not in the key)."""
    parts = urlsplit(request.url or "")
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    base = parts._replace(query="", fragment="").geturl()
    return _digest(request.method or "GET", base, query, request.body)


def _digest(method: str, url: str, query: Iterable[tuple[str, str]],
            body: bytes | str | None) -> str:
    parts = urlsplit(url)
    digest = blake2b(digest_size=8)
    # scheme and host are case-insensitive; the path is not
    for part in (method.upper(), parts.scheme.lower(), parts.netloc.lower(), parts.path):
        digest.update(part.encode() + b"\0")
    for name, value in query:
        digest.update(f"{name}={value}".encode() + b"\0")
    digest.update(body.encode() if isinstance(body, str) else (body or b""))
    return digest.hexdigest()
