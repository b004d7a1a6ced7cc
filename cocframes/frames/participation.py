"""A clan's participation now: one row per current member, from the member list, the regular
war, the CWL season and the last raid weekends (pure builder, JSON in, DataFrame out)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cocframes.frames._columns import documented
from cocframes.frames._payload import int_or_none, items_of, obj, objs, str_or_none
from cocframes.frames.specs import PARTICIPATION
from cocframes.frames.wars import attacks_per_member, cwl_totals, orient


def _war_columns(war: Mapping[str, Any] | None, clan_tag: str) -> dict[str, dict[str, Any]]:
    """Player tag → the regular-war columns of each member of ``clan_tag``'s side."""
    if war is None:
        return {}
    war = orient(war, clan_tag)
    state, per = war.get("state"), attacks_per_member(war)
    rows = {}
    for m in objs(obj(war.get("clan")).get("members")):
        if (tag := str_or_none(m.get("tag"))) is None:
            continue
        used = len(objs(m.get("attacks")))
        left = None if per is None else max(0, per - used)
        rows[tag] = {"in_war": True, "war_attacks_used": used,
                     "war_attacks_left": left if state in ("preparation", "inWar") else None,
                     "war_attacks_missed": left if state == "warEnded" else None}
    return rows


def _raid_columns(raids: Any) -> dict[str, dict[str, int]]:
    """Player tag → weekends attacked in, attacks and capital gold looted over ``raids``."""
    rows: dict[str, dict[str, int]] = {}
    for season in items_of(raids):
        for m in objs(season.get("members")):
            if (tag := str_or_none(m.get("tag"))) is None:
                continue
            row = rows.setdefault(tag, {"raid_weekends": 0, "raid_attacks": 0, "raid_loot": 0})
            attacks = int_or_none(m.get("attacks")) or 0
            row["raid_weekends"] += attacks > 0
            row["raid_attacks"] += attacks
            row["raid_loot"] += int_or_none(m.get("capitalResourcesLooted")) or 0
    return rows


@documented(PARTICIPATION)
def build_participation(members: Mapping[str, Any] | list[Any], clan_tag: str, *,
                        war: Mapping[str, Any] | None = None,
                        cwl: tuple[Mapping[str, Any], Mapping[str, Any]] | None = None,
                        raids: Mapping[str, Any] | list[Any] | None = None) -> pd.DataFrame:
    """Return one row per current member of ``clan_tag`` with its participation.

    Args:
        members: the member list (``/clans/{tag}/members`` or its items).
        clan_tag: the clan.
        war: its regular war (``/clans/{tag}/currentwar``); None when the war log is
            private (the war columns are then NA).
        cwl: its CWL group and war tag → war payload; None when the clan is in no group
            (the CWL columns are then NA).
        raids: its last raid weekends (``/clans/{tag}/capitalraidseasons``); a member who
            did not attack gets 0.
    """
    at_war = _war_columns(war, clan_tag)
    season = cwl_totals(cwl[0], cwl[1], clan_tag) if cwl is not None else {}
    raided = _raid_columns(raids)
    no_war = {"in_war": None if war is None else False}
    records = []
    for m in items_of(members):
        tag = str_or_none(m.get("tag"))
        given, received = int_or_none(m.get("donations")), int_or_none(m.get("donationsReceived"))
        league = season.get(tag, {"wars": 0, "attacks_used": 0, "attacks_remaining": 0,
                                  "attacks_missed": 0})
        records.append({
            "clan_tag": clan_tag, "tag": tag, "name": m.get("name"), "role": m.get("role"),
            "town_hall": m.get("townHallLevel"), "donations": given,
            "donations_received": received,
            "donation_ratio": given / received if given is not None and received else None,
            "war_state": None if war is None else war.get("state"),
            **at_war.get(tag, no_war),
            **({} if cwl is None else {
                "cwl_wars": league["wars"], "cwl_attacks_used": league["attacks_used"],
                "cwl_attacks_left": league["attacks_remaining"],
                "cwl_attacks_missed": league["attacks_missed"]}),
            **raided.get(tag, {"raid_weekends": 0, "raid_attacks": 0, "raid_loot": 0}),
        })
    return PARTICIPATION.build(records)
