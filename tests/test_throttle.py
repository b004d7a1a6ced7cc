"""The request throttle (TokenBucket, KeyPool), driven by a fake clock and a fake sleep.

Nothing here sleeps for real: time only moves when a test (or the fake sleep) moves it, so every
assertion is exact and deterministic.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import pairwise

import pytest

from cocframes.throttle import KeyPool, TokenBucket


class FakeClock:
    """A thread-safe monotonic clock that only moves when told to; ``sleep`` advances it."""

    def __init__(self, start: float = 100.0, tick: float = 0.0) -> None:
        self.now = start
        self.tick = tick  # added on every read: simulates time passing between calls
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            self.now += self.tick
            return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def max_in_window(times: list[float], width: float = 1.0) -> int:
    """The most entries of ``times`` inside any closed window ``[t, t + width]``."""
    times = sorted(times)
    eps = 1e-9
    return max(bisect_right(times, t + width - eps) - bisect_left(times, t) for t in times)


# --------------------------------------------------------------------------- TokenBucket
@pytest.mark.parametrize(("rate", "burst"), [(10, 1), (10, 10), (4, 3), (30, 1)])
def test_bucket_gives_burst_then_one_per_interval(rate: float, burst: int) -> None:
    clock = FakeClock(start=50.0)
    bucket = TokenBucket(rate, burst, clock=clock)
    slots = [bucket.reserve() - 50.0 for _ in range(burst + 20)]
    assert slots[:burst] == pytest.approx([0.0] * burst)  # exactly `burst` immediate slots
    for k, slot in enumerate(slots[burst:], start=1):  # then one every 1/rate
        assert slot == pytest.approx(k / rate)
    assert bucket.next_slot() - 50.0 == pytest.approx(21 / rate)


def test_bucket_refills_after_a_quiet_period_but_never_beyond_burst() -> None:
    clock = FakeClock(start=0.0)
    bucket = TokenBucket(5, burst=3, clock=clock)
    for _ in range(3):
        assert bucket.reserve() == 0.0
    assert bucket.reserve() == pytest.approx(0.2)
    clock.now = 100.0  # a long pause refills the bucket to `burst`, not more
    slots = [bucket.reserve() for _ in range(5)]
    assert slots[:3] == pytest.approx([100.0] * 3)
    assert slots[3:] == pytest.approx([100.2, 100.4])


def test_bucket_partial_refill() -> None:
    clock = FakeClock(start=0.0)
    bucket = TokenBucket(10, burst=5, clock=clock)
    for _ in range(5):
        bucket.reserve()
    clock.now = 0.25  # 2.5 intervals later: two tokens are back, the third comes at 0.3
    assert [bucket.reserve() for _ in range(3)] == pytest.approx([0.25, 0.25, 0.3])


@pytest.mark.parametrize("tick", [0.0, 0.0004])
def test_bucket_threads_never_exceed_the_rate(tick: float) -> None:
    rate, burst, n_threads, per_thread = 20.0, 5, 8, 25
    clock = FakeClock(start=0.0, tick=tick)
    bucket = TokenBucket(rate, burst, clock=clock)
    slots: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n_threads)

    def work() -> None:
        barrier.wait(timeout=10)
        mine = [bucket.reserve() for _ in range(per_thread)]
        with lock:
            slots.extend(mine)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    n = n_threads * per_thread
    assert len(slots) == n
    assert max_in_window(slots, 1.0) <= rate * 1.0 + burst
    ordered = sorted(slots)
    gaps = [b - a for a, b in pairwise(ordered[burst:])]
    assert min(gaps) >= 1 / rate - 1e-9  # after the burst, never two slots closer than 1/rate
    if tick == 0.0:  # a frozen clock: the slots are exactly the ideal schedule
        assert ordered == pytest.approx([0.0] * burst + [k / rate for k in range(1, n - burst + 1)])


def test_bucket_next_slot_does_not_reserve() -> None:
    clock = FakeClock(start=0.0)
    bucket = TokenBucket(10, burst=1, clock=clock)
    assert bucket.next_slot() == bucket.next_slot() == 0.0
    assert bucket.reserve() == 0.0
    assert bucket.next_slot() == pytest.approx(0.1)


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (10, 0), (10, -3)])
def test_bucket_rejects_bad_arguments(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match=r"rate|burst"):
        TokenBucket(rate, burst)


# --------------------------------------------------------------------------- KeyPool
def test_pool_spreads_evenly_and_gives_k_times_the_rate() -> None:
    clock = FakeClock(start=0.0)
    k, rate, n = 3, 10.0, 300
    pool = KeyPool([f"key{i}" for i in range(k)], rate=rate, burst=1, sleep=clock.sleep,
                   clock=clock)
    assert pool.total_rate == k * rate
    times, used = [], []
    for _ in range(n):
        used.append(pool.acquire())
        times.append(clock())  # the fake sleep moved the clock to the slot
    counts = Counter(used)
    assert set(counts) == set(pool.keys)
    assert max(counts.values()) - min(counts.values()) <= 1
    # n requests over k keys at `rate` each take (n/k - 1)/rate seconds: k·rate per second.
    elapsed = times[-1] - times[0]
    assert elapsed == pytest.approx((n / k - 1) / rate)
    assert (n - k) / elapsed == pytest.approx(k * rate)
    assert max_in_window(times, 1.0) <= k * (rate + 1)
    # consecutive requests on one key are exactly 1/rate apart
    for key in pool.keys:
        key_times = [t for t, u in zip(times, used, strict=True) if u == key]
        gaps = {round(b - a, 9) for a, b in pairwise(key_times)}
        assert gaps == {round(1 / rate, 9)}


def test_pool_threads_share_keys_within_the_total_rate() -> None:
    clock = FakeClock(start=0.0)  # frozen: each acquire records the slot it was given
    k, rate, burst = 4, 5.0, 2
    slots: list[tuple[str, float]] = []
    lock = threading.Lock()
    local = threading.local()

    def fake_sleep(seconds: float) -> None:
        local.delay = seconds

    pool = KeyPool([f"k{i}" for i in range(k)], rate=rate, burst=burst, sleep=fake_sleep,
                   clock=clock)

    def work() -> None:
        for _ in range(30):
            local.delay = 0.0
            key = pool.acquire()
            with lock:
                slots.append((key, clock.now + local.delay))

    threads = [threading.Thread(target=work, daemon=True) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(slots) == 240
    counts = Counter(key for key, _ in slots)
    assert sorted(counts.values()) == [60] * k
    assert max_in_window([t for _, t in slots], 1.0) <= k * (rate + burst)
    for key in counts:
        assert max_in_window([t for kk, t in slots if kk == key], 1.0) <= rate + burst


def test_pool_prefers_the_key_whose_slot_comes_first() -> None:
    clock = FakeClock(start=0.0)
    pool = KeyPool(["a", "b"], rate=1.0, burst=1, sleep=clock.sleep, clock=clock)
    assert [pool.acquire() for _ in range(2)] == ["a", "b"]  # both free: in order
    assert clock.now == 0.0  # nobody had to wait
    pool.acquire()
    assert clock.now == pytest.approx(1.0)


def test_pool_replace_keeps_known_buckets() -> None:
    clock = FakeClock(start=0.0)
    pool = KeyPool(["a", "b"], rate=2.0, burst=1, sleep=clock.sleep, clock=clock)
    bucket_a = pool._buckets["a"]
    for _ in range(4):
        pool.acquire()
    next_a = bucket_a.next_slot()
    assert next_a > clock.now  # "a" is busy
    pool.replace(["c", "a", "a"])
    assert pool.keys == ["c", "a"]  # order kept, duplicates dropped, "b" gone
    assert pool._buckets["a"] is bucket_a  # the old bucket, with its history
    assert bucket_a.next_slot() == next_a
    assert pool.total_rate == 4.0
    # the fresh key goes first because "a" is still busy
    assert pool.acquire() == "c"


def test_pool_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        KeyPool([])
    with pytest.raises(ValueError, match="rate"):
        KeyPool(["a"], rate=0)
    with pytest.raises(ValueError, match="burst"):
        KeyPool(["a"], burst=0)


def test_pool_replace_with_no_keys_is_rejected_and_keeps_the_old_keys() -> None:
    pool = KeyPool(["a", "b"], rate=10.0)
    with pytest.raises(ValueError, match="at least one key"):
        pool.replace([])
    assert pool.keys == ["a", "b"]
    assert pool.acquire() in {"a", "b"}


def test_no_slot_is_taken_or_waited_for_past_a_deadline() -> None:
    clock = FakeClock(start=100.0)
    pool = KeyPool(["a"], rate=10, burst=1, sleep=clock.sleep, clock=clock)
    assert pool.acquire(deadline=100.0) == "a"  # free now
    assert pool.acquire(deadline=100.05) is None  # the next slot is at 100.1
    assert clock.sleeps == [], "nothing was waited for"
    assert pool.acquire(deadline=100.1) == "a"  # the slot was not taken above
    assert clock.sleeps == [pytest.approx(0.1)]
