"""The demo world called directly, without the HTTP stack: for simulating weeks of polling.

:class:`DirectClient` answers the calls the history tracker makes (``call``, ``call_with``,
``many``, ``clock``, ``advance``) straight from a :class:`World`: the same payloads, headers
and typed errors as an in-process demo :class:`~cocframes.Client`, without requests, the cache
or the throttle, so that a simulated month of polls runs in minutes. It counts the requests
and the JSON bytes it answered, and the time the world spent answering them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from cocframes.answers import Fetched
from cocframes.bulk import BulkResult
from cocframes.errors import ApiError, error_for
from cocframes.request_path import body_hash, max_age, plan_operation

from .adapter import answer_bytes
from .world import DEMO_BASE_URL, World

T = TypeVar("T")
R = TypeVar("R")


class DirectClient:
    """A client of the demo world with no HTTP in between (see the module's docstring).

    Attributes:
        demo_world: the world answered from.
        requests: requests answered so far. received: JSON bytes answered so far.
        world_seconds: wall-clock seconds the world spent answering and advancing.
    """

    def __init__(self, world: World) -> None:
        self.demo_world = world
        self.requests = 0
        self.received = 0
        self.world_seconds = 0.0

    def clock(self) -> datetime:
        """The world's present."""
        return self.demo_world.now

    def advance(self, delta: timedelta | float | None = None, *, days: float = 0,
                hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
        """Move the world's clock on (as :meth:`cocframes.Client.advance`); return its now."""
        started = time.perf_counter()
        try:
            return self.demo_world.advance(delta, days=days, hours=hours, minutes=minutes,
                                           seconds=seconds)
        finally:
            self.world_seconds += time.perf_counter() - started

    def call(self, operation: str, *, refresh: bool = False, json: Any = None,
             **args: Any) -> Fetched:
        """Answer one operation like :meth:`cocframes.Client.call`.

        Raises:
            ApiError: the subclass for the world's error answer.
        """
        request = plan_operation(DEMO_BASE_URL, operation, args, json)
        query = {k: str(v) for k, v in request.params.items()}
        started = time.perf_counter()
        try:
            answer = self.demo_world.handle(request.method, request.path, query, None)
            data = answer_bytes(answer)
            size, digest = len(data), body_hash(data)
        finally:
            self.world_seconds += time.perf_counter() - started
        self.requests += 1
        self.received += size
        if answer.status != 200:
            raise error_for(answer.status, answer.body, request.path)
        return Fetched(payload=answer.body, endpoint=request.path, fetched_at=self.clock(),
                       from_cache=False, stale=False, demo=True,
                       max_age=max_age(answer.headers.get("Cache-Control")), size=size,
                       body_hash=digest)

    def call_with(self, operation: str, param: str, value: Any, **args: Any) -> Fetched:
        """``call(operation, **{param: value}, **args)``, the one-argument form."""
        return self.call(operation, **{param: value}, **args)

    def many(self, func: Callable[[T], R], items: Iterable[T], **_: Any) -> BulkResult[T, R]:
        """Run ``func`` on every item in turn; one result or error per item."""
        items = list(items)
        results: list[R | None] = []
        errors: list[Exception | None] = []
        for item in items:
            try:
                results.append(func(item))
                errors.append(None)
            except ApiError as error:
                results.append(None)
                errors.append(error)
        return BulkResult(items, results, errors)
