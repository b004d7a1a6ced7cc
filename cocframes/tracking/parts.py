"""Cutting a snapshot into parts, so that unchanged data is stored once.

A clan payload of 50 members changes a little at every poll: one member donated. Stored whole,
every poll would cost the whole payload. Cut into parts (the clan's own fields, and one part
per member), only the member who changed is stored again. Each subject has its lists to cut
(:data:`SPLITS`); every list item becomes a part named ``<list path>/<item key>``, and what is
left of the payload is the core part, named ``""``.

:func:`split` and :func:`join` are inverses up to the order of items in a cut list, which comes
back in the order of the parts' names (members sorted by tag, units by name).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

#: Subject -> the lists cut into one part per item: (dotted path, fields naming an item).
SPLITS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "clan": (("memberList", ("tag",)),),
    "player": (
        ("troops", ("name", "village")),
        ("heroes", ("name", "village")),
        ("heroEquipment", ("name", "village")),
        ("spells", ("name", "village")),
        ("achievements", ("name", "village")),
    ),
    "war": (("clan.members", ("tag",)), ("opponent.members", ("tag",))),
    "raids": (("members", ("tag",)),),
}

CORE = ""


def encode(value: Any) -> bytes:
    """Return the compact JSON bytes of ``value`` (UTF-8, keys in the order given)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def split(subject: str, payload: Mapping[str, Any]) -> dict[str, bytes]:
    """Return the parts of ``payload``: part name -> its JSON bytes.

    The core part (``""``) is the payload without the cut lists; an item whose key fields are
    missing or repeated is named by its position instead (``troops/#3``), so nothing is lost.
    """
    return {name: encode(value) for name, value in split_values(subject, payload).items()}


def changed_parts(new: Mapping[str, Any], old: Mapping[str, Any],
                  ) -> tuple[dict[str, bytes], set[str]]:
    """Return the parts of ``new`` that differ from those of ``old`` (both from
    :func:`split_values`), as name -> JSON bytes, and the names of the parts ``old`` had and
    ``new`` has not.

    Only the changed parts are encoded: a poll where one member of fifty donated encodes one
    member entry (and the core when the clan's own fields changed).
    """
    changed = {name: encode(value) for name, value in new.items()
               if name not in old or old[name] != value}
    return changed, old.keys() - new.keys()


def split_values(subject: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return the parts of ``payload`` as values (part name -> the item or the core dict)."""
    core = dict(payload)
    parts: dict[str, Any] = {}
    for path, fields in SPLITS.get(subject, ()):
        items = _pop(core, path.split("."))
        if items is None:
            continue
        for position, item in enumerate(items):
            name = f"{path}/{_item_key(item, fields, position)}"
            if name in parts:
                name = f"{path}/#{position}"
            parts[name] = item
    parts[CORE] = core
    return parts


def join(subject: str, parts: Mapping[str, Any]) -> dict[str, Any]:
    """Rebuild a payload from its decoded parts (part name -> value); inverse of :func:`split`.

    The core keeps each cut list as ``[]``, so a list that was absent stays absent.
    """
    payload = _copy_path_dicts(parts.get(CORE) or {}, subject)
    lists: dict[str, list[Any]] = {path: [] for path, _ in SPLITS.get(subject, ())}
    for name in sorted(parts):
        if name == CORE:
            continue
        path, _, _ = name.rpartition("/")
        lists.setdefault(path, []).append(parts[name])
    for path, items in lists.items():
        parent = payload
        *heads, last = path.split(".")
        for head in heads:
            parent = parent.get(head) if isinstance(parent, dict) else None
        if isinstance(parent, dict) and isinstance(parent.get(last), list):
            parent[last] = items
    return payload


def _pop(core: dict[str, Any], path: list[str]) -> list[Any] | None:
    """Return the list at ``path``, leaving ``[]`` in its place (the dicts on the way are
    copied, so ``core``'s source is untouched), or ``None`` when there is no such list."""
    parent = core
    for head in path[:-1]:
        child = parent.get(head)
        if not isinstance(child, dict):
            return None
        parent[head] = child = dict(child)
        parent = child
    items = parent.get(path[-1])
    if not isinstance(items, list):
        return None
    parent[path[-1]] = []
    return items


def _copy_path_dicts(core: dict[str, Any], subject: str) -> dict[str, Any]:
    payload = dict(core)
    for path, _ in SPLITS.get(subject, ()):
        parent = payload
        for head in path.split(".")[:-1]:
            child = parent.get(head)
            if not isinstance(child, dict):
                break
            parent[head] = child = dict(child)
            parent = child
    return payload


def _item_key(item: Any, fields: tuple[str, ...], position: int) -> str:
    if not isinstance(item, dict):
        return f"#{position}"
    if len(fields) == 1:
        value = item.get(fields[0])
        return f"#{position}" if value is None else str(value)
    values = [item.get(f) for f in fields]
    if values[0] is None:
        return f"#{position}"
    return "|".join(str(v) for v in values if v is not None)
