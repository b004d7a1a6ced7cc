"""Checks of the arguments users pass, made before any request so that bad input is answered
the same way everywhere: a ``TypeError`` for the wrong type, a ``ValueError`` for a wrong
value, each naming the argument and what it got."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any, Literal, overload


@overload
def count(name: str, value: Any, *, minimum: int = 1, allow_none: Literal[False]) -> int: ...


@overload
def count(name: str, value: Any, *, minimum: int = 1, allow_none: bool = True) -> int | None: ...


def count(name: str, value: Any, *, minimum: int = 1, allow_none: bool = True) -> int | None:
    """Return ``value`` as an int when it is a whole number >= ``minimum`` (``None`` passes
    through when ``allow_none``).

    Raises:
        TypeError: if ``value`` is not an integer (a bool, a string, a float ...).
        ValueError: if it is below ``minimum``.
    """
    what = f"an int >= {minimum}" + (" or None" if allow_none else "")
    if value is None and allow_none:
        return None
    # numbers.Integral admits numpy integers (values taken from a frame); bool is excluded
    # because max_items=True is a mistake, not a 1.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what}; got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be {what}; got {value}")
    return int(value)


def tag_strings(tags: Any) -> list[str]:
    """Return ``tags`` (one tag string, or an iterable of them) as a list of strings.

    Strings that are not valid tags pass: they are per-tag failures of a bulk fetch.

    Raises:
        TypeError: if ``tags`` is neither a string nor an iterable, or one of its items is not
            a string (the message names its position and type).
        ValueError: if ``tags`` holds no tag at all.
    """
    if isinstance(tags, str):
        return [tags]
    if isinstance(tags, (bytes, bytearray)) or not isinstance(tags, Iterable):
        raise TypeError("tags must be a player tag or a list of player tags; "
                        f"got {tags!r} ({type(tags).__name__})")
    typed = list(tags)
    for position, tag in enumerate(typed):
        if not isinstance(tag, str):
            raise TypeError(f"tags[{position}] must be a string (a player tag such as "
                            f"'#2PP'); got {tag!r} ({type(tag).__name__})")
    if not typed:
        raise ValueError("no tag given: tags is empty; give at least one player tag, "
                         "or clan=...")
    return typed
