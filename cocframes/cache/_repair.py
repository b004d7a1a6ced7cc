"""Repair of the cache file: telling a corrupt file from other failures, moving a corrupt file
aside (kept, with its ``-wal``/``-shm``, as ``<file>.corrupt-<time>``), dropping the orphaned
``-wal``/``-shm`` of a deleted file, and the warning that names the kept file.

These work on paths only; :mod:`._sqlite` calls :func:`prepare_file` under the inter-process
lock, so that processes meeting the same corrupt file move it aside only once.
"""

from __future__ import annotations

import os
import sqlite3
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from ._errors import CacheError, CacheWarning, CacheWriteError

_COMPANIONS = ("-wal", "-shm")


def is_corrupt(exc: BaseException) -> bool:
    """Whether a cache error comes from a file that is not (or no longer) a valid database."""
    cause = exc.__cause__
    if not isinstance(cause, sqlite3.DatabaseError):
        return False
    message = str(cause).lower()
    return "not a database" in message or "malformed" in message


def file_identity(path: Path) -> tuple[int, int] | None:
    """Return ``(device, inode)`` of the file at ``path``, or ``None`` if there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def prepare_file(path: Path, initialise: Callable[[bool], None],
                 check: bool) -> tuple[Path, str] | None:
    """Make ``path`` a ready cache file; the caller holds the inter-process lock.

    ``initialise(check)`` sets the file up (and with ``check`` verifies it first), raising a
    :class:`CacheError` on failure. A missing file loses its orphaned ``-wal``/``-shm`` first
    (they must not be paired with a new file). A file that turns out corrupt *now*, under the
    lock, is moved aside and a new one initialised.

    Returns:
        ``(kept_path, reason)`` after such a move, else ``None``.
    """
    if not path.exists():
        _remove_orphans(path)
    try:
        initialise(check)
        return None
    except CacheError as exc:
        if not is_corrupt(exc):
            raise
        reason = " ".join(str(exc.__cause__).split())  # one line
    kept = _move_aside(path)
    initialise(False)
    return kept, reason


def warn_reset(path: Path, kept: Path, reason: str, noun: str = "cache") -> None:
    """Emit the :class:`CacheWarning` saying the file was reset and where the old one is."""
    what = "HTTP cache" if noun == "cache" else noun
    warnings.warn(
        CacheWarning(
            f"cocframes: the {what} file {path} was corrupt ({reason}); the {noun} was reset "
            f"and the old file kept at {kept} (delete it when done)"
        ),
        stacklevel=3,
    )


def _remove_orphans(path: Path) -> None:
    for suffix in _COMPANIONS:
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CacheWriteError(
                f"cache file {path} is missing but its {suffix} could not be removed: {exc}"
            ) from exc


def _move_aside(path: Path) -> Path:
    """Rename the file and its ``-wal``/``-shm`` to ``<name>.corrupt-<time>``; return that."""
    base = f"{path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}"
    kept = path.with_name(base)
    n = 1
    while any(os.path.lexists(f"{kept}{s}") for s in ("", *_COMPANIONS)):
        n += 1
        kept = path.with_name(f"{base}-{n}")
    for suffix in ("", *_COMPANIONS):
        try:
            os.replace(f"{path}{suffix}", f"{kept}{suffix}")
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CacheWriteError(
                f"cache file {path} is corrupt and could not be moved aside ({exc}); "
                "delete it by hand"
            ) from exc
    return kept
