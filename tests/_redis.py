"""A real redis-server on 127.0.0.1 for the tests of the Redis cache, started on a free port
and stopped at the end; the tests that need it are skipped (with the reason) where the
``redis-server`` binary or the ``redis`` Python package is missing."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

MISSING_BINARY = ("redis-server not found on PATH: the Redis cache tests are SKIPPED "
                  "(apt-get install redis-server)")
MISSING_PACKAGE = ("the redis Python package is not installed: the Redis cache tests are "
                   "SKIPPED (pip install 'cocframes[redis]')")


def skip_without_redis() -> str:
    """Return the path of ``redis-server``, or skip the calling test (or module) saying
    what is missing."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip(MISSING_BINARY, allow_module_level=True)
    try:
        import redis  # noqa: F401
    except ImportError:
        pytest.skip(MISSING_PACKAGE, allow_module_level=True)
    return binary


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One ``redis-server`` process on 127.0.0.1 (no persistence), optionally with a
    password. :meth:`start` waits until it answers PING; :meth:`stop` ends it."""

    def __init__(self, password: str | None = None, port: int | None = None) -> None:
        self.binary = skip_without_redis()
        self.password = password
        self.port = port or _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://[:password@]127.0.0.1:PORT/0``."""
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def connection(self) -> Any:
        """Return a ``redis.Redis`` on this server."""
        import redis

        return redis.Redis.from_url(self.url)

    def start(self, timeout: float = 15.0) -> RedisServer:
        """Start the server and return ``self`` once it answers, within ``timeout`` seconds."""
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no"]
        if self.password:
            args += ["--requirepass", self.password]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode} "
                                   f"on port {self.port}")
            if self._answers():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port} within {timeout} s")

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=1,
                                              socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """End the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@contextmanager
def running_redis(password: str | None = None) -> Iterator[RedisServer]:
    """Yield a started :class:`RedisServer`, stopped on the way out."""
    server = RedisServer(password).start()
    try:
        yield server
    finally:
        server.stop()


def stored_bytes(connection: Any) -> bytes:
    """Return every key and value in the Redis database of ``connection``, concatenated
    (strings as stored, hashes field by field)."""
    data = b""
    for key in connection.scan_iter(count=1000):
        data += key
        kind = connection.type(key)
        if kind == b"string":
            data += connection.get(key) or b""
        elif kind == b"hash":
            for field, value in connection.hgetall(key).items():
                data += field + value
    return data
