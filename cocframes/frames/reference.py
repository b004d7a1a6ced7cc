"""Reference tables: locations, the five league tables and the label tables.

Pure builders (JSON in, DataFrame out, no I/O). Each accepts either the payload dict (with
``items``) or the list of items, so pages can be concatenated before building.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cocframes.frames._columns import documented
from cocframes.frames._paths import build_from_paths
from cocframes.frames._payload import items_of
from cocframes.frames.specs import LABELS, LEAGUES, LOCATIONS
from cocframes.kinds import label_kind, league_kind

__all__ = ["LABELS", "LEAGUES", "LOCATIONS", "build_labels", "build_leagues", "build_locations"]


# ------------------------------------------------------------------------------ locations
@documented(LOCATIONS)
def build_locations(items: Any) -> pd.DataFrame:
    """Return one row per location of a ``/locations`` payload (or its list of items)."""
    return build_from_paths(LOCATIONS, items_of(items), {
        "id": "id", "name": "name", "is_country": "isCountry", "country_code": "countryCode",
        "localized_name": "localizedName",
    })


# -------------------------------------------------------------------------------- leagues
@documented(LEAGUES)
def build_leagues(items: Any, kind: str) -> pd.DataFrame:
    """Return one row per league of a league table payload (or its list of items).

    Args:
        items: the payload of ``/leagues``, ``/leaguetiers``, ``/warleagues``,
            ``/builderbaseleagues`` or ``/capitalleagues``, or its items.
        kind: ``leagues``, ``league_tiers``, ``war_leagues``, ``builder_base_leagues`` or
            ``capital_leagues`` (the endpoint names ``leaguetiers``, ``warleagues``, ...
            are accepted too).

    Raises:
        ValueError: for an unknown ``kind``.
    """
    kind = league_kind(kind).name
    return build_from_paths(LEAGUES, items_of(items), {
        "id": "id", "name": "name", "icon_tiny_url": "iconUrls.tiny",
        "icon_small_url": "iconUrls.small", "icon_medium_url": "iconUrls.medium",
        "icon_large_url": "iconUrls.large",
    }, constants={"kind": kind})


# --------------------------------------------------------------------------------- labels
@documented(LABELS)
def build_labels(items: Any, kind: str) -> pd.DataFrame:
    """Return one row per label of a ``/labels/clans`` or ``/labels/players`` payload.

    Args:
        items: the payload, or its list of items.
        kind: ``clans`` or ``players``.

    Raises:
        ValueError: for an unknown ``kind``.
    """
    kind = label_kind(kind).name
    return build_from_paths(LABELS, items_of(items), {
        "id": "id", "name": "name", "icon_small_url": "iconUrls.small",
        "icon_medium_url": "iconUrls.medium",
    }, constants={"kind": kind})
