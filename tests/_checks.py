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
