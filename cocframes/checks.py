"""Checks of the arguments users pass, made before any request, with messages that name the
argument and what it got."""

from __future__ import annotations

from typing import Any


def check_count(name: str, value: Any, *, minimum: int = 1, allow_none: bool = True) -> None:
    """Check that ``value`` is a whole number of at least ``minimum`` (or ``None`` if
    allowed).

    Raises:
        TypeError: ``value`` is not an int (``True`` and ``"5"`` are not counts).
        ValueError: ``value`` is under 1.
    """
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number of at least {minimum}"
                        f"{' or None' if allow_none else ''}, not {type(value).__name__} "
                        f"{value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
