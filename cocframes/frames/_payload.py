"""Defensive access to JSON payloads: a value of the wrong type is treated as missing.

Real payloads drop fields, send ``null`` and add fields over time; builders read them only
through these helpers so that none of that can crash a frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_EMPTY: Mapping[str, Any] = {}
_DICT = frozenset({dict})


def obj(value: Any) -> Mapping[str, Any]:
    """Return ``value`` if it is a JSON object, else an empty one (so ``.get`` chains work)."""
    return value if isinstance(value, Mapping) else _EMPTY


def objs(value: Any) -> list[Mapping[str, Any]]:
    """Return the JSON objects of a list (other items skipped); ``[]`` for anything else."""
    if not isinstance(value, (list, tuple)):
        return []
    if set(map(type, value)) <= _DICT:  # decoded JSON: all dicts, checked in C
        return list(value)
    # isinstance(v, dict) first: the Mapping ABC check costs several times more per item.
    return [v for v in value if isinstance(v, (dict, Mapping))]


def items_of(payload: Any) -> list[Mapping[str, Any]]:
    """Return the items of a paged payload: a dict with ``items``, or the list of items."""
    return objs(payload.get("items") if isinstance(payload, Mapping) else payload)


def count(value: Any) -> int | None:
    """Return the length of a JSON list, or ``None`` when ``value`` is not one."""
    return len(value) if isinstance(value, list) else None


def as_list(value: Any) -> list[Any]:
    """Return ``value`` if it is a JSON list, else ``[]``."""
    return value if isinstance(value, list) else []


def int_or_none(value: Any) -> int | None:
    """Return a JSON number that is a whole, finite number as an int, else None (booleans
    are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or value in (float("inf"), float("-inf")) or value != int(value):
        return None
    return int(value)


def float_or_none(value: Any) -> float | None:
    """Return a JSON number as a float, else None (booleans and NaN are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


def str_or_none(value: Any) -> str | None:
    """Return ``value`` if it is a JSON string, else None."""
    return value if isinstance(value, str) else None
