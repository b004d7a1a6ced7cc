"""A ``requests`` transport adapter answering from the demo world, fully in-process."""

from __future__ import annotations

import io
import json
import time
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3 import HTTPResponse

from .router import error_response
from .world import World

_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


def encode_body(body: dict) -> bytes:
    """Return the JSON bytes of a response body (UTF-8, compact like the real API)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class DemoAdapter(BaseAdapter):
    """Serve requests from a :class:`World` without any network.

    Mount it on a session (plain or ``requests_cache.CachedSession``) at
    ``"https://demo.cocframes.invalid/"``. Responses are real ``requests.Response`` objects
    backed by a real ``urllib3.HTTPResponse``, so caching layers treat them like network
    answers. An Authorization header is accepted but not required.

    Args:
        world: the world to serve; a new ``World()`` when omitted.
        latency: seconds to wait before each answer (to mimic the network).
    """

    def __init__(self, world: World | None = None, *, latency: float = 0.0) -> None:
        super().__init__()
        self.world = world if world is not None else World()
        self.latency = latency
        self._builder = HTTPAdapter()

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: object = None, verify: object = True, cert: object = None,
             proxies: object = None) -> requests.Response:
        """Answer ``request`` from the world and return the ``requests.Response``."""
        if self.latency:
            time.sleep(self.latency)
        parts = urlsplit(request.url or "")
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body = request.body.encode() if isinstance(request.body, str) else request.body
        if parts.path.startswith("/v1/"):
            answer = self.world.handle(request.method or "GET", parts.path[3:], query, body)
        else:
            answer = error_response(404, "notFound", f"Invalid path: {parts.path}")
        data = encode_body(answer.body)
        headers = dict(answer.headers)
        headers["Content-Length"] = str(len(data))
        raw = HTTPResponse(body=io.BytesIO(data), headers=headers, status=answer.status,
                           reason=_REASONS.get(answer.status, ""), preload_content=False,
                           decode_content=False, request_method=request.method,
                           request_url=request.url)
        return self._builder.build_response(request, raw)

    def close(self) -> None:
        """Release nothing (no connections are held)."""
        self._builder.close()
