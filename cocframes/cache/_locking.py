"""The inter-process lock on the cache's sidecar ``<file>.lock``: ``fcntl.flock`` where it
exists, ``msvcrt.locking`` on Windows, no lock where neither does. It guards what must happen
once for all processes: creating the file, switching it to WAL, repairing it."""

from __future__ import annotations

import contextlib
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ._errors import CacheError


@contextlib.contextmanager
def interprocess_lock(lock_path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` across processes, for at most ``timeout`` s wait.

    Uses ``fcntl.flock`` (released by the OS if the holder dies, so it can't go stale) or
    ``msvcrt.locking`` on Windows. If the lock file can't be created (read-only directory) or
    neither API exists, runs unlocked: the initialisation it protects is idempotent and retried.

    Raises:
        CacheError: if another process held the lock for longer than ``timeout``.
    """
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        acquire, release = _lock_functions(fd)
        deadline = time.monotonic() + timeout
        while not acquire():
            if time.monotonic() >= deadline:
                raise CacheError(f"timed out after {timeout:.0f} s waiting for lock {lock_path}")
            time.sleep(0.01 + 0.04 * random.random())
        try:
            yield
        finally:
            release()
    finally:
        os.close(fd)


def _lock_functions(fd: int) -> tuple[Callable[[], bool], Callable[[], None]]:
    """Non-blocking try-acquire and release functions for an exclusive lock on ``fd``."""
    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]
    if fcntl is not None:

        def acquire() -> bool:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except (BlockingIOError, PermissionError):
                return False
            return True

        return acquire, lambda: fcntl.flock(fd, fcntl.LOCK_UN)
    try:
        import msvcrt
    except ImportError:
        return (lambda: True), (lambda: None)

    def acquire_win() -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True

    def release_win() -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]

    return acquire_win, release_win
