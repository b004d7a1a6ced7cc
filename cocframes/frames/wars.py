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

from cocframes.frames._columns import documented
from cocframes.frames._payload import (
    as_list,
    count,
    float_or_none,
    int_or_none,
    items_of,
    obj,
    objs,
    str_or_none,
)
from cocframes.frames.specs import (
    CWL_CLANS,
    CWL_MEDALS,
    CWL_ROUNDS,
    WAR_ATTACKS,
    WAR_LOG,
    WAR_MEMBERS,
)

SIDES = ("clan", "opponent")
NO_WAR_TAG = "#0"


def _ranks(members: list[dict]) -> dict[str, int]:
    """Tag → 1..n rank by map position (members without a position or tag get none)."""
    placed = [(pos, i, tag) for i, m in enumerate(members)
              if (pos := int_or_none(m.get("mapPosition"))) is not None
              and (tag := str_or_none(m.get("tag"))) is not None]
    return {tag: rank for rank, (_, _, tag) in enumerate(sorted(placed), start=1)}


def _war_tag(war: Mapping[str, Any], war_tag: str | None) -> str | None:
    return war_tag if war_tag is not None else str_or_none(war.get("tag"))


def _start(war: Mapping[str, Any]) -> Any:
    return war.get("startTime") if isinstance(war.get("startTime"), str) else war.get(
        "warStartTime")


def orient(war: Any, clan_tag: str | None) -> Any:
    """Return ``war`` as seen from the clan ``clan_tag``: with its two sides swapped when that
    clan is the war's ``opponent``, else unchanged.

    ``/clans/{tag}/currentwar`` puts the clan asked for on the ``clan`` side, but a CWL war
    fetched by its war tag has the same side order whoever asks, so half the time the clan
    asked for is the ``opponent``.
    """
    war = obj(war)
    clan, opponent = obj(war.get("clan")), obj(war.get("opponent"))
    if clan_tag is None or clan.get("tag") == clan_tag \
            or str_or_none(opponent.get("tag")) != clan_tag:
        return war
    return {**war, "clan": opponent, "opponent": clan}


def _attack_records(war: Any, round_number: int | None,
                    war_tag: str | None) -> list[dict[str, Any]]:
    """One record per attack of ``war``, with ``new_stars`` and ``is_fresh`` filled in."""
    war = obj(war)
    sides = {s: obj(war.get(s)) for s in SIDES}
    members = {s: objs(sides[s].get("members")) for s in SIDES}
    ranks = {s: _ranks(members[s]) for s in SIDES}
    by_tag = {s: {t: m for m in members[s] if (t := str_or_none(m.get("tag"))) is not None}
              for s in SIDES}
    common = {"war_tag": _war_tag(war, war_tag), "round": round_number,
              "state": war.get("state"), "war_start_time": _start(war),
              "war_end_time": war.get("endTime")}
    records = []
    for side, other in (("clan", "opponent"), ("opponent", "clan")):
        for member in members[side]:
            for attack in objs(member.get("attacks")):
                attacker = str_or_none(attack.get("attackerTag")) or str_or_none(member.get("tag"))
                defender = str_or_none(attack.get("defenderTag"))
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
                    "attacker_clan_name": sides[side].get("name"),
                    "defender_clan_tag": sides[other].get("tag"),
                    "defender_clan_name": sides[other].get("name"),
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
        if rec["defender_tag"] is not None and int_or_none(rec["order"]) is not None:
            groups.setdefault((rec["side"], rec["defender_tag"]), []).append(rec)
    for group in groups.values():
        best = 0
        for i, rec in enumerate(sorted(group, key=lambda r: int_or_none(r["order"]))):
            rec["is_fresh"] = i == 0
            stars = int_or_none(rec["stars"])
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


def attacks_per_member(war: Mapping[str, Any]) -> int | None:
    """Return the attacks each member of ``war`` may make (1 in CWL wars), or None."""
    per = int_or_none(war.get("attacksPerMember"))
    if per is None and "attacksPerMember" not in war and "warStartTime" in war:
        return 1  # CWL wars omit attacksPerMember: one attack each
    return per


def _member_records(war: Any, round_number: int | None,
                    war_tag: str | None) -> list[dict[str, Any]]:
    """One record per participant (both sides) of ``war``."""
    war = obj(war)
    state = war.get("state")
    per = attacks_per_member(war)
    new_stars: dict[tuple[str, str], int] = {}
    for rec in _attack_records(war, round_number, war_tag):
        if rec["attacker_tag"] is not None and rec.get("new_stars") is not None:
            key = (rec["side"], rec["attacker_tag"])
            new_stars[key] = new_stars.get(key, 0) + rec["new_stars"]
    common = {"war_tag": _war_tag(war, war_tag), "round": round_number, "state": state,
              "attacks_per_member": per, "war_start_time": _start(war),
              "war_end_time": war.get("endTime")}
    records = []
    for side, other in (("clan", "opponent"), ("opponent", "clan")):
        clan, opponent = obj(war.get(side)), obj(war.get(other))
        members = objs(clan.get("members"))
        ranks = _ranks(members)
        for m in members:
            tag = str_or_none(m.get("tag"))
            attacks = objs(m.get("attacks"))
            used = len(attacks)
            left = None if per is None else max(0, per - used)
            best = m.get("bestOpponentAttack")
            best = best if isinstance(best, dict) else {}
            records.append({
                **common, "side": side, "clan_tag": clan.get("tag"),
                "clan_name": clan.get("name"), "opponent_tag": opponent.get("tag"),
                "opponent_name": opponent.get("name"),
                "tag": tag, "name": m.get("name"), "town_hall": m.get("townhallLevel"),
                "map_position": m.get("mapPosition"), "rank": ranks.get(tag) if tag else None,
                "attacks_used": used,
                "attacks_remaining": left if state in ("preparation", "inWar") else None,
                "attacks_missed": left if state == "warEnded" else None,
                "stars_earned": _sum(a.get("stars") for a in attacks),
                "new_stars_earned": new_stars.get((side, tag), 0) if tag else None,
                "destruction_dealt": _sum((a.get("destructionPercentage") for a in attacks),
                                          number=float_or_none),
                "three_stars": sum(int_or_none(a.get("stars")) == 3 for a in attacks),
                "best_opponent_stars": best.get("stars"),
                "best_opponent_destruction": best.get("destructionPercentage"),
                "opponent_attacks": m.get("opponentAttacks"),
            })
    return records


@documented(WAR_MEMBERS)
def build_war_members(war: Mapping[str, Any], round_number: int | None = None, *,
                      war_tag: str | None = None) -> pd.DataFrame:
    """Return one row per participant (both sides) of a regular or CWL war.

    ``attacks_remaining`` is filled during preparation and battle day, ``attacks_missed``
    only once the war has ended (``warEnded``); the other is NA.
    """
    return WAR_MEMBERS.build(_member_records(war, round_number, war_tag))


def _sum(values: Iterable[Any], number: Any = int_or_none) -> Any:
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
        is_cwl = str_or_none(opp.get("tag")) is None
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


def _played_wars(group: Any, wars: Any, clan_tag: str | None
                 ) -> list[tuple[int, str, Any]]:
    """(round, war tag, war oriented to ``clan_tag``) for every war of ``group`` in ``wars``,
    in round order; rounds not drawn yet (``#0``) and wars not fetched are left out."""
    wars = wars if isinstance(wars, Mapping) else {}
    return [(rnd, tag, orient(wars[tag], clan_tag)) for rnd, tag in _round_tags(group)
            if isinstance(tag, str) and tag != NO_WAR_TAG and tag in wars]


@documented(WAR_ATTACKS)
def build_cwl_attacks(group: Mapping[str, Any], wars: Mapping[str, Mapping[str, Any]],
                      clan_tag: str | None = None) -> pd.DataFrame:
    """Return one row per attack of every war of a CWL group, with its round and war tag.

    Args:
        group: the league group payload.
        wars: war tag → war payload (``/clanwarleagues/wars/{warTag}``), as fetched by the
            caller; wars missing from it are skipped.
        clan_tag: the clan asked for: in its wars, ``side`` is ``clan`` for its attacks.
    """
    return WAR_ATTACKS.build([rec for rnd, tag, war in _played_wars(group, wars, clan_tag)
                              for rec in _attack_records(war, rnd, tag)])


@documented(WAR_MEMBERS)
def build_cwl_lineup(group: Mapping[str, Any], wars: Mapping[str, Mapping[str, Any]],
                     clan_tag: str | None = None) -> pd.DataFrame:
    """Return one row per clan × round × member of the lineup of every war of a CWL group,
    with attacks used, remaining (war not ended) and missed (war ended).

    Rounds not drawn yet (war tag ``#0``) have no lineup and give no rows. ``clan_tag`` as
    in :func:`build_cwl_attacks`.
    """
    return WAR_MEMBERS.build([rec for rnd, tag, war in _played_wars(group, wars, clan_tag)
                              for rec in _member_records(war, rnd, tag)])


# The default weights of the bonus-medal score, by column of the CWL_MEDALS frame.
MEDAL_WEIGHTS: dict[str, float] = {"stars": 1.0, "destruction": 0.01, "attacks_missed": -2.0}
MEDAL_SCORED = ("wars", "attacks_used", "attacks_missed", "stars", "new_stars", "three_stars",
                "destruction")


def medal_formula(weights: Mapping[str, float]) -> str:
    """Return the score formula of ``weights`` as text, e.g. ``"score = 1 * stars + 0.01 *
    destruction - 2 * attacks_missed"``."""
    terms = [f"{'-' if w < 0 else '+'} {abs(w):g} * {name}" for name, w in weights.items()]
    text = " ".join(terms) if terms else "0"
    return "score = " + (text[2:] if text.startswith("+ ") else text)


def check_medal_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Return ``weights`` (default :data:`MEDAL_WEIGHTS`) checked: every key a scored column,
    every value a finite number.

    Raises:
        ValueError: for an unknown column or a value that is not a finite number.
    """
    weights = dict(MEDAL_WEIGHTS if weights is None else weights)
    for name, weight in weights.items():
        if name not in MEDAL_SCORED:
            raise ValueError(f"no medal score column {name!r}; scored columns: "
                             f"{', '.join(MEDAL_SCORED)}")
        if float_or_none(weight) is None or weight in (float("inf"), float("-inf")):
            raise ValueError(f"the weight of {name} must be a finite number, not {weight!r}")
    return weights


_TOTALS = (("attacks_used", "attacks_used"), ("attacks_missed", "attacks_missed"),
           ("attacks_remaining", "attacks_remaining"), ("stars", "stars_earned"),
           ("new_stars", "new_stars_earned"), ("three_stars", "three_stars"),
           ("destruction", "destruction_dealt"))


def cwl_totals(group: Mapping[str, Any], wars: Mapping[str, Mapping[str, Any]],
               clan_tag: str) -> dict[str, dict[str, Any]]:
    """Return player tag → the season totals of each member of ``clan_tag``'s CWL lineups:
    ``name`` and ``town_hall`` (as in the latest round), ``wars`` (rounds in the lineup),
    ``attacks_used``, ``attacks_missed`` (ended wars), ``attacks_remaining`` (wars not
    ended), ``stars``, ``new_stars``, ``three_stars`` and ``destruction`` (sum, percent)."""
    per: dict[str, dict[str, Any]] = {}
    for rnd, tag, war in _played_wars(group, wars, clan_tag):
        for rec in _member_records(war, rnd, tag):
            if rec["side"] != "clan" or rec["clan_tag"] != clan_tag or rec["tag"] is None:
                continue
            row = per.setdefault(rec["tag"], {"tag": rec["tag"], "wars": 0, "town_hall": None,
                                              **{total: 0 for total, _ in _TOTALS}})
            row["name"] = rec["name"]
            if rec["town_hall"] is not None:
                row["town_hall"] = rec["town_hall"]
            row["wars"] += 1
            for total, column in _TOTALS:
                row[total] += rec[column] or 0
    return per


@documented(CWL_MEDALS)
def build_cwl_medals(group: Mapping[str, Any], wars: Mapping[str, Mapping[str, Any]],
                     clan_tag: str, weights: Mapping[str, float] | None = None
                     ) -> pd.DataFrame:
    """Return one row per member of ``clan_tag``'s CWL lineups, best score first: the
    bonus-medal ranking.

    The score is a weighted sum of the member's season columns, by default
    ``1 * stars + 0.01 * destruction - 2 * attacks_missed`` (:data:`MEDAL_WEIGHTS`): a star is
    worth 1, a full 100 % attack 1 more, and a missed attack costs 2. ``weights`` maps any of
    ``wars``, ``attacks_used``, ``attacks_missed``, ``stars``, ``new_stars``, ``three_stars``
    and ``destruction`` to its weight. ``df.attrs["score"]`` holds the formula used. Ties
    share a rank and are listed by stars, then destruction, then name.
    """
    weights = check_medal_weights(weights)
    per = cwl_totals(group, wars, clan_tag)
    rows = list(per.values())
    for row in rows:
        used = row["attacks_used"]
        row["mean_destruction"] = row["destruction"] / used if used else None
        row["score"] = round(sum(w * row[name] for name, w in weights.items()), 6)
    rows.sort(key=lambda r: (-r["score"], -r["stars"], -r["destruction"], str(r["name"])))
    for i, row in enumerate(rows):
        tied = i and row["score"] == rows[i - 1]["score"]
        row["rank"] = rows[i - 1]["rank"] if tied else i + 1
    df = CWL_MEDALS.build(rows)
    df.attrs["score"] = medal_formula(weights)
    df.attrs["weights"] = weights
    return df
