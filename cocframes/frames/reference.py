"""Reference tables: locations, the five league tables and the label tables.

Pure builders (JSON in, DataFrame out, no I/O). Each accepts either the payload dict (with
``items``) or the list of items, so pages can be concatenated before building.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cocframes.frames._columns import (
    documented,
)
from cocframes.frames._payload import field_objs, items_of
from cocframes.frames.specs import LABELS, LEAGUES, LOCATIONS

__all__ = ["LABELS", "LEAGUES", "LOCATIONS", "build_labels", "build_leagues", "build_locations"]











def kind_of(kind: str, aliases: Mapping[str, str]) -> str:
    """Return the canonical kind for ``kind`` (a canonical name or an endpoint alias)."""
    try:
        return aliases[kind]
    except (KeyError, TypeError):
        known = ", ".join(sorted(set(aliases.values())))
        raise ValueError(f"unknown kind {kind!r}; expected one of: {known}") from None


# ------------------------------------------------------------------------------ locations
@documented(LOCATIONS)
def build_locations(items: Any) -> pd.DataFrame:
    """Return one row per location of a ``/locations`` payload (or its list of items)."""
    rows = items_of(items)
    return LOCATIONS.build({
        "id": [i.get("id") for i in rows],
        "name": [i.get("name") for i in rows],
        "is_country": [i.get("isCountry") for i in rows],
        "country_code": [i.get("countryCode") for i in rows],
        "localized_name": [i.get("localizedName") for i in rows],
    })


# -------------------------------------------------------------------------------- leagues
LEAGUE_KINDS = {
    "leagues": "leagues",
    "league_tiers": "league_tiers", "leaguetiers": "league_tiers",
    "war_leagues": "war_leagues", "warleagues": "war_leagues",
    "builder_base_leagues": "builder_base_leagues", "builderbaseleagues": "builder_base_leagues",
    "capital_leagues": "capital_leagues", "capitalleagues": "capital_leagues",
}

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
    kind = kind_of(kind, LEAGUE_KINDS)
    rows = items_of(items)
    icons = field_objs(rows, "iconUrls")
    return LEAGUES.build({
        "kind": [kind] * len(rows),
        "id": [i.get("id") for i in rows],
        "name": [i.get("name") for i in rows],
        "icon_tiny_url": [i.get("tiny") for i in icons],
        "icon_small_url": [i.get("small") for i in icons],
        "icon_medium_url": [i.get("medium") for i in icons],
        "icon_large_url": [i.get("large") for i in icons],
    })


# --------------------------------------------------------------------------------- labels
LABEL_KINDS = {"clans": "clans", "clan": "clans", "players": "players", "player": "players"}

@documented(LABELS)
def build_labels(items: Any, kind: str) -> pd.DataFrame:
    """Return one row per label of a ``/labels/clans`` or ``/labels/players`` payload.

    Args:
        items: the payload, or its list of items.
        kind: ``clans`` or ``players``.

    Raises:
        ValueError: for an unknown ``kind``.
    """
    kind = kind_of(kind, LABEL_KINDS)
    rows = items_of(items)
    icons = field_objs(rows, "iconUrls")
    return LABELS.build({
        "kind": [kind] * len(rows),
        "id": [i.get("id") for i in rows],
        "name": [i.get("name") for i in rows],
        "icon_small_url": [i.get("small") for i in icons],
        "icon_medium_url": [i.get("medium") for i in icons],
    })
