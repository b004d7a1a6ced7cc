"""A real HTTP/1.1 server for the demo world on 127.0.0.1, with faults on demand.

Used by tests of the network path (timeouts, retries, throttling, maintenance) and by
benchmarks; ``cocframes demo serve`` runs :func:`serve` in the foreground.
"""

from __future__ import annotations

import contextlib
import math
import re
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Collection
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .adapter import answer_bytes
from .portal import Portal, check_token
from .router import error_response
from .world import DemoResponse, World

FAULT_KINDS = ("500", "503", "429", "drop", "slow")


class _Bucket:
    """A token bucket: ``rate`` tokens per second, at most ``capacity``."""

    def __init__(self, rate: float, capacity: int) -> None:
        self.rate, self.capacity = rate, capacity
        self.tokens = float(capacity)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    # socketserver's default backlog of 5 overflows when a client opens dozens of connections
    # at once: the kernel drops SYNs and the client waits the 1 s SYN retransmit.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], demo: DemoServer) -> None:
        self.demo = demo
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet about clients that disconnect mid-request."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cocframes-demo"
    timeout = 60  # idle keep-alive connections are closed after a minute
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.demo._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.demo._track(self.connection, add=False)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        auth = self.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else auth.strip()
        answer = self.server.demo._answer(self.command, self.path, token, body,
                                          self.headers.get("Cookie"), self.client_address[0])
        if answer is None:  # "drop": close without any response
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        data = answer_bytes(answer)
        try:
            self.send_response(answer.status)
            for key, value in answer.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client went away (e.g. it timed out on a "slow" fault)
            self.close_connection = True


class DemoServer:
    """Serve a :class:`World` over real HTTP on 127.0.0.1 in a background thread.

    Args:
        world: the world to serve; a new ``World()`` when omitted.
        host: interface to bind (keep the default: loopback only).
        port: TCP port; 0 picks a free one (see :attr:`base_url`).
        latency: seconds added before each answer.
        rate_limit: requests per second allowed per bearer token (token bucket); above it the
            server answers 429 ``requestThrottled``. ``None``: no limit.
        burst: capacity of each token bucket.
        maintenance: answer every request with 503 ``inMaintenance``.
        tokens: when given, only these bearer tokens are accepted; others get 403.
        portal: a developer :class:`Portal` to serve under ``/api/`` (see :attr:`portal_url`);
            API tokens not in ``tokens`` are then accepted or refused by
            :meth:`Portal.check_api_token` (403 ``accessDenied.invalidIp`` for a key bound to
            other IPs). Each request's peer address is passed on, so a
            ``Portal(caller_ip="peer")`` sees clients bound to different loopback addresses
            (127.0.0.2, 127.0.0.3, ...) as callers with different IPs. Portal requests bypass
            faults, maintenance, rate limits and :meth:`stats`.
        speed: when given, the world's clock follows the wall clock ``speed`` times faster
            from the moment the server starts (it moves on before each answer, never back),
            and ``Cache-Control: max-age`` is divided by ``speed`` (rounded up, at least 1).

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, world: World | None = None, host: str = "127.0.0.1", port: int = 0, *,
                 latency: float = 0.0, rate_limit: float | None = None, burst: int = 10,
                 maintenance: bool = False, tokens: Collection[str] | None = None,
                 portal: Portal | None = None, speed: float | None = None) -> None:
        if speed is not None and not speed > 0:
            raise ValueError(f"speed must be a positive number, not {speed!r}")
        self.world = world if world is not None else World()
        self.speed = speed
        self._clock_start: tuple[float, datetime] | None = None
        self.host, self.port = host, port
        self.latency = latency
        self.rate_limit, self.burst = rate_limit, burst
        self.maintenance = maintenance
        self.tokens = None if tokens is None else frozenset(tokens)
        self.portal = portal
        self.slow_seconds = 5.0
        self._lock = threading.Lock()
        self._faults: deque[str] = deque()
        self._buckets: dict[str, _Bucket] = {}
        self._stats = {"requests": 0, "by_token": {}, "throttled": 0, "errors": 0, "dropped": 0}
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        """The API base URL, ``http://127.0.0.1:PORT/v1`` (valid once started)."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def portal_url(self) -> str:
        """The developer portal's base URL, ``http://127.0.0.1:PORT/api`` (with a portal)."""
        return f"http://{self.host}:{self.port}/api"

    def start(self) -> DemoServer:
        """Bind and serve in a daemon thread; return ``self``."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._clock_start = (time.monotonic(), self.world.now)
        self._httpd = _HTTPServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=f"cocframes-demo-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and the listening socket."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ------------------------------------------------------------------ controls
    def set_maintenance(self, on: bool) -> None:
        """Switch maintenance mode (every request answers 503) on or off."""
        self.maintenance = on

    def inject_faults(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` requests fail as ``kind``.

        Args:
            kind: ``"500"`` (unknownException), ``"503"`` (inMaintenance), ``"429"``
                (requestThrottled), ``"drop"`` (close the connection without a response) or
                ``"slow"`` (wait :attr:`slow_seconds` before answering normally).
            count: how many requests.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        with self._lock:
            self._faults.extend([kind] * count)

    def clear_faults(self) -> None:
        """Forget the faults injected and not yet served."""
        with self._lock:
            self._faults.clear()

    def stats(self) -> dict:
        """Return counters: ``requests``, ``by_token`` {token: count}, ``throttled`` (429s
        sent), ``errors`` (5xx sent) and ``dropped`` (connections closed unanswered)."""
        with self._lock:
            return {**self._stats, "by_token": dict(self._stats["by_token"])}

    # ------------------------------------------------------------------ internals
    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _count(self, key: str) -> None:
        with self._lock:
            self._stats[key] += 1

    def _answer(self, method: str, target: str, token: str, body: bytes | None,
                cookie: str | None = None, peer: str | None = None) -> DemoResponse | None:
        if self.portal is not None and urlsplit(target).path.startswith("/api/"):
            return self.portal.handle(method, target, body, cookie, peer)
        with self._lock:
            self._stats["requests"] += 1
            by_token = self._stats["by_token"]
            by_token[token] = by_token.get(token, 0) + 1
            fault = self._faults.popleft() if self._faults else None
        if fault == "drop":
            self._count("dropped")
            return None
        if fault == "slow":
            self._stopping.wait(self.slow_seconds)
        elif fault == "500":
            self._count("errors")
            return error_response(500, "unknownException", "Unknown error (injected fault)")
        elif fault == "503" or self.maintenance:
            self._count("errors")
            return error_response(503, "inMaintenance", "API is currently in maintenance, "
                                  "please come back later")
        elif fault == "429":
            self._count("throttled")
            return error_response(429, "requestThrottled", "Request was throttled, because "
                                  "amount of requests was above the threshold defined for the "
                                  "used API token.")
        denied = check_token(token, self.tokens, self.portal, peer)
        if denied is not None:
            return denied
        if self.rate_limit is not None:
            with self._lock:
                bucket = self._buckets.get(token)
                if bucket is None:
                    bucket = self._buckets[token] = _Bucket(self.rate_limit, self.burst)
                allowed = bucket.take()
            if not allowed:
                self._count("throttled")
                return error_response(429, "requestThrottled", "Request was throttled, "
                                      "because amount of requests was above the threshold "
                                      "defined for the used API token.")
        if self.latency:
            self._stopping.wait(self.latency)
        parts = urlsplit(target)
        if not parts.path.startswith("/v1/"):
            return error_response(404, "notFound", f"Invalid path: {parts.path}")
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        try:
            with self.world.lock:
                self._follow_wall_clock()
                answer = self.world.handle(method, parts.path[3:], query, body)
        except Exception as exc:  # a bug in the world must not kill the connection
            self._count("errors")
            return error_response(500, "unknownException", f"{type(exc).__name__}: {exc}")
        return self._scaled(answer)

    def _follow_wall_clock(self) -> None:
        """With a ``speed``, move the world's clock to where the wall clock says it is."""
        if self.speed is None or self._clock_start is None:
            return
        wall, world_start = self._clock_start
        target = world_start + timedelta(seconds=(time.monotonic() - wall) * self.speed)
        if target > self.world.now:
            self.world.advance_to(target)

    def _scaled(self, answer: DemoResponse) -> DemoResponse:
        """Return ``answer`` with its ``max-age`` divided by the ``speed``."""
        control = answer.headers.get("Cache-Control")
        if self.speed is None or control is None:
            return answer
        age = re.search(r"max-age=(\d+)", control)
        if age is not None:
            scaled = max(1, math.ceil(int(age.group(1)) / self.speed))
            answer.headers["Cache-Control"] = control.replace(age.group(0), f"max-age={scaled}")
        return answer


def serve(port: int = 8080, *, latency: float = 0.0, rate_limit: float | None = None,
          burst: int = 10, maintenance: bool = False, speed: float | None = None) -> None:
    """Serve the demo world on 127.0.0.1:``port`` in the foreground until Ctrl-C.

    Prints the base URL to use as ``COCFRAMES_BASE_URL``. Returns when interrupted. With
    ``speed``, the world lives ``speed`` times faster than the wall clock.
    """
    _stop_on_signals()
    server = DemoServer(port=port, latency=latency, rate_limit=rate_limit, burst=burst,
                        maintenance=maintenance, speed=speed).start()
    try:  # from here on, Ctrl-C at any moment stops the server
        print(f"cocframes demo server at {server.base_url}  (Ctrl-C to stop)", flush=True)
        print(f"main demo clan: {server.world.clan_tag}", flush=True)
        if speed is not None:
            print(f"the world's clock runs {speed:g}x faster than the wall clock, from "
                  f"{server.world.now:%Y-%m-%d %H:%M} UTC", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _stop_on_signals() -> None:
    """Make SIGINT (Ctrl-C) and SIGTERM stop :func:`serve`, even when the process was
    started in the background by a shell, which starts it with SIGINT ignored."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        signal.signal(signal.SIGINT, interrupt)
        signal.signal(signal.SIGTERM, interrupt)


if __name__ == "__main__":  # pragma: no cover
    serve()
