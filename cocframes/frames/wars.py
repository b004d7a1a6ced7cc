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
    BOOL,
    CATEGORY,
    DATETIME,
    FLOAT,
    INT,
    STRING,
    documented,
    spec,
)
from cocframes.frames._payload import as_list, count, items_of, obj, objs

SIDES = ("clan", "opponent")
NO_WAR_TAG = "#0"

WAR_ATTACKS = spec(
    "war_attacks", "attack in a regular or Clan War League war",
    ("war_tag", STRING, "CWL war tag; NA for a regular war"),
    ("round", INT, "CWL round, 1-based; NA for a regular war"),
    ("state", CATEGORY, "war state: preparation, inWar, warEnded"),
    ("side", CATEGORY, "side of the attacker: clan (the clan asked for) or opponent"),
    ("attacker_tag", STRING, "player tag of the attacker"),
    ("attacker_name", STRING, "name of the attacker"),
    ("attacker_town_hall", INT, "town hall level of the attacker"),
    ("attacker_map_position", INT, "map position of the attacker, as the API gives it"),
    ("attacker_rank", INT, "1..n rank of the attacker by map position within the side"),
    ("defender_tag", STRING, "player tag of the defender"),
    ("defender_name", STRING, "name of the defender"),
    ("defender_town_hall", INT, "town hall level of the defender"),
    ("defender_map_position", INT, "map position of the defender, as the API gives it"),
    ("defender_rank", INT, "1..n rank of the defender by map position within the side"),
    ("stars", INT, "stars of the attack, 0-3"),
    ("destruction", FLOAT, "destruction of the attack, percent"),
    ("order", INT, "order of the attack in the war (1 = first)"),
    ("duration", INT, "duration of the attack, seconds"),
    ("new_stars", INT, "stars above the best earlier attack (by order) on the same defender, "
                       "min 0: the stars that count in the war score"),
    ("is_fresh", BOOL, "first attack on that defender"),
    ("attacker_clan_tag", STRING, "clan tag of the attacker's side"),
    ("defender_clan_tag", STRING, "clan tag of the defender's side"),
    ("war_start_time", DATETIME, "start of the battle day (UTC)"),
    ("war_end_time", DATETIME, "end of the war (UTC)"),
)

WAR_MEMBERS = spec(
    "war_members", "participant of a war (both sides)",
    ("war_tag", STRING, "CWL war tag; NA for a regular war"),
    ("round", INT, "CWL round, 1-based; NA for a regular war"),
    ("state", CATEGORY, "war state: preparation, inWar, warEnded"),
    ("side", CATEGORY, "clan (the clan asked for) or opponent"),
    ("clan_tag", STRING, "clan tag of the member's side"),
    ("tag", STRING, "player tag"),
    ("name", STRING, "player name"),
    ("town_hall", INT, "town hall level"),
    ("map_position", INT, "map position, as the API gives it"),
    ("rank", INT, "1..n rank by map position within the side"),
    ("attacks_per_member", INT, "attacks allowed per member (1 in CWL wars, where the API "
                                "omits attacksPerMember)"),
    ("attacks_used", INT, "attacks made so far"),
    ("attacks_remaining", INT, "attacks still available; NA once the war has ended"),
    ("attacks_missed", INT, "attacks not made; NA unless the war has ended (warEnded)"),
    ("stars_earned", INT, "sum of the stars of the member's attacks"),
    ("new_stars_earned", INT, "sum of the new stars of the member's attacks (war score)"),
    ("destruction_dealt", FLOAT, "sum of the destruction of the member's attacks, percent"),
    ("best_opponent_stars", INT, "stars of the best attack on this member; NA if not attacked"),
    ("best_opponent_destruction", FLOAT, "destruction of the best attack on this member, "
                                         "percent; NA if not attacked"),
    ("opponent_attacks", INT, "times this member was attacked"),
    ("war_start_time", DATETIME, "start of the battle day (UTC)"),
    ("war_end_time", DATETIME, "end of the war (UTC)"),
)

WAR_LOG = spec(
    "war_log", "war in a clan's war log",
    ("end_time", DATETIME, "end of the war (UTC)"),
    ("result", CATEGORY, "win, lose or tie; usually NA for CWL entries (not always: the "
                           "API sent win for an older CWL season)"),
    ("is_cwl", BOOL, "a Clan War League season summary (the opponent has no tag)"),
    ("team_size", INT, "members per side"),
    ("attacks_per_member", INT, "attacks allowed per member"),
    ("battle_modifier", CATEGORY, "battle modifier (none, hardMode...)"),
    ("clan_tag", STRING, "tag of the clan"),
    ("clan_name", STRING, "name of the clan"),
    ("clan_level", INT, "level of the clan"),
    ("clan_stars", INT, "stars of the clan (CWL: summed over the season's wars)"),
    ("clan_destruction", FLOAT, "destruction by the clan, percent (CWL: summed over the "
                                "season's wars, so may exceed 100)"),
    ("clan_attacks", INT, "attacks made by the clan"),
    ("clan_exp_earned", INT, "clan XP earned"),
    ("opponent_tag", STRING, "tag of the opponent; NA for CWL entries"),
    ("opponent_name", STRING, "name of the opponent; NA for CWL entries"),
    ("opponent_level", INT, "level of the opponent; NA for CWL entries (the API sends 0)"),
    ("opponent_stars", INT, "stars of the opponent (CWL: summed over the season's opponents)"),
    ("opponent_destruction", FLOAT, "destruction by the opponent, percent"),
)

CWL_CLANS = spec(
    "cwl_clans", "clan in a Clan War League group",
    ("season", STRING, "CWL season, YYYY-MM"),
    ("state", CATEGORY, "group state: preparation, inWar, ended"),
    ("clan_tag", STRING, "clan tag"),
    ("name", STRING, "clan name"),
    ("clan_level", INT, "clan level"),
    ("member_count", INT, "members on the clan's CWL roster"),
)

CWL_ROUNDS = spec(
    "cwl_rounds", "war of a Clan War League round",
    ("season", STRING, "CWL season, YYYY-MM"),
    ("round", INT, "round, 1-based"),
    ("war_tag", STRING, "war tag ('#0' while the round is not drawn yet)"),
    ("played", BOOL, "the war exists (its tag is not '#0'); fetch it with the war tag"),
)


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
