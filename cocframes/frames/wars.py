"""Clan wars: attacks and members of one war, the war log, Clan War League groups.

Pure builders, JSON in, DataFrame out. They accept the bodies of ``/clans/{tag}/currentwar``,
``/clanwarleagues/wars/{warTag}``, ``/clans/{tag}/warlog`` and
``/clans/{tag}/currentwar/leaguegroup``; a field that is missing, null or of the wrong type
becomes NA, and a war without members (``notInWar``) gives an empty frame with the usual
columns.

War-specific derived columns:

- ``new_stars``: the stars an attack adds on top of the best earlier attack (by ``order``)
  on the same defender, never below 0; this is what counts towards the war score, so the
  sum of ``new_stars`` of a side equals that side's ``stars`` in the war header.
- ``is_fresh``: the attack is the first one on its defender.
- ``*_rank``: 1..n by ``mapPosition`` within a side (CWL map positions are not 1..n).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from cocframes.frames._columns import (
    documented,
)
from cocframes.frames._payload import as_list, count, items_of, obj, objs
from cocframes.frames.specs import CWL_CLANS, CWL_ROUNDS, WAR_ATTACKS, WAR_LOG, WAR_MEMBERS

SIDES = ("clan", "opponent")
NO_WAR_TAG = "#0"

# --- defensive accessors: a wrong type is treated as missing ---------------------------





def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or value in (float("inf"), float("-inf")) or value != int(value):
        return None
    return int(value)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _ranks(members: list[dict]) -> dict[str, int]:
    """Tag → 1..n rank by map position (members without a position or tag get none)."""
    placed = [(pos, i, tag) for i, m in enumerate(members)
              if (pos := _int(m.get("mapPosition"))) is not None
              and (tag := _str(m.get("tag"))) is not None]
    return {tag: rank for rank, (_, _, tag) in enumerate(sorted(placed), start=1)}


def _war_tag(war: Mapping[str, Any], war_tag: str | None) -> str | None:
    return war_tag if war_tag is not None else _str(war.get("tag"))


def _start(war: Mapping[str, Any]) -> Any:
    return war.get("startTime") if isinstance(war.get("startTime"), str) else war.get(
        "warStartTime")


def _attack_records(war: Any, round_number: int | None,
                    war_tag: str | None) -> list[dict[str, Any]]:
    """One record per attack of ``war``, with ``new_stars`` and ``is_fresh`` filled in."""
    war = obj(war)
    sides = {s: obj(war.get(s)) for s in SIDES}
    members = {s: objs(sides[s].get("members")) for s in SIDES}
    ranks = {s: _ranks(members[s]) for s in SIDES}
    by_tag = {s: {t: m for m in members[s] if (t := _str(m.get("tag"))) is not None}
              for s in SIDES}
    common = {"war_tag": _war_tag(war, war_tag), "round": round_number,
              "state": war.get("state"), "war_start_time": _start(war),
              "war_end_time": war.get("endTime")}
    records = []
    for side, other in (("clan", "opponent"), ("opponent", "clan")):
        for member in members[side]:
            for attack in objs(member.get("attacks")):
                attacker = _str(attack.get("attackerTag")) or _str(member.get("tag"))
                defender = _str(attack.get("defenderTag"))
                target = by_tag[other].get(defender, {}) if defender is not None else {}
                records.append({
                    **common, "side": side,
                    "attacker_tag": attacker,
                    "attacker_name": member.get("name"),
                    "attacker_town_hall": member.get("townhallLevel"),
                    "attacker_map_position": member.get("mapPosition"),
                    "attacker_rank": ranks[side].get(attacker) if attacker else None,
                    "defender_tag": defender,
                    "defender_name": target.get("name"),
                    "defender_town_hall": target.get("townhallLevel"),
                    "defender_map_position": target.get("mapPosition"),
                    "defender_rank": ranks[other].get(defender) if defender else None,
                    "stars": attack.get("stars"),
                    "destruction": attack.get("destructionPercentage"),
                    "order": attack.get("order"),
                    "duration": attack.get("duration"),
                    "attacker_clan_tag": sides[side].get("tag"),
                    "defender_clan_tag": sides[other].get("tag"),
                })
    _fill_new_stars(records)
    return records


def _fill_new_stars(records: list[dict[str, Any]]) -> None:
    """Set ``new_stars`` and ``is_fresh`` on attack records, in place.

    Attacks are taken per (attacking side, defender) in ``order``; an attack without a
    defender or a valid order gets NA for both, and does not count as an earlier attack.
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rec in records:
        if rec["defender_tag"] is not None and _int(rec["order"]) is not None:
            groups.setdefault((rec["side"], rec["defender_tag"]), []).append(rec)
    for group in groups.values():
        best = 0
        for i, rec in enumerate(sorted(group, key=lambda r: _int(r["order"]))):
            rec["is_fresh"] = i == 0
            stars = _int(rec["stars"])
            if stars is None:
                continue
            rec["new_stars"] = max(0, stars - best)
            best = max(best, stars)


@documented(WAR_ATTACKS)
def build_war_attacks(war: Mapping[str, Any], round_number: int | None = None, *,
                      war_tag: str | None = None) -> pd.DataFrame:
    """Return one row per attack of a regular or CWL war (``/clans/{tag}/currentwar`` or
    ``/clanwarleagues/wars/{warTag}``).

    Args:
        war: the war payload.
        round_number: the CWL round (1-based) the war belongs to, if any.
        war_tag: the CWL war tag (the war payload does not carry it).
    """
    return WAR_ATTACKS.build(_attack_records(war, round_number, war_tag))


def _attacks_per_member(war: Mapping[str, Any]) -> int | None:
    per = _int(war.get("attacksPerMember"))
    if per is None and "attacksPerMember" not in war and "warStartTime" in war:
        return 1  # CWL wars omit attacksPerMember: one attack each
    return per


@documented(WAR_MEMBERS)
def build_war_members(war: Mapping[str, Any], round_number: int | None = None, *,
                      war_tag: str | None = None) -> pd.DataFrame:
    """Return one row per participant (both sides) of a regular or CWL war.

    ``attacks_remaining`` is filled during preparation and battle day, ``attacks_missed``
    only once the war has ended (``warEnded``); the other is NA.
    """
    war = obj(war)
    state = war.get("state")
    per = _attacks_per_member(war)
    new_stars: dict[tuple[str, str], int] = {}
    for rec in _attack_records(war, round_number, war_tag):
        if rec["attacker_tag"] is not None and rec.get("new_stars") is not None:
            key = (rec["side"], rec["attacker_tag"])
            new_stars[key] = new_stars.get(key, 0) + rec["new_stars"]
    common = {"war_tag": _war_tag(war, war_tag), "round": round_number, "state": state,
              "attacks_per_member": per, "war_start_time": _start(war),
              "war_end_time": war.get("endTime")}
    records = []
    for side in SIDES:
        clan = obj(war.get(side))
        members = objs(clan.get("members"))
        ranks = _ranks(members)
        for m in members:
            tag = _str(m.get("tag"))
            attacks = objs(m.get("attacks"))
            used = len(attacks)
            left = None if per is None else max(0, per - used)
            best = m.get("bestOpponentAttack")
            best = best if isinstance(best, dict) else {}
            records.append({
                **common, "side": side, "clan_tag": clan.get("tag"),
                "tag": tag, "name": m.get("name"), "town_hall": m.get("townhallLevel"),
                "map_position": m.get("mapPosition"), "rank": ranks.get(tag) if tag else None,
                "attacks_used": used,
                "attacks_remaining": left if state in ("preparation", "inWar") else None,
                "attacks_missed": left if state == "warEnded" else None,
                "stars_earned": _sum(a.get("stars") for a in attacks),
                "new_stars_earned": new_stars.get((side, tag), 0) if tag else None,
                "destruction_dealt": _sum((a.get("destructionPercentage") for a in attacks),
                                          number=_num),
                "best_opponent_stars": best.get("stars"),
                "best_opponent_destruction": best.get("destructionPercentage"),
                "opponent_attacks": m.get("opponentAttacks"),
            })
    return WAR_MEMBERS.build(records)


def _sum(values: Iterable[Any], number: Any = _int) -> Any:
    return sum(v for v in map(number, values) if v is not None)


@documented(WAR_LOG)
def build_war_log(payload: Mapping[str, Any] | list[Any]) -> pd.DataFrame:
    """Return one row per war of a clan's war log (``/clans/{tag}/warlog``).

    CWL entries summarise a whole league season: they have no opponent tag, name or level
    (``is_cwl`` is true), usually no result, and their stars and destruction are season
    totals.
    """
    records = []
    for item in items_of(payload):
        clan, opp = obj(item.get("clan")), obj(item.get("opponent"))
        is_cwl = _str(opp.get("tag")) is None
        records.append({
            "end_time": item.get("endTime"), "result": item.get("result"), "is_cwl": is_cwl,
            "team_size": item.get("teamSize"), "attacks_per_member": item.get("attacksPerMember"),
            "battle_modifier": item.get("battleModifier"),
            "clan_tag": clan.get("tag"), "clan_name": clan.get("name"),
            "clan_level": clan.get("clanLevel"), "clan_stars": clan.get("stars"),
            "clan_destruction": clan.get("destructionPercentage"),
            "clan_attacks": clan.get("attacks"), "clan_exp_earned": clan.get("expEarned"),
            "opponent_tag": opp.get("tag"), "opponent_name": opp.get("name"),
            "opponent_level": None if is_cwl else opp.get("clanLevel"),
            "opponent_stars": opp.get("stars"),
            "opponent_destruction": opp.get("destructionPercentage"),
        })
    return WAR_LOG.build(records)


@documented(CWL_CLANS)
def build_cwl_clans(group: Mapping[str, Any]) -> pd.DataFrame:
    """Return one row per clan of a CWL group (``/clans/{tag}/currentwar/leaguegroup``)."""
    group = obj(group)
    return CWL_CLANS.build([
        {"season": group.get("season"), "state": group.get("state"), "clan_tag": c.get("tag"),
         "name": c.get("name"), "clan_level": c.get("clanLevel"),
         "member_count": count(c.get("members"))}
        for c in objs(group.get("clans"))])






def _round_tags(group: Any) -> list[tuple[int, Any]]:
    """(1-based round, war tag) for every war of every round of ``group``, in order."""
    return [(i, tag) for i, rnd in enumerate(as_list(obj(group).get("rounds")), start=1)
            for tag in as_list(obj(rnd).get("warTags"))]


@documented(CWL_ROUNDS)
def build_cwl_rounds(group: Mapping[str, Any]) -> pd.DataFrame:
    """Return one row per round × war of a CWL group; fetch each played war by its tag."""
    season = obj(group).get("season")
    return CWL_ROUNDS.build([
        {"season": season, "round": rnd, "war_tag": tag,
         "played": isinstance(tag, str) and tag != NO_WAR_TAG}
        for rnd, tag in _round_tags(group)])


@documented(WAR_ATTACKS)
def build_cwl_attacks(group: Mapping[str, Any], wars: Mapping[str, Mapping[str, Any]]
                      ) -> pd.DataFrame:
    """Return one row per attack of every war of a CWL group, with its round and war tag.

    Args:
        group: the league group payload.
        wars: war tag → war payload (``/clanwarleagues/wars/{warTag}``), as fetched by the
            caller; wars missing from it are skipped.
    """
    wars = wars if isinstance(wars, Mapping) else {}
    records = [rec for rnd, tag in _round_tags(group)
               if isinstance(tag, str) and tag != NO_WAR_TAG and tag in wars
               for rec in _attack_records(wars[tag], rnd, tag)]
    return WAR_ATTACKS.build(records)
