"""Assertion helpers shared by the tests."""

from __future__ import annotations

from typing import Any


def every(mask: Any) -> bool:
    """True when every value of a boolean Series is True, counting NA as False.

    (A nullable boolean Series' ``.all()`` skips NA, so ``(df.col == x).all()`` passes when
    ``df.col`` is all NA; this does not.)
    """
    if hasattr(mask, "fillna"):
        mask = mask.fillna(False)
    return bool(mask.all())


def assert_contract(df: Any, frame_spec: Any) -> None:
    """The frame has exactly the spec's columns, in order, with the spec's dtypes, and a
    RangeIndex."""
    import pandas as pd

    assert list(df.columns) == frame_spec.names
    assert {c: str(t) for c, t in df.dtypes.items()} == frame_spec.dtypes
    assert isinstance(df.index, pd.RangeIndex)


# Values a mutated field may take instead of its own.
RETYPED = ["x", 7, 2.5, True, [], {}, None, "#0", -1]


def json_paths(node: Any, prefix: tuple = (), *, leaves: tuple[str, ...] = ()) -> list[tuple]:
    """Every path (keys and indices) below ``node``, skipping badge URLs; the keys in
    ``leaves`` are paths themselves but are not entered."""
    out: list[tuple] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(
        node, list) else ()
    for key, child in items:
        if key == "badgeUrls":
            continue
        out.append((*prefix, key))
        if key not in leaves:
            out.extend(json_paths(child, (*prefix, key), leaves=leaves))
    return out


def mutate(payload: Any, data: Any, *, leaves: tuple[str, ...] = ()) -> Any:
    """Return a copy of ``payload`` with 1-4 fields dropped, nulled, retyped or added
    (``data`` is hypothesis' ``st.data()``)."""
    import copy

    from hypothesis import strategies as st

    payload = copy.deepcopy(payload)
    for _ in range(data.draw(st.integers(1, 4))):
        found = json_paths(payload, leaves=leaves)
        if not found:
            break
        path = found[data.draw(st.integers(0, len(found) - 1))]
        parent = payload
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = data.draw(st.sampled_from(["drop", "null", "retype", "add"]))
        if action == "drop":
            del parent[key]
        elif action == "null":
            parent[key] = None
        elif action == "retype":
            parent[key] = copy.deepcopy(data.draw(st.sampled_from(RETYPED)))
        elif isinstance(parent[key], dict):
            parent[key]["unexpectedField"] = copy.deepcopy(data.draw(st.sampled_from(RETYPED)))
        else:
            parent[key] = {"unexpected": True}
    return payload


def _json_strategies() -> tuple[Any, Any]:
    from hypothesis import strategies as st

    scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8))
    values = st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=3),
                                st.dictionaries(st.text(max_size=6), inner, max_size=3)),
        max_leaves=6,
    )
    return scalars, values


# Any JSON scalar (integers beyond 64 bits, NaN and infinities included) and any JSON value.
JSON_SCALARS, JSON_VALUES = _json_strategies()
