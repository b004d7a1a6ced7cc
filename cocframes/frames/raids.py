"""Clan Capital raid weekends (``/clans/{tag}/capitalraidseasons``).

Pure builders, JSON in, DataFrame out. Older seasons may come without a ``members`` key:
they contribute no rows to :func:`build_raid_members` and an NA ``member_count`` to
:func:`build_raid_seasons`. A field that is missing, null or of the wrong type becomes NA.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cocframes.frames._columns import CATEGORY, DATETIME, FLOAT, INT, STRING, documented, spec
from cocframes.frames._payload import count, items_of, obj, objs

RAID_SEASONS = spec(
    "raid_seasons", "raid weekend (capital raid season)",
    ("season_start", DATETIME, "start of the raid weekend (UTC)"),
    ("season_end", DATETIME, "end of the raid weekend (UTC)"),
    ("state", CATEGORY, "ongoing or ended"),
    ("capital_total_loot", INT, "capital gold looted by the clan"),
    ("raids_completed", INT, "enemy capitals fully destroyed"),
    ("total_attacks", INT, "attacks made by the clan"),
    ("enemy_districts_destroyed", INT, "enemy districts destroyed"),
    ("offensive_reward", INT, "raid medals from attacking, per member"),
    ("defensive_reward", INT, "raid medals from defending, per member"),
    ("member_count", INT, "members who attacked; NA when the season lists no members"),
    ("raids_attacked", INT, "enemy capitals attacked (entries in the attack log)"),
    ("raids_defended", INT, "raids suffered (entries in the defense log)"),
)

RAID_MEMBERS = spec(
    "raid_members", "raid weekend × member who attacked",
    ("season_start", DATETIME, "start of the raid weekend (UTC)"),
    ("season_end", DATETIME, "end of the raid weekend (UTC)"),
    ("state", CATEGORY, "ongoing or ended"),
    ("tag", STRING, "player tag"),
    ("name", STRING, "player name"),
    ("attacks", INT, "attacks made"),
    ("attack_limit", INT, "regular attacks available"),
    ("bonus_attack_limit", INT, "bonus attacks available (for a fully destroyed district)"),
    ("capital_resources_looted", INT, "capital gold looted"),
)

RAID_DISTRICTS = spec(
    "raid_districts", "raid weekend × raid (attack or defense log) × district",
    ("season_start", DATETIME, "start of the raid weekend (UTC)"),
    ("log", CATEGORY, "attack (our clan raided) or defense (our capital was raided)"),
    ("opponent_tag", STRING, "the defending clan (attack log) or the attacking clan "
                             "(defense log)"),
    ("opponent_name", STRING, "name of that clan"),
    ("opponent_level", INT, "level of that clan"),
    ("district_id", INT, "district id (70000000 = Capital Peak)"),
    ("district_name", STRING, "district name"),
    ("district_hall_level", INT, "district hall level"),
    ("destruction", FLOAT, "destruction of the district, percent"),
    ("stars", INT, "stars on the district"),
    ("attack_count", INT, "attacks on the district"),
    ("total_looted", INT, "capital gold looted from the district"),
)

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
