"""A ``requests`` transport adapter answering from the demo world, fully in-process."""

from __future__ import annotations

import io
import time
from email.message import Message
from http.client import HTTPMessage
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3 import HTTPResponse

from .common import encode_body
from .portal import Portal, check_token
from .router import error_response
from .world import DemoResponse, World

_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


def answer_bytes(answer: DemoResponse) -> bytes:
    """Return the JSON bytes of an answer's body (kept with the answer when the world kept
    it, else encoded now)."""
    return answer.data if answer.data is not None else encode_body(answer.body)


class _OriginalResponse:
    """Stands in for the ``http.client.HTTPResponse`` under a urllib3 response, so that
    ``requests`` finds the Set-Cookie headers (it reads ``_original_response.msg``)."""

    def __init__(self, headers: dict[str, str], method: str | None) -> None:
        self.msg: Message = HTTPMessage()
        for key, value in headers.items():
            self.msg[key] = value
        self._method = method

    def isclosed(self) -> bool:
        return True

    def close(self) -> None:
        """Nothing to close."""


class DemoAdapter(BaseAdapter):
    """Serve requests from a :class:`World` without any network.

    Mount it on a session (plain or ``requests_cache.CachedSession``) at
    ``"https://demo.cocframes.invalid/"``. Responses are real ``requests.Response`` objects
    backed by a real ``urllib3.HTTPResponse``, so caching layers treat them like network
    answers. An Authorization header is accepted but not required, unless a portal is given.

    Args:
        world: the world to serve; a new ``World()`` when omitted.
        latency: seconds to wait before each answer (to mimic the network).
        portal: a developer :class:`~cocframes.demo.Portal` to serve at
            ``https://demo.cocframes.invalid/api/`` (``DEMO_PORTAL_URL``; its session cookie
            works through a ``requests.Session``); API bearer tokens are then checked by
            :meth:`Portal.check_api_token` (403 ``accessDenied`` / ``accessDenied.invalidIp``).
    """

    def __init__(self, world: World | None = None, *, latency: float = 0.0,
                 portal: Portal | None = None) -> None:
        super().__init__()
        self.world = world if world is not None else World()
        self.latency = latency
        self.portal = portal
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
        method = request.method or "GET"
        if self.portal is not None and parts.path.startswith("/api/"):
            answer = self.portal.handle(method, parts.path, body, request.headers.get("Cookie"))
        elif parts.path.startswith("/v1/"):
            answer = self._check_token(request) or self.world.handle(method, parts.path[3:],
                                                                     query, body)
        else:
            answer = error_response(404, "notFound", f"Invalid path: {parts.path}")
        data = answer_bytes(answer)
        headers = dict(answer.headers)
        headers["Content-Length"] = str(len(data))
        raw = HTTPResponse(body=io.BytesIO(data), headers=headers, status=answer.status,
                           reason=_REASONS.get(answer.status, ""), preload_content=False,
                           decode_content=False, request_method=request.method,
                           request_url=request.url)
        if "Set-Cookie" in headers:  # let requests' cookie jar see it
            raw._original_response = _OriginalResponse(headers, request.method)
        return self._builder.build_response(request, raw)

    def _check_token(self, request: requests.PreparedRequest) -> DemoResponse | None:
        if self.portal is None:
            return None
        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else auth.strip()
        return check_token(token, None, self.portal)

    def close(self) -> None:
        """Release nothing (no connections are held)."""
        self._builder.close()
