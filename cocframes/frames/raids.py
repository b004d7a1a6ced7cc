"""Clan Capital raid weekends (``/clans/{tag}/capitalraidseasons``).

Pure builders, JSON in, DataFrame out. Older seasons may come without a ``members`` key:
they contribute no rows to :func:`build_raid_members` and an NA ``member_count`` to
:func:`build_raid_seasons`. A field that is missing, null or of the wrong type becomes NA.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cocframes.frames._columns import documented
from cocframes.frames._payload import count, items_of, obj, objs
from cocframes.frames.specs import RAID_DISTRICTS, RAID_MEMBERS, RAID_SEASONS

_LOGS = (("attackLog", "attack", "defender"), ("defenseLog", "defense", "attacker"))










@documented(RAID_SEASONS)
def build_raid_seasons(payload: Mapping[str, Any] | list[Any]) -> pd.DataFrame:
    """Return one row per raid weekend of ``/clans/{tag}/capitalraidseasons``."""
    return RAID_SEASONS.build([
        {"season_start": s.get("startTime"), "season_end": s.get("endTime"),
         "state": s.get("state"), "capital_total_loot": s.get("capitalTotalLoot"),
         "raids_completed": s.get("raidsCompleted"), "total_attacks": s.get("totalAttacks"),
         "enemy_districts_destroyed": s.get("enemyDistrictsDestroyed"),
         "offensive_reward": s.get("offensiveReward"),
         "defensive_reward": s.get("defensiveReward"),
         "member_count": count(s.get("members")),
         "raids_attacked": count(s.get("attackLog")),
         "raids_defended": count(s.get("defenseLog"))}
        for s in items_of(payload)])


@documented(RAID_MEMBERS)
def build_raid_members(payload: Mapping[str, Any] | list[Any]) -> pd.DataFrame:
    """Return one row per raid weekend × member who attacked; a season without a
    ``members`` list contributes no rows."""
    return RAID_MEMBERS.build([
        {"season_start": s.get("startTime"), "season_end": s.get("endTime"),
         "state": s.get("state"), "tag": m.get("tag"), "name": m.get("name"),
         "attacks": m.get("attacks"), "attack_limit": m.get("attackLimit"),
         "bonus_attack_limit": m.get("bonusAttackLimit"),
         "capital_resources_looted": m.get("capitalResourcesLooted")}
        for s in items_of(payload) for m in objs(s.get("members"))])


@documented(RAID_DISTRICTS)
def build_raid_districts(payload: Mapping[str, Any] | list[Any]) -> pd.DataFrame:
    """Return one row per raid weekend × raid × district, from both the attack log (our
    raids on other capitals) and the defense log (other clans' raids on ours)."""
    return RAID_DISTRICTS.build([
        {"season_start": s.get("startTime"), "log": log,
         "opponent_tag": other.get("tag"), "opponent_name": other.get("name"),
         "opponent_level": other.get("level"),
         "district_id": d.get("id"), "district_name": d.get("name"),
         "district_hall_level": d.get("districtHallLevel"),
         "destruction": d.get("destructionPercent"), "stars": d.get("stars"),
         "attack_count": d.get("attackCount"), "total_looted": d.get("totalLooted")}
        for s in items_of(payload)
        for key, log, party in _LOGS
        for raid in objs(s.get(key))
        for other in (obj(raid.get(party)),)
        for d in objs(raid.get("districts"))])
