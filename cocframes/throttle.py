"""An exact, thread-safe request throttle: one token bucket per API key.

Each key's bucket holds at most ``burst`` tokens and refills at ``rate`` per second, timed with
:func:`time.monotonic`. A caller *reserves* the next free slot under a lock and sleeps outside
it, so threads never busy-wait and the slots handed out never exceed the rate, however many
threads ask. :class:`KeyPool` spreads requests over several keys (k keys give k× the rate) by
always taking the key whose next slot comes first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence


class TokenBucket:
    """A token bucket of ``burst`` tokens refilled at ``rate`` per second.

    Args:
        rate: sustained requests per second (> 0).
        burst: how many requests may go at once after a quiet period (>= 1).
        clock: a monotonic clock (injectable for tests).
    """

    def __init__(self, rate: float, burst: int = 1, clock: Callable[[], float] = time.monotonic):
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate!r}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst!r}")
        self.rate = float(rate)
        self.burst = int(burst)
        self._clock = clock
        self._interval = 1.0 / self.rate
        # Time at which the bucket would be full again; a slot is free while it is within
        # `burst` intervals of now ("virtual scheduling" form of the token bucket).
        self._full_at = clock()
        self._lock = threading.Lock()

    def next_slot(self) -> float:
        """Return the clock time at which the next request could go (now or later)."""
        with self._lock:
            return self._slot(self._clock())

    def _slot(self, now: float) -> float:
        full_at = max(self._full_at, now)
        return max(now, full_at + self._interval - self.burst * self._interval)

    def reserve(self) -> float:
        """Take the next slot and return the clock time at which it may be used."""
        with self._lock:
            now = self._clock()
            slot = self._slot(now)
            self._full_at = max(self._full_at, now) + self._interval
            return slot


class KeyPool:
    """Several keys, each with its own :class:`TokenBucket`.

    Args:
        keys: the API tokens (at least one).
        rate: requests per second per key.
        burst: bucket size per key.
        sleep: the sleep function (injectable for tests).
        clock: a monotonic clock (injectable for tests).
    """

    def __init__(
        self,
        keys: Sequence[str],
        rate: float = 10.0,
        burst: int = 1,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not keys:
            raise ValueError("a KeyPool needs at least one key")
        self._lock = threading.Lock()
        self._sleep = sleep
        self._clock = clock
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, TokenBucket] = {}
        self._turn = 0
        self.replace(keys)

    @property
    def keys(self) -> list[str]:
        """The keys in use, in order."""
        with self._lock:
            return list(self._buckets)

    @property
    def total_rate(self) -> float:
        """Requests per second over all keys."""
        return self.rate * len(self._buckets)

    def replace(self, keys: Sequence[str]) -> None:
        """Use ``keys`` from now on (e.g. after a key refresh); known keys keep their buckets.

        Raises:
            ValueError: if ``keys`` is empty (the pool keeps its current keys).
        """
        if not keys:
            raise ValueError("a KeyPool needs at least one key")
        with self._lock:
            old = self._buckets
            self._buckets = {
                key: old.get(key) or TokenBucket(self.rate, self.burst, self._clock)
                for key in dict.fromkeys(keys)
            }

    def acquire(self, deadline: float | None = None) -> str | None:
        """Wait for a free slot on the key whose slot comes first, and return that key; or
        return ``None`` at once, taking no slot, when that slot comes after ``deadline`` (a
        time of the pool's clock)."""
        with self._lock:
            items = list(self._buckets.items())
            # Start the search at a rotating position so that ties (idle keys) take turns.
            turn = self._turn % len(items)
            self._turn = turn + 1
            items = items[turn:] + items[:turn]
            key, bucket = min(items, key=lambda item: item[1].next_slot())
            if deadline is not None and bucket.next_slot() > deadline:
                return None
            slot = bucket.reserve()
        delay = slot - self._clock()
        if delay > 0:
            self._sleep(delay)
        return key
